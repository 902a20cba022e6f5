/* dpctl-ct: the conntrack commands of ovs-appctl's dpctl/ family, on the
 * switch's datapath (datapath/conntrack.h), with Open vSwitch's names,
 * arguments and output:
 *
 *   dpctl/dump-conntrack [-m] [-s] [DP] [zone=N]
 *   dpctl/flush-conntrack [DP] [zone=N] [CT-ORIG-TUPLE]
 *   dpctl/ct-stats-show [DP] [zone=N] [verbose|-m]
 *   dpctl/ct-set-maxconns [DP] N, dpctl/ct-get-maxconns [DP],
 *   dpctl/ct-get-nconns [DP]
 *   dpctl/ct-set-limits [DP] [default=L] [zone=N,limit=L]...
 *   dpctl/ct-get-limits [DP] [zone=N[,N]...]
 *   dpctl/ct-del-limits [DP] zone=N[,N]...
 *   dpctl/ipf-set-enabled [DP] v4|v6 enable|disable
 *   dpctl/ipf-set-min-frag [DP] v4|v6 SIZE
 *   dpctl/ipf-set-max-nfrags [DP] N
 *   dpctl/ipf-get-status [DP] [-m]
 *
 * ct-stats-show also reports the memory one connection takes (a Plexus
 * addition, on its last line).  Every argument error is a reply error
 * that says what was wrong; nothing changes then. */
#include <config.h>
#include "vswitchd/dpctl-ct.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/conntrack.h"
#include "datapath/dpif.h"
#include "datapath/ipf.h"
#include "dynamic-string.h"
#include "packets.h"
#include "timeval.h"
#include "vswitchd/bridge.h"
#include "unixctl.h"
#include "util.h"

/* The arguments common to the commands: the optional datapath name and
 * flags, and what is left. */
struct ct_args {
    bool more;                  /* -m, --more, verbose. */
    bool stats;                 /* -s, --statistics. */
    const char *rest[8];        /* The other arguments, in order. */
    int n_rest;
};

static struct conntrack *
ct_of(void)
{
    return dpif_conntrack(bridge_get_dpif());
}

static void
reply_error(struct unixctl_conn *conn, char *msg)
{
    unixctl_command_reply_error(conn, msg);
    free(msg);
}

/* Sorts ARGV[1..] into ARGS.  An argument that names a datapath (with no
 * '=' in it) is checked against ours.  Returns false, having replied,
 * on error. */
static bool
parse_ct_args(struct unixctl_conn *conn, int argc, const char *argv[],
              bool flags_ok, struct ct_args *args)
{
    memset(args, 0, sizeof *args);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (flags_ok && (!strcmp(a, "-m") || !strcmp(a, "--more")
                         || !strcmp(a, "verbose"))) {
            args->more = true;
        } else if (flags_ok && (!strcmp(a, "-s")
                                || !strcmp(a, "--statistics"))) {
            args->stats = true;
        } else if (a[0] == '-') {
            reply_error(conn, xasprintf("unknown option %s", a));
            return false;
        } else if (i == 1 && !strchr(a, '=')) {
            if (!dpctl_check_dp(conn, a)) {
                return false;
            }
        } else if (args->n_rest < (int) ARRAY_SIZE(args->rest)) {
            args->rest[args->n_rest++] = a;
        } else {
            reply_error(conn, xstrdup("too many arguments"));
            return false;
        }
    }
    return true;
}

/* Parses "zone=N" into *ZONE.  Returns false if S is not of that form. */
static bool
parse_zone(const char *s, uint16_t *zone)
{
    unsigned int z;

    if (strncmp(s, "zone=", 5) || !str_to_uint(s + 5, 10, &z)
        || z > UINT16_MAX) {
        return false;
    }
    *zone = z;
    return true;
}

/* The arguments of dump-conntrack and ct-stats-show: flags, the
 * datapath and an optional "zone=N" (into *ZONE, setting *HAS_ZONE).
 * Returns false, having replied, on error. */
static bool
parse_zone_args(struct unixctl_conn *conn, int argc, const char *argv[],
                struct ct_args *args, uint16_t *zone, bool *has_zone)
{
    if (!parse_ct_args(conn, argc, argv, true, args)) {
        return false;
    }
    *has_zone = false;
    for (int i = 0; i < args->n_rest; i++) {
        if (!parse_zone(args->rest[i], zone)) {
            reply_error(conn, xasprintf("invalid argument \"%s\" (expected "
                                        "zone=N)", args->rest[i]));
            return false;
        }
        *has_zone = true;
    }
    return true;
}

/* ---- dump-conntrack ---- */

struct dump_aux {
    struct ds *s;
    bool more;
    bool stats;
    long long now;
};

static void
dump_one(const struct ct_dump_entry *e, void *aux_)
{
    struct dump_aux *aux = aux_;

    ct_dump_entry_format(aux->s, e, aux->more || aux->stats, aux->now);
    ds_put_char(aux->s, '\n');
}

static void
cmd_dump_conntrack(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux_ PLX_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ct_args args;
    uint16_t zone = 0;
    bool has_zone;

    if (!parse_zone_args(conn, argc, argv, &args, &zone, &has_zone)) {
        return;
    }
    struct dump_aux aux = { &s, args.more, args.stats, time_msec() };
    conntrack_dump(ct_of(), has_zone ? &zone : NULL, dump_one, &aux);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* ---- flush-conntrack ---- */

static void
cmd_flush_conntrack(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux PLX_UNUSED)
{
    struct ct_args args;
    struct ct_key key;
    bool has_zone = false, has_key = false;
    uint16_t zone = 0;

    if (!parse_ct_args(conn, argc, argv, false, &args)) {
        return;
    }
    for (int i = 0; i < args.n_rest; i++) {
        const char *a = args.rest[i];

        if (!has_zone && !has_key && parse_zone(a, &zone)) {
            has_zone = true;
        } else if (!has_key) {
            char *error = ct_key_parse(a, &key);
            if (error) {
                reply_error(conn, xasprintf("failed to parse ct tuple "
                                            "\"%s\": %s", a, error));
                free(error);
                return;
            }
            has_key = true;
        } else {
            reply_error(conn, xasprintf("invalid argument \"%s\"", a));
            return;
        }
    }
    if (has_key) {
        key.zone = zone;
        int error = conntrack_flush(ct_of(), NULL, &key);
        if (error) {
            reply_error(conn, xasprintf("ct tuple not found (%s)",
                                        plx_strerror(error)));
            return;
        }
    } else {
        conntrack_flush(ct_of(), has_zone ? &zone : NULL, NULL);
    }
    unixctl_command_reply(conn, NULL);
}

/* ---- ct-stats-show ---- */

struct stats_aux {
    bool has_zone;
    uint16_t zone;
    struct conntrack_stats *stats;
};

static void
count_one(const struct ct_dump_entry *e, void *aux_)
{
    struct conntrack_stats *st = aux_;

    st->n_conns++;
    st->n_by_proto[e->orig.nw_proto]++;
    if (e->orig.nw_proto == IPPROTO_TCP
        && e->tcp_state < ARRAY_SIZE(st->n_tcp_by_state)) {
        st->n_tcp_by_state[e->tcp_state]++;
    }
}

static const char *
proto_name(int proto)
{
    switch (proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_SCTP: return "SCTP";
    case IPPROTO_ICMP: return "ICMP";
    case IPPROTO_ICMPV6: return "ICMPV6";
    case IPPROTO_UDPLITE: return "UDPLITE";
    case IPPROTO_DCCP: return "DCCP";
    case IPPROTO_IGMP: return "IGMP";
    default: return NULL;
    }
}

static void
cmd_ct_stats_show(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux PLX_UNUSED)
{
    struct conntrack_stats all, st;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ct_args args;
    uint16_t zone = 0;
    bool has_zone;

    if (!parse_zone_args(conn, argc, argv, &args, &zone, &has_zone)) {
        return;
    }

    /* Counts come from a walk of the table, so that a zone can be
     * chosen; the rest from conntrack's own statistics. */
    conntrack_get_stats(ct_of(), &all);
    memset(&st, 0, sizeof st);
    conntrack_dump(ct_of(), has_zone ? &zone : NULL, count_one, &st);

    ds_put_format(&s, "Connections Stats:\n    Total: %"PRIu32"\n",
                  st.n_conns);
    for (int p = 0; p < 256; p++) {
        if (!st.n_by_proto[p]) {
            continue;
        }
        const char *name = proto_name(p);
        if (name) {
            ds_put_format(&s, "    %s: %"PRIu32"\n", name, st.n_by_proto[p]);
        } else {
            ds_put_format(&s, "    proto %d: %"PRIu32"\n", p,
                          st.n_by_proto[p]);
        }
        if (p == IPPROTO_TCP && args.more) {
            for (size_t i = 0; i < ARRAY_SIZE(st.n_tcp_by_state); i++) {
                if (st.n_tcp_by_state[i]) {
                    ds_put_format(&s, "      %s: %"PRIu32"\n",
                                  ct_tcp_state_name(i),
                                  st.n_tcp_by_state[i]);
                }
            }
        }
    }
    if (args.more) {
        ds_put_format(&s, "    Commits refused by a limit: %"PRIu64"\n"
                      "    Packets marked invalid: %"PRIu64"\n"
                      "    NAT without a free tuple: %"PRIu64"\n",
                      all.n_commit_fail_limit, all.n_invalid,
                      all.n_nat_fail);
    }
    ds_put_format(&s, "    Memory per connection: %zu bytes\n",
                  all.bytes_per_conn);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* ---- maxconns ---- */

static void
cmd_ct_set_maxconns(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux PLX_UNUSED)
{
    const char *n = argv[argc - 1];
    unsigned int max;

    if (argc == 3 && !dpctl_check_dp(conn, argv[1])) {
        return;
    }
    if (!str_to_uint(n, 10, &max)) {
        reply_error(conn, xasprintf("maxconns missing or malformed: "
                                    "\"%s\"", n));
        return;
    }
    conntrack_set_maxconns(ct_of(), max);
    unixctl_command_reply(conn, "setting maxconns successful");
}

static void
cmd_ct_get_maxconns(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux)
{
    if (argc == 2 && !dpctl_check_dp(conn, argv[1])) {
        return;
    }
    struct conntrack *ct = ct_of();
    char *s = xasprintf("%"PRIu32, aux ? conntrack_get_nconns(ct)
                                       : conntrack_get_maxconns(ct));
    unixctl_command_reply(conn, s);
    free(s);
}

/* ---- limits ---- */

/* Parses "zone=N,limit=L" (SET) or "zone=N[,N]..." into ZONES and
 * LIMITS.  Returns NULL or a malloc'd error. */
static char *
parse_limit_arg(const char *arg, bool set, uint32_t *zones,
                uint32_t *limits, size_t *n, size_t max)
{
    char *copy = xstrdup(arg), *save = NULL, *tok;
    char *error = NULL;
    bool have_limit = false;
    size_t start = *n;

    for (tok = strtok_r(copy, ",", &save); tok && !error;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned int v;
        if (!strncmp(tok, "zone=", 5)) {
            tok += 5;
        } else if (set && !strncmp(tok, "limit=", 6)) {
            if (!str_to_uint(tok + 6, 10, &v) || have_limit) {
                error = xasprintf("invalid limit in \"%s\"", arg);
            }
            for (size_t i = start; i < *n; i++) {
                limits[i] = v;
            }
            have_limit = true;
            continue;
        } else if (set || tok == copy) {
            error = xasprintf("invalid argument \"%s\"", arg);
            break;
        }
        if (!str_to_uint(tok, 10, &v) || v > UINT16_MAX) {
            error = xasprintf("invalid zone in \"%s\"", arg);
        } else if (*n >= max) {
            error = xasprintf("too many zones");
        } else {
            zones[*n] = v;
            limits[(*n)++] = 0;
        }
    }
    if (!error && set && (!have_limit || *n != start + 1)) {
        error = xasprintf("\"%s\": expected zone=N,limit=L", arg);
    }
    free(copy);
    return error;
}

enum limit_cmd { LIMIT_SET, LIMIT_GET, LIMIT_DEL };

static void
cmd_ct_limits(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux)
{
    enum limit_cmd cmd = (enum limit_cmd) (intptr_t) aux;
    uint32_t zones[64], limits[64];
    struct ct_args args;
    size_t n = 0;
    bool have_default = false;
    unsigned int dflt = 0;

    if (!parse_ct_args(conn, argc, argv, false, &args)) {
        return;
    }
    for (int i = 0; i < args.n_rest; i++) {
        const char *a = args.rest[i];
        char *error;

        if (cmd == LIMIT_SET && !strncmp(a, "default=", 8)) {
            if (!str_to_uint(a + 8, 10, &dflt)) {
                reply_error(conn, xasprintf("invalid default limit \"%s\"",
                                            a));
                return;
            }
            have_default = true;
            continue;
        }
        error = parse_limit_arg(a, cmd == LIMIT_SET, zones, limits, &n,
                                ARRAY_SIZE(zones));
        if (error) {
            reply_error(conn, error);
            return;
        }
    }
    if (cmd == LIMIT_DEL && !n) {
        reply_error(conn, xstrdup("no zone given (zone=N[,N]...)"));
        return;
    }

    struct conntrack *ct = ct_of();
    struct ds s = DS_EMPTY_INITIALIZER;
    if (cmd == LIMIT_SET) {
        if (have_default) {
            conntrack_set_default_zone_limit(ct, dflt);
        }
        for (size_t i = 0; i < n; i++) {
            conntrack_set_zone_limit(ct, zones[i], limits[i]);
        }
    } else if (cmd == LIMIT_DEL) {
        for (size_t i = 0; i < n; i++) {
            conntrack_set_zone_limit(ct, zones[i], 0);
        }
    } else {
        uint32_t count;
        ds_put_format(&s, "default limit=%"PRIu32"\n",
                      conntrack_get_default_zone_limit(ct));
        for (size_t i = 0; i < n; i++) {
            uint32_t limit = conntrack_get_zone_limit(ct, zones[i], &count);
            ds_put_format(&s, "zone=%"PRIu32",limit=%"PRIu32",count=%"
                          PRIu32"\n", zones[i], limit, count);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* ---- fragment reassembly ---- */

static struct ipf *
ipf_of(void)
{
    return dpif_ipf(bridge_get_dpif());
}

/* Parses "v4" or "v6" into *V6. */
static bool
parse_ip_version(struct unixctl_conn *conn, const char *s, bool *v6)
{
    if (!strcmp(s, "v4") || !strcmp(s, "v6")) {
        *v6 = s[1] == '6';
        return true;
    }
    reply_error(conn, xasprintf("invalid IP version \"%s\" (expected v4 "
                                "or v6)", s));
    return false;
}

static void
cmd_ipf_set(struct unixctl_conn *conn, int argc, const char *argv[],
            void *aux)
{
    const char *what = aux;
    int n_args = !strcmp(what, "max-nfrags") ? 1 : 2;
    unsigned int value = 0;
    bool v6 = false;
    int error = 0;

    if (argc == n_args + 2 && !dpctl_check_dp(conn, argv[1])) {
        return;
    }
    if (argc != n_args + 1 && argc != n_args + 2) {
        reply_error(conn, xasprintf("expected %d arguments", n_args));
        return;
    }
    argv += argc - n_args;
    if (n_args == 2 && !parse_ip_version(conn, argv[0], &v6)) {
        return;
    }
    const char *arg = argv[n_args - 1];
    if (!strcmp(what, "enabled")) {
        if (strcmp(arg, "enable") && strcmp(arg, "disable")) {
            reply_error(conn, xasprintf("\"%s\": expected enable or "
                                        "disable", arg));
            return;
        }
        ipf_set_enabled(ipf_of(), v6, !strcmp(arg, "enable"));
    } else if (!str_to_uint(arg, 10, &value)) {
        reply_error(conn, xasprintf("\"%s\" is not a number", arg));
        return;
    } else if (!strcmp(what, "min-frag")) {
        error = ipf_set_min_frag(ipf_of(), v6, value);
    } else {
        error = ipf_set_max_frags(ipf_of(), value);
    }
    if (error) {
        reply_error(conn, xasprintf("%s %u is out of range", what, value));
        return;
    }
    /* Open vSwitch's replies. */
    unixctl_command_reply(conn, (!strcmp(what, "enabled")
                                 ? "setting fragmentation state successful"
                                 : !strcmp(what, "min-frag")
                                 ? "setting minimum fragment size successful"
                                 : "setting maximum fragments successful"));
}

static void
put_ipf_proto(struct ds *s, const char *v, const struct ipf_proto_stats *p)
{
    ds_put_format(s, "        min %s frag size: %u\n", v, p->min_frag);
    ds_put_format(s, "        %s frags accepted: %"PRIu64"\n", v,
                  p->n_accepted);
    ds_put_format(s, "        %s frags completed: %"PRIu64"\n", v,
                  p->n_completed);
    ds_put_format(s, "        %s frags expired: %"PRIu64"\n", v,
                  p->n_expired);
    ds_put_format(s, "        %s frags too small: %"PRIu64"\n", v,
                  p->n_too_small);
    ds_put_format(s, "        %s frags overlapped: %"PRIu64"\n", v,
                  p->n_overlap);
    ds_put_format(s, "        %s frags purged: %"PRIu64"\n", v,
                  p->n_purged + p->n_invalid + p->n_full);
}

static void
cmd_ipf_get_status(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux PLX_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ct_args args;
    struct ipf_stats st;

    if (!parse_ct_args(conn, argc, argv, true, &args)) {
        return;
    }
    if (args.n_rest) {
        reply_error(conn, xasprintf("invalid argument \"%s\"",
                                    args.rest[0]));
        return;
    }
    ipf_get_stats(ipf_of(), &st);
    ds_put_format(&s, "        Fragmentation Module Status\n"
                  "        ---------------------------\n"
                  "        v4 enabled: %d\n        v6 enabled: %d\n"
                  "        max num frags (v4/v6): %u\n"
                  "        num frag: %u\n",
                  st.v4.enabled, st.v6.enabled, st.max_frags, st.n_frags);
    put_ipf_proto(&s, "v4", &st.v4);
    put_ipf_proto(&s, "v6", &st.v6);
    if (args.more) {
        ds_put_format(&s, "        datagrams being reassembled: %u\n",
                      st.n_lists);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
dpctl_ct_register_commands(void)
{
    unixctl_command_register("dpctl/ipf-set-enabled",
                             "[dp] v4|v6 enable|disable", 2, 3,
                             cmd_ipf_set, (void *) "enabled");
    unixctl_command_register("dpctl/ipf-set-min-frag", "[dp] v4|v6 size",
                             2, 3, cmd_ipf_set, (void *) "min-frag");
    unixctl_command_register("dpctl/ipf-set-max-nfrags", "[dp] maxfrags",
                             1, 2, cmd_ipf_set, (void *) "max-nfrags");
    unixctl_command_register("dpctl/ipf-get-status", "[dp] [-m]", 0, 2,
                             cmd_ipf_get_status, NULL);
    unixctl_command_register("dpctl/dump-conntrack",
                             "[-m] [-s] [dp] [zone=N]", 0, 4,
                             cmd_dump_conntrack, NULL);
    unixctl_command_register("dpctl/flush-conntrack",
                             "[dp] [zone=N] [ct-orig-tuple]", 0, 3,
                             cmd_flush_conntrack, NULL);
    unixctl_command_register("dpctl/ct-stats-show",
                             "[dp] [zone=N] [verbose]", 0, 3,
                             cmd_ct_stats_show, NULL);
    unixctl_command_register("dpctl/ct-set-maxconns", "[dp] maxconns", 1, 2,
                             cmd_ct_set_maxconns, NULL);
    unixctl_command_register("dpctl/ct-get-maxconns", "[dp]", 0, 1,
                             cmd_ct_get_maxconns, NULL);
    unixctl_command_register("dpctl/ct-get-nconns", "[dp]", 0, 1,
                             cmd_ct_get_maxconns, (void *) 1);
    unixctl_command_register("dpctl/ct-set-limits",
                             "[dp] [default=L] [zone=N,limit=L]...", 0, 8,
                             cmd_ct_limits, (void *) LIMIT_SET);
    unixctl_command_register("dpctl/ct-get-limits",
                             "[dp] [zone=N[,N]...]", 0, 8,
                             cmd_ct_limits, (void *) LIMIT_GET);
    unixctl_command_register("dpctl/ct-del-limits", "[dp] zone=N[,N]...",
                             1, 8, cmd_ct_limits, (void *) LIMIT_DEL);
}
