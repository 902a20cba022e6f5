/* Tests for lib/meta-flow: the field table is self-consistent, every
 * field reads back what was written to it and lands on the right bits of
 * struct flow, values parse and print as ovs-ofctl writes them, bad
 * values are refused, and prerequisites mean what OpenFlow says. */
#include <config.h>
#include "meta-flow.h"

#include <endian.h>
#include "dynamic-string.h"
#include "match.h"
#include "packets.h"
#include "test.h"

static bool
all_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* The exact-match mask of MF, found through the public API. */
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

static void
random_bytes(void *p_, size_t n)
{
    uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        p[i] = test_random();
    }
}

TEST(table_is_consistent)
{
    for (int i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = &mf_fields[i];

        CHECK_MSG(mf->id == (enum mf_field_id) i, "entry %d has id %d",
                  i, mf->id);
        CHECK(mf->name != NULL);
        CHECK_LE(mf->n_bytes, 16);
        CHECK_GE(mf->n_bytes, 1);
        CHECK_LE(mf->n_bits, mf->n_bytes * 8);
        CHECK(mf_from_name(mf->name) == mf);
        for (int j = 0; j < 3 && mf->aliases[j]; j++) {
            CHECK_MSG(mf_from_name(mf->aliases[j]) == mf, "alias %s",
                      mf->aliases[j]);
        }
        if (mf->supported) {
            union mf_value mask;
            int bits = 0;

            CHECK_LE(mf->storage.ofs + mf->storage.size,
                     sizeof(struct flow));
            exact_mask(mf, &mask);
            for (unsigned int b = 0; b < mf->n_bytes; b++) {
                bits += __builtin_popcount(mask.bytes[b]);
            }
            /* nw_tos is 8 bits wide with 6 of them usable. */
            CHECK_MSG(bits == (int) mf->n_bits
                      || (mf->id == MFF_IP_DSCP && bits == 6),
                      "%s: exact mask has %d bits, n_bits %u",
                      mf->name, bits, mf->n_bits);
        }
        /* Headers name back to the field, whatever the mask bit and
         * length. */
        if (mf->oxm_header) {
            CHECK_EQ(MF_HEADER_CLASS(mf->oxm_header),
                     OXM_CLASS_OPENFLOW_BASIC);
            CHECK_EQ(MF_HEADER_LENGTH(mf->oxm_header), mf->n_bytes);
            CHECK(mf_from_oxm_header(mf->oxm_header) == mf);
            CHECK(mf_from_oxm_header(mf->oxm_header | 0x100 | 0xff) == mf);
        }
        if (mf->nxm_header) {
            CHECK(mf_from_oxm_header(mf->nxm_header) == mf);
        }
    }
    /* Headers are unique. */
    for (int i = 0; i < MFF_N_IDS; i++) {
        for (int j = i + 1; j < MFF_N_IDS; j++) {
            const struct mf_field *a = &mf_fields[i], *b = &mf_fields[j];
            CHECK_MSG(!a->oxm_header || a->oxm_header != b->oxm_header,
                      "%s and %s share an OXM header", a->name, b->name);
            CHECK_MSG(!a->nxm_header || !b->nxm_header
                      || a->nxm_header >> 9 != b->nxm_header >> 9,
                      "%s and %s share an NXM header", a->name, b->name);
        }
    }
}

TEST(names_and_headers)
{
    CHECK(mf_from_name("nw_src") == mf_from_id(MFF_IPV4_SRC));
    CHECK(mf_from_name("ip_src") == mf_from_id(MFF_IPV4_SRC));
    CHECK(mf_from_name("ipv4_src") == mf_from_id(MFF_IPV4_SRC));
    CHECK(mf_from_name("eth_dst") == mf_from_id(MFF_ETH_DST));
    CHECK(mf_from_name("ip_frag") == mf_from_id(MFF_IP_FRAG));
    CHECK(mf_from_name("reg15") == mf_from_id(MFF_REG15));
    CHECK(mf_from_name("reg16") == NULL);
    CHECK(mf_from_name("") == NULL);
    CHECK(mf_from_name("nw_sr") == NULL);
    CHECK(mf_from_name("nw_srcx") == NULL);
    CHECK(mf_from_name_len("nw_srcx", 6) == mf_from_id(MFF_IPV4_SRC));

    /* OXM_OF_IPV4_SRC is 0x80001604; NXM_NX_REG3 is 0x00010604. */
    CHECK(mf_from_oxm_header(0x80001604) == mf_from_id(MFF_IPV4_SRC));
    CHECK(mf_from_oxm_header(0x80001708) == mf_from_id(MFF_IPV4_SRC));
    CHECK(mf_from_oxm_header(0x00010604) == mf_from_id(MFF_REG3));
    CHECK(mf_from_oxm_header(0x80000c02) == mf_from_id(MFF_VLAN_VID));
    CHECK(mf_from_oxm_header(0x80004a03) == mf_from_id(MFF_PBB_ISID));
    CHECK(mf_from_oxm_header(0x80007e00) == NULL);
    CHECK(mf_from_oxm_header(0xffff0000) == NULL);
}

/* Every field reads back what was set, the match stays normalized, and
 * setting the field wild again restores a catch-all match. */
TEST(set_get_roundtrip)
{
    for (int iter = 0; iter < 200; iter++) {
        for (int i = 0; i < MFF_N_IDS; i++) {
            const struct mf_field *mf = &mf_fields[i];
            union mf_value value, mask, exact, got, got_mask;
            struct match m, catchall;

            if (!mf->supported) {
                continue;
            }
            exact_mask(mf, &exact);
            memset(&value, 0, sizeof value);
            memset(&mask, 0, sizeof mask);
            random_bytes(&value, mf->n_bytes);
            random_bytes(&mask, mf->n_bytes);
            for (unsigned int b = 0; b < mf->n_bytes; b++) {
                value.bytes[b] &= exact.bytes[b];
                mask.bytes[b] &= exact.bytes[b];
            }
            if (mf->maskable == MFM_NONE || iter % 3 == 0) {
                mask = exact;
            }
            CHECK(mf_is_value_valid(mf, &value));
            CHECK(mf_is_mask_valid(mf, &mask));

            match_init_catchall(&m);
            mf_set(mf, &value, &mask, &m);
            mf_get_value(mf, &m.flow, &got);
            mf_get_mask(mf, &m.wc, &got_mask);
            CHECK_MSG(!memcmp(got_mask.bytes, mask.bytes, mf->n_bytes),
                      "%s: mask did not read back", mf->name);
            for (unsigned int b = 0; b < mf->n_bytes; b++) {
                CHECK_MSG(got.bytes[b] == (value.bytes[b] & mask.bytes[b]),
                          "%s: value byte %u did not read back",
                          mf->name, b);
            }

            struct match norm = m;
            match_normalize(&norm);
            CHECK_MSG(match_equal(&norm, &m), "%s: not normalized",
                      mf->name);
            CHECK_EQ(mf_is_all_wild(mf, &m.wc),
                     all_zero(mask.bytes, mf->n_bytes));

            mf_set_wild(mf, &m);
            match_init_catchall(&catchall);
            CHECK_MSG(match_equal(&m, &catchall), "%s: not wild again",
                      mf->name);

            /* A flow (not a match) takes the value too. */
            struct flow flow;
            memset(&flow, 0, sizeof flow);
            mf_set_flow_value(mf, &value, &flow);
            mf_get_value(mf, &flow, &got);
            CHECK_MSG(!memcmp(got.bytes, value.bytes, mf->n_bytes),
                      "%s: flow value did not read back", mf->name);
        }
    }
}

static void
set_from_string(struct match *m, const char *name, const char *s)
{
    const struct mf_field *mf = mf_from_name(name);
    union mf_value value, mask;

    CHECK_MSG(mf != NULL, "no field %s", name);
    CHECK_NO_ERROR(mf_parse(mf, s, &value, &mask));
    mf_set(mf, &value, &mask, m);
}

/* Subfields land on the documented bits of struct flow. */
TEST(storage_placement)
{
    struct match m;

    match_init_catchall(&m);
    set_from_string(&m, "vlan_vid", "0x1005");
    CHECK_EQ(ntohs(m.flow.vlans[0].tci), 0x1005);
    CHECK_EQ(ntohs(m.wc.masks.vlans[0].tci), 0x1fff);

    match_init_catchall(&m);
    set_from_string(&m, "dl_vlan", "5");
    CHECK_EQ(ntohs(m.flow.vlans[0].tci), 0x1005);
    CHECK_EQ(ntohs(m.wc.masks.vlans[0].tci), 0x1fff);
    set_from_string(&m, "dl_vlan_pcp", "3");
    CHECK_EQ(ntohs(m.flow.vlans[0].tci), 0x7005);
    CHECK_EQ(ntohs(m.wc.masks.vlans[0].tci), 0xffff);
    /* Dropping the VID keeps the CFI bit the PCP still needs... */
    mf_set_wild(mf_from_id(MFF_DL_VLAN), &m);
    CHECK_EQ(ntohs(m.flow.vlans[0].tci), 0x7000);
    CHECK_EQ(ntohs(m.wc.masks.vlans[0].tci), 0xf000);
    /* ...and dropping the PCP too drops it. */
    mf_set_wild(mf_from_id(MFF_DL_VLAN_PCP), &m);
    CHECK_EQ(m.wc.masks.vlans[0].tci, 0);

    /* The inner VLAN fields land on the second header, the same way. */
    match_init_catchall(&m);
    set_from_string(&m, "dl_vlan1", "20");
    CHECK_EQ(m.flow.vlans[0].tci, 0);
    CHECK_EQ(m.wc.masks.vlans[0].tci, 0);
    CHECK_EQ(ntohs(m.flow.vlans[1].tci), 0x1014);
    CHECK_EQ(ntohs(m.wc.masks.vlans[1].tci), 0x1fff);
    CHECK_EQ(m.wc.masks.vlans[1].tpid, 0);
    set_from_string(&m, "dl_vlan_pcp1", "6");
    CHECK_EQ(ntohs(m.flow.vlans[1].tci), 0xd014);
    CHECK_EQ(ntohs(m.wc.masks.vlans[1].tci), 0xffff);
    mf_set_wild(mf_from_id(MFF_DL_VLAN1), &m);
    mf_set_wild(mf_from_id(MFF_DL_VLAN_PCP1), &m);
    CHECK_EQ(m.wc.masks.vlans[1].tci, 0);
    CHECK_EQ(m.flow.vlans[1].tci, 0);
    set_from_string(&m, "vlan_tci1", "0x0000");
    CHECK_EQ(m.flow.vlans[1].tci, 0);
    CHECK_EQ(m.wc.masks.vlans[1].tci, UINT16_MAX);

    /* Inner MPLS label stack entries are whole 32-bit words. */
    match_init_catchall(&m);
    set_from_string(&m, "mpls_lse1", "8448");
    set_from_string(&m, "mpls_lse2", "0x100/0x100");
    set_from_string(&m, "mpls_lse3", "4294967295");
    CHECK_EQ(m.wc.masks.mpls_lse[0], 0);
    CHECK_EQ(ntohl(m.flow.mpls_lse[1]), 8448);
    CHECK_EQ(m.wc.masks.mpls_lse[1], UINT32_MAX);
    CHECK_EQ(ntohl(m.flow.mpls_lse[2]), 0x100);
    CHECK_EQ(ntohl(m.wc.masks.mpls_lse[2]), 0x100);
    CHECK_EQ(m.flow.mpls_lse[3], UINT32_MAX);

    match_init_catchall(&m);
    set_from_string(&m, "ip_dscp", "46");
    CHECK_EQ(m.flow.nw_tos, 46 << 2);
    CHECK_EQ(m.wc.masks.nw_tos, 0xfc);
    set_from_string(&m, "nw_ecn", "3");
    CHECK_EQ(m.flow.nw_tos, (46 << 2) | 3);
    CHECK_EQ(m.wc.masks.nw_tos, 0xff);

    match_init_catchall(&m);
    set_from_string(&m, "nw_tos", "184");
    CHECK_EQ(m.flow.nw_tos, 184);

    match_init_catchall(&m);
    set_from_string(&m, "mpls_label", "1000");
    set_from_string(&m, "mpls_tc", "5");
    set_from_string(&m, "mpls_bos", "1");
    set_from_string(&m, "mpls_ttl", "64");
    CHECK_EQ(ntohl(m.flow.mpls_lse[0]), (1000 << 12) | (5 << 9) | 0x100
             | 64);
    CHECK_EQ(m.wc.masks.mpls_lse[0], UINT32_MAX);

    match_init_catchall(&m);
    set_from_string(&m, "icmp_type", "8");
    set_from_string(&m, "icmp_code", "3");
    CHECK_EQ(m.flow.tp_src, htons(8));
    CHECK_EQ(m.flow.tp_dst, htons(3));
    CHECK_EQ(m.wc.masks.tp_src, htons(0xff));

    match_init_catchall(&m);
    set_from_string(&m, "arp_op", "2");
    CHECK_EQ(m.flow.nw_proto, 2);

    match_init_catchall(&m);
    set_from_string(&m, "reg3", "0x12345678/0xffff0000");
    CHECK_EQ(m.flow.regs[3], 0x12340000);
    CHECK_EQ(m.wc.masks.regs[3], 0xffff0000);

    match_init_catchall(&m);
    set_from_string(&m, "ct_label",
                    "0x0102030405060708090a0b0c0d0e0f10");
    CHECK_U64_EQ(m.flow.ct_label.u64.hi, 0x0102030405060708ULL);
    CHECK_U64_EQ(m.flow.ct_label.u64.lo, 0x090a0b0c0d0e0f10ULL);

    match_init_catchall(&m);
    set_from_string(&m, "ct_state", "+trk-inv");
    CHECK_EQ(m.flow.ct_state, CS_TRACKED);
    CHECK_EQ(m.wc.masks.ct_state, CS_TRACKED | CS_INVALID);

    match_init_catchall(&m);
    set_from_string(&m, "tun_id", "0x123456789");
    CHECK_U64_EQ(m.flow.tunnel.tun_id, htobe64(0x123456789ULL));

    match_init_catchall(&m);
    set_from_string(&m, "in_port", "LOCAL");
    CHECK_U64_EQ(m.flow.in_port, MF_OFPP_LOCAL);

    /* The fragment names, as OpenFlow (and ovs-fields(7)) define them. */
    static const struct {
        const char *name;
        uint8_t value, mask;
    } frags[] = {
        { "no", 0, FLOW_NW_FRAG_ANY },
        { "yes", FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_ANY },
        { "first", FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_MASK },
        { "later", FLOW_NW_FRAG_MASK, FLOW_NW_FRAG_MASK },
        { "not_later", 0, FLOW_NW_FRAG_LATER },
    };
    for (size_t i = 0; i < ARRAY_SIZE(frags); i++) {
        match_init_catchall(&m);
        set_from_string(&m, "ip_frag", frags[i].name);
        CHECK_EQ(m.flow.nw_frag, frags[i].value);
        CHECK_EQ(m.wc.masks.nw_frag, frags[i].mask);
    }

    match_init_catchall(&m);
    set_from_string(&m, "tun_flags", "+oam");
    CHECK_EQ(m.flow.tunnel.flags, FLOW_TNL_F_OAM);
    CHECK_EQ(m.wc.masks.tunnel.flags, FLOW_TNL_F_OAM);

    match_init_catchall(&m);
    set_from_string(&m, "ipv6_label", "0xfffff");
    CHECK_EQ(m.flow.ipv6_label, htonl(0xfffff));
}

/* Parses S for field NAME and formats it back, expecting EXPECTED. */
static void
check_parse_format(const char *name, const char *s, const char *expected)
{
    const struct mf_field *mf = mf_from_name(name);
    union mf_value value, mask, value2, mask2;
    struct ds ds = DS_EMPTY_INITIALIZER;

    CHECK_MSG(mf != NULL, "no field %s", name);
    CHECK_NO_ERROR(mf_parse(mf, s, &value, &mask));
    mf_format(mf, &value, &mask, &ds);
    CHECK_STREQ(ds_cstr(&ds), expected);

    /* The printed form reads back to the same value and mask. */
    CHECK_NO_ERROR(mf_parse(mf, ds_cstr(&ds), &value2, &mask2));
    CHECK(!memcmp(&mask, &mask2, sizeof mask));
    for (unsigned int i = 0; i < mf->n_bytes; i++) {
        CHECK_EQ(value.bytes[i] & mask.bytes[i],
                 value2.bytes[i] & mask2.bytes[i]);
    }
    ds_destroy(&ds);
}

TEST(parse_and_format)
{
    check_parse_format("tp_dst", "80", "80");
    check_parse_format("tp_dst", "0x50", "80");
    check_parse_format("tp_dst", "0x1000/0xf000", "0x1000/0xf000");
    check_parse_format("tp_dst", "4096/61440", "0x1000/0xf000");
    check_parse_format("tp_dst", "80/0xffff", "80");
    check_parse_format("reg0", "0", "0");
    check_parse_format("reg0", "5", "0x5");
    check_parse_format("reg0", "0/1", "0/0x1");
    check_parse_format("metadata", "0xffffffffffffffff",
                       "0xffffffffffffffff");
    check_parse_format("dl_type", "0x800", "0x0800");
    check_parse_format("dl_type", "2048", "0x0800");
    check_parse_format("vlan_tci", "0x1000/0x1000", "0x1000/0x1000");
    check_parse_format("ipv6_label", "5", "0x00005");
    check_parse_format("nw_src", "10.0.0.0/8", "10.0.0.0/8");
    check_parse_format("nw_src", "10.1.2.3/255.0.0.0", "10.1.2.3/8");
    check_parse_format("nw_src", "10.0.0.1/255.0.255.0",
                       "10.0.0.1/255.0.255.0");
    check_parse_format("nw_src", "1.2.3.4/32", "1.2.3.4");
    check_parse_format("ipv6_src", "2001:db8::1/64", "2001:db8::1/64");
    check_parse_format("ipv6_src", "::1", "::1");
    check_parse_format("ipv6_dst", "fe80::/ffff::1", "fe80::/ffff::1");
    check_parse_format("dl_src", "00:11:22:33:44:55", "00:11:22:33:44:55");
    check_parse_format("dl_dst", "1:0:0:0:0:0/1:0:0:0:0:0",
                       "01:00:00:00:00:00/01:00:00:00:00:00");
    check_parse_format("in_port", "1", "1");
    check_parse_format("in_port", "local", "LOCAL");
    check_parse_format("in_port", "65534", "LOCAL");
    check_parse_format("in_port", "0xfffffffd", "CONTROLLER");
    check_parse_format("in_port", "NONE", "ANY");
    check_parse_format("in_port", "4294967040", "4294967040");
    check_parse_format("nw_frag", "first", "first");
    check_parse_format("nw_frag", "later", "later");
    check_parse_format("nw_frag", "no", "no");
    check_parse_format("nw_frag", "yes", "yes");
    check_parse_format("nw_frag", "not_later", "not_later");
    check_parse_format("nw_frag", "0x2/0x3", "0x2/0x3");
    check_parse_format("ct_state", "+trk-new", "-new+trk");
    check_parse_format("ct_state", "0x21/0x21", "+new+trk");
    check_parse_format("ct_state", "trk|est", "est|trk");
    check_parse_format("ct_state", "0", "0");
    check_parse_format("ct_state", "0x20", "trk");
    check_parse_format("ct_state", "trk|0x2", "est|trk");
    check_parse_format("tcp_flags", "+syn-ack", "+syn-ack");
    check_parse_format("tcp_flags", "syn|ack", "syn|ack");
    check_parse_format("tcp_flags", "0x002/0x012", "+syn-ack");
    check_parse_format("tcp_flags", "0xfff", "fin|syn|rst|psh|ack|urg|ece|"
                       "cwr|ns|[200]|[400]|[800]");
    check_parse_format("tcp_flags", "+[800]", "+[800]");
    check_parse_format("tun_flags", "+oam", "+oam");
    check_parse_format("tun_flags", "oam", "+oam");
    check_parse_format("tun_flags", "-oam", "-oam");
    check_parse_format("tun_flags", "0", "-oam");
    check_parse_format("ct_label", "0x1", "0x1");
    check_parse_format("ct_label", "0", "0");
    check_parse_format("ct_label",
                       "0x10000000000000000/0xffff0000000000000000",
                       "0x10000000000000000/0xffff0000000000000000");
    check_parse_format("ct_label", "18446744073709551616",
                       "0x10000000000000000");
    check_parse_format("ct_zone", "65535", "65535");
    check_parse_format("vlan_vid", "4101", "4101");
    check_parse_format("dl_vlan_pcp", "7", "7");
    check_parse_format("mpls_label", "1048575", "1048575");
    check_parse_format("skb_priority", "0x10001", "0x10001");
}

TEST(wildcard_value)
{
    union mf_value value, mask;

    CHECK_NO_ERROR(mf_parse(mf_from_id(MFF_IPV4_SRC), "*", &value, &mask));
    CHECK(all_zero(&mask, sizeof mask));
    CHECK_NO_ERROR(mf_parse(mf_from_id(MFF_IN_PORT), "*", &value, &mask));
    CHECK(all_zero(&mask, sizeof mask));
}

static void
check_parse_error(const char *name, const char *s, const char *expected)
{
    union mf_value value, mask;
    char *error = mf_parse(mf_from_name(name), s, &value, &mask);

    CHECK_MSG(error != NULL, "%s=%s parsed", name, s);
    CHECK_STREQ(error, expected);
    free(error);
}

TEST(parse_errors)
{
    check_parse_error("nw_ttl", "256",
                      "256: value too large for 1-byte field nw_ttl");
    check_parse_error("nw_ttl", "", ": bad syntax for nw_ttl");
    check_parse_error("nw_ttl", "-1", "-1: bad syntax for nw_ttl");
    check_parse_error("nw_ttl", "0x", "0x: bad syntax for nw_ttl");
    check_parse_error("nw_ttl", "1x", "1x: bad syntax for nw_ttl");
    check_parse_error("nw_ttl", "0xg", "0xg: bad syntax for nw_ttl");
    check_parse_error("tp_src", "80/", "80/: bad syntax for tp_src");
    check_parse_error("tp_src", "80/0x10000",
                      "80/0x10000: mask too large for 2-byte field tp_src");
    check_parse_error("dl_vlan_pcp", "8",
                      "8: value not valid for field dl_vlan_pcp");
    check_parse_error("dl_vlan", "4096",
                      "4096: value not valid for field dl_vlan");
    check_parse_error("nw_tos", "1", "1: value not valid for field nw_tos");
    check_parse_error("dl_type", "0x800/0xff00",
                      "0x800/0xff00: invalid mask for field dl_type");
    check_parse_error("vlan_vid", "0/0x2000",
                      "0/0x2000: invalid mask for field vlan_vid");
    check_parse_error("in_port", "foo",
                      "foo: invalid or unknown port for in_port");
    check_parse_error("in_port", "1/1",
                      "1/1: invalid or unknown port for in_port");
    check_parse_error("in_port", "4294967296",
                      "4294967296: invalid or unknown port for in_port");
    check_parse_error("nw_src", "1.2.3", "1.2.3: invalid IP address");
    check_parse_error("nw_src", "1.2.3.4/33",
                      "1.2.3.4/33: invalid IP mask or prefix length");
    check_parse_error("ipv6_src", "1::2::3",
                      "1::2::3: invalid IPv6 address");
    check_parse_error("dl_src", "00:11", "00:11: invalid Ethernet address");
    check_parse_error("nw_frag", "sometimes",
                      "sometimes: unknown fragment type (valid types are "
                      "\"no\", \"yes\", \"first\", \"later\", \"not_later\")");
    check_parse_error("nw_frag", "0x4/0x4",
                      "0x4/0x4: value not valid for field nw_frag");
    check_parse_error("ct_state", "+foo", "foo: unknown ct_state flag(s)");
    check_parse_error("ct_state", "+trk+trk",
                      "trk: Each ct_state flag can be specified only once");
    check_parse_error("ct_state", "trk|",
                      "ct_state: trailing '|'");
    check_parse_error("ct_state", "0x100",
                      "0x100: unknown ct_state flag(s)");
    check_parse_error("ct_state", "0x1/0x100",
                      "0x1/0x100: unknown ct_state flag(s)");
    check_parse_error("ct_state", "trk-new",
                      "trk-new: unknown ct_state flag(s)");
    check_parse_error("tcp_flags", "+syn*ack",
                      "syn*ack: unknown TCP flag(s)");
    check_parse_error("tcp_flags", "0x1000", "0x1000: unknown TCP flag(s)");
    check_parse_error("tun_flags", "+csum", "csum: unknown tunnel flag(s)");
    check_parse_error("ct_label", "0x100000000000000000000000000000000",
                      "0x100000000000000000000000000000000: value too large "
                      "for 16-byte field ct_label");
    check_parse_error("in_phy_port", "1",
                      "in_phy_port: field not supported by this switch");
    check_parse_error("pbb_isid", "1",
                      "pbb_isid: field not supported by this switch");

    union mf_value value;
    char *error = mf_parse_value(mf_from_id(MFF_IPV4_SRC), "1.2.3.0/24",
                                 &value);
    CHECK_STREQ(error, "1.2.3.0/24: a value for nw_src may not be masked");
    free(error);
    CHECK_NO_ERROR(mf_parse_value(mf_from_id(MFF_IPV4_SRC), "1.2.3.4",
                                  &value));
    CHECK_EQ(value.be32, htonl(0x01020304));
}

TEST(prerequisites)
{
    struct flow flow;
    struct match m;

    memset(&flow, 0, sizeof flow);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_ETH_SRC), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_IPV4_SRC), &flow));
    flow.dl_type = htons(ETH_TYPE_IP);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_IPV4_SRC), &flow));
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_IP_TTL), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_IPV6_SRC), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_TP_SRC), &flow));
    flow.nw_proto = IPPROTO_UDP;
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_TP_SRC), &flow));
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_UDP_SRC), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_TCP_SRC), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_TCP_FLAGS), &flow));
    flow.nw_proto = IPPROTO_SCTP;
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_SCTP_DST), &flow));

    /* ND needs ICMPv6 type 135/136 with code 0. */
    flow.dl_type = htons(ETH_TYPE_IPV6);
    flow.nw_proto = IPPROTO_ICMPV6;
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_ICMPV6_TYPE), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_ICMPV4_TYPE), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_ND_TARGET), &flow));
    flow.tp_src = htons(135);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_ND_TARGET), &flow));
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_ND_SLL), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_ND_TLL), &flow));
    flow.tp_src = htons(136);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_ND_TLL), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_ND_SLL), &flow));
    flow.tp_dst = htons(1);
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_ND_TARGET), &flow));

    /* ARP and RARP. */
    memset(&flow, 0, sizeof flow);
    flow.dl_type = htons(ETH_TYPE_RARP);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_ARP_SHA), &flow));
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_IPV4_SRC), &flow));

    /* MPLS unicast and multicast. */
    flow.dl_type = htons(ETH_TYPE_MPLS_MCAST);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_MPLS_LABEL), &flow));

    /* VLAN PCP (OpenFlow 1.3) needs a VLAN header. */
    memset(&flow, 0, sizeof flow);
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_VLAN_PCP), &flow));
    flow.vlans[0].tci = htons(VLAN_CFI);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_VLAN_PCP), &flow));

    /* The inner VLAN fields need the outer header, not the inner one. */
    static const enum mf_field_id inner[] = {
        MFF_VLAN_TCI1, MFF_DL_VLAN1, MFF_DL_VLAN_PCP1,
    };
    for (size_t i = 0; i < ARRAY_SIZE(inner); i++) {
        const struct mf_field *mf = mf_from_id(inner[i]);
        memset(&flow, 0, sizeof flow);
        flow.vlans[1].tci = htons(VLAN_CFI | 5);
        CHECK_MSG(!mf_are_prereqs_ok(mf, &flow), "%s", mf->name);
        flow.vlans[0].tci = htons(VLAN_CFI);
        CHECK_MSG(mf_are_prereqs_ok(mf, &flow), "%s", mf->name);
        CHECK(!mf->oxm_header && !mf->nxm_header && !mf->writable);
        CHECK(strstr(mf_prereqs_to_string(mf->prereqs), "outer VLAN"));
    }

    /* Inner MPLS entries need MPLS. */
    memset(&flow, 0, sizeof flow);
    flow.dl_type = htons(ETH_TYPE_IP);
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_MPLS_LSE1), &flow));
    flow.dl_type = htons(ETH_TYPE_MPLS);
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_MPLS_LSE3), &flow));

    /* Conntrack: a packet needs +trk-inv; a match needs a bit that
     * implies a valid connection, or +trk with -inv matched. */
    memset(&flow, 0, sizeof flow);
    flow.ct_state = CS_TRACKED;
    CHECK(mf_are_prereqs_ok(mf_from_id(MFF_CT_NW_SRC), &flow));
    flow.ct_state = CS_TRACKED | CS_INVALID;
    CHECK(!mf_are_prereqs_ok(mf_from_id(MFF_CT_NW_SRC), &flow));

    match_init_catchall(&m);
    match_set_ct_state_masked(&m, CS_TRACKED, CS_TRACKED);
    CHECK(!mf_are_match_prereqs_ok(mf_from_id(MFF_CT_NW_SRC), &m));
    match_set_ct_state_masked(&m, CS_TRACKED, CS_TRACKED | CS_INVALID);
    CHECK(mf_are_match_prereqs_ok(mf_from_id(MFF_CT_NW_SRC), &m));
    match_set_ct_state_masked(&m, CS_ESTABLISHED, CS_ESTABLISHED);
    CHECK(mf_are_match_prereqs_ok(mf_from_id(MFF_CT_TP_DST), &m));
    CHECK(mf_are_match_prereqs_ok(mf_from_id(MFF_CT_STATE), &m));
}

TEST(ports)
{
    uint32_t port;
    struct ds s = DS_EMPTY_INITIALIZER;

    CHECK(mf_port_from_string("IN_PORT", &port));
    CHECK_U64_EQ(port, MF_OFPP_IN_PORT);
    CHECK(mf_port_from_string("normal", &port));
    CHECK_U64_EQ(port, MF_OFPP_NORMAL);
    CHECK(mf_port_from_string("0", &port));
    CHECK_U64_EQ(port, 0);
    CHECK(mf_port_from_string("65279", &port));
    CHECK_U64_EQ(port, 65279);
    CHECK(mf_port_from_string("65533", &port));
    CHECK_U64_EQ(port, MF_OFPP_CONTROLLER);
    CHECK(!mf_port_from_string("", &port));
    CHECK(!mf_port_from_string("LOCALX", &port));
    CHECK(!mf_port_from_string("1x", &port));
    CHECK(!mf_port_from_string("99999999999999999999999", &port));

    mf_format_port(MF_OFPP_FLOOD, &s);
    ds_put_char(&s, ',');
    mf_format_port(7, &s);
    ds_put_char(&s, ',');
    mf_format_port(MF_OFPP_ALL, &s);
    CHECK_STREQ(ds_cstr(&s), "FLOOD,7,ALL");
    ds_destroy(&s);
}
