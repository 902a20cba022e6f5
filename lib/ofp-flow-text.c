/* ofp-flow: the ovs-ofctl text of flows (see ofp-flow.h): the flow
 * syntax of add-flow, mod-flows, del-flows and dump-flows, and the lines
 * dump-flows prints.  The wire codecs are in ofp-flow.c. */
#include <config.h>
#include "ofp-flow.h"
#include "ofp-print.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "match.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "util.h"

/* Which keywords a command takes (as ovs-ofctl's parse_ofp_str()). */
enum {
    F_OUT_PORT = 1 << 0,
    F_ACTIONS = 1 << 1,
    F_IMPORTANCE = 1 << 2,
    F_TIMEOUT = 1 << 3,
    F_PRIORITY = 1 << 4,
    F_FLAGS = 1 << 5,
};

/* Internal 'command' for a flow statistics request. */
#define PARSE_STATS_REQUEST (-2)

/* Splits the next "KEY", "KEY=VALUE", "KEY:VALUE" or "KEY(VALUE)" off
 * '*sp' in place, as ovs-ofctl's ofputil_parse_key_value() does: VALUE is
 * "" when there is none (and '*has_valuep' false).  Returns false at the
 * end of the string. */
static bool
parse_key_value(char **sp, char **keyp, char **valuep, bool *has_valuep)
{
    char *s = *sp + strspn(*sp, ", \t\r\n");
    if (!*s) {
        return false;
    }

    char *key = s;
    size_t key_len = strcspn(key, ":=(, \t\r\n");
    char delim = key[key_len];
    key[key_len] = '\0';
    s += key_len + (delim != '\0');

    if (delim != ':' && delim != '=' && delim != '(') {
        *keyp = key;
        *valuep = key + key_len;
        *has_valuep = false;
        *sp = s;
        return true;
    }

    /* The value runs to white space or a comma, or for "(" to the
     * matching ")", skipping over balanced parentheses either way. */
    char *value = s;
    const char *delims = delim == '(' ? ")" : ", \t\r\n";
    int depth = 0;
    for (; *s; s++) {
        if (!depth && strchr(delims, *s)) {
            break;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')' && depth) {
            depth--;
        }
    }
    if (*s) {
        *s++ = '\0';
    }
    *keyp = key;
    *valuep = value;
    *has_valuep = true;
    *sp = s;
    return true;
}

static char *
parse_u16(const char *value, const char *name, uint16_t *x)
{
    unsigned int u;

    if (!str_to_uint(value, 0, &u) || u > UINT16_MAX) {
        return xasprintf("invalid %s \"%s\"", name, value);
    }
    *x = u;
    return NULL;
}

/* As Open vSwitch's str_to_be64(): strtoull() in any base, with the
 * whole string consumed. */
static char *
parse_be64(const char *value, plx_be64 *x)
{
    char *tail;
    int save_errno = errno;

    errno = 0;
    unsigned long long ull = strtoull(value, &tail, 0);
    bool ok = errno != EINVAL && tail != value && *tail == '\0';
    errno = save_errno;
    if (!ok) {
        return xasprintf("invalid numeric format %s", value);
    }
    *x = htobe64(ull);
    return NULL;
}

static bool
parse_table(const char *value, uint8_t *table_id)
{
    unsigned int t;

    if (*value == '-' || !str_to_uint(value, 10, &t) || t > 255) {
        return false;
    }
    *table_id = t;
    return true;
}

static bool
parse_group(const char *value, uint32_t *group_id)
{
    if (!strcasecmp(value, "any")) {
        *group_id = OFPUTIL_GROUP_ANY;
    } else if (!strcasecmp(value, "all")) {
        *group_id = 0xfffffffcu;        /* OFPG_ALL. */
    } else if (*value == '-' || !str_to_uint(value, 10, group_id)) {
        return false;
    }
    return true;
}

/* The actions in STRING, which is cut off before them (as ovs-ofctl's
 * ofp_extract_actions(): everything after the first "action...="). */
static char *
extract_actions(char *string)
{
    char *s = strstr(string, "action");
    if (!s) {
        return NULL;
    }
    *s = '\0';
    s = strchr(s + 1, '=');
    return s ? s + 1 : NULL;
}

/* Handles one keyword that is not a match field; returns NULL or an
 * error. */
static char *
parse_keyword(struct ofputil_flow_mod *fm, int command, unsigned int fields,
              const char *name, char *value)
{
    if (!strcmp(name, "table")) {
        if (!parse_table(value, &fm->table_id)) {
            return xasprintf("unknown table \"%s\"", value);
        }
    } else if (fields & F_OUT_PORT && !strcmp(name, "out_port")) {
        if (!mf_port_from_string(value, &fm->out_port)) {
            return xasprintf("%s is not a valid OpenFlow port", value);
        }
    } else if (fields & F_OUT_PORT && !strcmp(name, "out_group")) {
        if (!parse_group(value, &fm->out_group)) {
            return xasprintf("%s is not a valid OpenFlow group", value);
        }
    } else if (fields & F_PRIORITY && !strcmp(name, "priority")) {
        uint16_t priority = 0;
        char *error = parse_u16(value, name, &priority);
        if (!error) {
            fm->priority = priority;
        }
        return error;
    } else if (fields & F_TIMEOUT && !strcmp(name, "idle_timeout")) {
        return parse_u16(value, name, &fm->idle_timeout);
    } else if (fields & F_TIMEOUT && !strcmp(name, "hard_timeout")) {
        return parse_u16(value, name, &fm->hard_timeout);
    } else if (fields & F_IMPORTANCE && !strcmp(name, "importance")) {
        uint16_t importance;            /* OpenFlow 1.4: no place here. */
        return parse_u16(value, name, &importance);
    } else if (!strcmp(name, "cookie")) {
        char *mask = strchr(value, '/');

        if (mask) {
            /* With a mask the cookie selects flows. */
            if (command == OFPUTIL_FC_ADD) {
                return xstrdup("flow additions cannot use a cookie mask");
            }
            *mask = '\0';
            char *error = parse_be64(value, &fm->cookie);
            return error ? error : parse_be64(mask + 1, &fm->cookie_mask);
        }
        /* Without one it is the cookie to set. */
        if (command != OFPUTIL_FC_ADD && command != OFPUTIL_FC_MODIFY
            && command != OFPUTIL_FC_MODIFY_STRICT) {
            return xstrdup("cannot set cookie");
        }
        fm->modify_cookie = true;
        return parse_be64(value, &fm->new_cookie);
    } else if (!strcmp(name, "duration") || !strcmp(name, "n_packets")
               || !strcmp(name, "n_bytes") || !strcmp(name, "idle_age")
               || !strcmp(name, "hard_age")) {
        /* Ignored, so that dump-flows output can be fed back in. */
    } else {
        return xasprintf("unknown keyword %s", name);
    }
    return NULL;
}

/* Reads the leading command word of an add-flows line, if any. */
static int
parse_command_word(char **stringp)
{
    static const struct {
        const char *name;
        int command;
    } words[] = {
        /* In ovs-ofctl's order, which decides what a prefix means. */
        { "add", OFPUTIL_FC_ADD },
        { "delete", OFPUTIL_FC_DELETE },
        { "delete_strict", OFPUTIL_FC_DELETE_STRICT },
        { "modify", OFPUTIL_FC_MODIFY },
        { "modify_strict", OFPUTIL_FC_MODIFY_STRICT },
    };
    char *s = *stringp + strspn(*stringp, " \t\r\n");
    size_t len = strcspn(s, ", \t\r\n");

    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        if (!strncmp(s, words[i].name, len)) {
            *stringp = s + len;
            return words[i].command;
        }
    }
    *stringp = s;
    return OFPUTIL_FC_ADD;
}

static unsigned int
command_fields(int command)
{
    switch (command) {
    case OFPUTIL_FC_ADD:
        return F_ACTIONS | F_TIMEOUT | F_PRIORITY | F_FLAGS | F_IMPORTANCE;
    case OFPUTIL_FC_MODIFY:
    case OFPUTIL_FC_MODIFY_STRICT:
        return F_ACTIONS | F_TIMEOUT | F_PRIORITY | F_FLAGS;
    case OFPUTIL_FC_DELETE_STRICT:
        return F_OUT_PORT | F_PRIORITY;
    case OFPUTIL_FC_DELETE:
    case PARSE_STATS_REQUEST:
    default:
        return F_OUT_PORT;
    }
}

/* Parses the actions in ACT_STR into OFPACTS and checks them against
 * FM's match as ovs-ofctl does.  The check that passes for OpenFlow 1.3
 * or else for 1.0 (which tolerates its own set actions on flows they do
 * not fit) wins. */
static char *
parse_flow_actions(struct ofputil_flow_mod *fm, const char *act_str,
                   struct ofpa_buf *ofpacts)
{
    size_t orig = ofpacts->size;
    char *error = ofpacts_text_parse(act_str, ofpacts);
    if (error) {
        return error;
    }

    /* An unspecified table is table 0 for an add; goto_table must lead
     * to a later table. */
    uint8_t table = fm->table_id == OFPTT_ALL ? 0 : fm->table_id;
    size_t len = ofpacts->size - orig;
    void *acts = len ? (uint8_t *) ofpacts->data + orig : NULL;
    enum ofperr err = (!len ? 0
                       : ofpacts_check(acts, len, &fm->match, MF_OFPP_MAX,
                                       table, 255, OFPA_OF13));
    if (err) {
        err = ofpacts_check(acts, len, &fm->match, MF_OFPP_MAX, table, 255,
                            OFPA_OF10);
    }
    if (err) {
        ofpa_buf_truncate(ofpacts, orig);
        return xasprintf("actions are invalid with specified match (%s)",
                         ofperr_to_string(err));
    }
    fm->ofpacts = acts;
    fm->ofpacts_len = len;
    return NULL;
}

static char *
parse_flow__(char *string, int command, struct ofputil_flow_mod *fm,
             struct ofpa_buf *ofpacts)
{
    struct match_parser parser;
    char *act_str = NULL;
    char *name, *value;
    bool has_value;
    char *error;

    if (command == -1) {
        command = parse_command_word(&string);
    }
    unsigned int fields = command_fields(command);

    memset(fm, 0, sizeof *fm);
    fm->command = (command == PARSE_STATS_REQUEST ? OFPUTIL_FC_ADD
                   : (enum ofputil_flow_mod_command) command);
    match_init_catchall(&fm->match);
    fm->priority = OFPUTIL_DEFAULT_PRIORITY;
    fm->table_id = OFPTT_ALL;
    fm->buffer_id = OFP_NO_BUFFER;
    fm->out_port = MF_OFPP_ANY;
    fm->out_group = OFPUTIL_GROUP_ANY;
    /* A modify leaves cookies alone unless told otherwise. */
    bool modify = (command == OFPUTIL_FC_MODIFY
                   || command == OFPUTIL_FC_MODIFY_STRICT);
    if (modify) {
        fm->new_cookie = UINT64_MAX;
    }

    if (fields & F_ACTIONS) {
        act_str = extract_actions(string);
        if (!act_str) {
            return xstrdup("must specify an action");
        }
    }

    match_parser_init(&parser, &fm->match);
    while (parse_key_value(&string, &name, &value, &has_value)) {
        if (match_is_keyword(name)) {
            error = match_parser_add(&parser, name,
                                     has_value ? value : NULL);
        } else if (fields & F_FLAGS && !strcmp(name, "send_flow_rem")) {
            fm->flags |= OFPUTIL_FF_SEND_FLOW_REM;
            error = NULL;
        } else if (fields & F_FLAGS && !strcmp(name, "check_overlap")) {
            fm->flags |= OFPUTIL_FF_CHECK_OVERLAP;
            error = NULL;
        } else if (fields & F_FLAGS && !strcmp(name, "reset_counts")) {
            fm->flags |= OFPUTIL_FF_RESET_COUNTS;
            error = NULL;
        } else if (fields & F_FLAGS && !strcmp(name, "no_packet_counts")) {
            fm->flags |= OFPUTIL_FF_NO_PKT_COUNTS;
            error = NULL;
        } else if (fields & F_FLAGS && !strcmp(name, "no_byte_counts")) {
            fm->flags |= OFPUTIL_FF_NO_BYT_COUNTS;
            error = NULL;
        } else if (!strcmp(name, "no_readonly_table")
                   || !strcmp(name, "allow_hidden_fields")) {
            error = NULL;               /* Ignored, as by ovs-ofctl. */
        } else if (!*value) {
            error = xasprintf("field %s missing value", name);
        } else {
            error = parse_keyword(fm, command, fields, name, value);
        }
        if (error) {
            return error;
        }
    }
    error = match_parser_finish(&parser);
    if (error) {
        return error;
    }

    if (!fm->cookie_mask && fm->new_cookie == UINT64_MAX && modify) {
        /* A modify that adds the flow when none matches gives it cookie
         * 0 unless told otherwise. */
        fm->new_cookie = 0;
    }
    return act_str ? parse_flow_actions(fm, act_str, ofpacts) : NULL;
}

char *
ofputil_parse_flow_mod_str(const char *string, int command,
                           struct ofputil_flow_mod *fm,
                           struct ofpa_buf *ofpacts)
{
    if (command < -1 || command > OFPUTIL_FC_DELETE_STRICT) {
        return xasprintf("bad flow_mod command %d", command);
    }

    char *copy = xstrdup(string);
    char *error = parse_flow__(copy, command, fm, ofpacts);
    free(copy);
    if (error) {
        fm->ofpacts = NULL;
        fm->ofpacts_len = 0;
    }
    return error;
}

char *
ofputil_parse_flow_stats_request_str(const char *string, bool aggregate,
                                     struct ofputil_flow_stats_request *fsr)
{
    struct ofputil_flow_mod fm;
    char *copy = xstrdup(string);
    char *error = parse_flow__(copy, PARSE_STATS_REQUEST, &fm, NULL);

    free(copy);
    memset(fsr, 0, sizeof *fsr);
    if (!error) {
        fsr->aggregate = aggregate;
        fsr->match = fm.match;
        fsr->table_id = fm.table_id;
        fsr->out_port = fm.out_port;
        fsr->out_group = fm.out_group;
        fsr->cookie = fm.cookie;
        fsr->cookie_mask = fm.cookie_mask;
    }
    return error;
}

/* ---- Formatting. ---- */


void
ofputil_format_flow_flags(struct ds *s, uint32_t flags)
{
    static const struct {
        uint32_t flag;
        const char *name;
    } names[] = {
        { OFPUTIL_FF_SEND_FLOW_REM, "send_flow_rem" },
        { OFPUTIL_FF_CHECK_OVERLAP, "check_overlap" },
        { OFPUTIL_FF_RESET_COUNTS, "reset_counts" },
        { OFPUTIL_FF_NO_PKT_COUNTS, "no_packet_counts" },
        { OFPUTIL_FF_NO_BYT_COUNTS, "no_byte_counts" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (flags & names[i].flag) {
            ds_put_format(s, "%s ", names[i].name);
        }
    }
}

void
ofputil_flow_stats_format(const struct ofputil_flow_stats *fs,
                          bool show_stats, struct ds *s)
{
    if (show_stats || fs->cookie) {
        ds_put_format(s, "cookie=0x%"PRIx64", ", be64toh(fs->cookie));
    }
    if (show_stats) {
        ds_put_cstr(s, "duration=");
        ofp_print_duration(s, fs->duration_sec, fs->duration_nsec);
        ds_put_cstr(s, ", ");
    }
    if (show_stats || fs->table_id) {
        ds_put_format(s, "table=%"PRIu8", ", fs->table_id);
    }
    if (show_stats) {
        ds_put_format(s, "n_packets=%"PRIu64", n_bytes=%"PRIu64", ",
                      fs->packet_count, fs->byte_count);
    }
    if (fs->idle_timeout) {
        ds_put_format(s, "idle_timeout=%"PRIu16", ", fs->idle_timeout);
    }
    if (fs->hard_timeout) {
        ds_put_format(s, "hard_timeout=%"PRIu16", ", fs->hard_timeout);
    }
    ofputil_format_flow_flags(s, fs->flags);

    /* The match, then a space unless the match printed nothing. */
    size_t length = s->length;
    match_format(&fs->match, fs->priority, s);
    if (s->length != length) {
        ds_put_char(s, ' ');
    }
    ds_put_cstr(s, "actions=");
    ofpacts_text_format(fs->ofpacts, fs->ofpacts_len, s);
}
