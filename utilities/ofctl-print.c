/*
 * ofctl-print: the text ovs-ofctl prints for a whole OpenFlow message.
 *
 * lib/ofp-print's ofp_print_to_string() writes the header line (with
 * multipart flags) of every message and the body of the messages that
 * describe a switch.  The bodies of the other messages have formatters
 * in their own modules (flows, packets, groups, meters); this file puts
 * them behind the header line the way ovs-ofctl's ofp_print() does, and
 * writes the few bodies that have no formatter of their own (errors,
 * FLOW_MOD, FLOW_REMOVED, PORT_STATUS, aggregate statistics) and the
 * packet summary under a PACKET_IN.
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <endian.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "match.h"
#include "meta-flow.h"
#include "ofctl.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofp-group.h"
#include "ofp-meter.h"
#include "ofp-msgs.h"
#include "ofp-packet.h"
#include "ofp-print.h"
#include "packets.h"

void
ofctl_format_packet(struct ds *s, const void *data, size_t len)
{
    /* A copy: flow_extract() wants 2-byte aligned data. */
    struct dp_packet *packet = dp_packet_clone_data(data, len);
    struct match match;

    pkt_metadata_init(&packet->md, 0);
    flow_extract(packet, &match.flow);
    flow_wildcards_init_for_packet(&match.wc, &match.flow);
    /* Like Open vSwitch, leave out a zero input port: the frame alone
     * does not say where it came from. */
    if (!match.flow.in_port) {
        match.wc.masks.in_port = 0;
    }
    match_normalize(&match);
    match_format(&match, OFPUTIL_DEFAULT_PRIORITY, s);

    const uint8_t *l4 = dp_packet_l4(packet);
    size_t l4_size = dp_packet_l4_size(packet);
    uint8_t proto = match.flow.nw_proto;
    bool is_ip = (match.flow.dl_type == htons(ETH_TYPE_IP)
                  || match.flow.dl_type == htons(ETH_TYPE_IPV6));
    if (l4 && is_ip) {
        if (proto == IPPROTO_TCP && l4_size >= TCP_HEADER_LEN) {
            ds_put_format(s, " tcp_csum:%"PRIx16, (uint16_t) (l4[16] << 8
                                                             | l4[17]));
        } else if (proto == IPPROTO_UDP && l4_size >= UDP_HEADER_LEN) {
            ds_put_format(s, " udp_csum:%"PRIx16, (uint16_t) (l4[6] << 8
                                                             | l4[7]));
        } else if (proto == IPPROTO_SCTP && l4_size >= 12) {
            ds_put_format(s, " sctp_csum:%"PRIx32,
                          (uint32_t) l4[8] << 24 | (uint32_t) l4[9] << 16
                          | (uint32_t) l4[10] << 8 | l4[11]);
        } else if (proto == IPPROTO_ICMP && l4_size >= ICMP_HEADER_LEN) {
            ds_put_format(s, " icmp_csum:%"PRIx16, (uint16_t) (l4[2] << 8
                                                              | l4[3]));
        } else if (proto == IPPROTO_ICMPV6 && l4_size >= 4) {
            ds_put_format(s, " icmp6_csum:%"PRIx16, (uint16_t) (l4[2] << 8
                                                               | l4[3]));
        }
    }
    ds_put_char(s, '\n');
    dp_packet_delete(packet);
}

static const char *
flow_removed_reason(uint8_t reason, char *buf, size_t size)
{
    switch (reason) {
    case OFPRR_IDLE_TIMEOUT: return "idle";
    case OFPRR_HARD_TIMEOUT: return "hard";
    case OFPRR_DELETE: return "delete";
    case OFPRR_GROUP_DELETE: return "group_delete";
    case OFPRR_METER_DELETE: return "meter_delete";
    case 5: return "eviction";
    default:
        snprintf(buf, size, "%d", reason);
        return buf;
    }
}

static enum ofperr
format_flow_removed(struct ds *s, const struct ofp_header *oh)
{
    struct ofputil_flow_removed fr;
    char buf[16];

    enum ofperr error = ofputil_decode_flow_removed(oh, &fr);
    if (error) {
        return error;
    }
    ds_put_char(s, ' ');
    match_format(&fr.match, fr.priority, s);
    ds_put_format(s, " reason=%s",
                  flow_removed_reason(fr.reason, buf, sizeof buf));
    if (fr.table_id != OFPTT_ALL) {
        ds_put_format(s, " table_id=%"PRIu8, fr.table_id);
    }
    if (fr.cookie) {
        ds_put_format(s, " cookie:0x%"PRIx64, be64toh(fr.cookie));
    }
    ds_put_cstr(s, " duration");
    ofp_print_duration(s, fr.duration_sec, fr.duration_nsec);
    ds_put_format(s, " idle%"PRIu16, fr.idle_timeout);
    if (fr.hard_timeout) {
        ds_put_format(s, " hard%"PRIu16, fr.hard_timeout);
    }
    ds_put_format(s, " pkts%"PRIu64" bytes%"PRIu64"\n",
                  fr.packet_count, fr.byte_count);
    return 0;
}

static enum ofperr
format_flow_mod(struct ds *s, const struct ofp_header *oh)
{
    static const char *const commands[] = {
        "ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT",
    };
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;

    enum ofperr error = ofputil_decode_flow_mod(oh, &fm, &ofpacts);
    if (error) {
        ofpa_buf_uninit(&ofpacts);
        return error;
    }

    ds_put_char(s, ' ');
    if (fm.command < ARRAY_SIZE(commands)) {
        ds_put_cstr(s, commands[fm.command]);
    } else {
        ds_put_format(s, "cmd:%d", (int) fm.command);
    }
    if (oh->version != OFP10_VERSION && fm.table_id) {
        ds_put_format(s, " table:%"PRIu8, fm.table_id);
    }
    ds_put_char(s, ' ');
    match_format(&fm.match, fm.priority, s);
    if (ds_last(s) != ' ') {
        ds_put_char(s, ' ');
    }
    bool sets_cookie = (fm.command == OFPUTIL_FC_ADD
                        || oh->version == OFP10_VERSION);
    if (sets_cookie && fm.new_cookie && fm.new_cookie != UINT64_MAX) {
        ds_put_format(s, "cookie:0x%"PRIx64" ", be64toh(fm.new_cookie));
    }
    if (fm.cookie_mask) {
        ds_put_format(s, "cookie:0x%"PRIx64"/0x%"PRIx64" ",
                      be64toh(fm.cookie), be64toh(fm.cookie_mask));
    }
    if (fm.idle_timeout) {
        ds_put_format(s, "idle:%"PRIu16" ", fm.idle_timeout);
    }
    if (fm.hard_timeout) {
        ds_put_format(s, "hard:%"PRIu16" ", fm.hard_timeout);
    }
    if (fm.buffer_id != OFP_NO_BUFFER) {
        ds_put_format(s, "buf:0x%"PRIx32" ", fm.buffer_id);
    }
    if (fm.out_port != MF_OFPP_ANY) {
        ds_put_cstr(s, "out_port:");
        mf_format_port(fm.out_port, s);
        ds_put_char(s, ' ');
    }
    if (oh->version == OFP10_VERSION) {
        fm.flags &= ~OFPUTIL_FF_RESET_COUNTS;
    }
    ofputil_format_flow_flags(s, fm.flags);
    ds_put_cstr(s, "actions=");
    ofpacts_text_format(fm.ofpacts, fm.ofpacts_len, s);
    ofpa_buf_uninit(&ofpacts);
    return 0;
}

static enum ofperr
format_error(struct ds *s, const struct ofp_header *oh)
{
    enum ofperr err;
    const void *data;
    size_t len;

    enum ofperr error = ofputil_decode_error(oh, &err, NULL, NULL,
                                             &data, &len);
    if (error || !err) {
        return error ? error : OFPERR_OFPBRC_BAD_LEN;
    }
    ds_put_format(s, " %s\n", ofperr_get_name(err));
    if (err == OFPERR_OFPHFC_INCOMPATIBLE || err == OFPERR_OFPHFC_EPERM) {
        const char *p = data;
        for (size_t i = 0; i < len; i++) {
            ds_put_char(s, isprint((unsigned char) p[i]) ? p[i] : '.');
        }
    } else {
        char *inner = ofctl_msg_to_string(data, len);
        ds_put_cstr(s, inner);
        free(inner);
    }
    return 0;
}

static enum ofperr
format_port_status(struct ds *s, const struct ofp_header *oh)
{
    struct ofputil_port_status ps;

    enum ofperr error = ofputil_decode_port_status(oh, &ps);
    if (error) {
        return error;
    }
    switch (ps.reason) {
    case OFPPR_ADD: ds_put_cstr(s, " ADD:"); break;
    case OFPPR_DELETE: ds_put_cstr(s, " DEL:"); break;
    case OFPPR_MODIFY: ds_put_cstr(s, " MOD:"); break;
    default: ds_put_format(s, " reason=%"PRIu8":", ps.reason); break;
    }
    ofp_print_phy_port(s, &ps.desc);
    return 0;
}

static enum ofperr
format_packet_in(struct ds *s, const struct ofp_header *oh)
{
    struct ofputil_packet_in pin;

    enum ofperr error = ofputil_decode_packet_in(oh, &pin);
    if (!error) {
        ds_put_char(s, ' ');
        ofputil_packet_in_format(&pin, s);
        ds_put_char(s, '\n');
        if (pin.packet_len) {
            ofctl_format_packet(s, pin.packet, pin.packet_len);
        }
    }
    return error;
}

static enum ofperr
format_packet_out(struct ds *s, const struct ofp_header *oh)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;

    enum ofperr error = ofputil_decode_packet_out(oh, &po, &ofpacts);
    if (!error) {
        ds_put_char(s, ' ');
        ofputil_packet_out_format(&po, s);
        if (po.buffer_id == OFP_NO_BUFFER && po.packet_len) {
            ds_put_char(s, '\n');
            ofctl_format_packet(s, po.packet, po.packet_len);
        }
    }
    ofpa_buf_uninit(&ofpacts);
    return error;
}

static enum ofperr
format_flow_stats_reply(struct ds *s, const struct ofp_header *oh)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    size_t ofs = 0;
    int retval;

    for (;;) {
        struct ofputil_flow_stats fs;

        ofpa_buf_clear(&ofpacts);
        retval = ofputil_decode_flow_stats_reply(oh, &ofs, &fs, &ofpacts);
        if (retval) {
            break;
        }
        ds_put_cstr(s, "\n ");
        ofputil_flow_stats_format(&fs, true, s);
    }
    ofpa_buf_uninit(&ofpacts);
    return retval == EOF ? 0 : retval;
}

static enum ofperr
format_aggregate_reply(struct ds *s, const struct ofp_header *oh)
{
    struct ofputil_aggregate_stats as;

    enum ofperr error = ofputil_decode_aggregate_stats_reply(oh, &as);
    if (!error) {
        ds_put_format(s, " packet_count=%"PRIu64" byte_count=%"PRIu64
                      " flow_count=%"PRIu32, as.packet_count, as.byte_count,
                      as.flow_count);
    }
    return error;
}

/* Formats the body of OH, of TYPE, into S and returns 0 or the decoding
 * error; returns -1 if lib/ofp-print already wrote TYPE's body. */
static int
format_body(struct ds *s, const struct ofp_header *oh, enum ofptype type)
{
    switch (type) {
    case OFPTYPE_ERROR:
        return format_error(s, oh);
    case OFPTYPE_FLOW_MOD:
        return format_flow_mod(s, oh);
    case OFPTYPE_FLOW_REMOVED:
        return format_flow_removed(s, oh);
    case OFPTYPE_PORT_STATUS:
        return format_port_status(s, oh);
    case OFPTYPE_PACKET_IN:
        return format_packet_in(s, oh);
    case OFPTYPE_PACKET_OUT:
        return format_packet_out(s, oh);
    case OFPTYPE_FLOW_STATS_REPLY:
        return format_flow_stats_reply(s, oh);
    case OFPTYPE_AGGREGATE_STATS_REPLY:
        return format_aggregate_reply(s, oh);
    case OFPTYPE_GROUP_MOD:
    case OFPTYPE_GROUP_STATS_REQUEST:
    case OFPTYPE_GROUP_STATS_REPLY:
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
    case OFPTYPE_GROUP_DESC_STATS_REPLY:
    case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
    case OFPTYPE_GROUP_FEATURES_STATS_REPLY:
        return ofputil_group_msg_format(oh, s);
    case OFPTYPE_METER_MOD:
    case OFPTYPE_METER_STATS_REQUEST:
    case OFPTYPE_METER_STATS_REPLY:
    case OFPTYPE_METER_CONFIG_STATS_REQUEST:
    case OFPTYPE_METER_CONFIG_STATS_REPLY:
    case OFPTYPE_METER_FEATURES_STATS_REQUEST:
    case OFPTYPE_METER_FEATURES_STATS_REPLY:
        return ofputil_meter_msg_format(oh, s);
    default:
        return -1;
    }
}

/* For LEN bytes at DATA that are the start of a longer message (as an
 * error reply carries), the header line, the truncation remark and a hex
 * dump, as Open vSwitch prints them.  Open vSwitch names the message from
 * its header alone; the type table wants a whole message, so this asks it
 * about a zero-padded copy of the declared length.  Returns NULL if that
 * does not name the message either. */
static char *
truncated_to_string(const void *data, size_t len)
{
    const struct ofp_header *oh = data;
    size_t full_len = ntohs(oh->length);
    enum ofptype type;

    uint8_t *copy = xzalloc(full_len);
    memcpy(copy, data, len);
    if (ofptype_decode(copy, full_len, &type)) {
        free(copy);
        return NULL;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ofp_print_msg_header(&s, (const struct ofp_header *) copy);
    ds_put_format(&s, "\n(***truncated to %zu bytes from %zu***)\n",
                  len, full_len);
    ds_put_hex_dump(&s, data, len, 0, true);
    free(copy);
    return ds_steal_cstr(&s);
}

char *
ofctl_msg_to_string(const void *data, size_t len)
{
    const struct ofp_header *oh = data;
    enum ofptype type;

    if (len >= sizeof *oh && ntohs(oh->length) > len) {
        char *text = truncated_to_string(data, len);
        if (text) {
            return text;
        }
    }

    char *text = ofp_print_to_string(data, len);
    if (len < sizeof *oh || ntohs(oh->length) != len
        || ofptype_decode(data, len, &type)) {
        return text;
    }

    /* TEXT is the header line and a newline: append the body to it. */
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, text);
    free(text);
    ds_chomp(&s, '\n');
    size_t header_len = s.length;

    int error = format_body(&s, oh, type);
    if (error > 0) {
        ds_truncate(&s, header_len);
        ds_put_format(&s, " ***decode error: %s***\n",
                      ofperr_get_name(error));
        ds_put_hex_dump(&s, data, len, 0, true);
    }
    if (!s.length || ds_last(&s) != '\n') {
        ds_put_char(&s, '\n');
    }
    return ds_steal_cstr(&s);
}

void
ofctl_print_msg(FILE *stream, const struct ofpmsg *msg)
{
    char *s = ofctl_msg_to_string(msg->data, msg->size);
    fputs(s, stream);
    free(s);
}
