/* dp-packet: the datapath's packet buffer; see dp-packet.h. */
#include <config.h>
#include "dp-packet.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

static void
dp_packet_init__(struct dp_packet *b, void *base, size_t allocated,
                 enum dp_packet_source source)
{
    plx_assert(allocated <= UINT32_MAX);
    b->base_ = base;
    b->allocated_ = allocated;
    b->data_ofs_ = 0;
    b->size_ = 0;
    b->source = source;
    b->rss_hash_valid = false;
    b->embedded = false;
    b->rss_hash = 0;
    b->release = NULL;
    b->release_aux = NULL;
    dp_packet_reset_offsets(b);
    pkt_metadata_init(&b->md, 0);
}

/* Initializes B as an empty packet with ALLOCATED bytes of malloc'd
 * space, all of it tailroom. */
void
dp_packet_init(struct dp_packet *b, size_t allocated)
{
    /* Never a null base, so that dp_packet_data() is always a valid
     * pointer. */
    dp_packet_init__(b, xmalloc(MAX(allocated, 1)), allocated, DPBUF_MALLOC);
}

/* Initializes B to use BASE, ALLOCATED bytes that were obtained from
 * malloc() and now belong to B. */
void
dp_packet_use(struct dp_packet *b, void *base, size_t allocated)
{
    dp_packet_init__(b, base, allocated, DPBUF_MALLOC);
}

/* Initializes B to use BASE, ALLOCATED bytes of caller memory, as a
 * fixed-size buffer (see DPBUF_STACK). */
void
dp_packet_use_stack(struct dp_packet *b, void *base, size_t allocated)
{
    dp_packet_init__(b, base, allocated, DPBUF_STACK);
}

/* Initializes B to use BASE, ALLOCATED bytes of caller memory, until it
 * needs more (see DPBUF_STUB). */
void
dp_packet_use_stub(struct dp_packet *b, void *base, size_t allocated)
{
    dp_packet_init__(b, base, allocated, DPBUF_STUB);
}

/* Initializes B as a read-only view of the SIZE bytes at DATA.  The
 * caller must not modify or grow B. */
void
dp_packet_use_const(struct dp_packet *b, const void *data, size_t size)
{
    dp_packet_init__(b, (void *) data, size, DPBUF_STACK);
    b->size_ = size;
}

/* Initializes B to wrap an externally owned buffer (a DPDK mbuf, a
 * vhost buffer) of ALLOCATED bytes at BASE holding SIZE bytes of packet
 * at DATA_OFS.  RELEASE(B, AUX) is called when B is deleted or outgrows
 * the buffer. */
void
dp_packet_use_external(struct dp_packet *b, void *base, size_t allocated,
                       size_t data_ofs, size_t size,
                       dp_packet_release_func *release, void *aux)
{
    plx_assert(data_ofs + size <= allocated);
    dp_packet_init__(b, base, allocated, DPBUF_DPDK);
    b->data_ofs_ = data_ofs;
    b->size_ = size;
    b->release = release;
    b->release_aux = aux;
}

/* Initializes B, which lives in the memory that RELEASE frees, to wrap
 * that buffer as dp_packet_use_external() does. */
void
dp_packet_use_embedded(struct dp_packet *b, void *base, size_t allocated,
                       size_t data_ofs, size_t size,
                       dp_packet_release_func *release, void *aux)
{
    dp_packet_use_external(b, base, allocated, data_ofs, size, release, aux);
    b->embedded = true;
}

/* Frees the memory B owns (but not B itself).  Not for an embedded B,
 * whose memory goes only with dp_packet_delete(). */
void
dp_packet_uninit(struct dp_packet *b)
{
    if (!b) {
        return;
    }
    plx_assert(!b->embedded);
    if (b->source == DPBUF_MALLOC) {
        free(b->base_);
    } else if (b->source == DPBUF_DPDK && b->release) {
        b->release(b, b->release_aux);
    }
    b->base_ = NULL;
    b->allocated_ = b->size_ = b->data_ofs_ = 0;
}

/* A per-thread cache of packets with DP_PACKET_CACHE_BUF bytes of
 * malloc'd buffer, so that the datapath's steady state of receiving,
 * forwarding and freeing packets of ordinary size costs no malloc() and
 * free() pair per packet (two, with the struct).  Each thread keeps at
 * most DP_PACKET_CACHE_MAX; a packet freed by another thread than the one
 * that allocated it simply joins the freeing thread's cache.  A thread's
 * cache is freed when the thread exits. */
#define DP_PACKET_CACHE_BUF 2048
#define DP_PACKET_CACHE_MAX 256

struct dp_packet_cache {
    size_t n;
    struct dp_packet *packets[DP_PACKET_CACHE_MAX];
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static __thread struct dp_packet_cache *thread_cache;

static void
dp_packet_cache_destroy(void *cache_)
{
    struct dp_packet_cache *cache = cache_;

    for (size_t i = 0; i < cache->n; i++) {
        free(cache->packets[i]->base_);
        free(cache->packets[i]);
    }
    free(cache);
}

static void
dp_packet_cache_init(void)
{
    if (pthread_key_create(&cache_key, dp_packet_cache_destroy)) {
        abort();
    }
}

static struct dp_packet_cache *
dp_packet_cache_get(void)
{
    if (!thread_cache) {
        pthread_once(&cache_once, dp_packet_cache_init);
        thread_cache = xzalloc(sizeof *thread_cache);
        pthread_setspecific(cache_key, thread_cache);
    }
    return thread_cache;
}

struct dp_packet *
dp_packet_new(size_t allocated)
{
    struct dp_packet *b;

    if (allocated <= DP_PACKET_CACHE_BUF) {
        struct dp_packet_cache *cache = dp_packet_cache_get();

        if (cache->n) {
            b = cache->packets[--cache->n];
            dp_packet_init__(b, b->base_, DP_PACKET_CACHE_BUF, DPBUF_MALLOC);
        } else {
            b = xmalloc(sizeof *b);
            dp_packet_init(b, DP_PACKET_CACHE_BUF);
        }
        return b;
    }
    b = xmalloc(sizeof *b);
    dp_packet_init(b, allocated);
    return b;
}

/* A new empty packet with HEADROOM bytes of headroom and room for SIZE
 * bytes of data. */
struct dp_packet *
dp_packet_new_with_headroom(size_t size, size_t headroom)
{
    struct dp_packet *b = dp_packet_new(size + headroom);
    dp_packet_reserve(b, headroom);
    return b;
}

struct dp_packet *
dp_packet_clone_data_with_headroom(const void *data, size_t size,
                                   size_t headroom)
{
    struct dp_packet *b = dp_packet_new_with_headroom(size, headroom);
    dp_packet_put(b, data, size);
    return b;
}

struct dp_packet *
dp_packet_clone_data(const void *data, size_t size)
{
    return dp_packet_clone_data_with_headroom(data, size,
                                              DP_PACKET_DEFAULT_HEADROOM);
}

/* A copy of B (data, offsets, metadata and RSS hash) with HEADROOM bytes
 * of headroom. */
struct dp_packet *
dp_packet_clone_with_headroom(const struct dp_packet *b, size_t headroom)
{
    struct dp_packet *c = dp_packet_clone_data_with_headroom(
        dp_packet_data(b), dp_packet_size(b), headroom);
    c->l2_5_ofs = b->l2_5_ofs;
    c->l3_ofs = b->l3_ofs;
    c->l4_ofs = b->l4_ofs;
    c->rss_hash_valid = b->rss_hash_valid;
    c->rss_hash = b->rss_hash;
    c->md = b->md;
    return c;
}

struct dp_packet *
dp_packet_clone(const struct dp_packet *b)
{
    return dp_packet_clone_with_headroom(b, dp_packet_headroom(b));
}

void
dp_packet_delete(struct dp_packet *b)
{
    if (b && b->embedded) {
        if (b->source == DPBUF_MALLOC) {
            free(b->base_);     /* Grew out of its buffer. */
        }
        b->release(b, b->release_aux);  /* Frees B too. */
    } else if (b) {
        if (b->source == DPBUF_MALLOC
            && b->allocated_ == DP_PACKET_CACHE_BUF) {
            struct dp_packet_cache *cache = dp_packet_cache_get();

            if (cache->n < DP_PACKET_CACHE_MAX) {
                cache->packets[cache->n++] = b;
                return;
            }
        }
        dp_packet_uninit(b);
        free(b);
    }
}

/* Moves the data into a new malloc'd buffer with exactly NEW_HEADROOM
 * bytes before and NEW_TAILROOM after it. */
static void
dp_packet_resize__(struct dp_packet *b, size_t new_headroom,
                   size_t new_tailroom)
{
    size_t new_allocated = new_headroom + b->size_ + new_tailroom;
    void *new_base;

    plx_assert(new_allocated <= UINT32_MAX);
    switch ((enum dp_packet_source) b->source) {
    case DPBUF_MALLOC:
        if (new_headroom == b->data_ofs_) {
            new_base = xrealloc(b->base_, new_allocated);
        } else {
            new_base = xmalloc(new_allocated);
            memcpy((char *) new_base + new_headroom, dp_packet_data(b),
                   b->size_);
            free(b->base_);
        }
        break;

    case DPBUF_STUB:
    case DPBUF_DPDK:
        new_base = xmalloc(new_allocated);
        memcpy((char *) new_base + new_headroom, dp_packet_data(b),
               b->size_);
        if (b->embedded) {
            /* B lives in the old buffer: that goes only with B. */
        } else {
            if (b->source == DPBUF_DPDK && b->release) {
                b->release(b, b->release_aux);
            }
            b->release = NULL;
            b->release_aux = NULL;
        }
        b->source = DPBUF_MALLOC;
        break;

    case DPBUF_STACK:
    default:
        PLX_NOT_REACHED();
    }
    b->base_ = new_base;
    b->allocated_ = new_allocated;
    b->data_ofs_ = new_headroom;
}

/* Ensures at least N bytes of tailroom, reallocating if needed. */
void
dp_packet_prealloc_tailroom(struct dp_packet *b, size_t n)
{
    if (n > dp_packet_tailroom(b)) {
        dp_packet_resize__(b, dp_packet_headroom(b), MAX(n, 64));
    }
}

/* Ensures at least N bytes of headroom, reallocating if needed. */
void
dp_packet_prealloc_headroom(struct dp_packet *b, size_t n)
{
    if (n > dp_packet_headroom(b)) {
        size_t headroom = ROUND_UP(MAX(n, DP_PACKET_DEFAULT_HEADROOM), 2);
        dp_packet_resize__(b, headroom, dp_packet_tailroom(b));
    }
}

/* Moves the (empty) data of B forward by HEADROOM bytes. */
void
dp_packet_reserve(struct dp_packet *b, size_t headroom)
{
    plx_assert(!b->size_);
    dp_packet_prealloc_tailroom(b, headroom);
    b->data_ofs_ += headroom;
}

void
dp_packet_reserve_with_tailroom(struct dp_packet *b, size_t headroom,
                                size_t tailroom)
{
    plx_assert(!b->size_);
    dp_packet_prealloc_tailroom(b, headroom + tailroom);
    b->data_ofs_ += headroom;
}

void *
dp_packet_put_uninit(struct dp_packet *b, size_t n)
{
    void *p;

    dp_packet_prealloc_tailroom(b, n);
    p = dp_packet_tail(b);
    b->size_ += n;
    return p;
}

void *
dp_packet_put_zeros(struct dp_packet *b, size_t n)
{
    return memset(dp_packet_put_uninit(b, n), 0, n);
}

void *
dp_packet_put(struct dp_packet *b, const void *p, size_t n)
{
    return memcpy(dp_packet_put_uninit(b, n), p, n);
}

static void
dp_packet_shift_ofs__(uint16_t *ofs, long delta)
{
    if (*ofs != DP_PACKET_OFS_UNSET) {
        long v = (long) *ofs + delta;
        *ofs = v < 0 || v >= DP_PACKET_OFS_UNSET ? DP_PACKET_OFS_UNSET : v;
    }
}

/* Keeps the layer offsets on their headers after DELTA bytes were added
 * (positive) or removed (negative) at the head. */
static void
dp_packet_adjust_offsets__(struct dp_packet *b, long delta)
{
    dp_packet_shift_ofs__(&b->l2_5_ofs, delta);
    dp_packet_shift_ofs__(&b->l3_ofs, delta);
    dp_packet_shift_ofs__(&b->l4_ofs, delta);
}

void *
dp_packet_push_uninit(struct dp_packet *b, size_t n)
{
    dp_packet_prealloc_headroom(b, n);
    b->data_ofs_ -= n;
    b->size_ += n;
    dp_packet_adjust_offsets__(b, n);
    return dp_packet_data(b);
}

void *
dp_packet_push_zeros(struct dp_packet *b, size_t n)
{
    return memset(dp_packet_push_uninit(b, n), 0, n);
}

void *
dp_packet_push(struct dp_packet *b, const void *p, size_t n)
{
    return memcpy(dp_packet_push_uninit(b, n), p, n);
}

void *
dp_packet_pull(struct dp_packet *b, size_t n)
{
    void *p;

    if (n > b->size_) {
        return NULL;
    }
    p = dp_packet_data(b);
    b->data_ofs_ += n;
    b->size_ -= n;
    dp_packet_adjust_offsets__(b, -(long) n);
    return p;
}

void
dp_packet_trim(struct dp_packet *b, size_t n)
{
    plx_assert(n <= b->size_);
    b->size_ -= n;
}

/* Empties B, keeping its headroom where it is. */
void
dp_packet_clear(struct dp_packet *b)
{
    b->size_ = 0;
    dp_packet_reset_offsets(b);
}

void
dp_packet_batch_clone(struct dp_packet_batch *dst,
                      const struct dp_packet_batch *src)
{
    dp_packet_batch_init(dst);
    for (size_t i = 0; i < src->count; i++) {
        dp_packet_batch_add__(dst, dp_packet_clone(src->packets[i]));
    }
    dst->trunc = src->trunc;
}

void
dp_packet_delete_batch(struct dp_packet_batch *batch, bool may_steal)
{
    if (may_steal) {
        for (size_t i = 0; i < batch->count; i++) {
            dp_packet_delete(batch->packets[i]);
        }
        dp_packet_batch_init(batch);
    }
}
