/* netdev-linux-nl: rtnetlink queries, changes and notifications for the
 * Linux network device providers, through libnl3 (see netdev-linux.h). */
#include <config.h>
#include "netdev-linux.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <poll.h>
#include "list.h"
#include "poll-loop.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_linux_nl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Converts a negative libnl error code into a positive errno value. */
static int
nle_to_errno(int nle)
{
    switch (-nle) {
    case 0: return 0;
    case NLE_INTR: return EINTR;
    case NLE_BAD_SOCK: return EBADF;
    case NLE_AGAIN: return EAGAIN;
    case NLE_NOMEM: return ENOMEM;
    case NLE_EXIST: return EEXIST;
    case NLE_INVAL: return EINVAL;
    case NLE_RANGE: return ERANGE;
    case NLE_MSGSIZE: return EMSGSIZE;
    case NLE_OPNOTSUPP: return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND: return ENODEV;
    case NLE_NOATTR: return ENOENT;
    case NLE_PERM: return EPERM;
    case NLE_BUSY: return EBUSY;
    case NLE_NOADDR: return EADDRNOTAVAIL;
    case NLE_NODEV: return ENODEV;
    case NLE_IMMUTABLE: return EROFS;
    default: return EPROTO;
    }
}

/* The request socket, opened on first use. */
static struct nl_sock *
nl_request_sock(int *errorp)
{
    static struct nl_sock *sock;

    if (!sock) {
        struct nl_sock *s = nl_socket_alloc();
        if (!s) {
            *errorp = ENOMEM;
            return NULL;
        }
        int err = nl_connect(s, NETLINK_ROUTE);
        if (err < 0) {
            VLOG_WARN_RL(&rl, "could not open rtnetlink socket: %s",
                         nl_geterror(err));
            nl_socket_free(s);
            *errorp = nle_to_errno(err);
            return NULL;
        }
        sock = s;
    }
    *errorp = 0;
    return sock;
}

static void
link_from_rtnl(struct rtnl_link *rl_link, struct netdev_linux_link *link)
{
    memset(link, 0, sizeof *link);
    link->ifindex = rtnl_link_get_ifindex(rl_link);
    const char *name = rtnl_link_get_name(rl_link);
    if (name) {
        snprintf(link->name, sizeof link->name, "%s", name);
    }
    link->flags = rtnl_link_get_flags(rl_link);
    link->carrier = (link->flags & IFF_LOWER_UP) != 0;
    link->mtu = rtnl_link_get_mtu(rl_link);

    struct nl_addr *addr = rtnl_link_get_addr(rl_link);
    if (addr && nl_addr_get_len(addr) == ETH_ADDR_LEN) {
        memcpy(link->mac.ea, nl_addr_get_binary_addr(addr), ETH_ADDR_LEN);
        link->has_mac = true;
    }

    struct netdev_stats *s = &link->stats;
    s->rx_packets = rtnl_link_get_stat(rl_link, RTNL_LINK_RX_PACKETS);
    s->tx_packets = rtnl_link_get_stat(rl_link, RTNL_LINK_TX_PACKETS);
    s->rx_bytes = rtnl_link_get_stat(rl_link, RTNL_LINK_RX_BYTES);
    s->tx_bytes = rtnl_link_get_stat(rl_link, RTNL_LINK_TX_BYTES);
    s->rx_errors = rtnl_link_get_stat(rl_link, RTNL_LINK_RX_ERRORS);
    s->tx_errors = rtnl_link_get_stat(rl_link, RTNL_LINK_TX_ERRORS);
    s->rx_dropped = rtnl_link_get_stat(rl_link, RTNL_LINK_RX_DROPPED);
    s->tx_dropped = rtnl_link_get_stat(rl_link, RTNL_LINK_TX_DROPPED);
}

/* Fetches link IFINDEX (if positive) or NAME into *RL_LINKP. */
static int
nl_get_rtnl_link(int ifindex, const char *name, struct rtnl_link **rl_linkp)
{
    int error;
    struct nl_sock *sock = nl_request_sock(&error);

    *rl_linkp = NULL;
    if (!sock) {
        return error;
    }
    int err = rtnl_link_get_kernel(sock, ifindex, name, rl_linkp);
    return err < 0 ? nle_to_errno(err) : 0;
}

int
netdev_linux_nl_get_link(int ifindex, struct netdev_linux_link *link)
{
    struct rtnl_link *rl_link;

    if (ifindex <= 0) {
        return ENODEV;
    }
    int error = nl_get_rtnl_link(ifindex, NULL, &rl_link);
    if (!error) {
        link_from_rtnl(rl_link, link);
        rtnl_link_put(rl_link);
    }
    return error;
}

int
netdev_linux_nl_get_ifindex(const char *name, int *ifindexp)
{
    struct rtnl_link *rl_link;

    *ifindexp = 0;
    if (!name[0] || strlen(name) >= IF_NAMESIZE) {
        return ENODEV;
    }
    int error = nl_get_rtnl_link(0, name, &rl_link);
    if (!error) {
        *ifindexp = rtnl_link_get_ifindex(rl_link);
        rtnl_link_put(rl_link);
    }
    return error;
}

/* Applies CHANGES (whose ownership stays with the caller) to link
 * IFINDEX. */
static int
nl_change_link(int ifindex, struct rtnl_link *changes)
{
    int error;
    struct nl_sock *sock = nl_request_sock(&error);
    if (!sock) {
        return error;
    }

    struct rtnl_link *orig = rtnl_link_alloc();
    if (!orig) {
        return ENOMEM;
    }
    rtnl_link_set_ifindex(orig, ifindex);
    int err = rtnl_link_change(sock, orig, changes, 0);
    rtnl_link_put(orig);
    return err < 0 ? nle_to_errno(err) : 0;
}

int
netdev_linux_nl_set_mtu(int ifindex, int mtu)
{
    struct rtnl_link *changes = rtnl_link_alloc();
    if (!changes) {
        return ENOMEM;
    }
    rtnl_link_set_mtu(changes, mtu);
    int error = nl_change_link(ifindex, changes);
    rtnl_link_put(changes);
    return error;
}

int
netdev_linux_nl_set_mac(int ifindex, struct eth_addr mac)
{
    struct rtnl_link *changes = rtnl_link_alloc();
    struct nl_addr *addr = nl_addr_build(AF_LLC, mac.ea, ETH_ADDR_LEN);
    int error = ENOMEM;

    if (changes && addr) {
        rtnl_link_set_addr(changes, addr);
        error = nl_change_link(ifindex, changes);
    }
    if (addr) {
        nl_addr_put(addr);
    }
    if (changes) {
        rtnl_link_put(changes);
    }
    return error;
}

int
netdev_linux_nl_update_flags(int ifindex, unsigned int off, unsigned int on)
{
    struct rtnl_link *changes = rtnl_link_alloc();
    if (!changes) {
        return ENOMEM;
    }
    if (off) {
        rtnl_link_unset_flags(changes, off);
    }
    if (on) {
        rtnl_link_set_flags(changes, on);
    }
    int error = nl_change_link(ifindex, changes);
    rtnl_link_put(changes);
    return error;
}

/* ------------------------------------------------------------------ */
/* Notifications. */

struct netdev_linux_notifier {
    struct plx_list list_node;          /* In 'notifiers'. */
    netdev_linux_notify_func *cb;
    void *aux;
};

static struct plx_list notifiers = PLX_LIST_INITIALIZER(&notifiers);
static struct nl_sock *notify_sock;     /* Nonnull if 'notifiers' isn't
                                         * empty. */
static bool notify_running;             /* Inside notifier_run(). */

static void
notify_sock_close_if_unused(void)
{
    if (plx_list_is_empty(&notifiers) && notify_sock && !notify_running) {
        nl_socket_free(notify_sock);
        notify_sock = NULL;
    }
}

static void
notify_all(const struct netdev_linux_change *change)
{
    struct netdev_linux_notifier *n;

    /* A callback may destroy its own notifier (but no other). */
    LIST_FOR_EACH_SAFE (n, list_node, &notifiers) {
        n->cb(change, n->aux);
    }
}

static void
notify_parse_object(struct nl_object *obj, void *aux PLX_UNUSED)
{
    struct netdev_linux_change change;
    int type = nl_object_get_msgtype(obj);

    if (type != RTM_NEWLINK && type != RTM_DELLINK) {
        return;
    }
    link_from_rtnl((struct rtnl_link *) obj, &change.link);
    change.deleted = type == RTM_DELLINK;
    if (change.link.ifindex > 0) {
        notify_all(&change);
    }
}

static int
notify_valid_cb(struct nl_msg *msg, void *aux PLX_UNUSED)
{
    int err = nl_msg_parse(msg, notify_parse_object, NULL);
    if (err < 0 && err != -NLE_MSGTYPE_NOSUPPORT) {
        VLOG_WARN_RL(&rl, "could not parse rtnetlink notification: %s",
                     nl_geterror(err));
    }
    return NL_OK;
}

static int
notify_sock_open(void)
{
    struct nl_sock *s = nl_socket_alloc();
    if (!s) {
        return ENOMEM;
    }
    nl_socket_disable_seq_check(s);
    nl_socket_modify_cb(s, NL_CB_VALID, NL_CB_CUSTOM, notify_valid_cb,
                        NULL);
    int err = nl_connect(s, NETLINK_ROUTE);
    if (!err) {
        err = nl_socket_add_membership(s, RTNLGRP_LINK);
    }
    if (!err) {
        err = nl_socket_set_nonblocking(s);
    }
    if (err < 0) {
        VLOG_WARN("could not open rtnetlink notification socket: %s",
                  nl_geterror(err));
        nl_socket_free(s);
        return nle_to_errno(err);
    }
    /* A burst of link changes (many veths created at once) must not
     * overflow the socket; if it does anyway, we say so (see below). */
    nl_socket_set_buffer_size(s, 1 << 20, 0);
    notify_sock = s;
    return 0;
}

struct netdev_linux_notifier *
netdev_linux_notifier_create(netdev_linux_notify_func *cb, void *aux)
{
    if (!notify_sock && notify_sock_open()) {
        return NULL;
    }
    struct netdev_linux_notifier *n = xmalloc(sizeof *n);
    n->cb = cb;
    n->aux = aux;
    plx_list_push_back(&notifiers, &n->list_node);
    return n;
}

void
netdev_linux_notifier_destroy(struct netdev_linux_notifier *n)
{
    if (n) {
        plx_list_remove(&n->list_node);
        free(n);
        notify_sock_close_if_unused();
    }
}

void
netdev_linux_notifier_run(void)
{
    bool more = true;

    /* Bounded, so that a flood of notifications cannot starve the rest
     * of the main loop; what is left wakes the next iteration at once. */
    notify_running = true;
    for (int i = 0; i < 64 && notify_sock && !plx_list_is_empty(&notifiers);
         i++) {
        int err = nl_recvmsgs_default(notify_sock);
        if (err == -NLE_AGAIN) {
            more = false;
            break;
        } else if (err == -NLE_NOMEM) {
            /* ENOBUFS: the kernel dropped notifications. */
            struct netdev_linux_change change;
            memset(&change, 0, sizeof change);
            VLOG_WARN_RL(&rl, "rtnetlink notifications lost (socket "
                         "overflow)");
            notify_all(&change);
        } else if (err < 0) {
            VLOG_WARN_RL(&rl, "error reading rtnetlink notifications: %s",
                         nl_geterror(err));
            more = false;
            break;
        }
    }
    notify_running = false;
    notify_sock_close_if_unused();
    if (more && notify_sock) {
        poll_immediate_wake();
    }
}

void
netdev_linux_notifier_wait(void)
{
    if (notify_sock) {
        poll_fd_wait(nl_socket_get_fd(notify_sock), POLLIN);
    }
}
