/* bridge-export: a bridge's flow export settings (see bridge-export.h). */
#include <config.h>
#include "vswitchd/bridge-export.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "hash.h"
#include "ofproto/ipfix.h"
#include "ofproto/netflow.h"
#include "ofproto/ofproto.h"
#include "ofproto/sflow.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(bridge_export);

struct bridge_export {
    char *netflow;              /* Settings as applied, as text; NULL: */
    char *sflow;                /* the exporter is off. */
    char *ipfix;
};

struct bridge_export *
bridge_export_create(void)
{
    return xzalloc(sizeof(struct bridge_export));
}

void
bridge_export_destroy(struct bridge_export *be)
{
    if (be) {
        free(be->netflow);
        free(be->sflow);
        free(be->ipfix);
        free(be);
    }
}

/* Replaces '*APPLIEDP' by WANTED (taking it) and returns true if they
 * differ. */
static bool
changed(char **appliedp, char *wanted)
{
    bool differ = (!*appliedp != !wanted
                   || (wanted && strcmp(*appliedp, wanted)));
    free(*appliedp);
    *appliedp = wanted;
    return differ;
}

static void
put_targets(struct ds *s, struct sset *set, char **targets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sset_add(set, targets[i]);
    }
    const char **sorted = sset_sort(set);
    for (size_t i = 0; sorted[i]; i++) {
        ds_put_format(s, "%s ", sorted[i]);
    }
    free(sorted);
}

static void
report(const char *bridge, const char *what, char *error)
{
    if (error) {
        VLOG_WARN("%s: %s: %s", bridge, what, error);
        free(error);
    }
}

/* ---- NetFlow. ---- */

static void
configure_netflow(struct bridge_export *be, struct ofproto *ofproto,
                  const struct vswitchrec_bridge *cfg)
{
    const struct vswitchrec_netflow *nf = cfg->netflow;
    struct netflow_options opts;
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *name = ofproto_name(ofproto);

    if (!nf || !nf->n_targets) {
        if (changed(&be->netflow, NULL)) {
            report(name, "NetFlow", ofproto_set_netflow(ofproto, NULL));
        }
        ds_destroy(&s);
        return;
    }

    netflow_options_init(&opts);
    put_targets(&s, &opts.collectors, nf->targets, nf->n_targets);
    opts.version = smap_get_int(&nf->other_config, "version", 5);
    opts.engine_type = nf->n_engine_type ? *nf->engine_type : 0;
    /* Open vSwitch derives unset engine ids from the datapath; Plexus
     * from the bridge's name, so that bridges differ. */
    opts.engine_id = (nf->n_engine_id ? *nf->engine_id
                      : hash_string(name, 0) & 0xff);
    opts.active_timeout = nf->active_timeout;
    opts.add_id_to_iface = nf->add_id_to_interface;
    opts.template_interval = smap_get_int(&nf->other_config,
                                          "template-interval", 0);
    ds_put_format(&s, "v%d %u/%u %d %d %d", opts.version, opts.engine_type,
                  opts.engine_id, opts.active_timeout, opts.add_id_to_iface,
                  opts.template_interval);
    if (changed(&be->netflow, ds_steal_cstr(&s))) {
        report(name, "NetFlow", ofproto_set_netflow(ofproto, &opts));
    }
    netflow_options_destroy(&opts);
}

/* ---- sFlow. ---- */

static void
configure_sflow(struct bridge_export *be, struct ofproto *ofproto,
                const struct vswitchrec_bridge *cfg)
{
    const struct vswitchrec_sflow *sf = cfg->sflow;
    struct sflow_options opts;
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *name = ofproto_name(ofproto);

    if (!sf || !sf->n_targets) {
        if (changed(&be->sflow, NULL)) {
            report(name, "sFlow", ofproto_set_sflow(ofproto, NULL));
        }
        ds_destroy(&s);
        return;
    }

    memset(&opts, 0, sizeof opts);
    sset_init(&opts.targets);
    put_targets(&s, &opts.targets, sf->targets, sf->n_targets);
    /* The defaults of Open vSwitch's sFlow table. */
    opts.sampling_rate = sf->n_sampling ? *sf->sampling : 400;
    opts.polling_interval = sf->n_polling ? *sf->polling : 30;
    opts.header_len = sf->n_header ? *sf->header : 128;
    opts.agent = sf->agent && sf->agent[0] ? xstrdup(sf->agent) : NULL;
    ds_put_format(&s, "%u %u %u %s", opts.sampling_rate,
                  opts.polling_interval, opts.header_len,
                  opts.agent ? opts.agent : "");
    if (changed(&be->sflow, ds_steal_cstr(&s))) {
        report(name, "sFlow", ofproto_set_sflow(ofproto, &opts));
    }
    sset_destroy(&opts.targets);
    free(opts.agent);
}

/* ---- IPFIX. ---- */

static void
ipfix_row_options(const struct vswitchrec_ipfix *row,
                  struct ipfix_options *opts, struct ds *s)
{
    const struct smap *oc = &row->other_config;

    ipfix_options_init(opts);
    put_targets(s, &opts->targets, row->targets, row->n_targets);
    opts->sampling_rate = row->n_sampling ? *row->sampling : 400;
    opts->obs_domain_id = row->n_obs_domain_id ? *row->obs_domain_id : 0;
    opts->obs_point_id = row->n_obs_point_id ? *row->obs_point_id : 0;
    opts->cache_active_timeout = (row->n_cache_active_timeout
                                  ? *row->cache_active_timeout : 0);
    opts->cache_max_flows = (row->n_cache_max_flows
                             ? *row->cache_max_flows : 0);
    opts->template_interval = smap_get_int(oc, "template-interval", 0);
    opts->enable_tunnel_sampling = smap_get_bool(oc,
                                                 "enable-tunnel-sampling",
                                                 true);
    opts->enable_input_sampling = smap_get_bool(oc, "enable-input-sampling",
                                                true);
    opts->enable_output_sampling = smap_get_bool(oc,
                                                 "enable-output-sampling",
                                                 true);
    ds_put_format(s, "%"PRIu32" %"PRIu32"/%"PRIu32" %d %"PRIu32" %d "
                  "%d%d%d; ", opts->sampling_rate, opts->obs_domain_id,
                  opts->obs_point_id, opts->cache_active_timeout,
                  opts->cache_max_flows, opts->template_interval,
                  opts->enable_tunnel_sampling, opts->enable_input_sampling,
                  opts->enable_output_sampling);
}

static int
compare_ids(const void *a_, const void *b_)
{
    const struct vswitchrec_flow_sample_collector_set *const *a = a_;
    const struct vswitchrec_flow_sample_collector_set *const *b = b_;
    return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

static void
configure_ipfix(struct bridge_export *be, struct ofproto *ofproto,
                const struct vswitchrec_bridge *cfg, struct ovsdb_idl *idl)
{
    const struct vswitchrec_flow_sample_collector_set *fscs, **sets = NULL;
    const char *name = ofproto_name(ofproto);
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n_sets = 0, allocated = 0;

    VSWITCHREC_FLOW_SAMPLE_COLLECTOR_SET_FOR_EACH (fscs, idl) {
        if (fscs->bridge == cfg && fscs->ipfix
            && fscs->ipfix->n_targets) {
            if (n_sets >= allocated) {
                sets = x2nrealloc(sets, &allocated, sizeof *sets);
            }
            sets[n_sets++] = fscs;
        }
    }
    if (n_sets) {
        qsort(sets, n_sets, sizeof *sets, compare_ids);
    }

    bool has_bridge = cfg->ipfix && cfg->ipfix->n_targets;
    struct ipfix_options bridge_opts;
    struct ipfix_options *flows = xcalloc(MAX(n_sets, 1), sizeof *flows);
    uint32_t *ids = xcalloc(MAX(n_sets, 1), sizeof *ids);

    if (has_bridge) {
        ds_put_cstr(&s, "bridge: ");
        ipfix_row_options(cfg->ipfix, &bridge_opts, &s);
    }
    for (size_t i = 0; i < n_sets; i++) {
        ids[i] = sets[i]->id;
        ds_put_format(&s, "set %"PRIu32": ", ids[i]);
        ipfix_row_options(sets[i]->ipfix, &flows[i], &s);
    }

    char *wanted = has_bridge || n_sets ? ds_steal_cstr(&s) : NULL;
    if (changed(&be->ipfix, wanted)) {
        report(name, "IPFIX",
               ofproto_set_ipfix(ofproto, has_bridge ? &bridge_opts : NULL,
                                 flows, ids, n_sets));
    }

    if (has_bridge) {
        ipfix_options_destroy(&bridge_opts);
    }
    for (size_t i = 0; i < n_sets; i++) {
        ipfix_options_destroy(&flows[i]);
    }
    free(flows);
    free(ids);
    free(sets);
    ds_destroy(&s);
}

void
bridge_export_configure(struct bridge_export *be, struct ofproto *ofproto,
                        const struct vswitchrec_bridge *cfg,
                        struct ovsdb_idl *idl)
{
    configure_netflow(be, ofproto, cfg);
    configure_sflow(be, ofproto, cfg);
    configure_ipfix(be, ofproto, cfg, idl);
}
