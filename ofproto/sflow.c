/* sflow: an sFlow version 5 agent (see sflow.h). */
#include <config.h>

#include "sflow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "collectors.h"
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(sflow);

/* Structure numbers (enterprise 0). */
enum {
    SFLOW_FLOW_SAMPLE = 1,
    SFLOW_COUNTERS_SAMPLE = 2,
    SFLOW_FLOW_SAMPLE_EXPANDED = 3,
    SFLOW_COUNTERS_SAMPLE_EXPANDED = 4,

    SFLOW_FLOW_RAW_HEADER = 1,          /* Flow record. */
    SFLOW_COUNTERS_GENERIC = 1,         /* Counter records. */
    SFLOW_COUNTERS_ETHERNET = 2,

    SFLOW_HEADER_ETHERNET = 1,          /* header_protocol. */
    SFLOW_ADDR_IPV4 = 1,
    SFLOW_ADDR_IPV6 = 2,
};

#define SFLOW_FCS_LEN 4
#define SFLOW_GENERIC_LEN 88
#define SFLOW_ETHERNET_LEN 52

/* Room for the datagram header with an IPv6 agent: version, address
 * type, 16 bytes of address, sub-agent id, sequence, uptime, count. */
#define SFLOW_MAX_DGRAM_HEADER 40
/* Room for samples: the budget always assumes an IPv6 agent, so that a
 * change of agent never makes a pending datagram too long. */
#define SFLOW_SAMPLE_ROOM (SFLOW_MAX_DATAGRAM - SFLOW_MAX_DGRAM_HEADER)
/* Longest sample: expanded flow sample with the longest header. */
#define SFLOW_MAX_SAMPLE (8 + 4 * 11 + 8 + 16 + SFLOW_MAX_HEADER_LEN)

struct sflow_addr {
    int family;                 /* AF_INET or AF_INET6. */
    uint8_t addr[16];           /* 4 or 16 bytes used. */
};

/* One data source. */
struct sflow_port {
    struct hmap_node node;      /* In 'ports', by hash_int(ifindex). */
    uint32_t ifindex;
    char *name;
    uint32_t flow_seq;          /* Last flow sample sequence number. */
    uint32_t counter_seq;       /* Last counter sample sequence number. */
    uint32_t sample_pool;       /* Packets seen (mod 2^32). */
    uint32_t drops;             /* Samples lost (mod 2^32). */
    long long int next_poll;    /* LLONG_MIN: not scheduled yet. */
};

struct sflow {
    /* Options. */
    struct sset targets;
    uint32_t sampling_rate;
    uint32_t polling_interval;
    uint32_t header_len;
    char *agent_option;
    uint32_t sub_agent_id;
    struct sflow_addr agent;
    struct collectors *collectors;

    struct hmap ports;
    sflow_get_counters_cb *counters_cb;
    void *counters_aux;

    long long int boot_msec;    /* First 'now' seen, or LLONG_MIN. */
    uint32_t dgram_seq;         /* Last datagram sequence number. */

    /* The pending datagram: samples start at SFLOW_MAX_DGRAM_HEADER, the
     * header is written just before them when it is sent. */
    uint8_t buf[SFLOW_MAX_DATAGRAM];
    size_t pending_len;         /* Bytes of samples. */
    uint32_t n_pending;         /* Samples. */
    uint32_t n_pending_flow;    /* Of which flow samples. */
    uint32_t n_pending_counter; /* Of which counter samples. */
    long long int pending_since;

    struct sflow_stats stats;
};

/* Big-endian encoding into a buffer whose room the caller checked. */
static void
put32(uint8_t *buf, size_t *ofs, uint32_t x)
{
    buf[*ofs] = x >> 24;
    buf[*ofs + 1] = x >> 16;
    buf[*ofs + 2] = x >> 8;
    buf[*ofs + 3] = x;
    *ofs += 4;
}

static void
put64(uint8_t *buf, size_t *ofs, uint64_t x)
{
    put32(buf, ofs, x >> 32);
    put32(buf, ofs, x);
}

/* XDR opaque<>: length, bytes, zero padding to 4. */
static void
put_opaque(uint8_t *buf, size_t *ofs, const void *data, size_t len)
{
    put32(buf, ofs, len);
    if (len) {
        memcpy(&buf[*ofs], data, len);
    }
    size_t padded = ROUND_UP(len, 4);
    memset(&buf[*ofs + len], 0, padded - len);
    *ofs += padded;
}

/* Writes the length of the structure that began at START (after its
 * 8-byte format and length words) into its length word. */
static void
end_struct(uint8_t *buf, size_t start, size_t ofs)
{
    size_t len_ofs = start + 4;
    put32(buf, &len_ofs, ofs - start - 8);
}

static uint32_t
data_format(uint32_t enterprise, uint32_t format)
{
    return (enterprise << 12) | format;
}

/* Data sources. */

static struct sflow_port *
sflow_find_port(const struct sflow *sf, uint32_t ifindex)
{
    struct sflow_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_int(ifindex, 0), &sf->ports) {
        if (port->ifindex == ifindex) {
            return port;
        }
    }
    return NULL;
}

void
sflow_add_port(struct sflow *sf, uint32_t ifindex, const char *name)
{
    struct sflow_port *port = sflow_find_port(sf, ifindex);

    if (!port) {
        if (!ifindex || hmap_count(&sf->ports) >= SFLOW_MAX_PORTS) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "sFlow: port %s (ifindex %"PRIu32") not "
                         "added: %s", name ? name : "?", ifindex,
                         ifindex ? "too many ports" : "ifindex 0");
            sf->stats.ports_refused++;
            return;
        }
        port = xzalloc(sizeof *port);
        port->ifindex = ifindex;
        port->next_poll = LLONG_MIN;
        hmap_insert(&sf->ports, &port->node, hash_int(ifindex, 0));
    }
    free(port->name);
    port->name = xstrdup(name ? name : "");
}

static void
sflow_port_free(struct sflow_port *port)
{
    free(port->name);
    free(port);
}

void
sflow_del_port(struct sflow *sf, uint32_t ifindex)
{
    struct sflow_port *port = sflow_find_port(sf, ifindex);

    if (port) {
        hmap_remove(&sf->ports, &port->node);
        sflow_port_free(port);
    }
}

/* Create and destroy. */

struct sflow *
sflow_create(void)
{
    struct sflow *sf = xzalloc(sizeof *sf);

    sset_init(&sf->targets);
    sf->sampling_rate = SFLOW_DEFAULT_SAMPLING_RATE;
    sf->polling_interval = SFLOW_DEFAULT_POLLING_INTERVAL;
    sf->header_len = SFLOW_DEFAULT_HEADER_LEN;
    sf->agent.family = AF_INET;
    hmap_init(&sf->ports);
    sf->boot_msec = LLONG_MIN;
    return sf;
}

void
sflow_destroy(struct sflow *sf)
{
    if (sf) {
        struct sflow_port *port;

        HMAP_FOR_EACH_POP (port, node, &sf->ports) {
            sflow_port_free(port);
        }
        hmap_destroy(&sf->ports);
        collectors_destroy(sf->collectors);
        sset_destroy(&sf->targets);
        free(sf->agent_option);
        free(sf);
    }
}

void
sflow_set_counters_cb(struct sflow *sf, sflow_get_counters_cb *cb,
                      void *aux)
{
    sf->counters_cb = cb;
    sf->counters_aux = aux;
}

/* Agent address. */

static bool
sflow_addr_from_ss(const struct sockaddr *sa, struct sflow_addr *addr)
{
    memset(addr, 0, sizeof *addr);
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;
        addr->family = AF_INET;
        memcpy(addr->addr, &sin->sin_addr, 4);
        return true;
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;
        addr->family = AF_INET6;
        memcpy(addr->addr, &sin6->sin6_addr, 16);
        return true;
    }
    return false;
}

static bool
sflow_parse_ip_literal(const char *s, struct sflow_addr *addr)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t len = strlen(s);

    memset(addr, 0, sizeof *addr);
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        if (len - 2 >= sizeof buf) {
            return false;
        }
        memcpy(buf, s + 1, len - 2);
        buf[len - 2] = '\0';
        addr->family = AF_INET6;
        return inet_pton(AF_INET6, buf, addr->addr) == 1;
    }
    if (inet_pton(AF_INET, s, addr->addr) == 1) {
        addr->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, addr->addr) == 1) {
        addr->family = AF_INET6;
        return true;
    }
    return false;
}

/* The first IPv4 address of device NAME, else its first IPv6 address. */
static char *
sflow_addr_from_device(const char *name, struct sflow_addr *addr)
{
    struct ifaddrs *ifas;
    bool found_dev = false, found_v6 = false;

    if (strlen(name) >= IFNAMSIZ || !name[0]) {
        return xasprintf("sFlow agent \"%s\" is neither an IP address nor "
                         "a network device name", name);
    }
    if (getifaddrs(&ifas)) {
        return xasprintf("sFlow agent \"%s\": cannot list interface "
                         "addresses (%s)", name, plx_strerror(errno));
    }
    for (const struct ifaddrs *ifa = ifas; ifa; ifa = ifa->ifa_next) {
        if (strcmp(ifa->ifa_name, name)) {
            continue;
        }
        found_dev = true;
        struct sflow_addr a;
        if (!sflow_addr_from_ss(ifa->ifa_addr, &a)) {
            continue;
        }
        if (a.family == AF_INET) {
            *addr = a;
            freeifaddrs(ifas);
            return NULL;
        } else if (!found_v6) {
            *addr = a;
            found_v6 = true;
        }
    }
    freeifaddrs(ifas);
    if (found_v6) {
        return NULL;
    }
    return found_dev
           ? xasprintf("sFlow agent device \"%s\" has no IP address", name)
           : xasprintf("sFlow agent \"%s\" is neither an IP address nor "
                       "a network device", name);
}

/* The source address of the route to TARGET. */
static int
sflow_addr_from_route(const char *target, struct sflow_addr *addr)
{
    struct sockaddr_storage ss, local;
    socklen_t len = sizeof local;
    int error = inet_parse_active(target, SFLOW_DEFAULT_PORT, &ss, false);

    if (error) {
        return error == EAGAIN ? EINVAL : error;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    if (connect(fd, (struct sockaddr *) &ss, ss_length(&ss))
        || getsockname(fd, (struct sockaddr *) &local, &len)) {
        error = errno;
    } else if (!sflow_addr_from_ss((struct sockaddr *) &local, addr)) {
        error = EAFNOSUPPORT;
    }
    close(fd);
    return error;
}

static char *
sflow_choose_agent(const struct sflow_options *o, struct sflow_addr *addr)
{
    if (o->agent && o->agent[0]) {
        return (sflow_parse_ip_literal(o->agent, addr)
                ? NULL : sflow_addr_from_device(o->agent, addr));
    }

    memset(addr, 0, sizeof *addr);
    addr->family = AF_INET;
    if (sset_is_empty(&o->targets)) {
        return NULL;
    }

    const char **targets = sset_sort(&o->targets);
    size_t n = sset_count(&o->targets);
    int error = 0;
    for (size_t i = 0; i < n; i++) {
        error = sflow_addr_from_route(targets[i], addr);
        if (!error) {
            break;
        }
    }
    char *msg = (error
                 ? xasprintf("sFlow: cannot choose an agent address from "
                             "the route to %s (%s); set the agent",
                             targets[0], plx_strerror(error))
                 : NULL);
    free(targets);
    return msg;
}

static void
sflow_format_addr(const struct sflow_addr *addr, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];

    if (inet_ntop(addr->family, addr->addr, buf, sizeof buf)) {
        ds_put_cstr(s, buf);
    } else {
        ds_put_cstr(s, "?");
    }
}

/* Options. */

static char *
sflow_check_options(const struct sflow_options *o)
{
    if (!o->sampling_rate) {
        return xstrdup("sFlow sampling rate must be at least 1");
    }
    if (!o->header_len || o->header_len > SFLOW_MAX_HEADER_LEN) {
        return xasprintf("sFlow header length %"PRIu32" is out of range "
                         "1 to %d", o->header_len, SFLOW_MAX_HEADER_LEN);
    }
    if (o->polling_interval > SFLOW_MAX_POLLING_INTERVAL) {
        return xasprintf("sFlow polling interval %"PRIu32" s is out of "
                         "range 0 to %d", o->polling_interval,
                         SFLOW_MAX_POLLING_INTERVAL);
    }

    /* sFlow is UDP only: say so, rather than fail to find an agent
     * address for a "tcp:" target. */
    const char *target;
    SSET_FOR_EACH (target, &o->targets) {
        if (!strncmp(target, "tcp:", 4)) {
            char *why = collectors_check_target(target, 0);
            char *error = xasprintf("sFlow target %s: %s", target,
                                    why ? why : "not supported");
            free(why);
            return error;
        }
    }
    return NULL;
}

char *
sflow_set_options(struct sflow *sf, const struct sflow_options *o)
{
    struct sflow_addr agent;
    char *error = sflow_check_options(o);

    if (!error) {
        error = sflow_choose_agent(o, &agent);
    }
    if (error) {
        return error;
    }

    sf->agent = agent;
    free(sf->agent_option);
    sf->agent_option = o->agent ? xstrdup(o->agent) : NULL;
    sf->sub_agent_id = o->sub_agent_id;
    sf->sampling_rate = o->sampling_rate;
    sf->header_len = o->header_len;
    if (sf->polling_interval != o->polling_interval) {
        struct sflow_port *port;

        sf->polling_interval = o->polling_interval;
        HMAP_FOR_EACH (port, node, &sf->ports) {
            port->next_poll = LLONG_MIN;
        }
    }

    if (!sset_equals(&sf->targets, &o->targets) || !sf->collectors) {
        collectors_destroy(sf->collectors);
        sf->collectors = NULL;
        sset_destroy(&sf->targets);
        sset_clone(&sf->targets, &o->targets);
        if (!sset_is_empty(&sf->targets)) {
            error = collectors_create(&sf->targets, SFLOW_DEFAULT_PORT,
                                      &sf->collectors);
        }
    }
    return error;
}

uint32_t
sflow_get_sampling_rate(const struct sflow *sf)
{
    return sf->sampling_rate;
}

bool
sflow_is_configured(const struct sflow *sf)
{
    return !sset_is_empty(&sf->targets);
}

/* Datagrams. */

static uint32_t
sflow_uptime(const struct sflow *sf, long long int now)
{
    return (sf->boot_msec == LLONG_MIN || now <= sf->boot_msec
            ? 0 : (uint32_t) (now - sf->boot_msec));
}

static void
sflow_note_time(struct sflow *sf, long long int now)
{
    if (sf->boot_msec == LLONG_MIN) {
        sf->boot_msec = now;
    }
}

static void
sflow_flush(struct sflow *sf, long long int now)
{
    if (!sf->n_pending) {
        return;
    }

    size_t hlen = sf->agent.family == AF_INET6 ? 40 : 28;
    size_t start = SFLOW_MAX_DGRAM_HEADER - hlen;
    size_t ofs = start;

    put32(sf->buf, &ofs, 5);
    if (sf->agent.family == AF_INET6) {
        put32(sf->buf, &ofs, SFLOW_ADDR_IPV6);
        memcpy(&sf->buf[ofs], sf->agent.addr, 16);
        ofs += 16;
    } else {
        put32(sf->buf, &ofs, SFLOW_ADDR_IPV4);
        memcpy(&sf->buf[ofs], sf->agent.addr, 4);
        ofs += 4;
    }
    put32(sf->buf, &ofs, sf->sub_agent_id);
    put32(sf->buf, &ofs, ++sf->dgram_seq);
    put32(sf->buf, &ofs, sflow_uptime(sf, now));
    put32(sf->buf, &ofs, sf->n_pending);

    collectors_send(sf->collectors, &sf->buf[start],
                    hlen + sf->pending_len);
    sf->stats.datagrams++;
    sf->stats.flow_samples += sf->n_pending_flow;
    sf->stats.counter_samples += sf->n_pending_counter;
    sf->n_pending = sf->n_pending_flow = sf->n_pending_counter = 0;
    sf->pending_len = 0;
}

/* Queues the LEN bytes of one sample, first sending the pending datagram
 * if the sample does not fit. */
static void
sflow_queue(struct sflow *sf, const uint8_t *sample, size_t len,
            bool is_flow, long long int now)
{
    if (sf->pending_len + len > SFLOW_SAMPLE_ROOM) {
        sflow_flush(sf, now);
    }
    if (!sf->n_pending) {
        sf->pending_since = now;
    }
    memcpy(&sf->buf[SFLOW_MAX_DGRAM_HEADER + sf->pending_len], sample, len);
    sf->pending_len += len;
    sf->n_pending++;
    if (is_flow) {
        sf->n_pending_flow++;
    } else {
        sf->n_pending_counter++;
    }
}

static bool
sflow_flush_due(const struct sflow *sf, long long int now)
{
    return sf->n_pending && now >= sf->pending_since + SFLOW_FLUSH_MSEC;
}

/* Flow samples. */

void
sflow_received(struct sflow *sf, const struct sflow_sample *s,
               long long int now)
{
    sflow_note_time(sf, now);
    sf->stats.samples_received++;

    struct sflow_port *port = sflow_find_port(sf, s->input_ifindex);
    if (!port) {
        sf->stats.samples_unknown_input++;
        return;
    }

    uint32_t rate = s->sampling_rate ? s->sampling_rate : sf->sampling_rate;
    port->drops += s->drops;
    port->sample_pool += rate * (s->drops + 1);
    port->flow_seq++;

    size_t hdr_len = s->header ? MIN(s->header_len, sf->header_len) : 0;
    uint32_t frame_len = MAX(s->frame_len, hdr_len);
    uint32_t out = s->output_ifindex;
    bool expanded = port->ifindex >= (1u << 24);

    uint8_t buf[SFLOW_MAX_SAMPLE];
    size_t ofs = 0;
    put32(buf, &ofs, data_format(0, expanded ? SFLOW_FLOW_SAMPLE_EXPANDED
                                             : SFLOW_FLOW_SAMPLE));
    put32(buf, &ofs, 0);                /* Length, filled in below. */
    put32(buf, &ofs, port->flow_seq);
    if (expanded) {
        put32(buf, &ofs, 0);            /* Source class: ifIndex. */
        put32(buf, &ofs, port->ifindex);
    } else {
        put32(buf, &ofs, port->ifindex);
    }
    put32(buf, &ofs, rate);
    put32(buf, &ofs, port->sample_pool);
    put32(buf, &ofs, port->drops);
    if (expanded) {
        put32(buf, &ofs, 0);            /* Input: format ifIndex. */
        put32(buf, &ofs, port->ifindex);
        put32(buf, &ofs, out >> 30);
        put32(buf, &ofs, out & 0x3fffffff);
    } else {
        put32(buf, &ofs, port->ifindex);
        put32(buf, &ofs, out);
    }
    put32(buf, &ofs, 1);                /* Number of flow records. */

    size_t rec = ofs;
    put32(buf, &ofs, data_format(0, SFLOW_FLOW_RAW_HEADER));
    put32(buf, &ofs, 0);
    put32(buf, &ofs, SFLOW_HEADER_ETHERNET);
    put32(buf, &ofs, frame_len + SFLOW_FCS_LEN);
    put32(buf, &ofs, SFLOW_FCS_LEN);    /* Stripped. */
    put_opaque(buf, &ofs, s->header, hdr_len);
    end_struct(buf, rec, ofs);
    end_struct(buf, 0, ofs);

    sflow_queue(sf, buf, ofs, true, now);
    if (sflow_flush_due(sf, now)) {
        sflow_flush(sf, now);
    }
}

/* Counter samples. */

void
sflow_if_counters_init(struct sflow_if_counters *c)
{
    memset(c, 0xff, sizeof *c);
    c->if_type = 6;
    c->if_speed = 0;
    c->if_direction = 0;
    c->if_status = 0;
    c->promiscuous = 0;
    c->ethernet = true;
}

static void
sflow_poll_port(struct sflow *sf, struct sflow_port *port,
                long long int now)
{
    struct sflow_if_counters c;

    sflow_if_counters_init(&c);
    if (!sf->counters_cb(sf->counters_aux, port->ifindex, &c)) {
        sf->stats.counter_failures++;
        return;
    }
    port->counter_seq++;

    bool expanded = port->ifindex >= (1u << 24);
    uint8_t buf[8 + 4 * 4 + 8 + SFLOW_GENERIC_LEN + 8 + SFLOW_ETHERNET_LEN];
    size_t ofs = 0;

    put32(buf, &ofs, data_format(0, expanded ? SFLOW_COUNTERS_SAMPLE_EXPANDED
                                             : SFLOW_COUNTERS_SAMPLE));
    put32(buf, &ofs, 0);
    put32(buf, &ofs, port->counter_seq);
    if (expanded) {
        put32(buf, &ofs, 0);
    }
    put32(buf, &ofs, port->ifindex);
    put32(buf, &ofs, c.ethernet ? 2 : 1);

    size_t rec = ofs;
    put32(buf, &ofs, data_format(0, SFLOW_COUNTERS_GENERIC));
    put32(buf, &ofs, 0);
    put32(buf, &ofs, port->ifindex);
    put32(buf, &ofs, c.if_type);
    put64(buf, &ofs, c.if_speed);
    put32(buf, &ofs, c.if_direction);
    put32(buf, &ofs, c.if_status);
    put64(buf, &ofs, c.in_octets);
    put32(buf, &ofs, c.in_ucast_pkts);
    put32(buf, &ofs, c.in_multicast_pkts);
    put32(buf, &ofs, c.in_broadcast_pkts);
    put32(buf, &ofs, c.in_discards);
    put32(buf, &ofs, c.in_errors);
    put32(buf, &ofs, c.in_unknown_protos);
    put64(buf, &ofs, c.out_octets);
    put32(buf, &ofs, c.out_ucast_pkts);
    put32(buf, &ofs, c.out_multicast_pkts);
    put32(buf, &ofs, c.out_broadcast_pkts);
    put32(buf, &ofs, c.out_discards);
    put32(buf, &ofs, c.out_errors);
    put32(buf, &ofs, c.promiscuous);
    end_struct(buf, rec, ofs);

    if (c.ethernet) {
        rec = ofs;
        put32(buf, &ofs, data_format(0, SFLOW_COUNTERS_ETHERNET));
        put32(buf, &ofs, 0);
        put32(buf, &ofs, c.dot3_alignment_errors);
        put32(buf, &ofs, c.dot3_fcs_errors);
        put32(buf, &ofs, c.dot3_single_collision_frames);
        put32(buf, &ofs, c.dot3_multiple_collision_frames);
        put32(buf, &ofs, c.dot3_sqe_test_errors);
        put32(buf, &ofs, c.dot3_deferred_transmissions);
        put32(buf, &ofs, c.dot3_late_collisions);
        put32(buf, &ofs, c.dot3_excessive_collisions);
        put32(buf, &ofs, c.dot3_internal_mac_transmit_errors);
        put32(buf, &ofs, c.dot3_carrier_sense_errors);
        put32(buf, &ofs, c.dot3_frame_too_longs);
        put32(buf, &ofs, c.dot3_internal_mac_receive_errors);
        put32(buf, &ofs, c.dot3_symbol_errors);
        end_struct(buf, rec, ofs);
    }
    end_struct(buf, 0, ofs);

    sflow_queue(sf, buf, ofs, false, now);
}

/* The offset of PORT's polls into each polling interval. */
static long long int
sflow_poll_offset(const struct sflow *sf, const struct sflow_port *port)
{
    long long int interval = sf->polling_interval * 1000LL;
    return hash_int(port->ifindex, 0x5f10) % interval;
}

static bool
sflow_polling(const struct sflow *sf)
{
    return sf->polling_interval && sf->counters_cb;
}

void
sflow_run(struct sflow *sf, long long int now)
{
    sflow_note_time(sf, now);

    if (sflow_polling(sf)) {
        long long int interval = sf->polling_interval * 1000LL;
        struct sflow_port *port;

        HMAP_FOR_EACH (port, node, &sf->ports) {
            if (port->next_poll == LLONG_MIN) {
                port->next_poll = now + sflow_poll_offset(sf, port);
            }
            if (now >= port->next_poll) {
                sflow_poll_port(sf, port, now);
                port->next_poll += interval;
                if (port->next_poll <= now) {
                    /* We fell behind (a long stall): skip missed polls
                     * but keep the port's place in the interval. */
                    long long int behind = now - port->next_poll;
                    port->next_poll += (behind / interval + 1) * interval;
                }
            }
        }
    }

    if (sflow_flush_due(sf, now)) {
        sflow_flush(sf, now);
    }
}

void
sflow_wait(const struct sflow *sf, long long int now PLX_UNUSED)
{
    if (sf->n_pending) {
        poll_timer_wait_until(sf->pending_since + SFLOW_FLUSH_MSEC);
    }
    if (sflow_polling(sf)) {
        long long int next = LLONG_MAX;
        const struct sflow_port *port;

        HMAP_FOR_EACH (port, node, &sf->ports) {
            if (port->next_poll == LLONG_MIN) {
                poll_immediate_wake();
                return;
            }
            next = MIN(next, port->next_poll);
        }
        if (next != LLONG_MAX) {
            poll_timer_wait_until(next);
        }
    }
}

/* Status. */

void
sflow_get_stats(const struct sflow *sf, struct sflow_stats *stats)
{
    *stats = sf->stats;
    collectors_get_stats(sf->collectors, &stats->datagrams_sent,
                         &stats->datagrams_dropped);
}

void
sflow_format_status(const struct sflow *sf, struct ds *s)
{
    struct sflow_stats st;

    sflow_get_stats(sf, &st);
    ds_put_cstr(s, "sFlow agent: ");
    sflow_format_addr(&sf->agent, s);
    if (sf->agent_option) {
        ds_put_format(s, " (agent=%s)", sf->agent_option);
    }
    ds_put_format(s, ", sub-agent %"PRIu32"\n", sf->sub_agent_id);
    ds_put_format(s, "  sampling rate 1/%"PRIu32", polling interval "
                  "%"PRIu32" s, header %"PRIu32" bytes, %zu"
                  " data sources\n", sf->sampling_rate,
                  sf->polling_interval, sf->header_len,
                  hmap_count(&sf->ports));
    ds_put_format(s, "  targets (%zu of %zu open):\n",
                  collectors_count(sf->collectors),
                  sset_count(&sf->targets));
    collectors_format(sf->collectors, s);
    ds_put_format(s, "  samples received %"PRIu64", unknown input port "
                  "%"PRIu64", flow samples sent %"PRIu64"\n",
                  st.samples_received, st.samples_unknown_input,
                  st.flow_samples);
    ds_put_format(s, "  counter samples sent %"PRIu64", counter reads "
                  "failed %"PRIu64"\n", st.counter_samples,
                  st.counter_failures);
    ds_put_format(s, "  datagrams %"PRIu64" (sequence %"PRIu32"), sent "
                  "%"PRIu64", dropped %"PRIu64"; %"PRIu32" samples "
                  "pending\n", st.datagrams, sf->dgram_seq,
                  st.datagrams_sent, st.datagrams_dropped, sf->n_pending);
    if (st.ports_refused) {
        ds_put_format(s, "  ports refused %"PRIu64"\n", st.ports_refused);
    }
}
