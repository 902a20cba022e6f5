/* dp-meter: token-bucket meters of the userspace datapath.  See
 * dp-meter.h for the algorithm and the threading rules. */
#include <config.h>
#include "datapath/dp-meter.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "rcu.h"
#include "util.h"

struct dp_meter_band {
    uint16_t type;
    uint8_t prec_level;
    uint32_t rate;
    uint64_t max_bucket;        /* burst size * 1000 tokens. */
    uint64_t bucket;            /* Tokens now. */
    uint64_t packet_count;
    uint64_t byte_count;
};

struct dp_meter {
    pthread_mutex_t mutex;      /* Guards everything below but 'flags',
                                 * 'n_bands', 'created' and the bands'
                                 * configuration, which never change. */
    uint16_t flags;
    uint16_t n_bands;
    long long int created;      /* When set. */
    long long int used;         /* Time the buckets were last filled. */
    uint64_t packet_count;
    uint64_t byte_count;
    struct dp_meter_band bands[];
};

/* The table is a two-level array indexed by meter id, so that lookups
 * take two dependent loads and no lock, and set and delete cost O(1)
 * whatever the number of meters.  A chunk, once published, stays until
 * the table is destroyed. */
#define DP_METER_CHUNK 1024
#define DP_METER_N_CHUNKS (DP_METER_MAX / DP_METER_CHUNK)
BUILD_ASSERT_DECL(DP_METER_MAX % DP_METER_CHUNK == 0);

struct dp_meter_chunk {
    struct dp_meter *meters[DP_METER_CHUNK];        /* RCU. */
};

struct dp_meter_table {
    pthread_mutex_t mutex;      /* Serializes writers and stats readers. */
    struct dp_meter_chunk *chunks[DP_METER_N_CHUNKS];       /* RCU. */
    size_t n_meters;
};

struct dp_meter_table *
dp_meter_table_create(void)
{
    struct dp_meter_table *t = xzalloc(sizeof *t);

    pthread_mutex_init(&t->mutex, NULL);
    return t;
}

static void
dp_meter_free(struct dp_meter *meter)
{
    if (meter) {
        pthread_mutex_destroy(&meter->mutex);
        free(meter);
    }
}

void
dp_meter_table_destroy(struct dp_meter_table *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < DP_METER_N_CHUNKS; i++) {
        struct dp_meter_chunk *chunk = t->chunks[i];
        if (chunk) {
            for (size_t j = 0; j < DP_METER_CHUNK; j++) {
                dp_meter_free(chunk->meters[j]);
            }
            free(chunk);
        }
    }
    pthread_mutex_destroy(&t->mutex);
    free(t);
}

/* The slot of meter ID, or NULL if its chunk does not exist (and CREATE
 * is false).  Writers only (under the table mutex). */
static struct dp_meter **
dp_meter_slot(struct dp_meter_table *t, uint32_t id, bool create)
{
    struct dp_meter_chunk *chunk = t->chunks[id / DP_METER_CHUNK];

    if (!chunk) {
        if (!create) {
            return NULL;
        }
        chunk = xzalloc(sizeof *chunk);
        rcu_set(t->chunks[id / DP_METER_CHUNK], chunk);
    }
    return &chunk->meters[id % DP_METER_CHUNK];
}

/* Readers: meter ID or NULL, valid until the caller quiesces. */
static struct dp_meter *
dp_meter_lookup(struct dp_meter_table *t, uint32_t id)
{
    struct dp_meter_chunk *chunk;

    if (id >= DP_METER_MAX) {
        return NULL;
    }
    chunk = rcu_get(t->chunks[id / DP_METER_CHUNK]);
    return chunk ? rcu_get(chunk->meters[id % DP_METER_CHUNK]) : NULL;
}

/* ------------------------------------------------------------------ */
/* Configuration. */

int
dp_meter_check_config(const struct dp_meter_config *c)
{
    if (c->flags & ~DP_METER_FLAGS_ALL
        || !(c->flags & DP_METER_KBPS) == !(c->flags & DP_METER_PKTPS)) {
        return EBADF;
    }
    if (!c->n_bands || c->n_bands > DP_METER_MAX_BANDS) {
        return EINVAL;
    }
    for (size_t i = 0; i < c->n_bands; i++) {
        const struct dp_meter_band_config *b = &c->bands[i];

        if (b->type != DP_METER_BAND_DROP
            && b->type != DP_METER_BAND_DSCP_REMARK) {
            return ENODEV;
        }
        if (!b->rate) {
            return EDOM;
        }
    }
    return 0;
}

int
dp_meter_set(struct dp_meter_table *t, uint32_t id,
             const struct dp_meter_config *c, long long int now)
{
    if (id >= DP_METER_MAX) {
        return EFBIG;
    }
    int error = dp_meter_check_config(c);
    if (error) {
        return error;
    }

    struct dp_meter *meter = xzalloc(sizeof *meter
                                     + c->n_bands * sizeof *meter->bands);
    pthread_mutex_init(&meter->mutex, NULL);
    meter->flags = c->flags;
    meter->n_bands = c->n_bands;
    meter->created = meter->used = now;
    for (size_t i = 0; i < c->n_bands; i++) {
        const struct dp_meter_band_config *bc = &c->bands[i];
        struct dp_meter_band *band = &meter->bands[i];
        uint32_t burst = ((c->flags & DP_METER_BURST) && bc->burst_size
                          ? bc->burst_size : bc->rate);

        band->type = bc->type;
        band->prec_level = bc->prec_level;
        band->rate = bc->rate;
        band->max_bucket = burst * 1000ULL;
        band->bucket = band->max_bucket;
    }

    pthread_mutex_lock(&t->mutex);
    struct dp_meter **slot = dp_meter_slot(t, id, true);
    struct dp_meter *old = *slot;
    rcu_set(*slot, meter);
    if (!old) {
        t->n_meters++;
    }
    pthread_mutex_unlock(&t->mutex);
    if (old) {
        rcu_postpone(dp_meter_free, old);
    }
    return 0;
}

/* Reads METER's statistics (under its mutex) into *S. */
static void
dp_meter_read_stats(struct dp_meter *meter, struct dp_meter_stats *s,
                    long long int now)
{
    long long int age = MAX(now - meter->created, 0);

    memset(s, 0, sizeof *s);
    pthread_mutex_lock(&meter->mutex);
    s->packet_in_count = meter->packet_count;
    s->byte_in_count = meter->byte_count;
    s->n_bands = meter->n_bands;
    for (size_t i = 0; i < meter->n_bands; i++) {
        s->bands[i].packet_count = meter->bands[i].packet_count;
        s->bands[i].byte_count = meter->bands[i].byte_count;
    }
    pthread_mutex_unlock(&meter->mutex);
    s->duration_sec = MIN(age / 1000, UINT32_MAX);
    s->duration_nsec = age % 1000 * 1000000;
}

int
dp_meter_get_stats(struct dp_meter_table *t, uint32_t id,
                   struct dp_meter_stats *stats, long long int now)
{
    int error = ENOENT;

    if (id >= DP_METER_MAX) {
        return ENOENT;
    }
    pthread_mutex_lock(&t->mutex);
    struct dp_meter **slot = dp_meter_slot(t, id, false);
    if (slot && *slot) {
        dp_meter_read_stats(*slot, stats, now);
        error = 0;
    }
    pthread_mutex_unlock(&t->mutex);
    return error;
}

int
dp_meter_del(struct dp_meter_table *t, uint32_t id,
             struct dp_meter_stats *stats, long long int now)
{
    struct dp_meter *meter = NULL;

    if (id >= DP_METER_MAX) {
        return ENOENT;
    }
    pthread_mutex_lock(&t->mutex);
    struct dp_meter **slot = dp_meter_slot(t, id, false);
    if (slot && *slot) {
        meter = *slot;
        rcu_set(*slot, NULL);
        t->n_meters--;
    }
    pthread_mutex_unlock(&t->mutex);
    if (!meter) {
        return ENOENT;
    }
    /* A thread still running it may add a few packets after this. */
    if (stats) {
        dp_meter_read_stats(meter, stats, now);
    }
    rcu_postpone(dp_meter_free, meter);
    return 0;
}

size_t
dp_meter_count(struct dp_meter_table *t)
{
    pthread_mutex_lock(&t->mutex);
    size_t n = t->n_meters;
    pthread_mutex_unlock(&t->mutex);
    return n;
}

void
dp_meter_get_features(struct dp_meter_features *f)
{
    memset(f, 0, sizeof *f);
    f->max_meters = DP_METER_MAX;
    f->band_types = (1u << DP_METER_BAND_DROP)
                    | (1u << DP_METER_BAND_DSCP_REMARK);
    f->capabilities = DP_METER_FLAGS_ALL;
    f->max_bands = DP_METER_MAX_BANDS;
    f->max_color = 0;
}

/* ------------------------------------------------------------------ */
/* DSCP remark. */

/* DSCP with its AF drop precedence raised by LEVELS (see dp-meter.h). */
static uint8_t
dscp_raise_drop_precedence(uint8_t dscp, uint8_t levels)
{
    unsigned int class = dscp >> 3, dp = (dscp >> 1) & 3;

    if (class < 1 || class > 4 || !dp || dscp & 1) {
        return dscp;
    }
    dp = MIN(dp + levels, 3);
    return (class << 3) | (dp << 1);
}

static void
remark_dscp(struct dp_packet *packet, uint8_t levels)
{
    uint8_t *d = dp_packet_data(packet);
    size_t n = dp_packet_size(packet);
    size_t ofs = 2 * ETH_ADDR_LEN;
    plx_be16 type;

    if (n < ETH_HEADER_LEN) {
        return;
    }
    type = get_unaligned_be16(d + ofs);
    while (eth_type_vlan(type) && ofs + VLAN_HEADER_LEN + 2 <= n) {
        ofs += VLAN_HEADER_LEN;
        type = get_unaligned_be16(d + ofs);
    }
    ofs += 2;

    if (type == htons(ETH_TYPE_IP) && n - ofs >= IP_HEADER_LEN) {
        struct ip_header *ip = (void *) (d + ofs);
        uint8_t dscp = ip->ip_tos >> IP_DSCP_SHIFT;
        uint8_t new = dscp_raise_drop_precedence(dscp, levels);

        if (IP_VER(ip->ip_ihl_ver) == IP_VERSION && new != dscp) {
            plx_be16 old_word = get_unaligned_be16(ip);
            ip->ip_tos = (new << IP_DSCP_SHIFT) | (ip->ip_tos & IP_ECN_MASK);
            ip->ip_csum = recalc_csum16(ip->ip_csum, old_word,
                                        get_unaligned_be16(ip));
        }
    } else if (type == htons(ETH_TYPE_IPV6) && n - ofs >= IPV6_HEADER_LEN) {
        struct ip6_header *ip6 = (void *) (d + ofs);
        uint32_t vfl = ntohl(get_16aligned_be32(&ip6->ip6_vfl));
        uint8_t tclass = vfl >> 20;
        uint8_t dscp = tclass >> IP_DSCP_SHIFT;
        uint8_t new = dscp_raise_drop_precedence(dscp, levels);

        if (vfl >> 28 == 6 && new != dscp) {
            tclass = (new << IP_DSCP_SHIFT) | (tclass & IP_ECN_MASK);
            vfl = (vfl & ~(0xffu << 20)) | ((uint32_t) tclass << 20);
            put_16aligned_be32(&ip6->ip6_vfl, htonl(vfl));
        }
    }
}

/* ------------------------------------------------------------------ */
/* Running. */

/* Adds DELTA milliseconds' worth of tokens to BAND, up to its size,
 * without overflow whatever the rate, burst and delay. */
static void
band_refill(struct dp_meter_band *band, uint64_t delta)
{
    uint64_t room = band->max_bucket - band->bucket;

    if (delta >= DIV_ROUND_UP(room, band->rate)) {
        band->bucket = band->max_bucket;
    } else {
        band->bucket += delta * band->rate;     /* < room + rate. */
    }
}

void
dp_meter_run(struct dp_meter_table *t, uint32_t id,
             struct dp_packet_batch *batch, long long int now)
{
    struct dp_meter *meter = dp_meter_lookup(t, id);
    size_t cnt = dp_packet_batch_size(batch);

    if (!meter || !cnt) {
        return;
    }

    int exceeded_band[NETDEV_MAX_BURST];
    uint32_t exceeded_rate[NETDEV_MAX_BURST];
    struct dp_packet *packet;
    uint64_t bytes = 0;

    for (size_t i = 0; i < cnt; i++) {
        exceeded_band[i] = -1;
        exceeded_rate[i] = 0;
        bytes += dp_packet_size(batch->packets[i]);
    }

    pthread_mutex_lock(&meter->mutex);
    uint64_t delta = 0;
    if (now > meter->used) {
        delta = now - meter->used;
        meter->used = now;
    }
    meter->packet_count += cnt;
    meter->byte_count += bytes;

    bool pktps = meter->flags & DP_METER_PKTPS;
    uint64_t volume = pktps ? cnt * 1000ULL : bytes * 8;
    for (int m = 0; m < meter->n_bands; m++) {
        struct dp_meter_band *band = &meter->bands[m];

        band_refill(band, delta);
        if (band->bucket >= volume) {
            band->bucket -= volume;
            continue;
        }

        /* This band cannot take the whole batch. */
        for (size_t i = 0; i < cnt; i++) {
            bool exceeded;

            if (pktps) {
                exceeded = band->bucket < 1000;
                if (!exceeded) {
                    band->bucket -= 1000;
                }
            } else {
                uint64_t bits = dp_packet_size(batch->packets[i]) * 8ULL;
                exceeded = band->bucket < bits;
                if (!exceeded) {
                    band->bucket -= bits;
                }
            }
            if (exceeded && band->rate > exceeded_rate[i]) {
                exceeded_rate[i] = band->rate;
                exceeded_band[i] = m;
            }
        }
    }

    /* Each exceeding packet meets the band of the highest rate it
     * exceeded. */
    DP_PACKET_BATCH_REFILL_FOR_EACH (i, n, packet, batch) {
        if (exceeded_band[i] < 0) {
            dp_packet_batch_refill(batch, packet, i);
            continue;
        }

        struct dp_meter_band *band = &meter->bands[exceeded_band[i]];
        band->packet_count++;
        band->byte_count += dp_packet_size(packet);
        if (band->type == DP_METER_BAND_DROP) {
            dp_packet_delete(packet);
        } else {
            remark_dscp(packet, band->prec_level);
            dp_packet_batch_refill(batch, packet, i);
        }
    }
    pthread_mutex_unlock(&meter->mutex);
}
