/* Fuzz target for responder_handle(): arbitrary bytes as an Ethernet
 * frame sent to the switch's built-in DHCP/ND/ARP/ping responder.
 *
 * The frame is handled twice by one responder (at 0 s and again at
 * 100 s, so that a lease created by the first pass meets the second,
 * after its offer expired), and once more by a responder whose pool is
 * a single address.  Besides memory safety (ASan/UBSan), checks that a
 * reply is a plausible frame from the gateway and that an error leaves
 * the reply empty. */
#include <config.h>
#include "responder.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "packets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct eth_addr gw_mac = { { { 0x02, 0, 0, 0, 0, 0x01 } } };

static void
config(struct responder_config *cfg, bool tiny)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->gw_mac = gw_mac;
    cfg->gw_ip = htonl(0x0a000001);             /* 10.0.0.1 */
    cfg->network = htonl(0x0a000000);
    cfg->plen = 24;
    cfg->pool_first = htonl(0x0a000064);
    cfg->pool_last = htonl(tiny ? 0x0a000064 : 0x0a0000c7);
    cfg->dns[0] = cfg->gw_ip;
    cfg->n_dns = 1;
    cfg->domain_name = "fuzz.example";
    cfg->mtu = 1500;
    cfg->prefix6.s6_addr[0] = 0x20;
    cfg->prefix6.s6_addr[1] = 0x01;
    cfg->prefix6.s6_addr[2] = 0x0d;
    cfg->prefix6.s6_addr[3] = 0xb8;
    cfg->rdnss[0] = cfg->prefix6;
    cfg->rdnss[0].s6_addr[15] = 0x53;
    cfg->n_rdnss = 1;
}

static void
check(int error, const struct dp_packet *reply)
{
    if (error) {
        if (dp_packet_size(reply)
            || (error != ENOENT && error != EINVAL && error != ENODATA
                && error != ENOSPC)) {
            abort();
        }
    } else {
        const uint8_t *d = dp_packet_data(reply);
        if (dp_packet_size(reply) < ETH_TOTAL_MIN
            || dp_packet_size(reply) > ETH_VLAN_TOTAL_MAX + VLAN_HEADER_LEN
            || memcmp(d + 6, gw_mac.ea, 6)) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy, so that ASan sees the frame's exact end. */
    struct dp_packet *req = dp_packet_clone_data(data, size);
    struct responder_config cfg;
    struct dp_packet reply;
    struct ds s = DS_EMPTY_INITIALIZER;

    dp_packet_init(&reply, 0);
    for (int tiny = 0; tiny < 2; tiny++) {
        config(&cfg, tiny);
        struct responder *r = responder_create(&cfg);
        if (!r) {
            abort();
        }
        check(responder_handle(r, req, 0, &reply), &reply);
        if (!tiny) {
            check(responder_handle(r, req, 100000, &reply), &reply);
        }
        responder_format_leases(r, 100000, &s);
        responder_destroy(r);
    }
    ds_destroy(&s);
    dp_packet_uninit(&reply);
    dp_packet_delete(req);
    return 0;
}
