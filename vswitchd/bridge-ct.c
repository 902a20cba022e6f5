/* bridge-ct: zone timeout policies from the database.  See bridge-ct.h. */
#include <config.h>
#include "vswitchd/bridge-ct.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/conntrack.h"
#include "dynamic-string.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(bridge_ct);

/* The zones that have a policy now, and each one's policy as text (to
 * apply only what changed). */
static char *applied[UINT16_MAX + 1];

static const struct vswitchrec_datapath *
find_datapath(const struct vswitchrec_open_vswitch *ovs)
{
    const struct vswitchrec_datapath *system = NULL;

    for (size_t i = 0; ovs && i < ovs->n_datapaths; i++) {
        if (!strcmp(ovs->key_datapaths[i], "netdev")) {
            return ovs->value_datapaths[i];
        } else if (!strcmp(ovs->key_datapaths[i], "system")) {
            system = ovs->value_datapaths[i];
        }
    }
    return system;
}

/* Reads POLICY's timeouts into TIMEOUTS (0: default) and their text
 * into S.  Unknown keys and values beyond 32 bits are logged. */
static void
read_policy(const struct vswitchrec_ct_timeout_policy *policy,
            uint16_t zone, uint32_t timeouts[CT_N_TIMEOUTS], struct ds *s)
{
    memset(timeouts, 0, CT_N_TIMEOUTS * sizeof *timeouts);
    for (size_t i = 0; i < policy->n_timeouts; i++) {
        const char *key = policy->key_timeouts[i];
        int64_t value = policy->value_timeouts[i];
        enum ct_timeout t;

        if (!ct_timeout_from_name(key, &t)) {
            VLOG_WARN("zone %"PRIu16": unknown timeout \"%s\" ignored",
                      zone, key);
        } else if (value < 0 || value > UINT32_MAX) {
            VLOG_WARN("zone %"PRIu16": timeout %s=%"PRId64" out of range",
                      zone, key, value);
        } else {
            timeouts[t] = value;
        }
    }
    for (int t = 0; t < CT_N_TIMEOUTS; t++) {
        ds_put_format(s, "%"PRIu32",", timeouts[t]);
    }
}

void
bridge_ct_configure(struct conntrack *ct,
                    const struct vswitchrec_open_vswitch *ovs)
{
    const struct vswitchrec_datapath *dp = find_datapath(ovs);
    static bool wanted[UINT16_MAX + 1];

    memset(wanted, 0, sizeof wanted);
    for (size_t i = 0; dp && i < dp->n_ct_zones; i++) {
        int64_t zone = dp->key_ct_zones[i];
        const struct vswitchrec_ct_zone *z = dp->value_ct_zones[i];
        uint32_t timeouts[CT_N_TIMEOUTS];
        struct ds s = DS_EMPTY_INITIALIZER;

        if (zone < 0 || zone > UINT16_MAX || !z || !z->timeout_policy) {
            continue;
        }
        wanted[zone] = true;
        read_policy(z->timeout_policy, zone, timeouts, &s);
        if (!applied[zone] || strcmp(applied[zone], ds_cstr(&s))) {
            conntrack_set_timeout_policy(ct, zone + 1, timeouts);
            conntrack_set_zone_timeout_policy(ct, zone, zone + 1);
            VLOG_INFO("zone %"PRId64": timeout policy set", zone);
            free(applied[zone]);
            applied[zone] = ds_steal_cstr(&s);
        }
        ds_destroy(&s);
    }
    for (size_t zone = 0; zone <= UINT16_MAX; zone++) {
        if (applied[zone] && !wanted[zone]) {
            conntrack_set_zone_timeout_policy(ct, zone, 0);
            conntrack_set_timeout_policy(ct, zone + 1, NULL);
            VLOG_INFO("zone %zu: timeout policy removed", zone);
            free(applied[zone]);
            applied[zone] = NULL;
        }
    }
}
