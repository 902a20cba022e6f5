/*
 * bridge-wanted: what the database asks plx-vswitchd for, as one pass of
 * bridge_reconfigure() sees it: the bridges, ports and interfaces to
 * run, each name once, found by name.  A bridge or port named twice is
 * logged and used once; an Interface row whose name another one already
 * uses is "rejected": it is not run, and the bridge writes the reason to
 * its error column.  Pure: it reads the IDL's rows and keeps pointers to
 * them, valid until the IDL next changes.
 */
#ifndef PLX_BRIDGE_WANTED_H
#define PLX_BRIDGE_WANTED_H 1

#include <stddef.h>
#include "hmap.h"

struct vswitchrec_bridge;
struct vswitchrec_interface;
struct vswitchrec_open_vswitch;
struct vswitchrec_port;

struct wanted_bridge {
    struct hmap_node node;              /* By name. */
    const struct vswitchrec_bridge *cfg;
};

struct wanted_port {
    struct hmap_node node;              /* By bridge and port name. */
    const struct vswitchrec_bridge *br_cfg;
    const struct vswitchrec_port *cfg;
};

struct wanted_iface {
    struct hmap_node node;              /* By name. */
    const struct vswitchrec_interface *cfg;
    const struct vswitchrec_port *port_cfg;
    const struct vswitchrec_bridge *br_cfg;
};

/* An Interface row not used because another of the same name is. */
struct wanted_rejection {
    const struct vswitchrec_interface *cfg;
    char *error;                        /* Owned. */
};

struct wanted {
    struct hmap bridges;
    struct hmap ports;
    struct hmap ifaces;
    struct wanted_rejection *rejected;     /* Owned; a caller may take it. */
    size_t n_rejected;
};

/* Fills W from OVS (NULL: nothing wanted). */
void wanted_collect(struct wanted *, const struct vswitchrec_open_vswitch *);
void wanted_destroy(struct wanted *);
/* Adds CFG to W's rejected interfaces with ERROR (malloc'd; taken), and
 * logs it. */
void wanted_reject(struct wanted *, const struct vswitchrec_interface *cfg,
                   char *error);

struct wanted_bridge *wanted_bridge_find(const struct wanted *,
                                         const char *name);
struct wanted_port *wanted_port_find(const struct wanted *,
                                     const char *br_name, const char *name);
struct wanted_iface *wanted_iface_find(const struct wanted *,
                                       const char *name);

#endif /* bridge-wanted.h */
