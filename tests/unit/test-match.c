/* Tests for lib/match: the canonical text is ovs-ofctl's, field for field
 * and in its order; every match parses back from its text; malformed
 * text gets the expected error; equality, hashing and normalization
 * agree. */
#include <config.h>
#include "match.h"

#include <endian.h>
#include "dynamic-string.h"
#include "hash.h"
#include "meta-flow.h"
#include "packets.h"
#include "test.h"

/* Parses INPUT (which must succeed) and checks its canonical text. */
static void
check_canonical(const char *input, const char *expected)
{
    struct match m, m2;
    int priority = 32768, priority2 = 32768;
    char *s, *s2;

    char *error = match_parse(input, &m, &priority);
    CHECK_MSG(!error, "\"%s\": %s", input, error);
    s = match_to_string(&m, priority);
    CHECK_MSG(!strcmp(s, expected), "\"%s\":\n  got      \"%s\"\n  "
              "expected \"%s\"", input, s, expected);

    /* The canonical text is a fixed point. */
    CHECK_NO_ERROR(match_parse(s, &m2, &priority2));
    CHECK(match_equal(&m, &m2));
    CHECK_EQ(priority, priority2);
    s2 = match_to_string(&m2, priority2);
    CHECK_STREQ(s2, s);
    free(s);
    free(s2);
}

TEST(canonical_text)
{
    static const char *const cases[][2] = {
        { "", "" },
        { "   ,, ", "" },
        { "priority=32768", "" },
        { "priority=0", "priority=0" },
        { "priority=100,tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80",
          "priority=100,tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80" },
        { "tp_dst=80 nw_src=10.0.0.0/8 tcp in_port=1 priority=100",
          "priority=100,tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80" },
        { "tcp,tcp_dst=80,nw_dst=192.168.1.1",
          "tcp,nw_dst=192.168.1.1,tp_dst=80" },
        { "dl_type=0x0800,nw_proto=6", "tcp" },
        { "dl_type=0x800", "ip" },
        { "ip,nw_proto=47", "ip,nw_proto=47" },
        { "eth_type=0x88cc", "dl_type=0x88cc" },
        { "dl_type=0x86dd", "ipv6" },
        { "dl_type=0x0800,ip_proto=1", "icmp" },
        /* Open vSwitch 3.x writes IGMP this way and no longer reads
         * "igmp"; Plexus still reads it. */
        { "igmp", "ip,nw_proto=2" },
        { "ipv6,nw_proto=44,nw_frag=later",
          "ipv6,nw_proto=44,nw_frag=later" },
        { "icmp,icmp_type=8,icmp_code=0", "icmp,icmp_type=8,icmp_code=0" },
        { "dl_type=0x86dd,nw_proto=58,icmp_type=135,icmp_code=0,"
          "nd_target=fe80::1",
          "icmp6,icmp_type=135,icmp_code=0,nd_target=fe80::1" },
        { "icmp6,icmpv6_type=135,nd_sll=00:00:00:00:00:01",
          "icmp6,icmp_type=135,nd_sll=00:00:00:00:00:01" },
        { "icmp6,icmp_type=136,nd_tll=0:0:0:0:0:1",
          "icmp6,icmp_type=136,nd_tll=00:00:00:00:00:01" },
        { "arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,"
          "arp_sha=00:11:22:33:44:55",
          "arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_op=1,"
          "arp_sha=00:11:22:33:44:55" },
        { "rarp,arp_op=3", "rarp,arp_op=3" },
        { "dl_vlan=5", "dl_vlan=5" },
        { "vlan_vid=0x1005", "dl_vlan=5" },
        { "dl_vlan=5,dl_vlan_pcp=3", "dl_vlan=5,dl_vlan_pcp=3" },
        { "vlan_vid=0x1005,vlan_pcp=3", "dl_vlan=5,dl_vlan_pcp=3" },
        { "dl_vlan_pcp=7", "dl_vlan_pcp=7" },
        { "vlan_tci=0x1000/0x1000", "vlan_tci=0x1000/0x1000" },
        { "vlan_tci=0", "vlan_tci=0x0000" },
        { "vlan_vid=0", "vlan_tci=0x0000/0x1fff" },
        { "vlan_tci=0x1005/0x1fff", "dl_vlan=5" },
        { "vlan_tci=0x7005", "dl_vlan=5,dl_vlan_pcp=3" },
        { "vlan_tci=0x6005", "vlan_tci=0x6005" },
        /* The inner VLAN header, as ovs-ofctl parse-pcap prints it. */
        { "dl_vlan=100,dl_vlan_pcp=5,vlan_tci1=0x0000",
          "dl_vlan=100,dl_vlan_pcp=5,vlan_tci1=0x0000" },
        { "dl_vlan_pcp1=0,dl_vlan1=20,dl_vlan_pcp=0,dl_vlan=10",
          "dl_vlan=10,dl_vlan_pcp=0,dl_vlan1=20,dl_vlan_pcp1=0" },
        { "dl_vlan=10,dl_vlan1=20", "dl_vlan=10,dl_vlan1=20" },
        { "dl_vlan=1,dl_vlan_pcp1=3", "dl_vlan=1,dl_vlan_pcp1=3" },
        { "vlan_tci=0x1000/0x1000,vlan_tci1=0x1005/0x1fff",
          "vlan_tci=0x1000/0x1000,dl_vlan1=5" },
        { "vlan_tci=0x1001,vlan_tci1=0x6005/0xf000",
          "dl_vlan=1,dl_vlan_pcp=0,vlan_tci1=0x6000/0xf000" },
        { "vlan_vid=0x1001,vlan_tci1=0x1000/0x1000",
          "dl_vlan=1,vlan_tci1=0x1000/0x1000" },
        { "dl_vlan=10,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_type=0x8100",
          "dl_vlan=10,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_type=0x8100" },
        { "dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/"
          "01:00:00:00:00:00",
          "dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/"
          "01:00:00:00:00:00" },
        { "eth_dst=ff:ff:ff:ff:ff:ff,eth_src=a:b:c:d:e:f",
          "dl_src=0a:0b:0c:0d:0e:0f,dl_dst=ff:ff:ff:ff:ff:ff" },
        { "dl_src(00:11:22:33:44:55)", "dl_src=00:11:22:33:44:55" },
        { "in_port:7", "in_port=7" },
        { "ct_state=+trk-new,ct_zone=5,ct_mark=0x1/0xff",
          "ct_state=-new+trk,ct_zone=5,ct_mark=0x1/0xff" },
        { "ct_state=0x21/0x21", "ct_state=+new+trk" },
        { "ct_state=trk|est", "ct_state=est|trk" },
        { "ct_state=0", "ct_state=0" },
        { "ct_state=+est,ct_nw_src=10.0.0.1,ct_nw_proto=6,ct_tp_dst=80",
          "ct_state=+est,ct_nw_src=10.0.0.1,ct_nw_proto=6,ct_tp_dst=80" },
        { "ct_state=+trk-inv,ct_ipv6_dst=::1,ct_ipv6_src=::2",
          "ct_state=-inv+trk,ct_ipv6_src=::2,ct_ipv6_dst=::1" },
        { "ct_label=0x1", "ct_label=0x1" },
        { "ct_label=0x10000000000000000/0xffff0000000000000000",
          "ct_label=0x10000000000000000/0xffff0000000000000000" },
        { "tcp,tcp_flags=+syn-ack", "tcp,tcp_flags=+syn-ack" },
        { "tcp6,tcp_flags=0x002/0x012", "tcp6,tcp_flags=+syn-ack" },
        { "tcp,tcp_flags=syn", "tcp,tcp_flags=syn" },
        { "ip,ip_frag=first", "ip,nw_frag=first" },
        { "ipv6,nw_frag=not_later", "ipv6,nw_frag=not_later" },
        { "ip,nw_frag=yes", "ip,nw_frag=yes" },
        { "reg0=5,reg15=0x10/0xf0", "reg0=0x5,reg15=0x10/0xf0" },
        { "reg3=0/1", "reg3=0/0x1" },
        { "tun_id=0x10,tun_src=1.1.1.1,metadata=0x1234/0xffff",
          "tun_id=0x10,tun_src=1.1.1.1,metadata=0x1234/0xffff" },
        { "tunnel_id=16", "tun_id=0x10" },
        { "tun_flags=+oam", "tun_flags=+oam" },
        { "tun_ipv6_dst=2001:db8::/32,tun_ttl=64,tun_tos=16",
          "tun_ipv6_dst=2001:db8::/32,tun_tos=16,tun_ttl=64" },
        { "in_port=LOCAL", "in_port=LOCAL" },
        { "in_port=local", "in_port=LOCAL" },
        { "in_port=65534", "in_port=LOCAL" },
        { "in_port=controller", "in_port=CONTROLLER" },
        { "in_port=4294967040", "in_port=4294967040" },
        { "ipv6,ipv6_src=2001:db8::/32,ipv6_label=0x12345",
          "ipv6,ipv6_src=2001:db8::/32,ipv6_label=0x12345" },
        { "ipv6,ipv6_flabel=5/0xf", "ipv6,ipv6_label=0x00005/0x0000f" },
        { "ip,nw_tos=184,nw_ecn=3,nw_ttl=64",
          "ip,nw_tos=184,nw_ecn=3,nw_ttl=64" },
        { "ip,ip_dscp=46", "ip,nw_tos=184" },
        { "ipv6,ip_ecn=1", "ipv6,nw_ecn=1" },
        { "mpls,mpls_bos=1,mpls_tc=3,mpls_label=100,mpls_ttl=9",
          "mpls,mpls_label=100,mpls_tc=3,mpls_ttl=9,mpls_bos=1" },
        { "mplsm", "mplsm" },
        /* Inner label stack entries, whole, as ovs-ofctl prints them. */
        { "mpls,mpls_label=1,mpls_tc=0,mpls_ttl=0,mpls_bos=0,"
          "mpls_lse1=8448",
          "mpls,mpls_label=1,mpls_tc=0,mpls_ttl=0,mpls_bos=0,"
          "mpls_lse1=8448" },
        { "mpls_lse2=0,mplsm,mpls_lse1=0x2002",
          "mplsm,mpls_lse1=8194,mpls_lse2=0" },
        { "mpls,mpls_lse3=0x100/0x100,mpls_lse2=4294967295",
          "mpls,mpls_lse2=4294967295,mpls_lse3=0x100/0x100" },
        { "udp,udp_dst=53", "udp,tp_dst=53" },
        { "udp6,tp_dst=0x1000/0xf000", "udp6,tp_dst=0x1000/0xf000" },
        { "sctp6,sctp_src=5", "sctp6,tp_src=5" },
        { "sctp,tp_src=1,tp_dst=2", "sctp,tp_src=1,tp_dst=2" },
        { "pkt_mark=0x5,recirc_id=1,dp_hash=0x3/0xf,skb_priority=0",
          "pkt_mark=0x5,recirc_id=0x1,dp_hash=0x3/0xf,skb_priority=0" },
        { "nw_src=*,ip", "ip" },
        /* Everything at once, in ovs-ofctl's order. */
        { "tcp_flags=+fin,tp_src=1,tp_dst=2,nw_frag=no,nw_ttl=3,nw_ecn=2,"
          "nw_tos=4,nw_dst=5.6.7.8,nw_src=1.2.3.4,dl_dst=2:0:0:0:0:0,"
          "dl_src=1:0:0:0:0:0,dl_vlan=9,in_port=3,metadata=0x8,tun_id=0x7,"
          "reg1=0x6,tcp,ct_label=0x5,ct_mark=0x4,ct_zone=3,ct_state=+trk,"
          "skb_priority=0x2,dp_hash=0x9,recirc_id=0x8,pkt_mark=0x1,"
          "priority=7",
          "priority=7,pkt_mark=0x1,recirc_id=0x8,dp_hash=0x9,"
          "skb_priority=0x2,ct_state=+trk,ct_zone=3,ct_mark=0x4,"
          "ct_label=0x5,tcp,reg1=0x6,tun_id=0x7,metadata=0x8,in_port=3,"
          "dl_vlan=9,dl_src=01:00:00:00:00:00,dl_dst=02:00:00:00:00:00,"
          "nw_src=1.2.3.4,nw_dst=5.6.7.8,nw_tos=4,nw_ecn=2,nw_ttl=3,"
          "nw_frag=no,tp_src=1,tp_dst=2,tcp_flags=+fin" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_canonical(cases[i][0], cases[i][1]);
    }
}

static void
check_error(const char *input, const char *expected)
{
    struct match m;
    int priority = 32768;
    char *error = match_parse(input, &m, &priority);

    CHECK_MSG(error != NULL, "\"%s\" parsed", input);
    CHECK_MSG(!strcmp(error, expected), "\"%s\":\n  got      \"%s\"\n  "
              "expected \"%s\"", input, error, expected);
    CHECK_EQ(priority, 32768);
    free(error);
}

TEST(errors)
{
    static const char *const cases[][2] = {
        { "tp_dst=80",
          "tp_dst: prerequisites not met (requires tcp, udp or sctp)" },
        { "ip,tp_dst=80",
          "tp_dst: prerequisites not met (requires tcp, udp or sctp)" },
        { "nw_src=1.2.3.4",
          "nw_src: prerequisites not met (requires ip)" },
        { "ipv6,ip_src=1.2.3.4",
          "ip_src: prerequisites not met (requires ip)" },
        { "tcp,udp_dst=5",
          "udp_dst: prerequisites not met (requires udp or udp6)" },
        { "udp,tcp_flags=+syn",
          "tcp_flags: prerequisites not met (requires tcp or tcp6)" },
        { "ip,ipv6_src=::1",
          "ipv6_src: prerequisites not met (requires ipv6)" },
        { "arp_op=1", "arp_op: prerequisites not met (requires arp or "
          "rarp)" },
        { "ip,mpls_label=5", "mpls_label: prerequisites not met (requires "
          "mpls or mplsm)" },
        { "nw_ttl=5", "nw_ttl: prerequisites not met (requires ip or "
          "ipv6)" },
        { "tcp,icmp_type=3", "icmp_type: prerequisites not met (requires "
          "icmp)" },
        { "icmp,icmpv6_type=3", "icmpv6_type: prerequisites not met "
          "(requires icmp6)" },
        { "icmp6,nd_target=::1", "nd_target: prerequisites not met "
          "(requires icmp6 with icmp_type=135 or 136 and icmp_code=0)" },
        { "icmp6,icmp_type=136,nd_sll=0:0:0:0:0:1", "nd_sll: prerequisites "
          "not met (requires icmp6 with icmp_type=135 and icmp_code=0)" },
        { "icmp6,icmp_type=135,icmp_code=1,nd_target=::1", "nd_target: "
          "prerequisites not met (requires icmp6 with icmp_type=135 or "
          "136 and icmp_code=0)" },
        { "ct_nw_src=1.2.3.4", "ct_nw_src: prerequisites not met (requires "
          "a valid connection (ct_state +trk-inv, +new, +est, ...))" },
        { "ct_state=+trk,ct_tp_src=1", "ct_tp_src: prerequisites not met "
          "(requires a valid connection (ct_state +trk-inv, +new, +est, "
          "...))" },
        { "foo=1", "unknown keyword foo" },
        { "tcp,bar", "unknown keyword bar" },
        { "in_port=1,in_port=2", "in_port: field set more than once" },
        { "in_port=1,in_port_oxm=2",
          "in_port_oxm: field set more than once" },
        { "tcp,tp_dst=1,tcp_dst=2", "tcp_dst: field set more than once" },
        { "ip,nw_src=1.0.0.0/8,nw_src=0.0.0.1/0.0.0.255",
          "nw_src: field set more than once" },
        { "dl_vlan=1,vlan_tci=0", "vlan_tci: field set more than once" },
        { "dl_vlan=1,vlan_vid=0x1001", "vlan_vid: field set more than once" },
        { "dl_vlan=1,dl_vlan1=2,vlan_tci1=0",
          "vlan_tci1: field set more than once" },
        { "dl_vlan1=5", "dl_vlan1: prerequisites not met (requires an outer "
          "VLAN header (dl_vlan, or vlan_tci with 0x1000 set))" },
        { "vlan_tci=0,vlan_tci1=0", "vlan_tci1: prerequisites not met "
          "(requires an outer VLAN header (dl_vlan, or vlan_tci with "
          "0x1000 set))" },
        { "vlan_tci=0x0000/0x1000,dl_vlan_pcp1=1", "dl_vlan_pcp1: "
          "prerequisites not met (requires an outer VLAN header (dl_vlan, "
          "or vlan_tci with 0x1000 set))" },
        { "dl_vlan=1,dl_vlan_pcp1=8",
          "8: value not valid for field dl_vlan_pcp1" },
        { "dl_vlan=1,dl_vlan1=4096",
          "4096: value not valid for field dl_vlan1" },
        { "dl_vlan=1,dl_vlan1=1/1",
          "1/1: invalid mask for field dl_vlan1" },
        { "ip,mpls_lse1=1", "mpls_lse1: prerequisites not met (requires "
          "mpls or mplsm)" },
        { "mpls,mpls_lse3=0x100000000",
          "0x100000000: value too large for 4-byte field mpls_lse3" },
        { "mpls,mpls_lse1=1,mpls_lse1=2",
          "mpls_lse1: field set more than once" },
        { "ip,nw_tos=4,ip_dscp=1", "ip_dscp: field set more than once" },
        { "nw_src=*,nw_src=1.2.3.4", "nw_src: field set more than once" },
        { "ip,tcp", "tcp: conflicts with an earlier protocol or field" },
        { "tcp,nw_proto=6", "nw_proto: field set more than once" },
        { "dl_type=0x800,ip",
          "ip: conflicts with an earlier protocol or field" },
        { "in_port=foo", "foo: invalid or unknown port for in_port" },
        { "dl_vlan_pcp=8", "8: value not valid for field dl_vlan_pcp" },
        { "dl_type=0x800/0xff00",
          "0x800/0xff00: invalid mask for field dl_type" },
        { "ip,nw_ttl=256", "256: value too large for 1-byte field nw_ttl" },
        { "ip,nw_src=1.2.3", "1.2.3: invalid IP address" },
        { "dl_src=00:11", "00:11: invalid Ethernet address" },
        { "ip,ip_frag=sometimes", "sometimes: unknown fragment type (valid "
          "types are \"no\", \"yes\", \"first\", \"later\", \"not_later\")" },
        { "ct_state=+foo", "foo: unknown ct_state flag(s)" },
        { "ct_state=+trk+trk",
          "trk: Each ct_state flag can be specified only once" },
        { "tcp,tcp_flags=+syn*ack", "syn*ack: unknown TCP flag(s)" },
        { "priority=70000", "invalid priority \"70000\"" },
        { "priority=-1", "invalid priority \"-1\"" },
        { "priority", "invalid priority \"\"" },
        { "priority=5,priority=6", "priority: set more than once" },
        { "tcp=1", "tcp: unexpected value \"1\"" },
        { "nw_proto", "field nw_proto missing value" },
        { "=5", "missing keyword before '='" },
        { "(x)", "missing keyword before '('" },
        { "dl_src(00:11:22:33:44:55", "dl_src: unbalanced parentheses" },
        { "in_phy_port=1", "in_phy_port: field not supported by this "
          "switch" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_error(cases[i][0], cases[i][1]);
    }

    /* Without a PRIORITY pointer, "priority" is refused. */
    struct match m;
    char *error = match_parse("priority=1", &m, NULL);
    CHECK_STREQ(error, "priority: not allowed here");
    free(error);
    CHECK_NO_ERROR(match_parse("tcp", &m, NULL));
}

/* ------------------------------------------------------------------ */
/* Random round trips. */

static void
random_bytes(void *p_, size_t n)
{
    uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        p[i] = test_random();
    }
}

static void
exact_mask(const struct mf_field *mf, union mf_value *mask)
{
    struct match m;
    union mf_value zero;

    memset(&zero, 0, sizeof zero);
    match_init_catchall(&m);
    mf_set(mf, &zero, NULL, &m);
    mf_get_mask(mf, &m.wc, mask);
}

/* Sets MF in M to a random value under a random legal mask. */
static void
set_random(struct match *m, enum mf_field_id id)
{
    const struct mf_field *mf = mf_from_id(id);
    union mf_value value, mask, exact;

    exact_mask(mf, &exact);
    memset(&value, 0, sizeof value);
    random_bytes(&value, mf->n_bytes);
    mask = exact;
    if (mf->maskable == MFM_FULLY) {
        switch (test_random() % 4) {
        case 0:
            break;
        case 1: {
            /* A prefix ("CIDR") mask. */
            unsigned int n = test_random() % (mf->n_bytes * 8 + 1);
            memset(&mask, 0, sizeof mask);
            for (unsigned int b = 0; b < n; b++) {
                mask.bytes[b / 8] |= 0x80 >> (b % 8);
            }
            break;
        }
        default:
            random_bytes(&mask, mf->n_bytes);
            break;
        }
    }
    for (unsigned int b = 0; b < mf->n_bytes; b++) {
        value.bytes[b] &= exact.bytes[b];
        mask.bytes[b] &= exact.bytes[b];
    }
    if (id == MFF_IN_PORT) {
        /* 0xff00...0xffff parse as OpenFlow 1.0 reserved ports. */
        uint32_t port = ntohl(value.be32);
        if (port >= 0xff00 && port <= 0xffff) {
            value.be32 = htonl(port + 0x10000);
        }
    }
    mf_set(mf, &value, &mask, m);
}

static void
set_exact_u8(struct match *m, enum mf_field_id id, uint8_t x)
{
    union mf_value v;
    memset(&v, 0, sizeof v);
    v.u8 = x;
    mf_set(mf_from_id(id), &v, NULL, m);
}

/* Builds a random match whose every field has its prerequisites. */
static void
random_match(struct match *m)
{
    static const uint16_t other_types[] = { 0x88cc, 0x8100, 0x0000, 0x1234,
                                            0x894f, 0xffff };
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
                                      IPPROTO_ICMP, IPPROTO_ICMPV6, 47, 2,
                                      0 };
    bool ip = false;

    match_init_catchall(m);

    /* First the fields that others depend on. */
    if (test_random() % 3 == 0) {
        set_random(m, MFF_CT_STATE);
    }
    switch (test_random() % 9) {
    case 0:
        break;
    case 1: case 2:
        match_set_dl_type(m, htons(ETH_TYPE_IP));
        ip = true;
        break;
    case 3: case 4:
        match_set_dl_type(m, htons(ETH_TYPE_IPV6));
        ip = true;
        break;
    case 5:
        match_set_dl_type(m, htons(test_random() % 2 ? ETH_TYPE_ARP
                                   : ETH_TYPE_RARP));
        break;
    case 6:
        match_set_dl_type(m, htons(test_random() % 2 ? ETH_TYPE_MPLS
                                   : ETH_TYPE_MPLS_MCAST));
        break;
    default:
        match_set_dl_type(m, htons(other_types[test_random()
                                               % ARRAY_SIZE(other_types)]));
        break;
    }
    if (ip && test_random() % 4) {
        uint8_t proto = (test_random() % 5
                         ? protos[test_random() % ARRAY_SIZE(protos)]
                         : test_random());
        match_set_nw_proto(m, proto);
        if (mf_are_match_prereqs_ok(mf_from_id(MFF_ICMPV4_TYPE), m)) {
            if (test_random() % 2) {
                set_random(m, MFF_ICMPV4_TYPE);
            }
            if (test_random() % 2) {
                set_random(m, MFF_ICMPV4_CODE);
            }
        } else if (mf_are_match_prereqs_ok(mf_from_id(MFF_ICMPV6_TYPE),
                                           m)) {
            switch (test_random() % 3) {
            case 0:
                set_exact_u8(m, MFF_ICMPV6_TYPE, 135);
                set_exact_u8(m, MFF_ICMPV6_CODE, 0);
                break;
            case 1:
                set_exact_u8(m, MFF_ICMPV6_TYPE, 136);
                break;
            default:
                if (test_random() % 2) {
                    set_random(m, MFF_ICMPV6_TYPE);
                }
                if (test_random() % 2) {
                    set_random(m, MFF_ICMPV6_CODE);
                }
                break;
            }
        }
    }

    /* Then anything else that applies. */
    for (int i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = &mf_fields[i];

        switch (mf->id) {
        case MFF_ETH_TYPE:
        case MFF_IP_PROTO:
        case MFF_CT_STATE:
        case MFF_ICMPV4_TYPE:
        case MFF_ICMPV4_CODE:
        case MFF_ICMPV6_TYPE:
        case MFF_ICMPV6_CODE:
            continue;
        default:
            break;
        }
        if (mf->supported && test_random() % 5 == 0
            && mf_are_match_prereqs_ok(mf, m)) {
            set_random(m, mf->id);
        }
    }
}

TEST(random_roundtrip)
{
    int n_fields = 0;

    for (int iter = 0; iter < 5000; iter++) {
        struct match m, m2;
        int priority = test_random() % 65536, priority2 = -1;
        char *s, *error;

        random_match(&m);
        s = match_to_string(&m, priority);
        error = match_parse(s, &m2, &priority2);
        CHECK_MSG(!error, "\"%s\": %s", s, error);
        if (!match_equal(&m, &m2)) {
            char *s2 = match_to_string(&m2, priority2);
            test_fail(TEST_WHERE, "round trip changed the match:\n  %s\n  %s",
                      s, s2);
        }
        CHECK_EQ(priority == 32768 ? 32768 : priority,
                 priority2 == -1 ? 32768 : priority2);
        CHECK_EQ(match_hash(&m, 0), match_hash(&m2, 0));
        for (const char *p = s; *p; p++) {
            n_fields += *p == ',';
        }
        free(s);
    }
    /* The generator really exercises many fields. */
    CHECK_GT(n_fields, 5000 * 3);
}

/* Every supported field, set alone (with its prerequisites), prints under
 * some name that parses back. */
TEST(every_field_roundtrips)
{
    static const char *const contexts[] = {
        "", "ip", "ipv6", "arp", "mpls", "tcp", "udp6", "sctp", "icmp",
        "icmp6,icmp_type=135,icmp_code=0", "icmp6,icmp_type=136",
        "ct_state=+est", "vlan_tci=0x1000/0x1000",
    };
    int covered = 0;

    for (int i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = &mf_fields[i];
        bool done = false;

        if (!mf->supported) {
            continue;
        }
        for (size_t c = 0; c < ARRAY_SIZE(contexts) && !done; c++) {
            struct match m, m2;
            char *s;

            CHECK_NO_ERROR(match_parse(contexts[c], &m, NULL));
            if (!mf_are_match_prereqs_ok(mf, &m)) {
                continue;
            }
            for (int k = 0; k < 20; k++) {
                CHECK_NO_ERROR(match_parse(contexts[c], &m, NULL));
                set_random(&m, mf->id);
                s = match_to_string(&m, 32768);
                CHECK_NO_ERROR(match_parse(s, &m2, NULL));
                CHECK_MSG(match_equal(&m, &m2), "%s: \"%s\"", mf->name, s);
                free(s);
            }
            done = true;
        }
        CHECK_MSG(done, "no context satisfies %s", mf->name);
        covered++;
    }
    CHECK_GT(covered, 80);
}

/* ------------------------------------------------------------------ */
/* The rest of the API. */

TEST(equal_hash_normalize)
{
    struct match a, b;

    match_init_catchall(&a);
    match_init_catchall(&b);
    CHECK(match_equal(&a, &b));
    CHECK_EQ(match_hash(&a, 1), match_hash(&b, 1));
    CHECK_NE(match_hash(&a, 1), match_hash(&a, 2));

    match_set_nw_src_masked(&a, htonl(0x0a010203), htonl(0xff000000));
    CHECK_EQ(a.flow.nw_src, htonl(0x0a000000));
    CHECK(!match_equal(&a, &b));
    CHECK_NE(match_hash(&a, 0), match_hash(&b, 0));

    /* Same key, different masks: different matches. */
    match_set_nw_src_masked(&b, htonl(0x0a000000), htonl(0xffff0000));
    CHECK(!match_equal(&a, &b));
    CHECK_NE(match_hash(&a, 0), match_hash(&b, 0));

    /* normalize() zeroes key bits outside the mask. */
    b.flow.nw_src = htonl(0x0a01ffff);
    b.wc.masks.nw_src = htonl(0xff000000);
    b.flow.tp_dst = htons(80);
    match_normalize(&b);
    CHECK(match_equal(&a, &b));
    CHECK_EQ(match_hash(&a, 0), match_hash(&b, 0));
}

TEST(init_exact)
{
    struct flow flow;
    struct match m;

    memset(&flow, 0, sizeof flow);
    flow.in_port = 3;
    flow.dl_type = htons(ETH_TYPE_IP);
    flow.nw_proto = IPPROTO_UDP;
    flow.nw_src = htonl(0x01020304);
    flow.tp_dst = htons(53);
    match_init_exact(&m, &flow);
    CHECK(!memcmp(&m.flow, &flow, sizeof flow));
    CHECK(mf_is_exact(mf_from_id(MFF_IPV4_SRC), &m.wc));
    CHECK(mf_is_exact(mf_from_id(MFF_REG7), &m.wc));

    char *s = match_to_string(&m, 32768);
    CHECK(strstr(s, "udp,") != NULL);
    CHECK(strstr(s, "in_port=3,") != NULL);
    CHECK(strstr(s, "nw_src=1.2.3.4,") != NULL);
    CHECK(strstr(s, "tp_dst=53") != NULL);
    CHECK(strstr(s, "vlan_tci=0x0000,") != NULL);
    free(s);
}

TEST(setters_match_text)
{
    struct match m, parsed;
    struct in6_addr a6, m6;
    struct eth_addr mac = { { { 0, 1, 2, 3, 4, 5 } } };
    struct eth_addr mmask = { { { 0xff, 0xff, 0xff, 0, 0, 0 } } };

    match_init_catchall(&m);
    match_set_dl_type(&m, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&m, IPPROTO_TCP);
    match_set_in_port(&m, 5);
    match_set_reg_masked(&m, 2, 0x1234, 0xff00);
    match_set_metadata_masked(&m, htobe64(1), htobe64(3));
    match_set_tun_id_masked(&m, htobe64(7), UINT64_MAX);
    match_set_pkt_mark_masked(&m, 1, 1);
    match_set_ct_state_masked(&m, CS_TRACKED | CS_ESTABLISHED,
                              CS_TRACKED | CS_ESTABLISHED | 0x100);
    match_set_ct_zone(&m, 9);
    match_set_dl_src_masked(&m, mac, mmask);
    match_set_dl_dst(&m, mac);
    match_set_dl_vlan(&m, 10);
    match_set_dl_vlan_pcp(&m, 5);
    CHECK(ipv6_parse("2001:db8::1", &a6));
    m6 = ipv6_create_mask(48);
    match_set_ipv6_src_masked(&m, &a6, &m6);
    match_set_ipv6_dst_masked(&m, &a6, &in6addr_exact);
    match_set_nw_tos(&m, 0xb8 | 3);
    match_set_nw_ttl(&m, 1);
    match_set_nw_frag_masked(&m, FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_MASK);
    match_set_tp_src(&m, htons(1000));
    match_set_tp_dst_masked(&m, htons(0x1f00), htons(0xff00));
    match_set_tcp_flags_masked(&m, htons(TCP_SYN), htons(TCP_SYN | TCP_ACK));

    char *s = match_to_string(&m, 10);
    CHECK_STREQ(s, "priority=10,pkt_mark=0x1/0x1,ct_state=+est+trk,"
                "ct_zone=9,tcp6,reg2=0x1200/0xff00,tun_id=0x7,"
                "metadata=0x1/0x3,in_port=5,dl_vlan=10,dl_vlan_pcp=5,"
                "dl_src=00:01:02:00:00:00/ff:ff:ff:00:00:00,"
                "dl_dst=00:01:02:03:04:05,ipv6_src=2001:db8::/48,"
                "ipv6_dst=2001:db8::1,nw_tos=184,nw_ttl=1,nw_frag=first,"
                "tp_src=1000,tp_dst=0x1f00/0xff00,tcp_flags=+syn-ack");
    int priority;
    CHECK_NO_ERROR(match_parse(s, &parsed, &priority));
    CHECK(match_equal(&m, &parsed));
    CHECK_EQ(priority, 10);
    free(s);

    match_init_catchall(&m);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_proto(&m, IPPROTO_ICMP);
    match_set_icmp_type(&m, 3);
    match_set_icmp_code(&m, 1);
    match_set_nw_src(&m, htonl(0x01020304));
    match_set_nw_dst_masked(&m, htonl(0x05060708), htonl(0xffffff00));
    match_set_no_vlan(&m);
    s = match_to_string(&m, 32768);
    CHECK_STREQ(s, "icmp,vlan_tci=0x0000,nw_src=1.2.3.4,nw_dst=5.6.7.0/24,"
                "icmp_type=3,icmp_code=1");
    free(s);
}

TEST(parser_incremental)
{
    struct match m;
    struct match_parser p;

    CHECK(match_is_keyword("tcp"));
    CHECK(match_is_keyword("nw_src"));
    CHECK(!match_is_keyword("actions"));
    CHECK(!match_is_keyword("priority"));

    match_init_catchall(&m);
    match_parser_init(&p, &m);
    CHECK_NO_ERROR(match_parser_add(&p, "tp_dst", "80"));
    CHECK_NO_ERROR(match_parser_add(&p, "tcp", NULL));
    CHECK_NO_ERROR(match_parser_finish(&p));
    char *s = match_to_string(&m, 32768);
    CHECK_STREQ(s, "tcp,tp_dst=80");
    free(s);
}

/* Arbitrary bytes never crash the parser; whatever parses round-trips. */
TEST(garbage)
{
    static const char alphabet[] = "abcdeipstuvwxyz_0123456789=,:/()+-|*. "
                                   "x";
    for (int iter = 0; iter < 20000; iter++) {
        char buf[64];
        size_t n = test_random() % sizeof buf;
        struct match m, m2;
        int priority = 32768, priority2 = 32768;
        char *error;

        for (size_t i = 0; i < n; i++) {
            buf[i] = (iter % 4 == 0 ? (char) (test_random() % 255 + 1)
                      : alphabet[test_random() % (sizeof alphabet - 1)]);
        }
        buf[n] = '\0';
        error = match_parse(buf, &m, &priority);
        if (error) {
            CHECK(*error);
            free(error);
            continue;
        }
        char *s = match_to_string(&m, priority);
        CHECK_NO_ERROR(match_parse(s, &m2, &priority2));
        CHECK_MSG(match_equal(&m, &m2), "\"%s\" -> \"%s\"", buf, s);
        free(s);
    }
}
