/* Tests for lib/responder's DHCPv4 server: configuration checks, every
 * field of the replies, the full DORA exchange, the lease table over
 * time, VLAN tags, and malformed requests.  The request builders and
 * reply decoders are in responder-fixture.c; test-responder-nd.c tests
 * ARP, ICMP echo and IPv6 RS/RA and NS/NA. */
#include <config.h>
#include "responder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "packets.h"
#include "test.h"
#include "util.h"
#include "responder-fixture.h"

/* ------------------------------------------------------------------ */
/* Configuration. */

TEST(config_check)
{
    struct responder_config cfg;
    static const struct responder_reservation dup[2] = {
        { { { { 0x52, 0, 0, 0, 0, 1 } } }, 0x0a00000a },
        { { { { 0x52, 0, 0, 0, 0, 2 } } }, 0x0a00000a },
    };
    char *err;

    base_config(&cfg);
    CHECK(responder_config_check(&cfg) == NULL);

#define EXPECT_BAD(STMT)                                    \
    base_config(&cfg);                                      \
    STMT;                                                   \
    err = responder_config_check(&cfg);                     \
    CHECK_MSG(err != NULL, "accepted: %s", #STMT);          \
    free(err);                                              \
    CHECK(responder_create(&cfg) == NULL)

    EXPECT_BAD(cfg.plen = 31);
    EXPECT_BAD(cfg.plen = 0);
    EXPECT_BAD(cfg.network = ip("10.0.0.1"));
    EXPECT_BAD(cfg.gw_ip = ip("10.0.1.1"));
    EXPECT_BAD(cfg.gw_ip = ip("10.0.0.255"));
    EXPECT_BAD(cfg.gw_mac = eth_addr_broadcast);
    EXPECT_BAD(cfg.pool_last = ip("10.0.1.5"));
    EXPECT_BAD(cfg.pool_first = ip("10.0.0.200"));
    EXPECT_BAD(cfg.pool_first = 0);
    EXPECT_BAD(cfg.n_dns = 4);
    EXPECT_BAD(cfg.lease_time = 10);
    EXPECT_BAD(cfg.prefix6 = ip6("2001:db8::1"));
    EXPECT_BAD((cfg.reservations = dup, cfg.n_reservations = 2));
    EXPECT_BAD((cfg.reservations = dup, cfg.n_reservations = 1,
                cfg.gw_ip = ip("10.0.0.10")));
#undef EXPECT_BAD

    struct responder *r = make_responder();
    base_config(&cfg);
    cfg.plen = 33;
    CHECK_EQ(responder_reconfigure(r, &cfg), EINVAL);
    responder_destroy(r);
    responder_destroy(NULL);
}

TEST(link_local)
{
    struct eth_addr mac = { { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } } };
    struct in6_addr a = responder_link_local(mac), b;
    b = ip6("fe80::5054:ff:fe12:3456");
    CHECK(ipv6_addr_equals(&a, &b));
}

/* ------------------------------------------------------------------ */
/* DHCP. */

TEST(discover_offer_fields)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 0xdeadbeef,
                           .client_id = true, .hostname = "vm1" };
    dhcp_exchange(r, &s, 1000 * SEC, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 2);
    CHECK(eth_addr_equals(d.f.dst, mac1));      /* Unicast to chaddr. */
    CHECK_EQ(d.f.n_tags, 0);
    CHECK_EQ(d.ip_dst, ip("10.0.0.100"));
    CHECK_EQ(get16(d.m + 10), 0);               /* Flags. */
    CHECK_EQ(get32(d.m + 12), 0);               /* Ciaddr. */
    CHECK_EQ(yiaddr(&d), ip("10.0.0.100"));
    check_config_options(&d, true);
    CHECK(d.opt[61] != NULL);                   /* Echoed (RFC 6842). */
    CHECK_EQ(d.opt_len[61], 7);
    CHECK_EQ(d.opt[61][0], 1);
    CHECK_MEMEQ(d.opt[61] + 1, mac1.ea, 6);
    CHECK(d.opt[56] == NULL && d.opt[12] == NULL);

    size_t n;
    struct responder_lease_info *l = responder_leases(r, 1000 * SEC, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(l[0].ip, ip("10.0.0.100"));
    CHECK(eth_addr_equals(l[0].mac, mac1));
    CHECK_EQ(l[0].state, RESPONDER_LEASE_OFFERED);
    CHECK_EQ(l[0].expires, 1060 * SEC);
    CHECK_STREQ(l[0].hostname, "vm1");
    free(l);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(dora)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 42,
                           .client_id = true, .hostname = "web-1" };
    dhcp_exchange(r, &s, 5 * SEC, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 2);
    plx_be32 a = yiaddr(&d);

    struct dhcp_spec q = { .type = 3, .mac = mac1, .xid = 43,
                           .client_id = true, .hostname = "web-1",
                           .req_ip = a, .server_id = ip("10.0.0.1") };
    dhcp_exchange(r, &q, 6 * SEC, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 5);
    CHECK(eth_addr_equals(d.f.dst, mac1));
    CHECK_EQ(d.ip_dst, a);
    CHECK_EQ(yiaddr(&d), a);
    CHECK_EQ(get32(d.m + 12), 0);
    check_config_options(&d, true);

    struct ds s_ = DS_EMPTY_INITIALIZER;
    responder_format_leases(r, 6 * SEC, &s_);
    CHECK_STREQ(ds_cstr(&s_), "10.0.0.100 52:54:00:12:34:56 bound "
                "expires=3600s hostname=web-1\n");
    ds_destroy(&s_);

    /* A renewal, unicast to the gateway, 30 minutes on. */
    struct dhcp_spec renew = { .type = 3, .mac = mac1, .xid = 44,
                               .client_id = true, .ciaddr = a,
                               .ip_src = a, .ip_dst = ip("10.0.0.1"),
                               .to_gw_mac = true };
    dhcp_exchange(r, &renew, 1806 * SEC, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 5);
    CHECK(eth_addr_equals(d.f.dst, mac1));
    CHECK_EQ(d.ip_dst, a);
    CHECK_EQ(get32(d.m + 12), ntohl(a));        /* Ciaddr echoed. */
    CHECK_EQ(yiaddr(&d), a);
    size_t n;
    struct responder_lease_info *l = responder_leases(r, 1806 * SEC, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(l[0].state, RESPONDER_LEASE_BOUND);
    CHECK_EQ(l[0].expires, (1806 + 3600) * SEC);
    free(l);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(two_clients_and_returning_client)
{
    struct responder *r = make_responder();
    plx_be32 a = dora(r, mac1, 0);
    plx_be32 b = dora(r, mac2, 0);
    CHECK_NE(a, b);
    CHECK_EQ(a, ip("10.0.0.100"));
    CHECK_EQ(b, ip("10.0.0.101"));

    /* Both leases expire; a third client comes; mac1 comes back. */
    long long int later = 4000 * SEC;
    plx_be32 c = dora(r, mac3, later);
    CHECK_NE(c, a);
    CHECK_NE(c, b);
    CHECK_EQ(dora(r, mac1, later), a);
    CHECK_EQ(dora(r, mac2, later + 1), b);

    /* While bound, a DISCOVER from the same client offers the same. */
    CHECK_EQ(dora(r, mac1, later + 2), a);
    responder_destroy(r);
}

TEST(exhaustion_and_offer_hold)
{
    struct responder_config cfg;
    base_config(&cfg);
    cfg.pool_first = ip("10.0.0.100");
    cfg.pool_last = ip("10.0.0.101");
    struct responder *r = responder_create(&cfg);
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    /* Two offers, never taken up, hold the whole pool for 60 s. */
    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1 };
    dhcp_exchange(r, &s, 0, &d, &rp);
    plx_be32 a = yiaddr(&d);
    s.mac = mac2;
    /* mac2 asks for mac1's offered address and gets the other one. */
    s.req_ip = a;
    dhcp_exchange(r, &s, 0, &d, &rp);
    plx_be32 b = yiaddr(&d);
    CHECK_NE(a, b);
    CHECK_EQ(discover_error(r, mac3, 59 * SEC), ENOSPC);

    /* mac2 cannot REQUEST mac1's offered address either. */
    struct dhcp_spec q = { .type = 3, .mac = mac2, .xid = 2, .req_ip = a,
                           .server_id = ip("10.0.0.1") };
    dhcp_exchange(r, &q, 59 * SEC, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 6);

    /* After the hold, the longest-expired offer is reclaimed. */
    s.mac = mac3;
    s.req_ip = 0;
    dhcp_exchange(r, &s, 61 * SEC, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 2);
    CHECK(yiaddr(&d) == a || yiaddr(&d) == b);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(requested_address)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1,
                           .req_ip = ip("10.0.0.150") };
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(yiaddr(&d), ip("10.0.0.150"));

    /* Outside the pool, or the gateway: ignored. */
    s.mac = mac2;
    s.req_ip = ip("10.0.0.20");
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(yiaddr(&d), ip("10.0.0.100"));
    s.mac = mac3;
    s.req_ip = ip("10.0.0.1");
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(yiaddr(&d), ip("10.0.0.101"));

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(nak)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    /* INIT-REBOOT with an address of another network. */
    struct dhcp_spec q = { .type = 3, .mac = mac1, .xid = 9,
                           .client_id = true,
                           .req_ip = ip("192.168.1.50") };
    dhcp_exchange(r, &q, 0, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 6);
    CHECK(eth_addr_is_broadcast(d.f.dst));
    CHECK_EQ(d.ip_dst, htonl(0xffffffff));
    CHECK_EQ(yiaddr(&d), 0);
    CHECK_EQ(get32(d.m + 12), 0);
    CHECK_EQ(opt_ip(&d, 54), ip("10.0.0.1"));
    CHECK(d.opt[56] != NULL);
    CHECK(!d.opt[51] && !d.opt[1] && !d.opt[3] && !d.opt[6]);
    CHECK(d.opt[61] != NULL);

    /* An address bound to another client. */
    plx_be32 a = dora(r, mac2, 0);
    q.req_ip = a;
    dhcp_exchange(r, &q, 0, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 6);

    /* A renewal of an address outside the pool. */
    struct dhcp_spec renew = { .type = 3, .mac = mac1, .xid = 10,
                               .ciaddr = ip("10.0.0.30"),
                               .ip_src = ip("10.0.0.30"),
                               .ip_dst = ip("10.0.0.1"), .to_gw_mac = true };
    dhcp_exchange(r, &renew, 0, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 6);
    CHECK(eth_addr_is_broadcast(d.f.dst));

    /* INIT-REBOOT for a free pool address without a record: ACK (the
     * responder is authoritative). */
    q.req_ip = ip("10.0.0.170");
    dhcp_exchange(r, &q, 0, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 5);
    CHECK_EQ(yiaddr(&d), ip("10.0.0.170"));

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(release_frees_and_expiry)
{
    struct responder_config cfg;
    base_config(&cfg);
    cfg.pool_first = cfg.pool_last = ip("10.0.0.100");
    struct responder *r = responder_create(&cfg);
    struct dp_packet rp;
    struct pkt p;
    dp_packet_init(&rp, 0);

    plx_be32 a = dora(r, mac1, 0);
    CHECK_EQ(discover_error(r, mac2, 10 * SEC), ENOSPC);

    /* A RELEASE for the wrong address does nothing. */
    struct dhcp_spec rel = { .type = 7, .mac = mac1, .xid = 5,
                             .ciaddr = ip("10.0.0.99"),
                             .ip_src = a, .ip_dst = ip("10.0.0.1"),
                             .to_gw_mac = true,
                             .server_id = ip("10.0.0.1") };
    build_dhcp(&p, &rel);
    CHECK_EQ(run(r, &p, 20 * SEC, &rp), ENODATA);
    CHECK_EQ(discover_error(r, mac2, 20 * SEC), ENOSPC);

    rel.ciaddr = a;
    build_dhcp(&p, &rel);
    CHECK_EQ(run(r, &p, 20 * SEC, &rp), ENODATA);
    size_t n;
    struct responder_lease_info *l = responder_leases(r, 20 * SEC, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(l[0].state, RESPONDER_LEASE_EXPIRED);
    free(l);
    CHECK_EQ(dora(r, mac2, 20 * SEC), a);

    /* mac2's lease ends at 3620 s: not before. */
    CHECK_EQ(discover_error(r, mac1, 3619 * SEC), ENOSPC);
    CHECK_EQ(dora(r, mac1, 3620 * SEC), a);
    l = responder_leases(r, 3620 * SEC, &n);
    CHECK_EQ(n, 1);
    CHECK(eth_addr_equals(l[0].mac, mac1));
    free(l);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(decline)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    struct pkt p;
    dp_packet_init(&rp, 0);

    plx_be32 a = dora(r, mac1, 0);
    struct dhcp_spec dec = { .type = 4, .mac = mac1, .xid = 6, .req_ip = a,
                             .server_id = ip("10.0.0.1") };
    build_dhcp(&p, &dec);
    CHECK_EQ(run(r, &p, SEC, &rp), ENODATA);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 7, .req_ip = a };
    dhcp_exchange(r, &s, 2 * SEC, &d, &rp);
    CHECK_NE(yiaddr(&d), a);

    size_t n;
    struct responder_lease_info *l = responder_leases(r, 2 * SEC, &n);
    CHECK_EQ(n, 2);
    CHECK_EQ(l[0].ip, a);
    CHECK_EQ(l[0].state, RESPONDER_LEASE_DECLINED);
    free(l);

    /* A DECLINE without option 50 is malformed. */
    dec.req_ip = 0;
    build_dhcp(&p, &dec);
    CHECK_EQ(run(r, &p, 3 * SEC, &rp), EINVAL);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(inform)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 8, .mac = mac1, .xid = 77,
                           .ciaddr = ip("10.0.0.30"),
                           .ip_src = ip("10.0.0.30") };
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 5);
    CHECK(eth_addr_equals(d.f.dst, mac1));
    CHECK_EQ(d.ip_dst, ip("10.0.0.30"));
    CHECK_EQ(yiaddr(&d), 0);
    CHECK_EQ(get32(d.m + 12), ntohl(ip("10.0.0.30")));
    check_config_options(&d, false);

    size_t n;
    free(responder_leases(r, 0, &n));
    CHECK_EQ(n, 0);
    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(request_for_other_server)
{
    struct responder_config cfg;
    base_config(&cfg);
    cfg.pool_first = cfg.pool_last = ip("10.0.0.100");
    struct responder *r = responder_create(&cfg);
    struct dp_packet rp;
    struct dhcp_reply d;
    struct pkt p;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1 };
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(discover_error(r, mac2, SEC), ENOSPC);

    struct dhcp_spec q = { .type = 3, .mac = mac1, .xid = 2,
                           .req_ip = ip("10.0.0.100"),
                           .server_id = ip("10.0.0.254") };
    build_dhcp(&p, &q);
    CHECK_EQ(run(r, &p, 2 * SEC, &rp), ENODATA);
    /* The offer was withdrawn. */
    s.mac = mac2;
    dhcp_exchange(r, &s, 3 * SEC, &d, &rp);
    CHECK_EQ(yiaddr(&d), ip("10.0.0.100"));

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(broadcast_flag)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1,
                           .flags = 0x8000 };
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK(eth_addr_is_broadcast(d.f.dst));
    CHECK_EQ(d.ip_dst, htonl(0xffffffff));
    CHECK_EQ(get16(d.m + 10), 0x8000);
    CHECK_EQ(yiaddr(&d), ip("10.0.0.100"));

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(vlan_tags)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1, .n_tags = 1,
                           .tci = 0x2064 };
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(d.f.n_tags, 1);
    CHECK_EQ(d.f.tpid[0], 0x8100);
    CHECK_EQ(d.f.tci[0], 0x2064);
    CHECK_EQ(dhcp_type(&d), 2);

    s.mac = mac2;
    s.n_tags = 2;
    s.tci = 0x0005;
    dhcp_exchange(r, &s, 0, &d, &rp);
    CHECK_EQ(d.f.n_tags, 2);
    CHECK_EQ(d.f.tpid[0], 0x88a8);
    CHECK_EQ(d.f.tci[0], 5);
    CHECK_EQ(d.f.tpid[1], 0x8100);
    CHECK_EQ(d.f.tci[1], 6);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(reservations_and_reconfigure)
{
    struct responder_config cfg;
    struct responder_reservation resv[1] = { { mac2, 0 } };
    resv[0].ip = ip("10.0.0.50");
    base_config(&cfg);
    cfg.reservations = resv;
    cfg.n_reservations = 1;
    struct responder *r = responder_create(&cfg);
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    CHECK_EQ(dora(r, mac2, 0), ip("10.0.0.50"));
    /* Nobody else gets it, even by asking. */
    struct dhcp_spec q = { .type = 3, .mac = mac1, .xid = 1,
                           .req_ip = ip("10.0.0.50") };
    dhcp_exchange(r, &q, 0, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 6);
    CHECK_EQ(dora(r, mac1, 0), ip("10.0.0.100"));
    CHECK_EQ(dora(r, mac3, 0), ip("10.0.0.101"));

    /* Shrinking the pool drops the leases outside it. */
    base_config(&cfg);
    cfg.pool_first = ip("10.0.0.101");
    cfg.pool_last = ip("10.0.0.110");
    CHECK_EQ(responder_reconfigure(r, &cfg), 0);
    size_t n;
    struct responder_lease_info *l = responder_leases(r, 0, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(l[0].ip, ip("10.0.0.101"));
    free(l);
    CHECK_EQ(dora(r, mac3, 1), ip("10.0.0.101"));
    CHECK_EQ(dora(r, mac1, 1), ip("10.0.0.102"));

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(not_for_us)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct pkt p;
    dp_packet_init(&rp, 0);

    /* DHCP to another unicast address. */
    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1,
                           .ip_dst = ip("10.0.0.7") };
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    /* A BOOTREPLY from a rogue server. */
    s.ip_dst = 0;
    build_dhcp(&p, &s);
    p.b[42] = 2;
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    /* UDP to another port. */
    build_dhcp(&p, &s);
    set16(&p, 36, 53);
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    /* Relayed. */
    build_dhcp(&p, &s);
    p.b[42 + 24] = 10;
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    /* DHCP off. */
    struct responder_config cfg;
    base_config(&cfg);
    cfg.pool_first = cfg.pool_last = 0;
    struct responder *r2 = responder_create(&cfg);
    build_dhcp(&p, &s);
    CHECK_EQ(run(r2, &p, 0, &rp), ENOENT);
    responder_destroy(r2);
    /* Another EtherType. */
    p.n = 0;
    put_eth(&p, eth_addr_broadcast, mac1, 0, 0, 0x88cc);
    for (int i = 0; i < 46; i++) {
        put8(&p, 0);
    }
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

/* Malformed DHCP requests: EINVAL, no crash, no read past the end. */
TEST(dhcp_malformed)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct pkt p;
    dp_packet_init(&rp, 0);
    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 1,
                           .client_id = true };

    /* Every truncation of a valid DISCOVER (as captured, with the IP
     * lengths still claiming the whole). */
    build_dhcp(&p, &s);
    for (size_t n = 0; n < p.n; n++) {
        int error = run_n(r, &p, n, 0, &rp);
        CHECK_MSG(error == EINVAL, "length %zu: %d", n, error);
    }

    /* Lengths consistent, UDP truncated. */
    p.n = 14;
    size_t ofs = put_ip4(&p, IPPROTO_UDP, 0, htonl(0xffffffff));
    put16(&p, 68);
    put16(&p, 67);
    end_ip4(&p, ofs);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* UDP length beyond IP's. */
    build_dhcp(&p, &s);
    set16(&p, 38, p.n - 34 + 1);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* Too short for BOOTP. */
    build_dhcp(&p, &s);
    p.n = 42 + 200;
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* Bad magic cookie. */
    build_dhcp(&p, &s);
    p.b[42 + 236] = 0x64;
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* Bad IP header checksum. */
    build_dhcp(&p, &s);
    p.b[24] ^= 1;
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* Not Ethernet hardware. */
    build_dhcp(&p, &s);
    p.b[43] = 6;
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);

    /* Option overrun: a length past the end, without END. */
    static const uint8_t overrun[] = { 60, 40, 'x' };
    s.raw_opts = overrun;
    s.n_raw_opts = sizeof overrun;
    s.no_end = true;
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* A code byte with no length byte. */
    static const uint8_t dangling[] = { 60 };
    s.raw_opts = dangling;
    s.n_raw_opts = 1;
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    /* Wrong lengths for fixed-size options. */
    static const uint8_t badlen[] = { 50, 3, 10, 0, 0 };
    s.raw_opts = badlen;
    s.n_raw_opts = sizeof badlen;
    s.no_end = false;
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);

    /* Zero-length options, many of them: walked, not looped on. */
    uint8_t zeros[600];
    for (size_t i = 0; i < sizeof zeros; i += 2) {
        zeros[i] = 80 + i % 7;
        zeros[i + 1] = 0;
    }
    s.raw_opts = zeros;
    s.n_raw_opts = sizeof zeros;
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    /* Option 53 of length zero. */
    static const uint8_t type0[] = { 53, 0 };
    s.raw_opts = type0;
    s.n_raw_opts = sizeof type0;
    s.type = 1;
    build_dhcp(&p, &s);
    p.b[42 + 240 + 1] = 0;              /* The real 53 too. */
    p.b[42 + 240 + 2] = 0;              /* (its value becomes a pad) */
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);

    /* Pseudo-random corruption of a REQUEST: never a crash. */
    struct dhcp_spec q = { .type = 3, .mac = mac2, .xid = 3,
                           .client_id = true, .hostname = "h",
                           .req_ip = ip("10.0.0.100"),
                           .server_id = ip("10.0.0.1") };
    for (int i = 0; i < 3000; i++) {
        build_dhcp(&p, &q);
        int n_flips = 1 + test_random() % 4;
        for (int j = 0; j < n_flips; j++) {
            size_t at = 42 + test_random() % (p.n - 42);
            p.b[at] = test_random();
        }
        if (test_random() % 2) {
            end_ip4(&p, 14);
        }
        size_t n = test_random() % 3 ? p.n : test_random() % p.n;
        run_n(r, &p, n, i * SEC, &rp);
    }

    dp_packet_uninit(&rp);
    responder_destroy(r);
}
