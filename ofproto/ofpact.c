/* ofpact: OpenFlow actions in internal form (see ofpact.h). */
#include <config.h>
#include "ofproto/ofpact.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "util.h"

void
ofpacts_init(struct ofpacts *ofpacts)
{
    ofpacts->data = NULL;
    ofpacts->size = 0;
    ofpacts->allocated = 0;
}

void
ofpacts_uninit(struct ofpacts *ofpacts)
{
    free(ofpacts->data);
    ofpacts_init(ofpacts);
}

void
ofpacts_clear(struct ofpacts *ofpacts)
{
    ofpacts->size = 0;
}

/* Appends LEN bytes (a multiple of OFPACT_ALIGNTO), zeroed, and returns
 * them. */
static void *
ofpacts_put_zeros(struct ofpacts *ofpacts, size_t len)
{
    void *p;

    if (ofpacts->allocated - ofpacts->size < len) {
        size_t want = MAX(ofpacts->size + len, 2 * ofpacts->allocated);

        want = MAX(want, 64);
        /* malloc() memory is aligned enough for OFPACT_ALIGNTO. */
        ofpacts->data = xrealloc(ofpacts->data, want);
        ofpacts->allocated = want;
    }
    p = (uint8_t *) ofpacts->data + ofpacts->size;
    memset(p, 0, len);
    ofpacts->size += len;
    return p;
}

static void *
ofpact_put(struct ofpacts *ofpacts, enum ofpact_type type, size_t len)
{
    struct ofpact *a = ofpacts_put_zeros(ofpacts, OFPACT_ALIGN(len));

    a->type = type;
    a->len = len;
    return a;
}

void
ofpact_put_output(struct ofpacts *ofpacts, uint32_t port, uint16_t max_len)
{
    struct ofpact_output *o = ofpact_put(ofpacts, OFPACT_OUTPUT, sizeof *o);

    o->port = port;
    o->max_len = max_len;
}

bool
ofpacts_equal(const void *a, size_t a_size, const void *b, size_t b_size)
{
    return a_size == b_size && (!a_size || !memcmp(a, b, a_size));
}

/* ------------------------------------------------------------------ */
/* Text. */

static void
format_output(const struct ofpact_output *o, struct ds *s)
{
    if (o->port < MF_OFPP_MAX) {
        ds_put_format(s, "output:%"PRIu32, o->port);
    } else if (o->port == MF_OFPP_CONTROLLER) {
        ds_put_format(s, "CONTROLLER:%"PRIu16, o->max_len);
    } else {
        mf_format_port(o->port, s);
    }
}

void
ofpacts_format(const void *ofpacts, size_t size, struct ds *s)
{
    const struct ofpact *a;

    if (!size) {
        ds_put_cstr(s, "drop");
        return;
    }
    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (a != ofpacts) {
            ds_put_char(s, ',');
        }
        switch ((enum ofpact_type) a->type) {
        case OFPACT_OUTPUT:
            format_output(ofpact_get_output(a), s);
            break;
        case OFPACT_N_TYPES:
        default:
            ds_put_format(s, "<unknown action %"PRIu16">", a->type);
            break;
        }
    }
}

char *
ofpacts_to_string(const void *ofpacts, size_t size)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ofpacts_format(ofpacts, size, &s);
    return ds_steal_cstr(&s);
}

/* True if PORT may be the destination of an output action. */
static bool
output_port_is_valid(uint32_t port)
{
    return ((port > 0 && port < MF_OFPP_MAX)
            || port == MF_OFPP_IN_PORT || port == MF_OFPP_NORMAL
            || port == MF_OFPP_FLOOD || port == MF_OFPP_ALL
            || port == MF_OFPP_CONTROLLER || port == MF_OFPP_LOCAL);
}

static char *
parse_output(const char *arg, struct ofpacts *ofpacts)
{
    uint32_t port;

    if (!mf_port_from_string(arg, &port)) {
        return xasprintf("%s: unknown port", arg);
    }
    if (!output_port_is_valid(port)) {
        return xasprintf("%s: invalid output port", arg);
    }
    ofpact_put_output(ofpacts, port, port == MF_OFPP_CONTROLLER ? 65535 : 0);
    return NULL;
}

static char *
parse_controller(const char *arg, struct ofpacts *ofpacts)
{
    unsigned int max_len = 65535;

    if (arg && (!str_to_uint(arg, 10, &max_len) || max_len > 65535)) {
        return xasprintf("%s: invalid controller max_len", arg);
    }
    ofpact_put_output(ofpacts, MF_OFPP_CONTROLLER, max_len);
    return NULL;
}

/* Parses one action, KEY with optional ARG (after ':' or '='). */
static char *
parse_one(const char *key, const char *arg, struct ofpacts *ofpacts,
          bool *saw_drop)
{
    if (!strcasecmp(key, "drop")) {
        if (arg) {
            return xstrdup("drop: takes no argument");
        }
        *saw_drop = true;
        return NULL;
    } else if (!strcasecmp(key, "output")) {
        if (!arg || !*arg) {
            return xstrdup("output: missing port");
        }
        return parse_output(arg, ofpacts);
    } else if (!strcasecmp(key, "controller")) {
        return parse_controller(arg, ofpacts);
    } else if (arg) {
        return xasprintf("%s:%s: unknown action", key, arg);
    } else if (!strcasecmp(key, "normal") || !strcasecmp(key, "flood")
               || !strcasecmp(key, "all") || !strcasecmp(key, "in_port")
               || !strcasecmp(key, "local")
               || isdigit((unsigned char) key[0])) {
        return parse_output(key, ofpacts);
    } else {
        return xasprintf("%s: unknown action", key);
    }
}

char *
ofpacts_parse(const char *s, struct ofpacts *ofpacts)
{
    size_t orig_size = ofpacts->size;
    char *copy = xstrdup(s);
    char *save = NULL;
    char *error = NULL;
    bool saw_drop = false;
    size_t n = 0;

    for (char *tok = strtok_r(copy, ", \t\r\n", &save); tok;
         tok = strtok_r(NULL, ", \t\r\n", &save)) {
        char *arg = strpbrk(tok, ":=");

        if (arg) {
            *arg++ = '\0';
        }
        if (!*tok) {
            error = xstrdup("missing action name");
            break;
        }
        error = parse_one(tok, arg, ofpacts, &saw_drop);
        if (error) {
            break;
        }
        n++;
    }
    if (!error && !n) {
        error = xstrdup("empty action list (use \"drop\")");
    }
    if (!error && saw_drop && n > 1) {
        error = xstrdup("drop must be the only action");
    }
    free(copy);
    if (error) {
        ofpacts->size = orig_size;
    }
    return error;
}
