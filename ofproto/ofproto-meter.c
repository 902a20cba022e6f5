/* ofproto-meter: a bridge's OpenFlow meters (see ofproto.h).
 *
 * An OpenFlow meter is a datapath meter (datapath/dp-meter.h) plus its
 * OpenFlow configuration.  Meter ids are per bridge in OpenFlow but the
 * datapath is shared by every bridge of a backer, so each OpenFlow meter
 * gets a datapath meter id of its own from the backer's pool; published
 * snapshots carry the mapping for translation (meter instruction ->
 * datapath meter(ID) action).  Deleting a meter deletes the flows that
 * use it, as Open vSwitch does. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "datapath/dp-meter.h"
#include "datapath/dpif.h"
#include "hash.h"
#include "ofp-actions.h"
#include "ofp-meter.h"
#include "ofproto/ofproto-private.h"
#include "timeval.h"
#include "util.h"

struct ofmeter {
    struct hmap_node node;          /* In ofproto 'meters'. */
    uint32_t meter_id;              /* OpenFlow. */
    uint32_t dp_id;                 /* Datapath. */
    struct ofputil_meter_config config;     /* Bands owned. */
};

static struct ofmeter *
find_meter(const struct ofproto *p, uint32_t meter_id)
{
    struct ofmeter *m;

    HMAP_FOR_EACH_WITH_HASH (m, node, hash_int(meter_id, 0), &p->meters) {
        if (m->meter_id == meter_id) {
            return m;
        }
    }
    return NULL;
}

bool
ofproto_meter_exists(const struct ofproto *p, uint32_t meter_id)
{
    return find_meter(p, meter_id) != NULL;
}

void
ofproto_meter_features(const struct ofproto *p,
                       struct ofputil_meter_features *mf)
{
    struct dp_meter_features dpf;

    dpif_meter_get_features(p->backer->dpif, &dpf);
    memset(mf, 0, sizeof *mf);
    mf->max_meters = dpf.max_meters;
    mf->band_types = dpf.band_types;
    mf->capabilities = dpf.capabilities;
    mf->max_bands = dpf.max_bands;
    mf->max_color = dpf.max_color;
}

/* A free datapath meter id of the backer, or UINT32_MAX. */
static uint32_t
alloc_dp_id(struct backer *backer)
{
    size_t id;

    if (!backer->meter_ids) {
        backer->meter_ids = bitmap_allocate(DP_METER_MAX);
    }
    id = bitmap_scan(backer->meter_ids, false, 0, DP_METER_MAX);
    if (id >= DP_METER_MAX) {
        return UINT32_MAX;
    }
    bitmap_set1(backer->meter_ids, id);
    return id;
}

static void
free_dp_id(struct backer *backer, uint32_t id)
{
    if (backer->meter_ids && id < DP_METER_MAX) {
        bitmap_set0(backer->meter_ids, id);
    }
}

static void
to_dp_config(const struct ofputil_meter_config *mc,
             struct dp_meter_config *dc)
{
    memset(dc, 0, sizeof *dc);
    dc->flags = mc->flags & DP_METER_FLAGS_ALL;
    dc->n_bands = MIN(mc->n_bands, DP_METER_MAX_BANDS);
    for (size_t i = 0; i < dc->n_bands; i++) {
        dc->bands[i].type = mc->bands[i].type;
        dc->bands[i].prec_level = mc->bands[i].prec_level;
        dc->bands[i].rate = mc->bands[i].rate;
        dc->bands[i].burst_size = mc->bands[i].burst_size;
    }
}

static void
copy_config(struct ofputil_meter_config *dst,
            const struct ofputil_meter_config *src)
{
    *dst = *src;
    dst->bands = xcalloc(src->n_bands + 1, sizeof *dst->bands);
    if (src->n_bands) {
        memcpy(dst->bands, src->bands, src->n_bands * sizeof *dst->bands);
    }
}

/* Maps a datapath error to the OpenFlow error Open vSwitch reports. */
static enum ofperr
meter_error(int error)
{
    switch (error) {
    case 0:
        return 0;
    case EFBIG:
        return OFPERR_OFPMMFC_OUT_OF_METERS;
    case EBADF:
        return OFPERR_OFPMMFC_BAD_FLAGS;
    case ENODEV:
        return OFPERR_OFPMMFC_BAD_BAND;
    case EINVAL:
    default:
        return OFPERR_OFPMMFC_BAD_RATE;
    }
}

static void
meter_destroy(struct ofproto *p, struct ofmeter *m)
{
    struct dp_meter_stats stats;

    dpif_meter_del(p->backer->dpif, m->dp_id, &stats);
    free_dp_id(p->backer, m->dp_id);
    hmap_remove(&p->meters, &m->node);
    ofputil_meter_config_uninit(&m->config);
    free(m);
}

enum ofperr
ofproto_meter_mod(struct ofproto *p, const struct ofputil_meter_mod *mm)
{
    struct ofputil_meter_features features;
    struct dp_meter_config dc;
    struct ofmeter *m;
    enum ofperr error;
    int dp_error;

    ofproto_meter_features(p, &features);
    error = ofputil_meter_mod_check(mm, &features);
    if (error) {
        return error;
    }
    m = find_meter(p, mm->meter.meter_id);

    switch (mm->command) {
    case OFPMC13_ADD: {
        uint32_t dp_id;

        if (m) {
            return OFPERR_OFPMMFC_METER_EXISTS;
        }
        dp_id = alloc_dp_id(p->backer);
        if (dp_id == UINT32_MAX) {
            return OFPERR_OFPMMFC_OUT_OF_METERS;
        }
        to_dp_config(&mm->meter, &dc);
        dp_error = dpif_meter_set(p->backer->dpif, dp_id, &dc);
        if (dp_error) {
            free_dp_id(p->backer, dp_id);
            return meter_error(dp_error);
        }
        m = xzalloc(sizeof *m);
        m->meter_id = mm->meter.meter_id;
        m->dp_id = dp_id;
        copy_config(&m->config, &mm->meter);
        hmap_insert(&p->meters, &m->node, hash_int(m->meter_id, 0));
        ofproto_publish(p);
        return 0;
    }
    case OFPMC13_MODIFY:
        if (!m) {
            return OFPERR_OFPMMFC_UNKNOWN_METER;
        }
        to_dp_config(&mm->meter, &dc);
        dp_error = dpif_meter_set(p->backer->dpif, m->dp_id, &dc);
        if (dp_error) {
            return meter_error(dp_error);
        }
        ofputil_meter_config_uninit(&m->config);
        copy_config(&m->config, &mm->meter);
        return 0;
    case OFPMC13_DELETE:
        if (mm->meter.meter_id == OFPM13_ALL) {
            HMAP_FOR_EACH_SAFE (m, node, &p->meters) {
                ofproto_delete_flows_to_meter(p, m->meter_id);
                meter_destroy(p, m);
            }
        } else if (m) {
            ofproto_delete_flows_to_meter(p, m->meter_id);
            meter_destroy(p, m);
        }
        ofproto_publish(p);
        return 0;
    default:
        return OFPERR_OFPMMFC_BAD_COMMAND;
    }
}

void
ofproto_meters_destroy(struct ofproto *p)
{
    struct ofmeter *m;

    HMAP_FOR_EACH_SAFE (m, node, &p->meters) {
        meter_destroy(p, m);
    }
    hmap_destroy(&p->meters);
}

void
ofproto_meters_publish(const struct ofproto *p, struct xlate_bridge *xb)
{
    const struct ofmeter *m;

    HMAP_FOR_EACH (m, node, &p->meters) {
        xlate_bridge_add_meter(xb, m->meter_id, m->dp_id);
    }
}

static int
meter_order(const void *a_, const void *b_)
{
    const struct ofmeter *const *a = a_, *const *b = b_;

    return ((*a)->meter_id < (*b)->meter_id ? -1
            : (*a)->meter_id > (*b)->meter_id);
}

/* The meters METER_ID selects (OFPM13_ALL: all), by id; caller frees. */
static struct ofmeter **
select_meters(const struct ofproto *p, uint32_t meter_id, size_t *np)
{
    struct ofmeter **ms = xcalloc(hmap_count(&p->meters) + 1, sizeof *ms);
    struct ofmeter *m;
    size_t n = 0;

    HMAP_FOR_EACH (m, node, &p->meters) {
        if (meter_id == OFPM13_ALL || m->meter_id == meter_id) {
            ms[n++] = m;
        }
    }
    qsort(ms, n, sizeof *ms, meter_order);
    *np = n;
    return ms;
}

void
ofproto_meter_configs(const struct ofproto *p, uint32_t meter_id,
                      struct ofputil_meter_config **configsp, size_t *np)
{
    size_t n;
    struct ofmeter **ms = select_meters(p, meter_id, &n);
    struct ofputil_meter_config *configs = xcalloc(n + 1, sizeof *configs);

    for (size_t i = 0; i < n; i++) {
        copy_config(&configs[i], &ms[i]->config);
    }
    free(ms);
    *configsp = configs;
    *np = n;
}

void
ofproto_meter_stats(const struct ofproto *p, uint32_t meter_id,
                    struct ofputil_meter_stats **statsp, size_t *np)
{
    size_t n;
    struct ofmeter **ms = select_meters(p, meter_id, &n);
    struct ofputil_meter_stats *stats = xcalloc(n + 1, sizeof *stats);

    for (size_t i = 0; i < n; i++) {
        struct ofputil_meter_stats *s = &stats[i];
        struct dp_meter_stats ds;

        memset(&ds, 0, sizeof ds);
        dpif_meter_get_stats(p->backer->dpif, ms[i]->dp_id, &ds);
        s->meter_id = ms[i]->meter_id;
        s->flow_count = ofproto_meter_ref_count(p, ms[i]->meter_id);
        s->packet_in_count = ds.packet_in_count;
        s->byte_in_count = ds.byte_in_count;
        s->duration_sec = ds.duration_sec;
        s->duration_nsec = ds.duration_nsec;
        s->n_bands = ms[i]->config.n_bands;
        s->bands = xcalloc(s->n_bands + 1, sizeof *s->bands);
        for (size_t b = 0; b < s->n_bands && b < ds.n_bands; b++) {
            s->bands[b].packet_count = ds.bands[b].packet_count;
            s->bands[b].byte_count = ds.bands[b].byte_count;
        }
    }
    free(ms);
    *statsp = stats;
    *np = n;
}
