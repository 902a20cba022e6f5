/*
 * conntrack-tcp: TCP sequence-window tracking for conntrack.
 *
 * The algorithm is the one BSD pf uses and Open vSwitch's userspace
 * conntrack inherited (Guido van Rooij, "Real Stateful TCP Packet
 * Filtering in IP Filter"): each direction remembers the highest sequence
 * number it sent (seqlo), the highest the other end allows it to send
 * (seqhi: the other end's last ACK plus its window), its largest window
 * and its window scale.  A segment is in window if
 *   - its last byte is at most seqhi (inside the receiver's window),
 *   - its first byte is at most one receiver window before seqlo
 *     (retransmissions are fine, ancient data is not),
 *   - its ACK is within MAX_ACK_WINDOW behind and one scaled window ahead
 *     of what the other end has sent, and
 *   - a RST hits seqlo exactly or by one.
 * A segment outside the window is +inv and changes nothing, except while
 * one end has not spoken yet or the connection is closing, where a looser
 * window of MAX_ACK_WINDOW either way applies.
 *
 * Only a SYN (without ACK, RST or FIN) may start a connection: unlike
 * Open vSwitch, which picks up connections midstream, a first packet
 * without SYN is +inv and creates nothing (Linux's nf_conntrack_tcp_loose
 * = 0 behaviour).
 */
#include <config.h>
#include "conntrack-private.h"

#include <string.h>
#include "packets.h"

#define CT_WSCALE_FLAG 0x40     /* The end sent a window scale option. */
#define CT_WSCALE_UNKNOWN 0x80  /* Not known (unused: no pickup). */
#define CT_WSCALE_MASK 0x0f
#define TCP_MAX_WSCALE 14
#define MAX_ACK_WINDOW (0xffff + 1500)

#define SEQ_LT(a, b) ((int32_t) ((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t) ((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t) ((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t) ((a) - (b)) >= 0)

/* Flag combinations no TCP sends. */
static bool
tcp_flags_invalid(uint16_t flags)
{
    if (flags & TCP_SYN) {
        if (flags & (TCP_RST | TCP_FIN)) {
            return true;
        }
    } else if (!(flags & (TCP_ACK | TCP_RST))) {
        return true;
    }
    if (!(flags & TCP_ACK) && flags & (TCP_FIN | TCP_PSH | TCP_URG)) {
        return true;
    }
    return false;
}

/* The window scale option of a SYN, as CT_WSCALE_FLAG | shift, or 0. */
static uint8_t
tcp_get_wscale(const struct tcp_header *tcp)
{
    const uint8_t *opt = (const uint8_t *) (tcp + 1);
    int len = TCP_OFFSET(tcp->tcp_ctl) * 4 - TCP_HEADER_LEN;

    while (len >= 3) {
        if (opt[0] == 0) {              /* End of options. */
            break;
        } else if (opt[0] == 1) {       /* NOP. */
            opt++;
            len--;
            continue;
        } else if (opt[1] < 2 || opt[1] > len) {
            break;
        } else if (opt[0] == 3 && opt[1] == 3) {
            return MIN(opt[2], TCP_MAX_WSCALE) | CT_WSCALE_FLAG;
        }
        len -= opt[1];
        opt += opt[1];
    }
    return 0;
}

static uint32_t
tcp_payload_len(const struct ct_pkt *p)
{
    const struct tcp_header *tcp = p->l4;
    return p->l4_len - TCP_OFFSET(tcp->tcp_ctl) * 4;
}

bool
ct_tcp_valid_new(const struct ct_pkt *p)
{
    uint16_t flags = p->tcp_flags;

    return (!tcp_flags_invalid(flags)
            && (flags & (TCP_SYN | TCP_ACK)) == TCP_SYN);
}

enum ct_timeout
ct_tcp_new(struct conn *conn, const struct ct_pkt *p)
{
    const struct tcp_header *tcp = p->l4;
    struct ct_tcp_peer *src = &conn->tcp[CT_DIR_ORIG];
    struct ct_tcp_peer *dst = &conn->tcp[CT_DIR_REPLY];

    memset(conn->tcp, 0, sizeof conn->tcp);
    src->seqlo = ntohl(get_16aligned_be32(&tcp->tcp_seq));
    src->seqhi = src->seqlo + tcp_payload_len(p) + 1;
    if (p->tcp_flags & TCP_SYN) {
        src->seqhi++;
        src->wscale = tcp_get_wscale(tcp);
    }
    src->max_win = MAX(ntohs(tcp->tcp_winsz), 1);
    if (src->wscale & CT_WSCALE_MASK) {
        /* The window of a SYN is never scaled: keep it unscaled. */
        uint8_t sws = src->wscale & CT_WSCALE_MASK;
        src->max_win = DIV_ROUND_UP(src->max_win, 1u << sws);
    }
    if (p->tcp_flags & TCP_FIN) {
        src->seqhi++;
    }
    dst->seqhi = 1;
    dst->max_win = 1;
    src->state = CT_TCP_STATE_SYN_SENT;
    dst->state = CT_TCP_STATE_CLOSED;
    return CT_TM_TCP_SYN_SENT;
}

static enum ct_timeout
tcp_timeout(const struct ct_tcp_peer *src, const struct ct_tcp_peer *dst)
{
    if (src->state >= CT_TCP_STATE_FIN_WAIT_2
        && dst->state >= CT_TCP_STATE_FIN_WAIT_2) {
        return CT_TM_TCP_CLOSE;
    } else if (src->state >= CT_TCP_STATE_CLOSING
               && dst->state >= CT_TCP_STATE_CLOSING) {
        return CT_TM_TCP_TIME_WAIT;
    } else if (src->state < CT_TCP_STATE_ESTABLISHED
               || dst->state < CT_TCP_STATE_ESTABLISHED) {
        return CT_TM_TCP_SYN_RECV;
    } else if (src->state >= CT_TCP_STATE_CLOSING
               || dst->state >= CT_TCP_STATE_CLOSING) {
        return CT_TM_TCP_FIN_WAIT;
    } else {
        return CT_TM_TCP_ESTABLISHED;
    }
}

enum ct_update
ct_tcp_update(struct conn *conn, const struct ct_pkt *p, enum ct_dir dir,
              enum ct_timeout *tm)
{
    const struct tcp_header *tcp = p->l4;
    struct ct_tcp_peer *src = &conn->tcp[dir];
    struct ct_tcp_peer *dst = &conn->tcp[!dir];
    uint16_t flags = p->tcp_flags;
    uint8_t sws = 0, dws = 0;

    if (tcp_flags_invalid(flags)) {
        return CT_UPDATE_INVALID;
    }

    if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        if (src->state >= CT_TCP_STATE_FIN_WAIT_2
            && dst->state >= CT_TCP_STATE_FIN_WAIT_2) {
            /* A new connection reusing the tuple of a closed one. */
            return CT_UPDATE_NEW;
        } else if (dir == CT_DIR_ORIG
                   && src->state <= CT_TCP_STATE_SYN_SENT
                   && dst->state == CT_TCP_STATE_CLOSED) {
            /* A retransmitted SYN. */
            *tm = CT_TM_TCP_SYN_SENT;
            return CT_UPDATE_VALID;
        }
    }

    if (src->wscale & CT_WSCALE_FLAG && dst->wscale & CT_WSCALE_FLAG
        && !(flags & TCP_SYN)) {
        sws = src->wscale & CT_WSCALE_MASK;
        dws = dst->wscale & CT_WSCALE_MASK;
    }

    uint32_t seq = ntohl(get_16aligned_be32(&tcp->tcp_seq));
    uint32_t ack = ntohl(get_16aligned_be32(&tcp->tcp_ack));
    uint32_t orig_seq = seq;
    uint32_t win = ntohs(tcp->tcp_winsz);
    uint32_t end;

    if (src->state < CT_TCP_STATE_SYN_SENT) {
        /* The first packet from this end. */
        end = seq + tcp_payload_len(p);
        if (flags & TCP_SYN) {
            end++;
            if (dst->wscale & CT_WSCALE_FLAG) {
                src->wscale = tcp_get_wscale(tcp);
                if (src->wscale & CT_WSCALE_FLAG) {
                    sws = src->wscale & CT_WSCALE_MASK;
                    win = DIV_ROUND_UP(win, 1u << sws);
                    dws = dst->wscale & CT_WSCALE_MASK;
                } else {
                    /* No scaling after all: undo the other end's. */
                    dst->max_win <<= dst->wscale & CT_WSCALE_MASK;
                    dst->wscale = 0;
                }
            }
        }
        if (flags & TCP_FIN) {
            end++;
        }
        src->seqlo = seq;
        src->state = CT_TCP_STATE_SYN_SENT;
        uint32_t hi = end + MAX(1, dst->max_win << dws);
        if (src->seqhi == 1 || SEQ_GEQ(hi, src->seqhi)) {
            src->seqhi = hi;
        }
        if (win > src->max_win) {
            src->max_win = win;
        }
    } else {
        end = seq + tcp_payload_len(p);
        if (flags & TCP_SYN) {
            end++;
        }
        if (flags & TCP_FIN) {
            end++;
        }
    }

    if (!(flags & TCP_ACK)
        || (!ack && (flags & (TCP_ACK | TCP_RST)) == (TCP_ACK | TCP_RST))) {
        /* No ACK to check (or a broken stack's RST without one). */
        ack = dst->seqlo;
    }
    if (seq == end) {
        /* No data: only the ACK matters. */
        seq = src->seqlo;
        end = seq;
    }

    int64_t ackskew = (int32_t) (dst->seqlo - ack);
    uint64_t swin = (uint64_t) win << sws;

    if (SEQ_GEQ(src->seqhi, end)
        && SEQ_GEQ(seq, src->seqlo - (dst->max_win << dws))
        && ackskew >= -MAX_ACK_WINDOW
        && ackskew <= ((int64_t) MAX_ACK_WINDOW << sws)
        && (!(flags & TCP_RST) || orig_seq == src->seqlo
            || orig_seq == src->seqlo + 1 || orig_seq + 1 == src->seqlo)) {
        if (src->max_win < win) {
            src->max_win = win;
        }
        if (SEQ_GT(end, src->seqlo)) {
            src->seqlo = end;
        }
        if (SEQ_GEQ(ack + swin, dst->seqhi)) {
            dst->seqhi = ack + MAX(swin, 1);
        }
        if (flags & TCP_SYN && src->state < CT_TCP_STATE_SYN_SENT) {
            src->state = CT_TCP_STATE_SYN_SENT;
        }
        if (flags & TCP_FIN && src->state < CT_TCP_STATE_CLOSING) {
            src->state = CT_TCP_STATE_CLOSING;
        }
        if (flags & TCP_ACK) {
            if (dst->state == CT_TCP_STATE_SYN_SENT) {
                dst->state = CT_TCP_STATE_ESTABLISHED;
            } else if (dst->state == CT_TCP_STATE_CLOSING) {
                dst->state = CT_TCP_STATE_FIN_WAIT_2;
            }
        }
        if (flags & TCP_RST) {
            src->state = dst->state = CT_TCP_STATE_TIME_WAIT;
        }
    } else if ((dst->state < CT_TCP_STATE_SYN_SENT
                || dst->state >= CT_TCP_STATE_FIN_WAIT_2
                || src->state >= CT_TCP_STATE_FIN_WAIT_2)
               && SEQ_GEQ(src->seqhi + MAX_ACK_WINDOW, end)
               && SEQ_GEQ(seq, src->seqlo - MAX_ACK_WINDOW)) {
        /* One end not heard from yet, or closing: be lenient. */
        if (src->max_win < win) {
            src->max_win = win;
        }
        if (SEQ_GT(end, src->seqlo)) {
            src->seqlo = end;
        }
        if (SEQ_GEQ(ack + swin, dst->seqhi)) {
            dst->seqhi = ack + MAX(swin, 1);
        }
        if (flags & TCP_FIN && src->state < CT_TCP_STATE_CLOSING) {
            src->state = CT_TCP_STATE_CLOSING;
        }
        if (flags & TCP_RST) {
            src->state = dst->state = CT_TCP_STATE_TIME_WAIT;
        }
    } else {
        return CT_UPDATE_INVALID;
    }

    *tm = tcp_timeout(src, dst);
    return CT_UPDATE_VALID;
}

uint8_t
ct_tcp_conn_state(const struct conn *conn)
{
    return MAX(conn->tcp[0].state, conn->tcp[1].state);
}
