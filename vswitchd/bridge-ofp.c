/* bridge-ofp: the database side of a bridge's OpenFlow connections
 * (see bridge-ofp.h). */
#include <config.h>
#include "vswitchd/bridge-ofp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "hash.h"
#include "ofproto/connmgr.h"
#include "ofproto/ofproto.h"
#include "openflow.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(bridge_ofp);

/* The versions the Bridge's 'protocols' column allows (0: every version
 * Plexus speaks). */
static uint32_t
allowed_versions(const struct vswitchrec_bridge *cfg)
{
    static const struct {
        const char *name;
        uint8_t version;
    } names[] = {
        { "OpenFlow10", OFP10_VERSION }, { "OpenFlow11", OFP11_VERSION },
        { "OpenFlow12", OFP12_VERSION }, { "OpenFlow13", OFP13_VERSION },
        { "OpenFlow14", OFP14_VERSION }, { "OpenFlow15", OFP15_VERSION },
    };
    uint32_t versions = 0;

    for (size_t i = 0; i < cfg->n_protocols; i++) {
        for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
            if (!strcmp(cfg->protocols[i], names[j].name)) {
                versions |= OFP_VERSION_BIT(names[j].version);
            }
        }
    }
    versions &= OFP_SUPPORTED_VERSIONS;
    if (cfg->n_protocols && !versions) {
        VLOG_WARN("bridge %s: none of its protocols is supported: using "
                  "OpenFlow10 and OpenFlow13", cfg->name);
    }
    return versions;
}

bool
bridge_ofp_configure_controllers(struct ofproto *ofproto,
                                 const struct vswitchrec_bridge *cfg,
                                 char **appliedp)
{
    uint32_t versions = allowed_versions(cfg);
    struct ds text = DS_EMPTY_INITIALIZER;
    struct connmgr_controller *ctls;
    bool changed = false;

    ctls = xcalloc(cfg->n_controller + 1, sizeof *ctls);
    for (size_t i = 0; i < cfg->n_controller; i++) {
        const struct vswitchrec_controller *c = cfg->controller[i];

        ctls[i].target = c->target;
        ctls[i].max_backoff = c->n_max_backoff ? c->max_backoff[0] : 0;
        ctls[i].probe_interval = (c->n_inactivity_probe
                                  ? c->inactivity_probe[0]
                                  : CONNMGR_PROBE_DEFAULT);
        ctls[i].allowed_versions = versions;
        ds_put_format(&text, "%s,%d,%d,%"PRIu32";", ctls[i].target,
                      ctls[i].max_backoff, ctls[i].probe_interval, versions);
    }
    if (!*appliedp || strcmp(*appliedp, ds_cstr(&text))) {
        free(*appliedp);
        *appliedp = ds_steal_cstr(&text);
        if (ofproto_set_controllers(ofproto, ctls, cfg->n_controller)) {
            VLOG_WARN("bridge %s: some controller targets are invalid "
                      "(see above)", cfg->name);
        }
        changed = true;
    }
    ds_destroy(&text);
    free(ctls);
    return changed;
}

uint64_t
bridge_ofp_datapath_id(const struct vswitchrec_bridge *cfg)
{
    const char *s = smap_get(&cfg->other_config, "datapath-id");
    uint64_t dpid;
    char *end;

    if (!s) {
        return 0;
    }
    errno = 0;
    dpid = strtoull(s, &end, 16);
    if (errno || *end || strlen(s) != 16) {
        VLOG_WARN("bridge %s: other_config:datapath-id %s is not 16 hex "
                  "digits: ignored", cfg->name, s);
        return 0;
    }
    return dpid;
}

uint64_t
bridge_ofp_status_hash(const struct ofproto *ofproto)
{
    struct connmgr_controller_info *infos;
    uint32_t hash = 0;
    size_t n;

    connmgr_get_controller_info(ofproto_get_connmgr(ofproto), &infos, &n);
    for (size_t i = 0; i < n; i++) {
        const char *state = smap_get(&infos[i].pairs, "state");

        hash = hash_string(infos[i].target, hash);
        hash = hash_add(hash, infos[i].is_connected);
        hash = hash_add(hash, infos[i].role);
        hash = hash_string(state ? state : "", hash);
    }
    connmgr_free_controller_info(infos, n);
    return hash;
}

void
bridge_ofp_write_status(struct ofproto *ofproto,
                        const struct vswitchrec_bridge *cfg)
{
    struct connmgr_controller_info *infos;
    char dpid[32];
    size_t n;

    snprintf(dpid, sizeof dpid, "%016"PRIx64,
             ofproto_get_datapath_id(ofproto));
    vswitchrec_bridge_set_datapath_id(cfg, dpid);

    connmgr_get_controller_info(ofproto_get_connmgr(ofproto), &infos, &n);
    for (size_t i = 0; i < cfg->n_controller; i++) {
        const struct vswitchrec_controller *c = cfg->controller[i];

        for (size_t j = 0; j < n; j++) {
            if (!strcmp(infos[j].target, c->target)) {
                vswitchrec_controller_set_is_connected(c,
                                                       infos[j].is_connected);
                vswitchrec_controller_set_role(
                    c, connmgr_role_to_string(infos[j].role));
                vswitchrec_controller_set_status(c, &infos[j].pairs);
                break;
            }
        }
    }
    connmgr_free_controller_info(infos, n);
}
