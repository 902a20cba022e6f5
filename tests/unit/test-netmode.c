/* Tests for vswitchd/netmode: the network-* keys parser and the flow
 * compiler of the VM network modes. */
#include <config.h>
#include "vswitchd/netmode.h"

#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "packets.h"
#include "responder.h"
#include "smap.h"
#include "sset.h"
#include "tests/unit/test.h"

/* ---- Helpers. ---- */

/* Parses "KEY=VALUE" strings (NULL-terminated) as other_config. */
static char *
parse_keys(struct netmode_config *cfg, const char *const *kv)
{
    struct smap oc = SMAP_INITIALIZER(&oc);
    for (; *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        char *key = xmemdup0(*kv, eq - *kv);
        smap_add(&oc, key, eq + 1);
        free(key);
    }
    char *error = netmode_config_parse(&oc, cfg);
    smap_destroy(&oc);
    return error;
}

static void
parse_ok(struct netmode_config *cfg, const char *const *kv)
{
    char *error = parse_keys(cfg, kv);
    CHECK_MSG(!error, "unexpected error: %s", error);
}

static const netmode_port_t vm_ports[] = { 1, 3 };

static struct netmode_ports
sample_ports(void)
{
    struct netmode_ports p;
    memset(&p, 0, sizeof p);
    p.has_uplink = true;
    p.uplink = 2;
    p.uplink_mac = (struct eth_addr) { { { 0x02, 0, 0, 0, 0, 0x02 } } };
    p.gw_mac = (struct eth_addr) { { { 0x02, 0, 0, 0, 0, 0xfe } } };
    p.vm_ports = vm_ports;
    p.n_vm_ports = ARRAY_SIZE(vm_ports);
    return p;
}

static struct netmode_neighbor
neighbor(uint32_t ip, uint8_t last, netmode_port_t port)
{
    struct netmode_neighbor nb;
    nb.ip = htonl(ip);
    nb.mac = (struct eth_addr) { { { 0x52, 0x54, 0, 0, last >> 4,
                                         last } } };
    nb.port = port;
    return nb;
}

static void
check_flows(const struct netmode_flows *got, const char *const *want,
            size_t n_want)
{
    for (size_t i = 0; i < got->n && i < n_want; i++) {
        CHECK_STREQ(got->flows[i], want[i]);
    }
    CHECK_EQ(got->n, n_want);
}

/* Whether lib/ofp-actions parses ct() yet. */
static bool
ct_supported(void)
{
    struct ofpa_buf b = OFPA_BUF_INITIALIZER;
    char *error = ofpacts_text_parse("ct(commit)", &b);
    ofpa_buf_uninit(&b);
    free(error);
    return !error;
}

/* Every flow parses as add-flow text, and no two flows share table,
 * priority and match. */
static void
check_parse(const struct netmode_flows *f)
{
    struct sset ids = SSET_INITIALIZER(&ids);
    bool ct = ct_supported();

    for (size_t i = 0; i < f->n; i++) {
        struct ofputil_flow_mod fm;
        struct ofpa_buf b = OFPA_BUF_INITIALIZER;
        const char *text = f->flows[i];
        char *error = ofputil_parse_flow_mod_str(text, OFPUTIL_FC_ADD, &fm,
                                                 &b);
        if (!ct && strstr(text, "ct(")) {
            CHECK(error && strstr(error, "ct"));
        } else {
            CHECK_MSG(!error, "%s: %s", text, error);
            CHECK_U64_EQ(be64toh(fm.new_cookie) & NETMODE_COOKIE_MASK,
                         NETMODE_COOKIE);
            CHECK(fm.table_id == 0 || (fm.table_id >= NETMODE_T_SNAT
                                       && fm.table_id <= NETMODE_T_DELIVER));
            if (fm.table_id == 0) {
                CHECK(fm.priority >= 10 && fm.priority <= 1100);
            }
        }
        free(error);
        ofpa_buf_uninit(&b);

        const char *actions = strstr(text, ",actions=");
        CHECK(actions);
        char *id = xmemdup0(text, actions - text);
        char *cookie = strstr(id, "cookie=");
        CHECK(cookie);
        memset(cookie, 'x', 25);        /* Ignore the kind. */
        CHECK_MSG(!sset_contains(&ids, id), "duplicate flow %s", text);
        sset_add_and_free(&ids, id);
    }
    sset_destroy(&ids);
}


/* ---- Compiled flows. ---- */

static const char *const nat_keys[] = {
    "network-mode=nat", "network-uplink=up",
    "network-subnet=10.0.0.0/24", "network-uplink-address=192.0.2.10/24",
    "network-uplink-router=192.0.2.1",
    "network-port-forwards=tcp:8080=10.0.0.5:80",
    "network-ipv6-prefix=fd00:1::/64", "hwaddr=02:00:00:00:00:fe", NULL,
};

static const char *const nat_flows[] = {
    "table=0,priority=1100,cookie=0x504c580000000003,in_port=2,arp"
    ",arp_tpa=192.0.2.10,actions=CONTROLLER:65535",
    "table=0,priority=1100,cookie=0x504c580000000010,in_port=2,ip"
    ",nw_dst=192.0.2.10,actions=goto_table:241",
    "table=0,priority=1050,cookie=0x504c580000000010,in_port=2"
    ",actions=drop",
    "table=0,priority=1010,cookie=0x504c580000000010,in_port=LOCAL"
    ",actions=NORMAL",
    "table=0,priority=1000,cookie=0x504c580000000001,arp,arp_op=1"
    ",arp_tpa=10.0.0.1,actions=CONTROLLER:65535",
    "table=0,priority=1000,cookie=0x504c580000000002,arp,arp_op=2"
    ",arp_tpa=10.0.0.1,actions=CONTROLLER:65535,LOCAL",
    "table=0,priority=1000,cookie=0x504c580000000001,udp,tp_src=68"
    ",tp_dst=67,actions=CONTROLLER:65535",
    "table=0,priority=1000,cookie=0x504c580000000001,icmp6,icmp_type=133"
    ",actions=CONTROLLER:65535",
    "table=0,priority=1000,cookie=0x504c580000000001,icmp6,icmp_type=135"
    ",nd_target=fe80::ff:fe00:fe,actions=CONTROLLER:65535",
    "table=0,priority=900,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,nw_dst=10.0.0.1,actions=LOCAL",
    "table=0,priority=800,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,nw_dst=10.0.0.0/24,actions=goto_table:244",
    "table=0,priority=700,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,nw_src=10.0.0.0/24,actions=goto_table:240",
    "table=0,priority=600,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,actions=drop",
    "table=0,priority=10,cookie=0x504c580000000010,actions=NORMAL",
    "table=240,priority=10,cookie=0x504c580000000010,ip,actions=ct(commit"
    ",zone=65000,nat(src=192.0.2.10),table=243)",
    "table=240,priority=0,cookie=0x504c580000000010,actions=drop",
    "table=241,priority=10,cookie=0x504c580000000010,ip"
    ",actions=ct(zone=65000,nat,table=242)",
    "table=241,priority=0,cookie=0x504c580000000010,actions=drop",
    "table=242,priority=100,cookie=0x504c580000000010,ct_state=+est+trk"
    ",ip,actions=goto_table:244",
    "table=242,priority=100,cookie=0x504c580000000010,ct_state=+rel+trk"
    ",ip,actions=goto_table:244",
    "table=242,priority=50,cookie=0x504c580000000011,ct_state=+new+trk"
    ",tcp,tp_dst=8080,actions=ct(commit,zone=65000,nat(dst=10.0.0.5:80)"
    ",table=244)",
    "table=242,priority=0,cookie=0x504c580000000010,actions=drop",
    "table=243,priority=300,cookie=0x504c580000000012,ip,nw_dst=192.0.2.1"
    ",actions=set_field:02:00:00:00:00:02->eth_src,"
    "set_field:52:54:00:00:01:11->eth_dst"
    ",dec_ttl,output:2",
    "table=243,priority=200,cookie=0x504c580000000004,ip"
    ",nw_dst=192.0.2.0/24,actions=CONTROLLER:65535",
    "table=243,priority=100,cookie=0x504c580000000012,ip"
    ",actions=set_field:02:00:00:00:00:02->eth_src,"
    "set_field:52:54:00:00:01:11->eth_dst"
    ",dec_ttl,output:2",
    "table=243,priority=0,cookie=0x504c580000000010,actions=drop",
    "table=244,priority=300,cookie=0x504c580000000013,ip,nw_dst=10.0.0.5"
    ",actions=set_field:02:00:00:00:00:fe->eth_src,"
    "set_field:52:54:00:00:00:05->eth_dst"
    ",dec_ttl,output:1",
    "table=244,priority=200,cookie=0x504c580000000005,ip"
    ",nw_dst=10.0.0.0/24,actions=CONTROLLER:65535",
    "table=244,priority=0,cookie=0x504c580000000010,actions=drop",
};

static const char *const routed_flows[] = {
    "table=0,priority=1100,cookie=0x504c580000000003,in_port=2,arp"
    ",arp_tpa=192.0.2.10,actions=CONTROLLER:65535",
    "table=0,priority=1090,cookie=0x504c580000000003,in_port=2,arp"
    ",arp_op=1,arp_tpa=10.0.0.0/24,actions=CONTROLLER:65535",
    "table=0,priority=1100,cookie=0x504c580000000010,in_port=2,ip"
    ",nw_dst=10.0.0.0/24,actions=goto_table:244",
    "table=0,priority=1050,cookie=0x504c580000000010,in_port=2"
    ",actions=drop",
    "table=0,priority=1010,cookie=0x504c580000000010,in_port=LOCAL"
    ",actions=NORMAL",
    "table=0,priority=1000,cookie=0x504c580000000001,arp,arp_op=1"
    ",arp_tpa=10.0.0.1,actions=CONTROLLER:65535",
    "table=0,priority=1000,cookie=0x504c580000000002,arp,arp_op=2"
    ",arp_tpa=10.0.0.1,actions=CONTROLLER:65535,LOCAL",
    "table=0,priority=1000,cookie=0x504c580000000001,udp,tp_src=68"
    ",tp_dst=67,actions=CONTROLLER:65535",
    "table=0,priority=900,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,nw_dst=10.0.0.1,actions=LOCAL",
    "table=0,priority=800,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,nw_dst=10.0.0.0/24,actions=goto_table:244",
    "table=0,priority=700,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,nw_src=10.0.0.0/24,actions=goto_table:243",
    "table=0,priority=600,cookie=0x504c580000000010,ip"
    ",dl_dst=02:00:00:00:00:fe,actions=drop",
    "table=0,priority=10,cookie=0x504c580000000010,actions=NORMAL",
    "table=243,priority=300,cookie=0x504c580000000012,ip,nw_dst=192.0.2.1"
    ",actions=set_field:02:00:00:00:00:02->eth_src,"
    "set_field:52:54:00:00:01:11->eth_dst"
    ",dec_ttl,output:2",
    "table=243,priority=200,cookie=0x504c580000000004,ip"
    ",nw_dst=192.0.2.0/24,actions=CONTROLLER:65535",
    "table=243,priority=0,cookie=0x504c580000000010,actions=drop",
    "table=244,priority=300,cookie=0x504c580000000013,ip,nw_dst=10.0.0.5"
    ",actions=set_field:02:00:00:00:00:fe->eth_src,"
    "set_field:52:54:00:00:00:05->eth_dst"
    ",dec_ttl,output:1",
    "table=244,priority=200,cookie=0x504c580000000005,ip"
    ",nw_dst=10.0.0.0/24,actions=CONTROLLER:65535",
    "table=244,priority=0,cookie=0x504c580000000010,actions=drop",
};

TEST(nat_flows)
{
    struct netmode_config cfg;
    struct netmode_ports ports = sample_ports();
    struct netmode_neighbor vm[] = {
        neighbor(0x0a000005, 5, 1),
    };
    struct netmode_neighbor up[] = {
        neighbor(0xc0000201, 0x11, 0),
    };
    struct netmode_flows f;

    parse_ok(&cfg, nat_keys);
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, vm, ARRAY_SIZE(vm), up, ARRAY_SIZE(up),
                    &f);
    check_flows(&f, nat_flows, ARRAY_SIZE(nat_flows));
    check_parse(&f);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);
}

TEST(routed_flows)
{
    static const char *const keys[] = {
        "network-mode=routed", "network-uplink=up",
        "network-subnet=10.0.0.0/24",
        "network-uplink-address=192.0.2.10/24", NULL,
    };
    struct netmode_config cfg;
    struct netmode_ports ports = sample_ports();
    struct netmode_neighbor vm[] = { neighbor(0x0a000005, 5, 1) };
    struct netmode_neighbor up[] = { neighbor(0xc0000201, 0x11, 0) };
    struct netmode_flows f;

    parse_ok(&cfg, keys);
    CHECK(cfg.proxy_arp);
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, vm, 1, up, 1, &f);
    check_flows(&f, routed_flows, ARRAY_SIZE(routed_flows));
    check_parse(&f);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);
}

TEST(routed_without_proxy_arp_or_uplink_address)
{
    static const char *const keys[] = {
        "network-mode=routed", "network-uplink=up",
        "network-subnet=10.0.0.0/24", "network-proxy-arp=false", NULL,
    };
    struct netmode_config cfg;
    struct netmode_ports ports = sample_ports();
    struct netmode_flows f;

    parse_ok(&cfg, keys);
    CHECK(!cfg.proxy_arp);
    CHECK_EQ(netmode_config_switch_addr(&cfg), htonl(0x0a000001));
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, NULL, 0, NULL, 0, &f);
    bool all_on_link = false;
    for (size_t i = 0; i < f.n; i++) {
        CHECK(!strstr(f.flows[i], "priority=1090"));
        all_on_link |= !strcmp(f.flows[i],
                               "table=243,priority=100,"
                               "cookie=0x504c580000000004,ip,"
                               "actions=CONTROLLER:65535");
    }
    CHECK(all_on_link);
    CHECK_STREQ(f.flows[0], "table=0,priority=1100,"
                "cookie=0x504c580000000003,in_port=2,arp,"
                "arp_tpa=10.0.0.1,actions=CONTROLLER:65535");
    check_parse(&f);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);
}

TEST(bridged_and_none)
{
    static const char *const bridged[] = {
        "network-mode=bridged", "network-uplink=eth0",
        "network-subnet=this is ignored", NULL,
    };
    static const char *const none[] = { "network-subnet=x", NULL };
    struct netmode_config cfg;
    struct netmode_ports ports = sample_ports();
    struct netmode_flows f;

    parse_ok(&cfg, bridged);
    CHECK_EQ(cfg.mode, NETMODE_BRIDGED);
    CHECK(!netmode_config_isolates_uplink(&cfg));
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, NULL, 0, NULL, 0, &f);
    CHECK_EQ(f.n, 1);
    CHECK_STREQ(f.flows[0], "table=0,priority=10,cookie=0x504c580000000010,"
                "actions=NORMAL");
    check_parse(&f);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);

    parse_ok(&cfg, none);
    CHECK_EQ(cfg.mode, NETMODE_NONE);
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, NULL, 0, NULL, 0, &f);
    CHECK_EQ(f.n, 0);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);
}

TEST(no_uplink_port)
{
    struct netmode_config cfg;
    struct netmode_ports ports = sample_ports();
    struct netmode_flows f;

    ports.has_uplink = false;
    parse_ok(&cfg, nat_keys);
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, NULL, 0, NULL, 0, &f);
    CHECK_GT(f.n, 5);
    for (size_t i = 0; i < f.n; i++) {
        CHECK_MSG(!strstr(f.flows[i], "in_port=2")
                  && !strstr(f.flows[i], "table=240")
                  && !strstr(f.flows[i], "table=243"), "%s", f.flows[i]);
    }
    check_parse(&f);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);
}

TEST(neighbor_filtering)
{
    struct netmode_config cfg;
    struct netmode_ports ports = sample_ports();
    struct netmode_neighbor vm[] = {
        neighbor(0x0a000009, 9, 3),
        neighbor(0x0a000007, 7, 1),
        neighbor(0x0a000009, 0x19, 1),  /* Duplicate: the first wins. */
        neighbor(0x0a000008, 8, 7),     /* Not a VM port. */
        neighbor(0x0b000008, 8, 1),     /* Outside the subnet. */
        neighbor(0x0a000001, 1, 1),     /* The gateway. */
        neighbor(0x0a0000ff, 1, 1),     /* Broadcast. */
    };
    struct netmode_neighbor up[] = {
        neighbor(0xc6336401, 1, 0),     /* Not in the uplink subnet. */
        neighbor(0xc000020a, 2, 0),     /* The switch's own address. */
        neighbor(0xc0000263, 3, 0),
    };
    struct netmode_flows f;
    struct ds s = DS_EMPTY_INITIALIZER;

    parse_ok(&cfg, nat_keys);
    netmode_flows_init(&f);
    netmode_compile(&cfg, &ports, vm, ARRAY_SIZE(vm), up, ARRAY_SIZE(up),
                    &f);
    for (size_t i = 0; i < f.n; i++) {
        if (strstr(f.flows[i], "priority=300")) {
            ds_put_format(&s, "%s\n", strstr(f.flows[i], "ip,"));
        }
    }
    CHECK_STREQ(ds_cstr(&s),
                "ip,nw_dst=192.0.2.99,actions="
                "set_field:02:00:00:00:00:02->eth_src,"
                "set_field:52:54:00:00:00:03->eth_dst,dec_ttl,output:2\n"
                "ip,nw_dst=10.0.0.7,actions="
                "set_field:02:00:00:00:00:fe->eth_src,"
                "set_field:52:54:00:00:00:07->eth_dst,dec_ttl,output:1\n"
                "ip,nw_dst=10.0.0.9,actions="
                "set_field:02:00:00:00:00:fe->eth_src,"
                "set_field:52:54:00:00:00:09->eth_dst,dec_ttl,output:3\n");
    /* The router is not known: its flow asks the switch. */
    bool resolve = false;
    for (size_t i = 0; i < f.n; i++) {
        resolve |= !strcmp(f.flows[i], "table=243,priority=100,"
                           "cookie=0x504c580000000004,ip,"
                           "actions=CONTROLLER:65535");
    }
    CHECK(resolve);
    ds_destroy(&s);
    netmode_flows_destroy(&f);
    netmode_config_destroy(&cfg);
}

/* ---- Configuration. ---- */

TEST(defaults)
{
    static const char *const keys[] = {
        "network-mode=nat", "network-uplink=up",
        "network-subnet=10.1.0.0/16", "network-uplink-address=192.0.2.10/24",
        NULL,
    };
    struct netmode_config cfg;

    parse_ok(&cfg, keys);
    CHECK_EQ(cfg.mode, NETMODE_NAT);
    CHECK_STREQ(cfg.uplink, "up");
    CHECK_EQ(cfg.network, htonl(0x0a010000));
    CHECK_EQ(cfg.plen, 16);
    CHECK_EQ(cfg.gateway, htonl(0x0a010001));
    CHECK_EQ(cfg.dhcp_first, htonl(0x0a010002));
    CHECK_EQ(cfg.dhcp_last, htonl(0x0a01fffe));
    CHECK_EQ(cfg.lease_time, 3600);
    CHECK_EQ(cfg.ct_zone, 65000);
    CHECK_EQ(cfg.n_forwards, 0);
    CHECK(!cfg.has_prefix6);
    CHECK(netmode_config_isolates_uplink(&cfg));

    /* The next hop: on-link in the uplink subnet, else no router. */
    CHECK_EQ(netmode_config_next_hop(&cfg, htonl(0xc0000205)),
             htonl(0xc0000205));
    CHECK_EQ(netmode_config_next_hop(&cfg, htonl(0x08080808)), 0);

    /* The responder accepts what we derive. */
    struct responder_config rc;
    struct eth_addr gw_mac = { { { 2, 0, 0, 0, 0, 1 } } };
    netmode_config_to_responder(&cfg, gw_mac, &rc);
    char *error = responder_config_check(&rc);
    CHECK_MSG(!error, "%s", error);

    struct ds s = DS_EMPTY_INITIALIZER;
    netmode_config_format(&cfg, &s);
    CHECK(strstr(ds_cstr(&s), "  dhcp-range: 10.1.0.2-10.1.255.254\n"));
    CHECK(strstr(ds_cstr(&s), "  ct-zone: 65000\n"));
    ds_destroy(&s);
    netmode_config_destroy(&cfg);
}

TEST(full_settings)
{
    static const char *const keys[] = {
        "network-mode=nat", "network-uplink=up",
        "network-subnet=10.0.0.0/24", "network-gateway=10.0.0.254",
        "network-uplink-address=192.0.2.10/24",
        "network-uplink-router=192.0.2.1",
        "network-dhcp-range=10.0.0.100-10.0.0.199",
        "network-dns=1.1.1.1,8.8.8.8,2001:db8::53",
        "network-lease-time=600", "network-ct-zone=7",
        "network-port-forwards=tcp:8080=10.0.0.5:80,udp:5353=10.0.0.6:53",
        "network-ipv6-prefix=fd00:1::/64", "other-key=ignored", NULL,
    };
    struct netmode_config cfg;

    parse_ok(&cfg, keys);
    CHECK_EQ(cfg.gateway, htonl(0x0a0000fe));
    CHECK_EQ(cfg.dhcp_first, htonl(0x0a000064));
    CHECK_EQ(cfg.dhcp_last, htonl(0x0a0000c7));
    CHECK_EQ(cfg.n_dns, 2);
    CHECK_EQ(cfg.dns[1], htonl(0x08080808));
    CHECK_EQ(cfg.n_rdnss, 1);
    CHECK_EQ(cfg.lease_time, 600);
    CHECK_EQ(cfg.ct_zone, 7);
    CHECK_EQ(cfg.n_forwards, 2);
    CHECK_EQ(cfg.forwards[1].proto, IPPROTO_UDP);
    CHECK_EQ(cfg.forwards[1].port, 5353);
    CHECK_EQ(cfg.forwards[1].ip, htonl(0x0a000006));
    CHECK_EQ(cfg.forwards[1].vm_port, 53);
    CHECK(cfg.has_prefix6);
    CHECK_EQ(netmode_config_next_hop(&cfg, htonl(0x08080808)),
             htonl(0xc0000201));
    netmode_config_destroy(&cfg);

    /* A gateway at the top of the subnet: the default range is below. */
    static const char *const top[] = {
        "network-mode=routed", "network-uplink=up",
        "network-subnet=10.0.0.0/24", "network-gateway=10.0.0.254", NULL,
    };
    parse_ok(&cfg, top);
    CHECK_EQ(cfg.dhcp_first, htonl(0x0a000001));
    CHECK_EQ(cfg.dhcp_last, htonl(0x0a0000fd));
    netmode_config_destroy(&cfg);
}

struct bad_case {
    const char *keys[6];
    const char *error;          /* A substring of the message. */
};

TEST(config_errors)
{
#define BASE "network-mode=nat", "network-uplink=up", \
             "network-subnet=10.0.0.0/24", \
             "network-uplink-address=192.0.2.10/24"
    static const struct bad_case cases[] = {
        { { "network-mode=switched" }, "network-mode: unknown mode" },
        { { "network-mode=nat" }, "network-uplink: required" },
        { { "network-mode=routed", "network-uplink=" }, "empty port name" },
        { { "network-mode=nat", "network-uplink=up" },
          "network-subnet: required" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.0" }, "needs a prefix length" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.300/24" }, "is not ADDRESS/LENGTH" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.1/24" }, "host bits set" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.0/31" }, "1 to 30" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.0/24" }, "network-uplink-address: "
          "required in nat mode" },
        { { BASE, "network-gateway=10.0.1.1" }, "not a host address" },
        { { BASE, "network-gateway=10.0.0.255" }, "not a host address" },
        { { BASE, "network-gateway=gw" }, "not an IPv4 address" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.0/24",
            "network-uplink-address=10.0.0.9/24" }, "overlaps" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.0/24",
            "network-uplink-address=10.0.0.0/8" }, "network or broadcast" },
        { { "network-mode=nat", "network-uplink=up",
            "network-subnet=10.0.0.0/24",
            "network-uplink-address=10.1.0.9/8" }, "overlaps" },
        { { BASE, "network-uplink-router=198.51.100.1" },
          "not in the uplink's subnet" },
        { { BASE, "network-uplink-router=192.0.2.10" }, "cannot be" },
        { { BASE, "network-dhcp-range=10.0.0.5" }, "FIRST-LAST" },
        { { BASE, "network-dhcp-range=10.0.0.5-10.0.1.5" },
          "not inside the subnet" },
        { { BASE, "network-dhcp-range=10.0.0.9-10.0.0.5" },
          "first address is after" },
        { { BASE, "network-dhcp-range=10.0.0.1-10.0.0.1" },
          "only the gateway" },
        { { BASE, "network-dns=1.1.1.1,dns.example" },
          "not an IP address" },
        { { BASE, "network-dns=1.1.1.1,1.0.0.1,8.8.8.8,9.9.9.9" },
          "at most 3" },
        { { BASE, "network-dns=," }, "no server" },
        { { BASE, "network-lease-time=59" }, "network-lease-time" },
        { { BASE, "network-lease-time=1h" }, "network-lease-time" },
        { { BASE, "network-ipv6-prefix=fd00::/48" }, "not a /64" },
        { { BASE, "network-ipv6-prefix=fd00::1/64" },
          "network-ipv6-prefix" },
        { { BASE, "network-port-forwards=tcp:80" }, "PROTO:PORT" },
        { { BASE, "network-port-forwards=sctp:80=10.0.0.5:80" },
          "not tcp or udp" },
        { { BASE, "network-port-forwards=tcp:0=10.0.0.5:80" },
          "1 to 65535" },
        { { BASE, "network-port-forwards=tcp:80=10.0.0.5:65536" },
          "1 to 65535" },
        { { BASE, "network-port-forwards=tcp:80=10.0.0.5" },
          "lacks the VM's port" },
        { { BASE, "network-port-forwards=tcp:80=10.9.0.5:80" },
          "not a VM address" },
        { { BASE, "network-port-forwards=tcp:80=10.0.0.1:80" },
          "not a VM address" },
        { { BASE, "network-port-forwards=tcp:80=10.0.0.5:80,"
            "tcp:80=10.0.0.6:80" }, "forwarded twice" },
        { { BASE, "network-ct-zone=65536" }, "network-ct-zone" },
        { { BASE, "network-ct-zone=-1" }, "network-ct-zone" },
        { { BASE, "network-gatway=10.0.0.1" }, "network-gatway: unknown" },
        { { "network-mode=routed", "network-uplink=up",
            "network-subnet=10.0.0.0/24", "network-proxy-arp=yes" },
          "true or false" },
    };
#undef BASE

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct netmode_config cfg;
        const char *kv[ARRAY_SIZE(cases[i].keys) + 1];
        size_t n = 0;
        for (size_t j = 0; j < ARRAY_SIZE(cases[i].keys); j++) {
            if (cases[i].keys[j]) {
                kv[n++] = cases[i].keys[j];
            }
        }
        kv[n] = NULL;
        char *error = parse_keys(&cfg, kv);
        CHECK_MSG(error, "case %zu (%s): no error", i, cases[i].error);
        CHECK_MSG(strstr(error, cases[i].error),
                  "case %zu: \"%s\" lacks \"%s\"", i, error, cases[i].error);
        CHECK_EQ(cfg.mode, NETMODE_NONE);
        CHECK(!cfg.uplink);
        free(error);
        netmode_config_destroy(&cfg);
    }
}
