/*
 * netdev-linux: the "system", "internal" and "tap" network device types.
 *
 * "system" opens an existing interface (a veth end, a NIC) through an
 * AF_PACKET socket bound to its ifindex:
 *
 *   - rx: a memory-mapped TPACKET_V2 ring of NL_RING_FRAMES frames.  V2
 *     rather than V3 because V3 hands over whole blocks, only when they
 *     fill or a timer (>= 1 ms) retires them, which adds a millisecond of
 *     latency per hop at low rates; V2 hands over each frame at once.
 *     rxq_recv() copies up to NETDEV_MAX_BURST ready frames into
 *     dp_packets without any system call, then gives the frames back.
 *     Every length and offset in a frame header is checked against the
 *     frame before use; a truncated or malformed frame is dropped and
 *     counted.  A VLAN tag that the kernel took out of the packet
 *     (tp_vlan_tci) is put back, and a TCP or UDP checksum the sender
 *     left to offload (TP_STATUS_CSUMNOTREADY) is completed, so that the
 *     bytes are what went on the wire.
 *   - tx: sendmmsg() of the whole batch (one system call per batch), with
 *     PACKET_QDISC_BYPASS.  PACKET_IGNORE_OUTGOING keeps our own sends out
 *     of our rx ring.
 *   - the socket joins PACKET_MR_PROMISC, so the port sees every frame;
 *     the kernel drops the membership by itself when the socket closes.
 *   Frames larger than the ring's frame (NL_FRAME_SIZE, which covers a
 *   9000-byte MTU) cannot be received: in particular GSO/TSO packets, so
 *   a sender behind a veth must have TSO (tx offload) off.
 *
 * "internal" and "tap" are tap devices opened through /dev/net/tun
 * (IFF_TAP | IFF_NO_PI, nonblocking): "internal" is the bridge's local
 * port that the switch creates so that the host can address the bridge;
 * "tap" attaches to an existing tap (e.g. "ip tuntap add mode tap") or
 * creates one.  A tap the switch created disappears when it is closed.
 * One read() or write() per packet: tun offers no batch interface.  The
 * kernel's counters of a tap count the host's side, so rx and tx are
 * swapped to give the switch's point of view.
 *
 * Link state, MTU, MAC, flags and kernel statistics go through rtnetlink
 * (netdev-linux-nl.c).  An rtnetlink notifier, drained by netdev_run(),
 * bumps the change sequence number of any device the kernel reports as
 * changed (carrier, MTU, MAC, flags, deletion).
 *
 * Threads (see netdev.h): one thread polls the single rx queue; any
 * number of threads may send at once (sendmmsg() and write() are atomic
 * per packet); counters the datapath adds are updated atomically.
 */
#include <config.h>
#include "netdev-linux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "csum.h"
#include "dp-packet.h"
#include "list.h"
#include "packets.h"
#include "poll-loop.h"
#include "smap.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_linux);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define NL_FRAME_SIZE 16384u            /* Per ring frame. */
#define NL_BLOCK_SIZE (4 * NL_FRAME_SIZE)
#define NL_RING_FRAMES 256u
#define NL_TAP_BUF_SIZE 65536u          /* Largest frame a tap may give. */

struct netdev_linux {
    struct netdev up;

    /* Set at construction. */
    bool is_tap;                /* "internal" or "tap". */
    int ifindex;
    int fd;                     /* AF_PACKET socket or tap fd. */

    /* "system" only: the rx ring. */
    uint8_t *ring;
    size_t ring_size;
    bool promisc;               /* Joined PACKET_MR_PROMISC (main). */

    /* Main thread only. */
    struct plx_list list_node;  /* In 'linux_netdevs'. */
    bool vanished;              /* The kernel deleted the interface. */
    uint64_t ring_drops;        /* Accumulated PACKET_STATISTICS drops. */

    /* Atomic: a tap that is down (its writes fail with EIO) drops what
     * it is sent without a system call, until the kernel next reports a
     * change of the link. */
    bool tap_down;

    /* Atomic: the datapath's own drops and errors. */
    uint64_t rx_dropped;
    uint64_t rx_errors;
    uint64_t tx_dropped;
    uint64_t tx_errors;
};

struct netdev_rxq_linux {
    struct netdev_rxq up;
    unsigned int frame;         /* Next ring frame to look at. */
    uint8_t *buf;               /* Tap read buffer, NL_TAP_BUF_SIZE. */
};

static struct plx_list linux_netdevs = PLX_LIST_INITIALIZER(&linux_netdevs);
static struct netdev_linux_notifier *linux_notifier;

static bool
is_linux_class(const struct netdev_class *class)
{
    return (class == &netdev_linux_class || class == &netdev_internal_class
            || class == &netdev_tap_class);
}

static struct netdev_linux *
netdev_linux_cast(const struct netdev *netdev)
{
    plx_assert(is_linux_class(netdev->netdev_class));
    return CONTAINER_OF(netdev, struct netdev_linux, up);
}

static void
counter_add(uint64_t *counter, uint64_t n)
{
    __atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static uint64_t
counter_get(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Change notifications. */

static void
netdev_linux_notify_cb(const struct netdev_linux_change *change,
                       void *aux PLX_UNUSED)
{
    struct netdev_linux *dev;

    LIST_FOR_EACH (dev, list_node, &linux_netdevs) {
        if (!change->link.ifindex || change->link.ifindex == dev->ifindex) {
            if (change->deleted) {
                dev->vanished = true;
            }
            __atomic_store_n(&dev->tap_down, false, __ATOMIC_RELAXED);
            netdev_changed(&dev->up);
        }
    }
}

static void
netdev_linux_run(const struct netdev_class *class PLX_UNUSED)
{
    netdev_linux_notifier_run();
}

static void
netdev_linux_wait(const struct netdev_class *class PLX_UNUSED)
{
    netdev_linux_notifier_wait();
}

static void
netdev_linux_track(struct netdev_linux *dev)
{
    if (!linux_notifier) {
        linux_notifier = netdev_linux_notifier_create(netdev_linux_notify_cb,
                                                      NULL);
    }
    plx_list_push_back(&linux_netdevs, &dev->list_node);
}

static void
netdev_linux_untrack(struct netdev_linux *dev)
{
    plx_list_remove(&dev->list_node);
    if (plx_list_is_empty(&linux_netdevs)) {
        netdev_linux_notifier_destroy(linux_notifier);
        linux_notifier = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Construction. */

static struct netdev *
netdev_linux_alloc(void)
{
    struct netdev_linux *dev = xzalloc(sizeof *dev);
    dev->fd = -1;
    return &dev->up;
}

static void
netdev_linux_dealloc(struct netdev *netdev)
{
    free(netdev_linux_cast(netdev));
}

static int
packet_setsockopt(int fd, int opt, const void *val, socklen_t len)
{
    return setsockopt(fd, SOL_PACKET, opt, val, len) ? errno : 0;
}

static int
packet_set_promisc(struct netdev_linux *dev, bool on)
{
    struct packet_mreq mreq = {
        .mr_ifindex = dev->ifindex,
        .mr_type = PACKET_MR_PROMISC,
    };
    int error = packet_setsockopt(dev->fd, (on ? PACKET_ADD_MEMBERSHIP
                                            : PACKET_DROP_MEMBERSHIP),
                                  &mreq, sizeof mreq);
    if (!error) {
        dev->promisc = on;
    }
    return error;
}

/* Opens the AF_PACKET socket and its rx ring for "system" device DEV. */
static int
netdev_linux_open_packet_socket(struct netdev_linux *dev)
{
    const char *name = dev->up.name;
    int version = TPACKET_V2;
    int one = 1;
    int error;

    dev->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dev->fd < 0) {
        error = errno;
        VLOG_WARN("%s: could not create AF_PACKET socket (%s)", name,
                  plx_strerror(error));
        return error;
    }

    error = packet_setsockopt(dev->fd, PACKET_VERSION, &version,
                              sizeof version);
    if (error) {
        VLOG_WARN("%s: TPACKET_V2 not supported (%s)", name,
                  plx_strerror(error));
        return error;
    }
    if (packet_setsockopt(dev->fd, PACKET_IGNORE_OUTGOING, &one,
                          sizeof one)) {
        VLOG_WARN("%s: PACKET_IGNORE_OUTGOING not supported: this port "
                  "will receive its own packets", name);
    }
    /* Best effort: skipping the qdisc only makes sending cheaper. */
    packet_setsockopt(dev->fd, PACKET_QDISC_BYPASS, &one, sizeof one);

    struct tpacket_req req = {
        .tp_block_size = NL_BLOCK_SIZE,
        .tp_block_nr = NL_RING_FRAMES * NL_FRAME_SIZE / NL_BLOCK_SIZE,
        .tp_frame_size = NL_FRAME_SIZE,
        .tp_frame_nr = NL_RING_FRAMES,
    };
    error = packet_setsockopt(dev->fd, PACKET_RX_RING, &req, sizeof req);
    if (error) {
        VLOG_WARN("%s: could not set up rx ring (%s)", name,
                  plx_strerror(error));
        return error;
    }
    dev->ring_size = (size_t) req.tp_block_size * req.tp_block_nr;
    void *ring = mmap(NULL, dev->ring_size, PROT_READ | PROT_WRITE,
                      MAP_SHARED, dev->fd, 0);
    if (ring == MAP_FAILED) {
        error = errno;
        VLOG_WARN("%s: could not map rx ring (%s)", name,
                  plx_strerror(error));
        return error;
    }
    dev->ring = ring;

    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = dev->ifindex,
    };
    if (bind(dev->fd, (struct sockaddr *) &sll, sizeof sll)) {
        error = errno;
        VLOG_WARN("%s: could not bind AF_PACKET socket (%s)", name,
                  plx_strerror(error));
        return error;
    }

    /* Binding to a device that is down leaves ENETDOWN pending on the
     * socket, which would fail the first send: clear it. */
    int soerr;
    socklen_t soerr_len = sizeof soerr;
    getsockopt(dev->fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len);

    error = packet_set_promisc(dev, true);
    if (error) {
        VLOG_WARN("%s: could not enable promiscuous mode (%s)", name,
                  plx_strerror(error));
        return error;
    }
    return 0;
}

static void
netdev_linux_close_fds(struct netdev_linux *dev)
{
    if (dev->ring) {
        munmap(dev->ring, dev->ring_size);
        dev->ring = NULL;
    }
    if (dev->fd >= 0) {
        close(dev->fd);
        dev->fd = -1;
    }
}

static int
netdev_linux_construct(struct netdev *netdev)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);

    int error = netdev_linux_nl_get_ifindex(netdev->name, &dev->ifindex);
    if (error) {
        if (error != ENODEV) {
            VLOG_WARN("%s: could not look up interface (%s)",
                      netdev->name, plx_strerror(error));
        }
        return error;
    }
    error = netdev_linux_open_packet_socket(dev);
    if (error) {
        netdev_linux_close_fds(dev);
        return error;
    }
    netdev_linux_track(dev);
    return 0;
}

static int
netdev_linux_construct_tap(struct netdev *netdev)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);
    const char *name = netdev->name;
    struct ifreq ifr;
    int error;

    dev->is_tap = true;
    if (strlen(name) >= IFNAMSIZ || strchr(name, '%') || strchr(name, '/')) {
        VLOG_WARN("%s: not a valid tap device name", name);
        return EINVAL;
    }

    int existing_ifindex;
    bool existed = !netdev_linux_nl_get_ifindex(name, &existing_ifindex);

    dev->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (dev->fd < 0) {
        error = errno;
        VLOG_WARN("%s: could not open /dev/net/tun (%s)", name,
                  plx_strerror(error));
        return error;
    }

    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(dev->fd, TUNSETIFF, &ifr)) {
        error = errno;
        if (existed && error == EINVAL) {
            /* The kernel says EINVAL for a name taken by a non-tap. */
            error = EEXIST;
        }
        VLOG_WARN("%s: could not %s tap device (%s)", name,
                  existed ? "attach to" : "create",
                  error == EEXIST ? "an interface of that name exists and "
                  "is not a tap" : plx_strerror(error));
        netdev_linux_close_fds(dev);
        return error;
    }

    error = netdev_linux_nl_get_ifindex(name, &dev->ifindex);
    if (error) {
        VLOG_WARN("%s: tap device has no ifindex (%s)", name,
                  plx_strerror(error));
        netdev_linux_close_fds(dev);
        return error;
    }
    netdev_linux_track(dev);
    return 0;
}

static void
netdev_linux_destruct(struct netdev *netdev)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);

    netdev_linux_untrack(dev);
    netdev_linux_close_fds(dev);
}

/* ------------------------------------------------------------------ */
/* Receiving. */

static struct netdev_rxq *
netdev_linux_rxq_alloc(void)
{
    struct netdev_rxq_linux *rxq = xzalloc(sizeof *rxq);
    return &rxq->up;
}

static int
netdev_linux_rxq_construct(struct netdev_rxq *rxq_)
{
    struct netdev_rxq_linux *rxq = CONTAINER_OF(rxq_, struct netdev_rxq_linux,
                                                up);
    struct netdev_linux *dev = netdev_linux_cast(rxq_->netdev);

    if (dev->is_tap) {
        rxq->buf = xmalloc(NL_TAP_BUF_SIZE);
    }
    return 0;
}

static void
netdev_linux_rxq_destruct(struct netdev_rxq *rxq_)
{
    struct netdev_rxq_linux *rxq = CONTAINER_OF(rxq_, struct netdev_rxq_linux,
                                                up);
    free(rxq->buf);
}

static void
netdev_linux_rxq_dealloc(struct netdev_rxq *rxq_)
{
    free(CONTAINER_OF(rxq_, struct netdev_rxq_linux, up));
}

/* Completes the TCP or UDP checksum of PKT, an untagged Ethernet frame
 * whose sender left the checksum to offload (the field holds only the
 * pseudo-header sum).  Packets it does not understand are left alone. */
static void
complete_l4_csum(struct dp_packet *pkt)
{
    const uint8_t *data = dp_packet_data(pkt);
    size_t size = dp_packet_size(pkt);
    const struct eth_header *eth = (const void *) data;
    uint8_t *l4;
    size_t l4_len;
    uint8_t proto;
    uint32_t partial;
    const struct ip6_header *ip6_hdr = NULL;

    if (size < ETH_HEADER_LEN) {
        return;
    }
    if (eth->eth_type == htons(ETH_TYPE_IP)) {
        struct ip_header *ip = (void *) (data + ETH_HEADER_LEN);
        if (size < ETH_HEADER_LEN + IP_HEADER_LEN) {
            return;
        }
        size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
        size_t tot_len = ntohs(ip->ip_tot_len);
        if (ihl < IP_HEADER_LEN || tot_len < ihl
            || ETH_HEADER_LEN + tot_len > size
            || IP_IS_FRAGMENT(ip->ip_frag_off)) {
            return;
        }
        proto = ip->ip_proto;
        l4 = (uint8_t *) ip + ihl;
        l4_len = tot_len - ihl;
        partial = packet_csum_pseudoheader(ip);
    } else if (eth->eth_type == htons(ETH_TYPE_IPV6)) {
        struct ip6_header *ip6 = (void *) (data + ETH_HEADER_LEN);
        if (size < ETH_HEADER_LEN + IPV6_HEADER_LEN) {
            return;
        }
        l4_len = ntohs(ip6->ip6_payload_len);
        if (ETH_HEADER_LEN + IPV6_HEADER_LEN + l4_len > size) {
            return;
        }
        proto = ip6->ip6_next;      /* No extension headers handled. */
        l4 = (uint8_t *) (ip6 + 1);
        ip6_hdr = ip6;
        partial = 0;
    } else {
        return;
    }

    plx_be16 *field;
    if (proto == IPPROTO_TCP && l4_len >= TCP_HEADER_LEN) {
        field = &((struct tcp_header *) l4)->tcp_csum;
    } else if (proto == IPPROTO_UDP && l4_len >= UDP_HEADER_LEN) {
        field = &((struct udp_header *) l4)->udp_csum;
    } else {
        return;
    }
    *field = 0;
    plx_be16 sum = (ip6_hdr
                    ? packet_csum_upperlayer6(ip6_hdr, l4, proto, l4_len)
                    : csum_finish(csum_continue(partial, l4, l4_len)));
    if (proto == IPPROTO_UDP && !sum) {
        sum = htons(0xffff);
    }
    *field = sum;
}

/* Turns ring frame HDR into a new packet, or returns NULL (counted) if
 * the frame is malformed or truncated. */
static struct dp_packet *
netdev_linux_frame_to_packet(struct netdev_linux *dev,
                             const struct tpacket2_hdr *hdr, uint32_t status)
{
    uint32_t mac = hdr->tp_mac;
    uint32_t snaplen = hdr->tp_snaplen;

    if (mac < sizeof *hdr || mac > NL_FRAME_SIZE
        || snaplen > NL_FRAME_SIZE - mac || snaplen < ETH_HEADER_LEN) {
        VLOG_WARN_RL(&rl, "%s: malformed rx ring frame (mac %"PRIu32", "
                     "snaplen %"PRIu32")", dev->up.name, mac, snaplen);
        counter_add(&dev->rx_errors, 1);
        return NULL;
    }
    if (snaplen != hdr->tp_len || status & TP_STATUS_COPY) {
        VLOG_WARN_RL(&rl, "%s: dropped %"PRIu32"-byte packet larger than "
                     "the rx ring's frames (is TSO on at the sender?)",
                     dev->up.name, hdr->tp_len);
        counter_add(&dev->rx_dropped, 1);
        return NULL;
    }

    const uint8_t *data = (const uint8_t *) hdr + mac;
    bool tagged = (status & TP_STATUS_VLAN_VALID) != 0;
    struct dp_packet *pkt = dp_packet_new_with_headroom(
        snaplen + (tagged ? VLAN_HEADER_LEN : 0),
        DP_PACKET_DEFAULT_HEADROOM);

    if (tagged) {
        /* The kernel stripped the outer tag into the header: put it back
         * between the MAC addresses and the EtherType. */
        plx_be16 tpid = htons(status & TP_STATUS_VLAN_TPID_VALID
                              && hdr->tp_vlan_tpid
                              ? hdr->tp_vlan_tpid : ETH_TYPE_VLAN_8021Q);
        plx_be16 tci = htons(hdr->tp_vlan_tci);
        dp_packet_put(pkt, data, 2 * ETH_ADDR_LEN);
        dp_packet_put(pkt, &tpid, sizeof tpid);
        dp_packet_put(pkt, &tci, sizeof tci);
        dp_packet_put(pkt, data + 2 * ETH_ADDR_LEN,
                      snaplen - 2 * ETH_ADDR_LEN);
    } else {
        dp_packet_put(pkt, data, snaplen);
        if (status & TP_STATUS_CSUMNOTREADY) {
            complete_l4_csum(pkt);
        }
    }
    return pkt;
}

static int
netdev_linux_rxq_recv_ring(struct netdev_rxq_linux *rxq,
                           struct netdev_linux *dev,
                           struct dp_packet_batch *batch)
{
    while (batch->count < NETDEV_MAX_BURST) {
        struct tpacket2_hdr *hdr = (void *) (dev->ring + (size_t) rxq->frame
                                             * NL_FRAME_SIZE);
        uint32_t status = __atomic_load_n(&hdr->tp_status, __ATOMIC_ACQUIRE);
        if (!(status & TP_STATUS_USER)) {
            break;
        }
        struct dp_packet *pkt = netdev_linux_frame_to_packet(dev, hdr,
                                                             status);
        __atomic_store_n(&hdr->tp_status, TP_STATUS_KERNEL,
                         __ATOMIC_RELEASE);
        rxq->frame = (rxq->frame + 1) % NL_RING_FRAMES;
        if (pkt) {
            dp_packet_batch_add__(batch, pkt);
        }
    }
    return 0;
}

static int
netdev_linux_rxq_recv_tap(struct netdev_rxq_linux *rxq,
                          struct netdev_linux *dev,
                          struct dp_packet_batch *batch)
{
    while (batch->count < NETDEV_MAX_BURST) {
        ssize_t n = read(dev->fd, rxq->buf, NL_TAP_BUF_SIZE);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int error = errno;
            if (error == EAGAIN || batch->count) {
                return 0;
            }
            VLOG_WARN_RL(&rl, "%s: error receiving from tap (%s)",
                         dev->up.name, plx_strerror(error));
            return error;
        } else if (n < ETH_HEADER_LEN || n >= NL_TAP_BUF_SIZE) {
            /* Too short to be Ethernet, or possibly truncated. */
            counter_add(&dev->rx_errors, 1);
            continue;
        }
        dp_packet_batch_add__(batch, dp_packet_clone_data_with_headroom(
                                  rxq->buf, n, DP_PACKET_DEFAULT_HEADROOM));
    }
    return 0;
}

static int
netdev_linux_rxq_recv(struct netdev_rxq *rxq_, struct dp_packet_batch *batch)
{
    struct netdev_rxq_linux *rxq = CONTAINER_OF(rxq_, struct netdev_rxq_linux,
                                                up);
    struct netdev_linux *dev = netdev_linux_cast(rxq_->netdev);

    return (dev->is_tap
            ? netdev_linux_rxq_recv_tap(rxq, dev, batch)
            : netdev_linux_rxq_recv_ring(rxq, dev, batch));
}

static bool
netdev_linux_rxq_wait(struct netdev_rxq *rxq_)
{
    struct netdev_rxq_linux *rxq = CONTAINER_OF(rxq_, struct netdev_rxq_linux,
                                                up);
    struct netdev_linux *dev = netdev_linux_cast(rxq_->netdev);

    if (!dev->is_tap) {
        const struct tpacket2_hdr *hdr
            = (const void *) (dev->ring + (size_t) rxq->frame
                              * NL_FRAME_SIZE);
        if (__atomic_load_n(&hdr->tp_status, __ATOMIC_ACQUIRE)
            & TP_STATUS_USER) {
            poll_immediate_wake();
            return true;
        }
    }
    poll_fd_wait(dev->fd, POLLIN);
    return true;
}

/* ------------------------------------------------------------------ */
/* Sending. */

static bool
tx_size_ok(struct netdev_linux *dev, const struct dp_packet *pkt)
{
    if (dp_packet_size(pkt) < ETH_HEADER_LEN) {
        counter_add(&dev->tx_errors, 1);
        return false;
    }
    return true;
}

static int
netdev_linux_send_sock(struct netdev_linux *dev, struct dp_packet_batch *batch)
{
    struct mmsghdr msgs[NETDEV_MAX_BURST];
    struct iovec iovs[NETDEV_MAX_BURST];
    struct dp_packet *pkt;
    int n = 0;
    int error = 0;

    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        if (!tx_size_ok(dev, pkt)) {
            error = error ? error : EINVAL;
            continue;
        }
        iovs[n].iov_base = dp_packet_data(pkt);
        iovs[n].iov_len = dp_packet_size(pkt);
        memset(&msgs[n], 0, sizeof msgs[n]);
        msgs[n].msg_hdr.msg_iov = &iovs[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
        n++;
    }

    bool retried = false;
    for (int i = 0; i < n; ) {
        int sent = sendmmsg(dev->fd, &msgs[i], n - i, MSG_DONTWAIT);
        if (sent > 0) {
            i += sent;
            retried = false;
            continue;
        }
        int err = sent < 0 ? errno : EIO;
        if (err == EINTR) {
            continue;
        }
        if (!retried && err != EAGAIN && err != ENOBUFS) {
            /* The error may have been one left pending on the socket by
             * a link flap (reading it clears it), not this packet's. */
            retried = true;
            continue;
        }
        retried = false;
        error = error ? error : err;
        if (err == EAGAIN || err == ENOBUFS) {
            /* The device's queue is full: drop the rest of the batch. */
            counter_add(&dev->tx_dropped, n - i);
            break;
        }
        /* This packet failed (too big, device gone...); go on. */
        VLOG_WARN_RL(&rl, "%s: error sending %zu-byte packet (%s)",
                     dev->up.name, iovs[i].iov_len, plx_strerror(err));
        counter_add(&dev->tx_errors, 1);
        i++;
    }
    return error;
}

static int
netdev_linux_send_tap(struct netdev_linux *dev, struct dp_packet_batch *batch)
{
    struct dp_packet *pkt;
    int error = 0;

    if (__atomic_load_n(&dev->tap_down, __ATOMIC_RELAXED)) {
        counter_add(&dev->tx_dropped, batch->count);
        return EIO;
    }
    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        if (!tx_size_ok(dev, pkt)) {
            error = error ? error : EINVAL;
            continue;
        }
        ssize_t n;
        do {
            n = write(dev->fd, dp_packet_data(pkt), dp_packet_size(pkt));
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            int err = errno;
            error = error ? error : err;
            if (err == EAGAIN || err == ENOBUFS) {
                counter_add(&dev->tx_dropped, 1);
            } else if (err == EIO) {
                /* The tap is down: so is the rest of the batch. */
                __atomic_store_n(&dev->tap_down, true, __ATOMIC_RELAXED);
                counter_add(&dev->tx_dropped, batch->count - i);
                break;
            } else {
                VLOG_WARN_RL(&rl, "%s: error sending to tap (%s)",
                             dev->up.name, plx_strerror(err));
                counter_add(&dev->tx_errors, 1);
            }
        }
    }
    return error;
}

static int
netdev_linux_send(struct netdev *netdev, int qid PLX_UNUSED,
                  struct dp_packet_batch *batch)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);

    return (dev->is_tap
            ? netdev_linux_send_tap(dev, batch)
            : netdev_linux_send_sock(dev, batch));
}

static void
netdev_linux_send_wait(struct netdev *netdev, int qid PLX_UNUSED)
{
    poll_fd_wait(netdev_linux_cast(netdev)->fd, POLLOUT);
}

/* ------------------------------------------------------------------ */
/* Properties, through rtnetlink. */

static int
netdev_linux_get_link(const struct netdev *netdev,
                      struct netdev_linux_link *link)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);
    int error = netdev_linux_nl_get_link(dev->ifindex, link);
    if (error == ENODEV) {
        dev->vanished = true;
    }
    return error;
}

static int
netdev_linux_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct netdev_linux_link link;
    int error = netdev_linux_get_link(netdev, &link);
    if (!error) {
        if (!link.has_mac) {
            return EOPNOTSUPP;
        }
        *mac = link.mac;
    }
    return error;
}

static int
netdev_linux_set_etheraddr(struct netdev *netdev, struct eth_addr mac)
{
    return netdev_linux_nl_set_mac(netdev_linux_cast(netdev)->ifindex, mac);
}

static int
netdev_linux_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_linux_link link;
    int error = netdev_linux_get_link(netdev, &link);
    if (!error) {
        *mtup = link.mtu;
    }
    return error;
}

static int
netdev_linux_set_mtu(struct netdev *netdev, int mtu)
{
    return netdev_linux_nl_set_mtu(netdev_linux_cast(netdev)->ifindex, mtu);
}

static int
netdev_linux_get_carrier(const struct netdev *netdev, bool *carrierp)
{
    struct netdev_linux_link link;
    int error = netdev_linux_get_link(netdev, &link);
    if (!error) {
        *carrierp = link.carrier;
    }
    return error;
}

static int
netdev_linux_get_ifindex(const struct netdev *netdev)
{
    return netdev_linux_cast(netdev)->ifindex;
}

static int
netdev_linux_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);
    struct netdev_linux_link link;

    int error = netdev_linux_get_link(netdev, &link);
    if (error) {
        return error;
    }

    const struct netdev_stats *k = &link.stats;
    if (dev->is_tap) {
        /* The kernel counts what the host sent as the tap's tx. */
        stats->rx_packets = k->tx_packets;
        stats->rx_bytes = k->tx_bytes;
        stats->rx_errors = k->tx_errors;
        stats->rx_dropped = k->tx_dropped;
        stats->tx_packets = k->rx_packets;
        stats->tx_bytes = k->rx_bytes;
        stats->tx_errors = k->rx_errors;
        stats->tx_dropped = k->rx_dropped;
    } else {
        *stats = *k;

        /* Frames the ring had no room for.  Reading resets the kernel's
         * count, so keep a running total. */
        struct tpacket_stats ts;
        socklen_t len = sizeof ts;
        if (!getsockopt(dev->fd, SOL_PACKET, PACKET_STATISTICS, &ts, &len)) {
            dev->ring_drops += ts.tp_drops;
        }
        stats->rx_dropped += dev->ring_drops;
    }
    stats->rx_dropped += counter_get(&dev->rx_dropped);
    stats->rx_errors += counter_get(&dev->rx_errors);
    stats->tx_dropped += counter_get(&dev->tx_dropped);
    stats->tx_errors += counter_get(&dev->tx_errors);
    return 0;
}

static int
netdev_linux_update_flags(struct netdev *netdev, enum netdev_flags off,
                          enum netdev_flags on, enum netdev_flags *old)
{
    struct netdev_linux *dev = netdev_linux_cast(netdev);
    struct netdev_linux_link link;

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    int error = netdev_linux_get_link(netdev, &link);
    if (error) {
        return error;
    }

    bool promisc = dev->is_tap ? (link.flags & IFF_PROMISC) != 0
                               : dev->promisc;
    *old = ((link.flags & IFF_UP ? NETDEV_UP : 0)
            | (promisc ? NETDEV_PROMISC : 0));

    unsigned int iff_off = 0, iff_on = 0;
    if (off & NETDEV_UP && link.flags & IFF_UP) {
        iff_off |= IFF_UP;
    }
    if (on & NETDEV_UP && !(link.flags & IFF_UP)) {
        iff_on |= IFF_UP;
    }
    bool want_promisc = (promisc && !(off & NETDEV_PROMISC))
                        || on & NETDEV_PROMISC;
    if (want_promisc != promisc) {
        if (dev->is_tap) {
            if (want_promisc) {
                iff_on |= IFF_PROMISC;
            } else {
                iff_off |= IFF_PROMISC;
            }
        } else {
            error = packet_set_promisc(dev, want_promisc);
            if (error) {
                return error;
            }
        }
    }
    if (iff_off || iff_on) {
        error = netdev_linux_nl_update_flags(dev->ifindex, iff_off, iff_on);
    }
    return error;
}

#define NETDEV_LINUX_COMMON                                     \
    .alloc = netdev_linux_alloc,                                \
    .destruct = netdev_linux_destruct,                          \
    .dealloc = netdev_linux_dealloc,                            \
    .rxq_alloc = netdev_linux_rxq_alloc,                        \
    .rxq_construct = netdev_linux_rxq_construct,                \
    .rxq_destruct = netdev_linux_rxq_destruct,                  \
    .rxq_dealloc = netdev_linux_rxq_dealloc,                    \
    .rxq_recv = netdev_linux_rxq_recv,                          \
    .rxq_wait = netdev_linux_rxq_wait,                          \
    .send = netdev_linux_send,                                  \
    .send_wait = netdev_linux_send_wait,                        \
    .get_etheraddr = netdev_linux_get_etheraddr,                \
    .set_etheraddr = netdev_linux_set_etheraddr,                \
    .get_mtu = netdev_linux_get_mtu,                            \
    .set_mtu = netdev_linux_set_mtu,                            \
    .get_carrier = netdev_linux_get_carrier,                    \
    .get_stats = netdev_linux_get_stats,                        \
    .get_ifindex = netdev_linux_get_ifindex,                    \
    .update_flags = netdev_linux_update_flags

/* Only this class has 'run' and 'wait': the notifier serves all three. */
const struct netdev_class netdev_linux_class = {
    .type = "system",
    .run = netdev_linux_run,
    .wait = netdev_linux_wait,
    .construct = netdev_linux_construct,
    NETDEV_LINUX_COMMON,
};

const struct netdev_class netdev_internal_class = {
    .type = "internal",
    .construct = netdev_linux_construct_tap,
    NETDEV_LINUX_COMMON,
};

const struct netdev_class netdev_tap_class = {
    .type = "tap",
    .construct = netdev_linux_construct_tap,
    NETDEV_LINUX_COMMON,
};
