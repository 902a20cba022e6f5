/*
 * tests/guest/plx-guest/guest.h: state shared by main.c (boot, NICs,
 * polling, shutdown) and actions.c (ping, udp-tx, sink).
 *
 * Everything runs in one loop on vCPU 0 without interrupts: pg_poll()
 * drains every NIC's rx ring through the network stack (which answers
 * ARP and ICMP echo by itself and reports echo replies and UDP to the
 * pg_app_* hooks), reclaims tx buffers and, at most every 20 ms, reads
 * the ACPI PM1a status for the power button.  Actions call it between
 * the packets they send.
 */
#ifndef PLX_GUEST_GUEST_H
#define PLX_GUEST_GUEST_H 1

#include <stdbool.h>
#include <stdint.h>
#include "cmdline.h"
#include "net.h"
#include "virtio.h"

struct pg_nic {
    bool up;                    /* Device initialized. */
    struct pg_vnet vnet;
    struct pg_netif netif;
};

extern struct pg_nic pg_nics[PG_MAX_NICS];
extern int pg_n_nics;           /* Slots in pg_nics[] that were found. */
extern uint64_t pg_tsc_khz;
extern bool pg_shutdown_requested;

uint64_t pg_tsc_to_us(uint64_t ticks);
uint64_t pg_ms_to_tsc(uint64_t ms);
uint64_t pg_us_to_tsc(uint64_t us);

/* One round: rx on every NIC, tx reclaim, power button check. */
int pg_poll(void);              /* Frames received. */
void pg_poll_idle(void);
void pg_idle_us(uint64_t us);

#define PG_IDLE_AFTER_US 100
#define PG_IDLE_US 200

/* Hooks from the rx path into the running action. */
void pg_app_echo_reply(const struct pg_nic *, const struct pg_rx_info *);
void pg_app_udp(const struct pg_nic *, const struct pg_rx_info *,
                size_t frame_len);

/* Runs the configured action; returns the exit status (0 success). */
int pg_action_run(const struct pg_config *);

#endif /* guest.h */
