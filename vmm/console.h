/*
 * vmm/console.h: where the guest's serial console goes.
 *
 * Output (from the UART, on vCPU threads) is appended to a log file and
 * sent to every client connected to a unix socket; a client that cannot
 * keep up loses output rather than stalling the guest.  Input from
 * clients goes to the UART (main thread, console_run()).  Up to
 * CONSOLE_MAX_CLIENTS clients at once; more are refused.
 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H 1

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_MAX_CLIENTS 8

struct console;
struct uart;

/* LOG_FILE and SOCKET_PATH may each be NULL.  Returns 0 or an errno
 * value with *ERRP set. */
int console_create(const char *log_file, const char *socket_path,
                   struct console **, char **errp);
void console_destroy(struct console *);

void console_set_uart(struct console *, struct uart *);
/* The UART's output callback (uart_output_func). */
void console_output(void *console, const uint8_t *data, size_t n);

void console_run(struct console *);
void console_wait(struct console *);

#endif /* vmm/console.h */
