/*
 * vmm/uart.h: an 8250/16550A UART, the guest's serial console.
 *
 * Enough of the 16550A for Linux's 8250 driver to detect and use it
 * (scratch register, divisor latch, loopback with the modem-status
 * wiring, FIFO control, IIR priorities, OUT2 gating the interrupt) and
 * for a polled guest to just write the transmit register.  Transmitted
 * bytes are collected into lines and handed to an output callback
 * (plx-vm's console: a log file and socket clients); received bytes are
 * queued by uart_input() from the main thread.
 *
 * Thread-safety: register accesses come from vCPU threads, input and
 * flushes from the main thread; a mutex inside covers both.  The output
 * callback is called with that mutex held and must not call back in.
 */
#ifndef VMM_UART_H
#define VMM_UART_H 1

#include <stddef.h>
#include <stdint.h>

struct vmm_platform;

typedef void uart_output_func(void *aux, const uint8_t *data, size_t n);

struct uart *uart_create(struct vmm_platform *, uint16_t port, int irq,
                         uart_output_func *, void *aux);
void uart_destroy(struct uart *);

/* Queues N received bytes (as many as fit in the receive FIFO; returns
 * how many were taken). */
size_t uart_input(struct uart *, const uint8_t *data, size_t n);
/* How many bytes uart_input() would take now. */
size_t uart_input_room(struct uart *);
/* Passes any partial line to the output callback. */
void uart_flush(struct uart *);

#endif /* vmm/uart.h */
