/*
 * tests/guest/plx-guest/actions.c: what the command line asks the guest
 * to do: ping, udp-tx or sink (see cmdline.h), each reporting one
 * summary line (tests/guest/README.md).  ARP and ICMP echo requests keep
 * being answered meanwhile, because every loop here calls pg_poll().
 */
#include "console.h"
#include "fmt.h"
#include "guest.h"
#include "hw.h"
#include "lib.h"

#define ARP_RETRY_MS 200
#define ARP_TIMEOUT_MS 5000
#define PING_ID 0x5047          /* "PG". */
#define PING_DATA_LEN 56
#define PING_WINDOW 256         /* Echo requests tracked at once. */
#define PING_WAIT_MS 1000       /* For the last replies. */
#define TX_SLEEP_MIN_US 200      /* Shorter waits spin. */
#define TX_BATCH 32
#define TX_CATCH_UP_US 1000
#define TX_PACE_BURST 256       /* Up to a quarter of a 1024 ring. */
#define TX_DRAIN_MS 1000
#define TX_STALL_MS 5000

static const struct pg_config *cfg;
static char line_storage[256];

static struct {
    uint64_t send_tsc[PING_WINDOW];
    uint16_t seq[PING_WINDOW];
    bool waiting[PING_WINDOW];
    uint64_t received;
} ping;

static struct {
    uint64_t received, bytes;
    uint64_t first_tsc, last_tsc;
} sink;

static struct pg_buf *
line_start(void)
{
    static struct pg_buf b;
    pg_buf_init(&b, line_storage, sizeof line_storage);
    return &b;
}

static void
error_ip(const char *what, uint32_t ip)
{
    struct pg_buf *b = line_start();
    pg_buf_str(b, "error ");
    pg_buf_str(b, what);
    pg_buf_char(b, ' ');
    pg_buf_ip(b, ip);
    pg_console_line(b->s);
}

static uint64_t
per_second(uint64_t n, uint64_t us)
{
    return us ? n * 1000000 / us : 0;
}

/* The NIC to reach DST: the first whose subnet holds it, else the first
 * with an address. */
static struct pg_nic *
pick_nic(uint32_t dst)
{
    struct pg_nic *fallback = NULL;

    for (int i = 0; i < pg_n_nics; i++) {
        struct pg_nic *nic = &pg_nics[i];
        if (nic->up && nic->netif.ip) {
            if (pg_netif_on_link(&nic->netif, dst)) {
                return nic;
            }
            if (!fallback) {
                fallback = nic;
            }
        }
    }
    return fallback;
}

static int
send_frame(struct pg_nic *nic, const uint8_t *frame, size_t len)
{
    return nic->netif.tx(nic->netif.tx_aux, frame, len);
}

/* ARP for IP until answered, retrying every ARP_RETRY_MS. */
static bool
resolve(struct pg_nic *nic, uint32_t ip, uint8_t mac[PG_ETH_ALEN])
{
    uint64_t now = pg_rdtsc();
    uint64_t deadline = now + pg_ms_to_tsc(ARP_TIMEOUT_MS);
    uint64_t next_try = now;

    for (;;) {
        const uint8_t *m = pg_arp_lookup(&nic->netif, ip);
        if (m) {
            memcpy(mac, m, PG_ETH_ALEN);
            return true;
        }
        now = pg_rdtsc();
        if (pg_shutdown_requested || now >= deadline) {
            return false;
        }
        if (now >= next_try) {
            uint8_t frame[PG_ETH_FRAME_MIN];
            size_t len = pg_net_build_arp_request(&nic->netif, ip, frame,
                                                  sizeof frame);
            send_frame(nic, frame, len);
            next_try = now + pg_ms_to_tsc(ARP_RETRY_MS);
        }
        pg_poll();
    }
}

/* The NIC and next-hop MAC for DST, or NULL after printing an error. */
static struct pg_nic *
prepare(uint32_t dst, uint8_t mac[PG_ETH_ALEN])
{
    struct pg_nic *nic = pick_nic(dst);

    if (!nic) {
        error_ip("no interface with an address for", dst);
        return NULL;
    }
    if (!resolve(nic, dst, mac)) {
        if (!pg_shutdown_requested) {
            error_ip("arp unresolved", dst);
        }
        return NULL;
    }
    return nic;
}

void
pg_app_echo_reply(const struct pg_nic *nic, const struct pg_rx_info *info)
{
    if (!cfg || cfg->action != PG_ACTION_PING || info->id != PING_ID
        || info->src_ip != cfg->dst_ip) {
        return;
    }

    unsigned int slot = info->seq % PING_WINDOW;
    if (!ping.waiting[slot] || ping.seq[slot] != info->seq) {
        return;                 /* Late, duplicate or not ours. */
    }
    ping.waiting[slot] = false;
    ping.received++;

    uint64_t us = pg_tsc_to_us(pg_rdtsc() - ping.send_tsc[slot]);
    struct pg_buf *b = line_start();
    pg_buf_str(b, "ping ");
    pg_buf_ip(b, info->src_ip);
    pg_buf_str(b, " seq=");
    pg_buf_u64(b, info->seq);
    pg_buf_str(b, " time_us=");
    pg_buf_u64(b, us);
    pg_console_line(b->s);
}

static int
run_ping(void)
{
    uint8_t mac[PG_ETH_ALEN];
    struct pg_nic *nic = prepare(cfg->dst_ip, mac);
    uint64_t sent = 0;

    memset(&ping, 0, sizeof ping);
    if (nic) {
        uint64_t interval = pg_ms_to_tsc(cfg->interval_ms);
        uint64_t wait = pg_ms_to_tsc(PG_MAX(PING_WAIT_MS,
                                            2 * cfg->interval_ms));
        uint64_t next_send = pg_rdtsc(), last_send = 0;
        uint8_t data[PING_DATA_LEN];

        for (size_t i = 0; i < sizeof data; i++) {
            data[i] = i;
        }
        while (!pg_shutdown_requested) {
            uint64_t now = pg_rdtsc();
            if (sent < cfg->count && now >= next_send) {
                uint16_t seq = (uint16_t) (sent + 1);
                unsigned int slot = seq % PING_WINDOW;
                uint8_t frame[PG_ETH_FRAME_MAX];
                size_t len = pg_net_build_echo(&nic->netif, mac,
                                               cfg->dst_ip,
                                               PG_ICMP_ECHO_REQUEST, PING_ID,
                                               seq, data, sizeof data,
                                               frame, sizeof frame);
                ping.seq[slot] = seq;
                ping.waiting[slot] = true;
                ping.send_tsc[slot] = pg_rdtsc();
                send_frame(nic, frame, len);
                sent++;
                last_send = now;
                next_send += interval;
            } else if (sent == cfg->count
                       && (ping.received == sent
                           || now - last_send >= wait)) {
                break;
            }
            pg_poll();
        }
    }

    struct pg_buf *b = line_start();
    pg_buf_str(b, "ping-summary dst=");
    pg_buf_ip(b, cfg->dst_ip);
    pg_buf_str(b, " sent=");
    pg_buf_u64(b, sent);
    pg_buf_str(b, " received=");
    pg_buf_u64(b, ping.received);
    pg_console_line(b->s);
    return nic && ping.received == cfg->count ? 0 : 1;
}

static bool
count_reached(uint64_t n)
{
    return cfg->count && n >= cfg->count;
}

/* A paced sender sleeps (pg_idle_us()) rather than spin while nothing
 * is due, leaving the host's cores to the switch and the receiver: until
 * the next packet when packets are far apart, else until a burst of up
 * to TX_PACE_BURST packets is due, which the loop then sends TX_BATCH at
 * a time; the average rate is the one asked for.  Returns the time after
 * sleeping. */
static uint64_t
pace(uint64_t now, uint64_t next_send, uint64_t period)
{
    uint64_t min_sleep = pg_us_to_tsc(TX_SLEEP_MIN_US);

    if (next_send <= now) {
        return now;             /* Packets are due: send them first. */
    }
    uint64_t burst = PG_MIN(TX_PACE_BURST, PG_MAX(min_sleep / period, 1));
    uint64_t due = next_send + (burst - 1) * period;
    if (due - now >= min_sleep) {
        /* Wake a little early: sleeping is not precise. */
        pg_idle_us(pg_tsc_to_us(due - now) - TX_SLEEP_MIN_US / 2);
        now = pg_rdtsc();
    }
    return now;
}

static int
run_udp_tx(void)
{
    uint8_t mac[PG_ETH_ALEN];
    struct pg_nic *nic = prepare(cfg->dst_ip, mac);
    uint64_t sent = 0, bytes = 0, start = 0, end = 0;
    bool stalled = false;

    if (nic) {
        uint8_t frame[PG_ETH_FRAME_MAX];
        size_t len = pg_net_build_udp(&nic->netif, mac, cfg->dst_ip,
                                      cfg->src_port, cfg->dst_port,
                                      cfg->size, frame, sizeof frame);
        uint64_t period = (cfg->rate
                           ? PG_MAX(pg_tsc_khz * 1000 / cfg->rate, 1) : 0);
        uint64_t stall = pg_ms_to_tsc(TX_STALL_MS);
        /* How late a paced sender may catch up with a burst (a sleep can
         * end late on a busy host). */
        uint64_t max_behind = PG_MAX(TX_PACE_BURST * period,
                                     pg_us_to_tsc(TX_CATCH_UP_US));
        uint64_t now = pg_rdtsc();
        uint64_t deadline = (cfg->duration_ms
                             ? now + pg_ms_to_tsc(cfg->duration_ms) : 0);
        uint64_t next_send = now, progress = now;

        start = now;
        while (!pg_shutdown_requested && !count_reached(sent)
               && (!deadline || now < deadline)) {
            if (period && now > next_send && now - next_send > max_behind) {
                next_send = now;    /* Far behind: no catch-up burst. */
            }
            for (int i = 0; i < TX_BATCH && !count_reached(sent)
                 && (!period || now >= next_send); i++) {
                if (pg_vnet_tx(&nic->vnet, frame, len)) {
                    break;
                }
                sent++;
                bytes += len;
                next_send += period;
                progress = now;
            }
            pg_vnet_tx_kick(&nic->vnet);
            pg_poll();
            now = pg_rdtsc();
            if (period) {
                now = pace(now, next_send, period);
            }
            if (now - progress > stall) {
                stalled = true;
                break;
            }
        }

        /* Wait until the device has taken everything we queued. */
        uint64_t drain_end = pg_rdtsc() + pg_ms_to_tsc(TX_DRAIN_MS);
        while (pg_vnet_tx_in_flight(&nic->vnet)
               && !pg_shutdown_requested && pg_rdtsc() < drain_end) {
            pg_poll();
        }
        end = pg_rdtsc();
        if (stalled) {
            pg_console_line("error udp-tx stalled: the device stopped "
                            "taking packets");
        }
    }

    uint64_t us = pg_tsc_to_us(end - start);
    struct pg_buf *b = line_start();
    pg_buf_str(b, "udp-tx dst=");
    pg_buf_ip(b, cfg->dst_ip);
    pg_buf_char(b, ':');
    pg_buf_u64(b, cfg->dst_port);
    pg_buf_str(b, " sent=");
    pg_buf_u64(b, sent);
    pg_buf_str(b, " bytes=");
    pg_buf_u64(b, bytes);
    pg_buf_str(b, " elapsed_us=");
    pg_buf_u64(b, us);
    pg_buf_str(b, " pps=");
    pg_buf_u64(b, per_second(sent, us));
    pg_console_line(b->s);
    return nic && sent && !stalled && (!cfg->count || sent == cfg->count)
           ? 0 : 1;
}

void
pg_app_udp(const struct pg_nic *nic, const struct pg_rx_info *info,
           size_t frame_len)
{
    if (!cfg || cfg->action != PG_ACTION_SINK
        || info->dst_port != cfg->sink_port || count_reached(sink.received)) {
        return;
    }

    uint64_t now = pg_rdtsc();
    if (!sink.received) {
        sink.first_tsc = now;
    }
    sink.last_tsc = now;
    sink.received++;
    sink.bytes += frame_len;
}

static int
run_sink(void)
{
    uint64_t now = pg_rdtsc();
    uint64_t deadline = (cfg->duration_ms
                         ? now + pg_ms_to_tsc(cfg->duration_ms) : 0);

    memset(&sink, 0, sizeof sink);
    while (!pg_shutdown_requested && !count_reached(sink.received)
           && (!deadline || now < deadline)) {
        pg_poll_idle();
        now = pg_rdtsc();
    }

    uint64_t us = pg_tsc_to_us(sink.last_tsc - sink.first_tsc);
    struct pg_buf *b = line_start();
    pg_buf_str(b, "sink port=");
    pg_buf_u64(b, cfg->sink_port);
    pg_buf_str(b, " received=");
    pg_buf_u64(b, sink.received);
    pg_buf_str(b, " bytes=");
    pg_buf_u64(b, sink.bytes);
    pg_buf_str(b, " elapsed_us=");
    pg_buf_u64(b, us);
    pg_buf_str(b, " pps=");
    pg_buf_u64(b, per_second(sink.received, us));
    pg_console_line(b->s);
    return sink.received && (!cfg->count || sink.received >= cfg->count)
           ? 0 : 1;
}

int
pg_action_run(const struct pg_config *config)
{
    cfg = config;
    switch (cfg->action) {
    case PG_ACTION_PING:
        return run_ping();
    case PG_ACTION_UDP_TX:
        return run_udp_tx();
    case PG_ACTION_SINK:
        return run_sink();
    case PG_ACTION_NONE:
    default:
        return 0;
    }
}
