/* Fuzz target for vswitchd/netmode: the network-* keys of a Bridge's
 * other_config, which come straight from users, parsed and, when they
 * parse, compiled into flows.
 *
 * Input: records separated by newlines.  A record's first byte picks
 * the key (one of the known network-* keys, or, for bytes past them,
 * the text up to the first '=' of the record is the key); the rest of
 * the record, after that '=' if there is one, is the value.  A parse
 * must either succeed or return a message; a successful one must yield
 * a consistent configuration (gateway and DHCP range inside the subnet),
 * compile without crashing, and every compiled flow must carry the
 * netmode cookie.  Nothing may leak.
 *
 * The fuzz build links only the library layers, so netmode.c (which
 * depends on lib/ alone) is compiled into this target directly. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vswitchd/netmode.c"
#include "dynamic-string.h"
#include "smap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_config(const struct netmode_config *cfg)
{
    if (!netmode_config_isolates_uplink(cfg)) {
        return;
    }
    if (!cfg->uplink || cfg->plen < 1 || cfg->plen > 30
        || !is_host_of(cfg->gateway, cfg->network, cfg->plen)
        || (cfg->dhcp_first
            && (!in_subnet(cfg->dhcp_first, cfg->network, cfg->plen)
                || !in_subnet(cfg->dhcp_last, cfg->network, cfg->plen)
                || ntohl(cfg->dhcp_first) > ntohl(cfg->dhcp_last)))
        || (cfg->mode == NETMODE_NAT && !cfg->has_uplink_addr)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smap oc = SMAP_INITIALIZER(&oc);
    const uint8_t *end = data + size;

    while (data < end) {
        const uint8_t *nl = memchr(data, '\n', end - data);
        const uint8_t *rec_end = nl ? nl : end;
        if (rec_end > data) {
            uint8_t pick = data[0];
            char *rec = xmemdup0((const char *) data + 1,
                                 rec_end - data - 1);
            char *eq = strchr(rec, '=');
            const char *value = eq ? eq + 1 : rec;
            if (pick < ARRAY_SIZE(known_keys) * 8) {
                smap_replace(&oc, known_keys[pick % ARRAY_SIZE(known_keys)],
                             value);
            } else if (eq) {
                *eq = '\0';
                smap_replace(&oc, rec, eq + 1);
            }
            free(rec);
        }
        data = rec_end + (nl != NULL);
    }

    struct netmode_config cfg;
    char *error = netmode_config_parse(&oc, &cfg);
    if (error) {
        if (!error[0] || cfg.mode != NETMODE_NONE || cfg.uplink) {
            abort();
        }
        free(error);
    } else {
        check_config(&cfg);

        static const netmode_port_t vms[] = { 1, 3, MF_OFPP_LOCAL };
        struct netmode_ports ports = {
            .has_uplink = true, .uplink = 2,
            .uplink_mac = { { { 2, 0, 0, 0, 0, 2 } } },
            .gw_mac = { { { 2, 0, 0, 0, 0, 1 } } },
            .vm_ports = vms, .n_vm_ports = ARRAY_SIZE(vms),
        };
        struct netmode_neighbor nbs[] = {
            { htonl(ntohl(cfg.gateway) + 1), { { { 2, 0, 0, 0, 0, 5 } } },
              1 },
            { cfg.uplink_router, { { { 2, 0, 0, 0, 0, 6 } } }, 0 },
            { htonl(ntohl(cfg.uplink_addr) + 1),
              { { { 2, 0, 0, 0, 0, 7 } } }, 0 },
        };
        struct netmode_flows f;
        struct ds s = DS_EMPTY_INITIALIZER;

        netmode_flows_init(&f);
        netmode_compile(&cfg, &ports, nbs, 1, nbs + 1, 2, &f);
        for (size_t i = 0; i < f.n; i++) {
            if (!strstr(f.flows[i], ",cookie=0x504c5800000000")) {
                abort();
            }
        }
        netmode_flows_destroy(&f);
        netmode_config_format(&cfg, &s);
        ds_destroy(&s);
        netmode_config_destroy(&cfg);
    }
    smap_destroy(&oc);
    return 0;
}
