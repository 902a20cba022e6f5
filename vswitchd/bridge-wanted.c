/* bridge-wanted: the database's wish list (see bridge-wanted.h). */
#include <config.h>
#include "vswitchd/bridge-wanted.h"

#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(bridge_wanted);

static uint32_t
wanted_port_hash(const char *br_name, const char *port_name)
{
    return hash_string(port_name, hash_string(br_name, 0));
}

struct wanted_bridge *
wanted_bridge_find(const struct wanted *w, const char *name)
{
    struct wanted_bridge *wb;
    HMAP_FOR_EACH_WITH_HASH (wb, node, hash_string(name, 0), &w->bridges) {
        if (!strcmp(wb->cfg->name, name)) {
            return wb;
        }
    }
    return NULL;
}

struct wanted_port *
wanted_port_find(const struct wanted *w, const char *br_name,
                 const char *name)
{
    struct wanted_port *wp;
    HMAP_FOR_EACH_WITH_HASH (wp, node, wanted_port_hash(br_name, name),
                             &w->ports) {
        if (!strcmp(wp->cfg->name, name)
            && !strcmp(wp->br_cfg->name, br_name)) {
            return wp;
        }
    }
    return NULL;
}

struct wanted_iface *
wanted_iface_find(const struct wanted *w, const char *name)
{
    struct wanted_iface *wi;
    HMAP_FOR_EACH_WITH_HASH (wi, node, hash_string(name, 0), &w->ifaces) {
        if (!strcmp(wi->cfg->name, name)) {
            return wi;
        }
    }
    return NULL;
}

void
wanted_reject(struct wanted *w, const struct vswitchrec_interface *cfg,
              char *error)
{
    VLOG_WARN("%s", error);
    w->rejected = xrealloc(w->rejected,
                           (w->n_rejected + 1) * sizeof *w->rejected);
    w->rejected[w->n_rejected].cfg = cfg;
    w->rejected[w->n_rejected].error = error;
    w->n_rejected++;
}

static void
wanted_add_port(struct wanted *w, const struct vswitchrec_bridge *br,
                const struct vswitchrec_port *port)
{
    if (wanted_port_find(w, br->name, port->name)) {
        VLOG_WARN("bridge %s: port %s specified twice", br->name,
                  port->name);
        return;
    }
    if (!port->n_interfaces) {
        VLOG_WARN("bridge %s: port %s has no interfaces, dropping",
                  br->name, port->name);
        return;
    }
    struct wanted_port *wp = xmalloc(sizeof *wp);
    wp->br_cfg = br;
    wp->cfg = port;
    hmap_insert(&w->ports, &wp->node, wanted_port_hash(br->name,
                                                        port->name));

    for (size_t i = 0; i < port->n_interfaces; i++) {
        const struct vswitchrec_interface *cfg = port->interfaces[i];
        struct wanted_iface *wi = wanted_iface_find(w, cfg->name);
        if (wi) {
            if (wi->cfg != cfg) {
                wanted_reject(w, cfg, xasprintf(
                    "interface name %s is already used on port %s of "
                    "bridge %s", cfg->name, wi->port_cfg->name,
                    wi->br_cfg->name));
            }
            continue;
        }
        wi = xmalloc(sizeof *wi);
        wi->cfg = cfg;
        wi->port_cfg = port;
        wi->br_cfg = br;
        hmap_insert(&w->ifaces, &wi->node, hash_string(cfg->name, 0));
    }
}

void
wanted_collect(struct wanted *w, const struct vswitchrec_open_vswitch *ovs)
{
    hmap_init(&w->bridges);
    hmap_init(&w->ports);
    hmap_init(&w->ifaces);
    w->rejected = NULL;
    w->n_rejected = 0;
    if (!ovs) {
        return;
    }
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        const struct vswitchrec_bridge *br = ovs->bridges[i];
        if (wanted_bridge_find(w, br->name)) {
            VLOG_WARN("bridge %s specified twice", br->name);
            continue;
        }
        struct wanted_bridge *wb = xmalloc(sizeof *wb);
        wb->cfg = br;
        hmap_insert(&w->bridges, &wb->node, hash_string(br->name, 0));
        for (size_t j = 0; j < br->n_ports; j++) {
            wanted_add_port(w, br, br->ports[j]);
        }
    }
}

void
wanted_destroy(struct wanted *w)
{
    struct wanted_bridge *wb;
    struct wanted_port *wp;
    struct wanted_iface *wi;

    HMAP_FOR_EACH_POP (wb, node, &w->bridges) {
        free(wb);
    }
    HMAP_FOR_EACH_POP (wp, node, &w->ports) {
        free(wp);
    }
    HMAP_FOR_EACH_POP (wi, node, &w->ifaces) {
        free(wi);
    }
    hmap_destroy(&w->bridges);
    hmap_destroy(&w->ports);
    hmap_destroy(&w->ifaces);
    for (size_t i = 0; i < w->n_rejected; i++) {
        free(w->rejected[i].error);
    }
    free(w->rejected);
}
