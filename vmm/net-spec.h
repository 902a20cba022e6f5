/*
 * vmm/net-spec.h: plx-vm's --net argument.
 *
 *   vhost-user,path=SOCKET[,server][,mac=MAC][,queues=N]
 *   vhost-user,fd=FD[,mac=MAC][,queues=N]
 *
 * 'path' connects to a vhost-user backend listening on SOCKET (Open
 * vSwitch's dpdkvhostuser ports); with 'server', plx-vm listens there
 * and the backend connects (dpdkvhostuserclient).  'fd' is a socket
 * already connected to the backend, inherited from the parent (how
 * plx-vswitchd hands each NIC its switch port).  The string comes from
 * the command line: every error names the offending part.
 */
#ifndef VMM_NET_SPEC_H
#define VMM_NET_SPEC_H 1

#include <stdbool.h>
#include <stdint.h>

#define NET_SPEC_MAX_QUEUES 8

struct net_spec {
    char *path;                 /* Or NULL when 'fd' is used. */
    bool server;
    int fd;                     /* -1 when 'path' is used. */
    uint8_t mac[6];
    bool has_mac;
    int queues;                 /* Queue pairs, 1 by default. */
};

/* Parses S into SPEC.  Returns NULL or a malloc'd error message (SPEC
 * then holds nothing to free). */
char *net_spec_parse(const char *s, struct net_spec *spec);
void net_spec_destroy(struct net_spec *);

/* Parses "xx:xx:xx:xx:xx:xx" (hex digits, case-insensitive). */
bool net_spec_parse_mac(const char *s, uint8_t mac[6]);

#endif /* vmm/net-spec.h */
