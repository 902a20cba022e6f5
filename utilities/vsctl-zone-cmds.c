/* vsctl-zone-cmds: plx-vsctl's conntrack zone commands, as ovs-vsctl 3.1
 * has them (ovs-vsctl(8), "Conntrack Zone Commands" and "Datapath
 * Capabilities Command"):
 *
 *   [--may-exist] add-zone-tp DATAPATH zone=ZONE_ID KEY=VALUE...
 *   [--if-exists] del-zone-tp DATAPATH zone=ZONE_ID
 *   list-zone-tp DATAPATH
 *   list-dp-cap DATAPATH
 *
 * The data: Open_vSwitch's 'datapaths' maps a datapath type ("netdev",
 * "system") to a Datapath row, whose 'ct_zones' maps a zone id
 * (0...65535) to a CT_Zone row, whose optional 'timeout_policy' is a
 * CT_Timeout_Policy row, whose 'timeouts' maps a key (tcp_syn_sent, ...,
 * udp_first, icmp_reply, the schema's enum) to seconds.  CT_Zone and
 * CT_Timeout_Policy are not root tables: the server garbage-collects a
 * zone when no datapath maps to it and a policy when no zone uses it, so
 * del-zone-tp only removes the key from 'ct_zones'.
 *
 * What ovs-vsctl 3.1 does, and so what these do (observed with Debian's
 * ovs-vsctl 3.1.0; the man page differs on the first point):
 *
 *   - add-zone-tp on a zone that exists fails with "zone id N already
 *     exists"; with --may-exist it REPLACES the zone's policy (the man
 *     page says it does nothing).
 *   - A new policy reuses an existing CT_Timeout_Policy row with exactly
 *     the same timeouts instead of inserting a duplicate.
 *   - No command creates a Datapath row: without one for DATAPATH, all
 *     fail ("datapath D does not exist", for del-zone-tp even with
 *     --if-exists).  Create it as ovs-vsctl's own tests do:
 *       create Datapath datapath_version=0 -- set Open_vSwitch .
 *       datapaths:netdev=@dp  (with --id=@dp on the create).
 *   - list-zone-tp prints one line per zone, ascending:
 *       "Zone:5, Timeout Policies: icmp_first=1 udp_first=1"
 *     (keys in the database's order, i.e. sorted), "system default" for a
 *     zone without a policy.  list-dp-cap prints "KEY=VALUE ..." on one
 *     line.
 *
 * Where plx-vsctl is deliberately stricter (ovs-vsctl leaves these to
 * undefined behaviour or to the server's constraint checks): the zone
 * argument must be "zone=" and an integer (as C's "%i": decimal, 0x hex
 * or 0 octal) in the schema's range; each policy must be KEY=VALUE with
 * KEY allowed by the schema, VALUE a decimal integer in the schema's
 * range, and no KEY twice.  A bad argument fails before anything is sent,
 * with a message that names it; where ovs-vsctl reports a constraint
 * violation from the server, the message includes the same details text.
 * Also, each command sees the changes of the commands before it in the
 * same invocation ("del-zone-tp ... -- add-zone-tp ..." replaces a zone),
 * which ovs-vsctl's partial map updates do not.  list-dp-cap prints the
 * capabilities sorted by key, not in hash order.
 *
 * Tables and columns are looked up by name in the server's schema and
 * their types checked, so against a database without them the commands
 * fail with a clear message. */
#include <config.h>

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-error.h"
#include "util.h"
#include "vsctl-commands.h"
#include "vsctl-context.h"

/* The schema's pieces these commands use, checked for the types they
 * assume. */
struct zone_schema {
    const struct ovsdb_idl_column *datapaths;  /* Open_vSwitch: str->ref. */
    const struct ovsdb_idl_table_class *datapath;
    const struct ovsdb_idl_column *ct_zones;   /* Datapath: int->ref. */
    const struct ovsdb_idl_column *capabilities; /* Datapath: str->str. */
    const struct ovsdb_idl_table_class *ct_zone;
    const struct ovsdb_idl_column *timeout_policy; /* CT_Zone: opt ref. */
    const struct ovsdb_idl_table_class *ct_tp;
    const struct ovsdb_idl_column *timeouts;   /* CT_Timeout_Policy:
                                                * str->int. */
};

static const struct ovsdb_idl_table_class *
zone_table(const struct vsctl_context *ctx, const char *name)
{
    const struct ovsdb_idl_table_class *table
        = ovsdb_idl_class_get_table(ctx->schema->class, name);
    if (!table) {
        vsctl_fatal("database schema has no %s table", name);
    }
    return table;
}

/* Column NAME of TABLE, which must have key type KEY and value type VALUE
 * (OVSDB_TYPE_VOID: not a map) and, for a reference, refer to REF_TABLE.
 * MAX_ONE: at most one element. */
static const struct ovsdb_idl_column *
zone_column(const struct ovsdb_idl_table_class *table, const char *name,
            enum ovsdb_atomic_type key, enum ovsdb_atomic_type value,
            const struct ovsdb_idl_table_class *ref_table, bool max_one)
{
    const struct ovsdb_idl_column *c
        = ovsdb_idl_table_class_get_column(table, name);
    if (!c) {
        vsctl_fatal("database schema has no column %s in table %s", name,
                    table->name);
    }

    const struct ovsdb_type *t = c->type;
    const struct ovsdb_base_type *ref = (key == OVSDB_TYPE_UUID ? &t->key
                                         : value == OVSDB_TYPE_UUID
                                         ? &t->value : NULL);
    if (t->key.type != key || t->value.type != value
        || (max_one && t->n_max != 1)
        || (ref_table && (!ref->uuid.refTableName
                          || strcmp(ref->uuid.refTableName,
                                    ref_table->name)))) {
        vsctl_fatal("column %s in table %s does not have the type of Open "
                    "vSwitch's schema", name, table->name);
    }
    return c;
}

static void
zone_schema_bind(const struct vsctl_context *ctx, struct zone_schema *zs)
{
    zs->datapath = zone_table(ctx, "Datapath");
    zs->ct_zone = zone_table(ctx, "CT_Zone");
    zs->ct_tp = zone_table(ctx, "CT_Timeout_Policy");
    zs->datapaths = zone_column(vsctl_table(ctx, VSCTL_T_OPEN_VSWITCH),
                                "datapaths", OVSDB_TYPE_STRING,
                                OVSDB_TYPE_UUID, zs->datapath, false);
    zs->ct_zones = zone_column(zs->datapath, "ct_zones", OVSDB_TYPE_INTEGER,
                               OVSDB_TYPE_UUID, zs->ct_zone, false);
    zs->capabilities = zone_column(zs->datapath, "capabilities",
                                   OVSDB_TYPE_STRING, OVSDB_TYPE_STRING,
                                   NULL, false);
    zs->timeout_policy = zone_column(zs->ct_zone, "timeout_policy",
                                     OVSDB_TYPE_UUID, OVSDB_TYPE_VOID,
                                     zs->ct_tp, true);
    zs->timeouts = zone_column(zs->ct_tp, "timeouts", OVSDB_TYPE_STRING,
                               OVSDB_TYPE_INTEGER, NULL, false);
}

/* ---- Arguments. ---- */

/* The details of a constraint violation of ATOM against BASE, or NULL. */
static char *
check_atom(const union ovsdb_atom *atom, const struct ovsdb_base_type *base)
{
    struct ovsdb_error *error = ovsdb_atom_check_constraints(atom, base);
    if (!error) {
        return NULL;
    }
    const char *details = ovsdb_error_get_details(error);
    char *msg = details ? xstrdup(details) : ovsdb_error_to_string(error);
    ovsdb_error_destroy(error);
    return msg;
}

/* Whether S starts like an integer: an optional sign, then a digit
 * (strtoll() would also skip white space). */
static bool
starts_integer(const char *s)
{
    if (*s == '+' || *s == '-') {
        s++;
    }
    return *s >= '0' && *s <= '9';
}

/* Parses ARG, "zone=ZONE_ID", into '*zone'.  Returns NULL or a malloc()'d
 * message. */
static char *
parse_zone(const char *arg, const struct zone_schema *zs, int64_t *zone)
{
    const char *id = arg + strlen("zone=");
    long long v;

    if (strncmp(arg, "zone=", strlen("zone="))) {
        return xasprintf("\"%s\": expected zone=ZONE_ID", arg);
    }
    if (!starts_integer(id) || !str_to_llong(id, 0, &v)) {
        return xasprintf("\"%s\": \"%s\" is not a valid zone id", arg, id);
    }

    union ovsdb_atom atom = { .integer = v };
    char *msg = check_atom(&atom, &zs->ct_zones->type->key);
    if (msg) {
        char *error = xasprintf("\"%s\": %s", arg, msg);
        free(msg);
        return error;
    }
    *zone = v;
    return NULL;
}

/* Parses the N policies in ARGV, each "KEY=VALUE", into TIMEOUTS (which
 * the caller destroys, even on error).  Returns NULL or a malloc()'d
 * message. */
static char *
parse_policies(char *argv[], int n, const struct zone_schema *zs,
               struct ovsdb_datum *timeouts)
{
    const struct ovsdb_type *type = zs->timeouts->type;

    ovsdb_datum_init_empty(timeouts);
    for (int i = 0; i < n; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        long long v = 0;
        char *msg;

        if (!eq) {
            return xasprintf("\"%s\": expected KEY=VALUE", arg);
        }

        char *key = xmemdup0(arg, eq - arg);
        union ovsdb_atom k = { .string = key };
        msg = check_atom(&k, &type->key);
        if (!msg) {
            for (unsigned int j = 0; j < timeouts->n; j++) {
                if (!strcmp(timeouts->keys[j].string, key)) {
                    msg = xasprintf("%s given more than once", key);
                    break;
                }
            }
        }
        if (!msg && !(starts_integer(eq + 1)
                      && str_to_llong(eq + 1, 10, &v))) {
            msg = xasprintf("\"%s\" is not a valid integer", eq + 1);
        }
        union ovsdb_atom value = { .integer = v };
        if (!msg) {
            msg = check_atom(&value, &type->value);
        }
        if (msg) {
            char *error = xasprintf("\"%s\": %s", arg, msg);
            free(msg);
            free(key);
            return error;
        }
        ovsdb_datum_add_unsafe(timeouts, &k, &value, type);
        free(key);
    }
    ovsdb_datum_sort_unique(timeouts, type);
    return NULL;
}

/* ---- The database. ---- */

/* The Datapath row that Open_vSwitch's 'datapaths' maps NAME to, or
 * NULL. */
static const struct ovsdb_idl_row *
find_datapath(struct vsctl_context *ctx, const struct zone_schema *zs,
              const char *name)
{
    ovsdb_idl_txn_verify(ctx->ovs, zs->datapaths);

    const struct ovsdb_datum *d = ovsdb_idl_read(ctx->ovs, zs->datapaths);
    union ovsdb_atom key = { .string = (char *) (uintptr_t) name };
    unsigned int i = ovsdb_datum_find_key(d, &key, OVSDB_TYPE_STRING);
    return (i == UINT_MAX ? NULL
            : ovsdb_idl_get_row_for_uuid(ctx->idl, zs->datapath,
                                         &d->values[i].uuid));
}

/* Index of ZONE in DP's 'ct_zones' (verified), or UINT_MAX. */
static unsigned int
find_zone(const struct ovsdb_idl_row *dp, const struct zone_schema *zs,
          int64_t zone)
{
    ovsdb_idl_txn_verify(dp, zs->ct_zones);

    union ovsdb_atom key = { .integer = zone };
    return ovsdb_datum_find_key(ovsdb_idl_read(dp, zs->ct_zones), &key,
                                OVSDB_TYPE_INTEGER);
}

/* A CT_Timeout_Policy row with exactly TIMEOUTS: an existing one if there
 * is one (as ovs-vsctl shares them), else a new one.  Takes TIMEOUTS. */
static const struct ovsdb_idl_row *
get_policy(struct vsctl_context *ctx, const struct zone_schema *zs,
           struct ovsdb_datum *timeouts)
{
    const struct ovsdb_type *type = zs->timeouts->type;
    const struct ovsdb_idl_row *tp;

    OVSDB_IDL_FOR_EACH_ROW (tp, zs->ct_tp, ctx->idl) {
        if (ovsdb_datum_equals(ovsdb_idl_read(tp, zs->timeouts), timeouts,
                               type)) {
            ovsdb_idl_txn_verify(tp, zs->timeouts);
            ovsdb_datum_destroy(timeouts, type);
            return tp;
        }
    }
    tp = ovsdb_idl_txn_insert(ctx->txn, zs->ct_tp, NULL);
    ovsdb_idl_txn_write(tp, zs->timeouts, timeouts);
    return tp;
}

static void
set_zone_policy(const struct ovsdb_idl_row *zone,
                const struct zone_schema *zs,
                const struct ovsdb_idl_row *tp)
{
    union ovsdb_atom ref = { .uuid = tp->uuid };
    struct ovsdb_datum d;

    ovsdb_datum_init_atom(&d, &ref, NULL, zs->timeout_policy->type);
    ovsdb_idl_txn_write(zone, zs->timeout_policy, &d);
}

/* ---- Commands. ---- */

static void
cmd_add_zone_tp(struct vsctl_context *ctx)
{
    const char *dp_name = ctx->argv[1];
    struct ovsdb_datum timeouts;
    struct zone_schema zs;
    int64_t zone_id;
    char *error;

    zone_schema_bind(ctx, &zs);
    vsctl_die_if_error(parse_zone(ctx->argv[2], &zs, &zone_id));
    error = parse_policies(&ctx->argv[3], ctx->argc - 3, &zs, &timeouts);
    if (error) {
        ovsdb_datum_destroy(&timeouts, zs.timeouts->type);
        vsctl_fatal("%s", error);
    }

    const struct ovsdb_idl_row *dp = find_datapath(ctx, &zs, dp_name);
    if (!dp) {
        ovsdb_datum_destroy(&timeouts, zs.timeouts->type);
        vsctl_fatal("datapath %s does not exist", dp_name);
    }

    unsigned int idx = find_zone(dp, &zs, zone_id);
    const struct ovsdb_idl_row *zone = NULL;
    if (idx != UINT_MAX) {
        if (!vsctl_has_option(ctx, "--may-exist")) {
            ovsdb_datum_destroy(&timeouts, zs.timeouts->type);
            vsctl_fatal("zone id %"PRId64" already exists", zone_id);
        }
        const struct ovsdb_datum *zones = ovsdb_idl_read(dp, zs.ct_zones);
        zone = ovsdb_idl_get_row_for_uuid(ctx->idl, zs.ct_zone,
                                          &zones->values[idx].uuid);
    }

    const struct ovsdb_idl_row *tp = get_policy(ctx, &zs, &timeouts);
    if (zone) {
        set_zone_policy(zone, &zs, tp);
    } else {
        /* A new zone (or one whose CT_Zone row the replica lacks, which
         * a strong reference rules out): map ZONE_ID to a new row. */
        zone = ovsdb_idl_txn_insert(ctx->txn, zs.ct_zone, NULL);
        set_zone_policy(zone, &zs, tp);

        const struct ovsdb_type *type = zs.ct_zones->type;
        union ovsdb_atom key = { .integer = zone_id };
        union ovsdb_atom ref = { .uuid = zone->uuid };
        struct ovsdb_datum zones;

        ovsdb_datum_clone(&zones, ovsdb_idl_read(dp, zs.ct_zones), type);
        if (idx != UINT_MAX) {
            ovsdb_datum_remove_unsafe(&zones, idx, type);
        }
        ovsdb_datum_add_unsafe(&zones, &key, &ref, type);
        ovsdb_datum_sort_unique(&zones, type);
        ovsdb_idl_txn_write(dp, zs.ct_zones, &zones);
    }
}

static void
cmd_del_zone_tp(struct vsctl_context *ctx)
{
    const char *dp_name = ctx->argv[1];
    struct zone_schema zs;
    int64_t zone_id;

    zone_schema_bind(ctx, &zs);
    vsctl_die_if_error(parse_zone(ctx->argv[2], &zs, &zone_id));

    const struct ovsdb_idl_row *dp = find_datapath(ctx, &zs, dp_name);
    if (!dp) {
        vsctl_fatal("datapath %s does not exist", dp_name);
    }

    unsigned int idx = find_zone(dp, &zs, zone_id);
    if (idx == UINT_MAX) {
        if (vsctl_has_option(ctx, "--if-exists")) {
            return;
        }
        vsctl_fatal("zone id %"PRId64" does not exist", zone_id);
    }

    const struct ovsdb_type *type = zs.ct_zones->type;
    struct ovsdb_datum zones;

    ovsdb_datum_clone(&zones, ovsdb_idl_read(dp, zs.ct_zones), type);
    ovsdb_datum_remove_unsafe(&zones, idx, type);
    ovsdb_datum_sort_unique(&zones, type);
    ovsdb_idl_txn_write(dp, zs.ct_zones, &zones);
}

/* Appends "KEY=VALUE KEY=VALUE..." for map D of TYPE (strings and
 * integers unquoted, as ovs-vsctl prints them). */
static void
put_pairs(struct ds *out, const struct ovsdb_datum *d,
          const struct ovsdb_type *type)
{
    for (unsigned int i = 0; i < d->n; i++) {
        if (i) {
            ds_put_char(out, ' ');
        }
        ovsdb_atom_to_bare(&d->keys[i], type->key.type, out);
        ds_put_char(out, '=');
        ovsdb_atom_to_bare(&d->values[i], type->value.type, out);
    }
}

static void
cmd_list_zone_tp(struct vsctl_context *ctx)
{
    struct zone_schema zs;

    zone_schema_bind(ctx, &zs);
    const struct ovsdb_idl_row *dp = find_datapath(ctx, &zs, ctx->argv[1]);
    if (!dp) {
        vsctl_fatal("datapath: %s record not found", ctx->argv[1]);
    }

    ovsdb_idl_txn_verify(dp, zs.ct_zones);
    const struct ovsdb_datum *zones = ovsdb_idl_read(dp, zs.ct_zones);
    for (unsigned int i = 0; i < zones->n; i++) {
        const struct ovsdb_idl_row *zone = ovsdb_idl_get_row_for_uuid(
            ctx->idl, zs.ct_zone, &zones->values[i].uuid);
        if (!zone) {
            continue;
        }

        ds_put_format(ctx->output, "Zone:%"PRId64", Timeout Policies:",
                      zones->keys[i].integer);
        ovsdb_idl_txn_verify(zone, zs.timeout_policy);
        const struct ovsdb_datum *ref = ovsdb_idl_read(zone,
                                                       zs.timeout_policy);
        const struct ovsdb_idl_row *tp = (ref->n
                                          ? ovsdb_idl_get_row_for_uuid(
                                              ctx->idl, zs.ct_tp,
                                              &ref->keys[0].uuid)
                                          : NULL);
        if (tp) {
            const struct ovsdb_datum *t = ovsdb_idl_read(tp, zs.timeouts);

            ovsdb_idl_txn_verify(tp, zs.timeouts);
            if (t->n) {
                ds_put_char(ctx->output, ' ');
                put_pairs(ctx->output, t, zs.timeouts->type);
            }
        } else {
            ds_put_cstr(ctx->output, " system default");
        }
        ds_put_char(ctx->output, '\n');
    }
}

static void
cmd_list_dp_cap(struct vsctl_context *ctx)
{
    struct zone_schema zs;

    zone_schema_bind(ctx, &zs);
    const struct ovsdb_idl_row *dp = find_datapath(ctx, &zs, ctx->argv[1]);
    if (!dp) {
        vsctl_fatal("datapath \"%s\" record not found", ctx->argv[1]);
    }
    ovsdb_idl_txn_verify(dp, zs.capabilities);
    put_pairs(ctx->output, ovsdb_idl_read(dp, zs.capabilities),
              zs.capabilities->type);
    ds_put_char(ctx->output, '\n');
}

const struct vsctl_command_syntax vsctl_zone_syntaxes[] = {
    { "add-zone-tp", 3, INT_MAX, "DATAPATH zone=ZONE_ID KEY=VALUE...",
      cmd_add_zone_tp, NULL, "--may-exist", VSCTL_RW },
    { "del-zone-tp", 2, 2, "DATAPATH zone=ZONE_ID", cmd_del_zone_tp, NULL,
      "--if-exists", VSCTL_RW },
    { "list-zone-tp", 1, 1, "DATAPATH", cmd_list_zone_tp, NULL, "",
      VSCTL_RO },
    { "list-dp-cap", 1, 1, "DATAPATH", cmd_list_dp_cap, NULL, "",
      VSCTL_RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};
