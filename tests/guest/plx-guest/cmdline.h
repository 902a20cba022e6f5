/*
 * tests/guest/plx-guest/cmdline.h: the guest's command line.
 *
 * boot_info->cmdline holds space-separated key=value words:
 *
 *   ip=A.B.C.D[/N]      address of eth0 (N defaults to 24); ip1= ... ip3=
 *                       for eth1 ... eth3
 *   ping=IP             action: send ICMP echo requests; count=N (default
 *                       5), interval_ms=M (default 100)
 *   udp-tx=IP:PORT      action: send UDP; size=BYTES (Ethernet frame,
 *                       60..1514, default 64), rate=PPS (0 = as fast as
 *                       possible, the default), count=N and/or
 *                       duration_ms=M (neither: until shutdown),
 *                       src-port=P (default 1024)
 *   sink=PORT           action: count UDP packets to PORT; count=N and/or
 *                       duration_ms=M (neither: until shutdown)
 *   exit=0|1            1: leave through the exit port when the action
 *                       is done, with status 0 on success
 *   fault=0|1           1: once ready, execute an invalid instruction
 *                       (with no IDT, a triple fault: plx-vm reports the
 *                       guest crashed), for tests of crash handling
 *
 * At most one action.  Words without '=' or with an unknown key are not
 * errors (a Linux-style command line may be passed as well); they are
 * collected in the warning text.  A known key with a bad value is an
 * error.  Pure code: unit-tested hosted by tests/unit/test-guest-net.c.
 */
#ifndef PLX_GUEST_CMDLINE_H
#define PLX_GUEST_CMDLINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_buf;

#define PG_MAX_NICS 4

enum pg_action {
    PG_ACTION_NONE,             /* Responder only. */
    PG_ACTION_PING,
    PG_ACTION_UDP_TX,
    PG_ACTION_SINK,
};

struct pg_if_config {
    bool set;
    uint32_t ip;                /* Host byte order. */
    uint8_t prefix_len;         /* 0...32. */
};

struct pg_config {
    struct pg_if_config ifs[PG_MAX_NICS];
    enum pg_action action;
    uint32_t dst_ip;            /* ping, udp-tx. */
    uint16_t dst_port;          /* udp-tx. */
    uint16_t sink_port;         /* sink. */
    uint16_t src_port;          /* udp-tx. */
    uint32_t size;              /* udp-tx frame size. */
    uint64_t count;             /* 0: unlimited (udp-tx, sink). */
    uint64_t interval_ms;       /* ping. */
    uint64_t rate;              /* udp-tx packets/s, 0: unpaced. */
    uint64_t duration_ms;       /* 0: unlimited. */
    bool exit;
    bool fault;
};

#define PG_FRAME_MIN 60
#define PG_FRAME_MAX 1514

/* Parses the LEN bytes at CMDLINE (a NUL before LEN ends it early) into
 * *CFG.  Returns 0 on success; on error returns -1 with a description in
 * ERR.  Ignored words are appended, space-separated, to WARN. */
int pg_cmdline_parse(const char *cmdline, size_t len, struct pg_config *cfg,
                     struct pg_buf *err, struct pg_buf *warn);

/* Parses "A.B.C.D" exactly (LEN bytes). Returns 0 or -1. */
int pg_parse_ip(const char *s, size_t len, uint32_t *ip);

/* Parses LEN decimal digits into a value no larger than MAX. */
int pg_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *value);

#endif /* cmdline.h */
