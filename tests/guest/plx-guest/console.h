/*
 * tests/guest/plx-guest/console.h: console output on the COM1 UART.
 *
 * Each character is one OUT to the transmit holding register (an exit of
 * ~25 us on the development machine; the VMM's UART never makes us wait,
 * so LSR is not polled).  Output is whole lines, each prefixed with
 * "plx-guest: " and ended with a single '\n': tests parse these lines,
 * see tests/guest/README.md.
 */
#ifndef PLX_GUEST_CONSOLE_H
#define PLX_GUEST_CONSOLE_H 1

#include <stddef.h>

void pg_console_write(const char *, size_t);

/* Prints "plx-guest: TEXT\n". */
void pg_console_line(const char *text);

#endif /* console.h */
