/* dpif-fixture: what the dpif-netdev tests share: crafted UDP packets,
 * dummy ports, an upcall callback that records what it saw and answers as
 * told, and a datapath with N dummy ports "pN" (port numbers 1..N). */
#ifndef PLX_TESTS_DPIF_FIXTURE_H
#define PLX_TESTS_DPIF_FIXTURE_H 1

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dpif.h"
#include "datapath/odp-actions.h"
#include "flow.h"

struct dp_packet;
struct netdev;

#define WAIT_MS 5000            /* Upper bound for anything to arrive. */
#define PKT_LEN 46              /* Ethernet + IPv4 + UDP + 4-byte seq. */
#define MAX_PORTS 6

extern const uint8_t mac_src[6];
extern const uint8_t mac_dst[6];

struct ucb {
    pthread_mutex_t mutex;
    int n_miss;
    int n_action;
    struct flow miss_flow;              /* Of the last miss. */
    struct flow action_flow;            /* Of the last userspace action. */
    uint32_t pid;
    uint8_t userdata[ODP_USERDATA_MAX];
    size_t userdata_len;
    struct dp_packet *action_packet;    /* Copy, last userspace action. */

    /* Answer to misses. */
    struct flow_wildcards wc;           /* ORed into the wildcards. */
    uint8_t actions[256];
    size_t actions_len;
    int error;
    int delay_us;
};

struct fx {
    struct dpif *dpif;
    struct netdev *dev[MAX_PORTS + 1];  /* By port number. */
    int n;
};

/* Packets: UDP SRC:SPORT -> DST:DPORT (host order) carrying SEQ, PKT_LEN
 * bytes, into P or a new dp_packet; the SEQ a packet carries. */
void build_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport,
               uint16_t dport, uint32_t seq);
struct dp_packet *make_udp(uint32_t src, uint32_t dst, uint16_t sport,
                           uint16_t dport, uint32_t seq);
uint32_t packet_seq(const struct dp_packet *);

/* Dummy ports. */
struct netdev *open_dummy(const char *name, int n_rxq);
odp_port_t add_port(struct dpif *, struct netdev *);
void inject(struct netdev *, int q, struct dp_packet *);
struct dp_packet *wait_sent(struct netdev *);
void settle(void);
void expect_nothing_sent(struct netdev *);

/* The recording upcall callback (register ucb_cb with a struct ucb). */
int ucb_cb(const struct dpif_upcall *, struct odp_buf *actions,
           struct flow_wildcards *wc, void *ucb);
struct ucb *ucb_create(void);
void ucb_set_actions(struct ucb *, const struct odp_buf *);
int ucb_n_miss(struct ucb *);
void ucb_destroy(struct ucb *);

/* A datapath with N dummy ports of N_RXQ queues each. */
struct fx *fx_create(int n, int n_rxq);
void fx_destroy(struct fx *);

/* in_port=IN,ip,nw_dst=DST -> ACTIONS; ACTIONS := output(PORT). */
void put_flow(struct dpif *, int flags, uint32_t in, uint32_t dst,
              const struct odp_buf *actions);
void output_actions(struct odp_buf *, uint32_t port);

#endif /* dpif-fixture.h */
