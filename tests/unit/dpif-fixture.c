/* dpif-fixture: see dpif-fixture.h. */
#include <config.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "datapath/dp-flow.h"
#include "datapath/netdev.h"
#include "datapath/netdev-dummy.h"
#include "datapath/odp-actions.h"
#include "datapath/odp-execute.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "match.h"
#include "packets.h"
#include "smap.h"
#include "test.h"
#include "timeval.h"
#include "dpif-fixture.h"

/* ------------------------------------------------------------------ */
/* Packets. */

const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* UDP SRC:SPORT -> DST:DPORT (host order) carrying SEQ. */
void
build_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport,
          uint16_t dport, uint32_t seq)
{
    memset(p, 0, PKT_LEN);
    memcpy(p, mac_dst, 6);
    memcpy(p + 6, mac_src, 6);
    p[12] = 0x08;
    p[14] = 0x45;                       /* IPv4, IHL 5. */
    p[17] = 32;                         /* Total length. */
    p[22] = 64;                         /* TTL. */
    p[23] = 17;                         /* UDP. */
    for (int i = 0; i < 4; i++) {
        p[26 + i] = src >> (24 - 8 * i);
        p[30 + i] = dst >> (24 - 8 * i);
        p[42 + i] = seq >> (24 - 8 * i);
    }
    p[34] = sport >> 8;
    p[35] = sport;
    p[36] = dport >> 8;
    p[37] = dport;
    p[39] = 12;                         /* UDP length. */
}

struct dp_packet *
make_udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
         uint32_t seq)
{
    uint8_t buf[PKT_LEN];

    build_udp(buf, src, dst, sport, dport, seq);
    return dp_packet_clone_data(buf, sizeof buf);
}

uint32_t
packet_seq(const struct dp_packet *pkt)
{
    const uint8_t *p = dp_packet_data(pkt);
    size_t n = dp_packet_size(pkt);

    return n < 4 ? UINT32_MAX
           : (uint32_t) p[n - 4] << 24 | p[n - 3] << 16 | p[n - 2] << 8
             | p[n - 1];
}

/* ------------------------------------------------------------------ */
/* Ports. */

struct netdev *
open_dummy(const char *name, int n_rxq)
{
    struct netdev *netdev;

    CHECK_EQ(netdev_open(name, "dummy", &netdev), 0);
    if (n_rxq > 1) {
        struct smap opts;
        char buf[16];

        smap_init(&opts);
        snprintf(buf, sizeof buf, "%d", n_rxq);
        smap_add(&opts, "n_rxq", buf);
        CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
        smap_destroy(&opts);
    }
    return netdev;
}

odp_port_t
add_port(struct dpif *dpif, struct netdev *netdev)
{
    odp_port_t port_no = ODPP_NONE;

    CHECK_EQ(dpif_port_add(dpif, netdev, &port_no), 0);
    return port_no;
}

/* Injects PKT into rx queue Q of NETDEV, retrying while the queue is
 * full. */
void
inject(struct netdev *netdev, int q, struct dp_packet *pkt)
{
    long long int deadline = time_msec() + WAIT_MS;

    for (;;) {
        struct dp_packet *copy = dp_packet_clone(pkt);
        int error = netdev_dummy_receive(netdev, q, copy);
        if (error != ENOBUFS) {
            CHECK_EQ(error, 0);
            break;
        }
        CHECK_LT(time_msec(), deadline);
        usleep(100);
    }
    dp_packet_delete(pkt);
}

/* Waits for the next packet sent on NETDEV. */
struct dp_packet *
wait_sent(struct netdev *netdev)
{
    long long int deadline = time_msec() + WAIT_MS;
    struct dp_packet *pkt;

    while (!(pkt = netdev_dummy_pop_sent(netdev, NULL))) {
        CHECK_MSG(time_msec() < deadline, "no packet sent on %s",
                  netdev_get_name(netdev));
        usleep(100);
    }
    return pkt;
}

/* Waits until NETDEV has received N packets on its rx queues and the
 * datapath has had time to process them. */
void
settle(void)
{
    usleep(50 * 1000);
}

void
expect_nothing_sent(struct netdev *netdev)
{
    settle();
    CHECK_EQ(netdev_dummy_n_sent(netdev), 0);
}

/* ------------------------------------------------------------------ */
/* An upcall callback that records what it saw and answers as told. */

int
ucb_cb(const struct dpif_upcall *up, struct odp_buf *actions,
       struct flow_wildcards *wc, void *ucb_)
{
    struct ucb *u = ucb_;
    int error = 0;

    pthread_mutex_lock(&u->mutex);
    if (up->type == DPIF_UC_MISS) {
        u->n_miss++;
        u->miss_flow = *up->flow;
        uint64_t *w = flow_u64(&wc->masks);
        const uint64_t *x = flow_u64_const(&u->wc.masks);
        for (size_t i = 0; i < FLOW_U64S; i++) {
            w[i] |= x[i];
        }
        if (u->actions_len) {
            memcpy(odp_buf_put_zeros(actions, u->actions_len), u->actions,
                   u->actions_len);
        }
        error = u->error;
    } else {
        CHECK(!actions && !wc);
        u->n_action++;
        u->action_flow = *up->flow;
        u->pid = up->pid;
        u->userdata_len = up->userdata_len;
        if (up->userdata_len) {
            memcpy(u->userdata, up->userdata, up->userdata_len);
        }
        dp_packet_delete(u->action_packet);
        u->action_packet = dp_packet_clone(up->packet);
    }
    int delay = u->delay_us;
    pthread_mutex_unlock(&u->mutex);
    if (delay) {
        usleep(delay);
    }
    return error;
}

struct ucb *
ucb_create(void)
{
    struct ucb *u = xzalloc(sizeof *u);

    pthread_mutex_init(&u->mutex, NULL);
    flow_wildcards_init_catchall(&u->wc);
    return u;
}

void
ucb_set_actions(struct ucb *u, const struct odp_buf *b)
{
    pthread_mutex_lock(&u->mutex);
    plx_assert(b->size <= sizeof u->actions);
    memcpy(u->actions, b->data, b->size);
    u->actions_len = b->size;
    pthread_mutex_unlock(&u->mutex);
}

int
ucb_n_miss(struct ucb *u)
{
    pthread_mutex_lock(&u->mutex);
    int n = u->n_miss;
    pthread_mutex_unlock(&u->mutex);
    return n;
}

void
ucb_destroy(struct ucb *u)
{
    dp_packet_delete(u->action_packet);
    pthread_mutex_destroy(&u->mutex);
    free(u);
}

/* ------------------------------------------------------------------ */
/* A datapath with N dummy ports "pN" (port numbers 1..N). */

struct fx *
fx_create(int n, int n_rxq)
{
    struct fx *fx = xzalloc(sizeof *fx);

    CHECK_EQ(dpif_create("plx-netdev", &fx->dpif), 0);
    for (int i = 1; i <= n; i++) {
        char name[16];

        snprintf(name, sizeof name, "p%d", i);
        fx->dev[i] = open_dummy(name, n_rxq);
        CHECK_EQ(add_port(fx->dpif, fx->dev[i]), i);
    }
    fx->n = n;
    return fx;
}

void
fx_destroy(struct fx *fx)
{
    dpif_destroy(fx->dpif);
    for (int i = 1; i <= fx->n; i++) {
        netdev_close(fx->dev[i]);
    }
    free(fx);
}

/* in_port=IN,ip,nw_dst=DST -> ACTIONS. */
void
put_flow(struct dpif *dpif, int flags, uint32_t in, uint32_t dst,
         const struct odp_buf *actions)
{
    struct match m;

    match_init_catchall(&m);
    match_set_in_port(&m, in);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_dst(&m, htonl(dst));
    CHECK_EQ(dpif_flow_put(dpif, flags, &m, actions->data, actions->size,
                           NULL), 0);
}

void
output_actions(struct odp_buf *b, uint32_t port)
{
    odp_buf_clear(b);
    odp_put_output(b, port);
}
