/*
 * tests/guest/plx-guest/console.c: UART console (see console.h).
 */
#include "console.h"
#include "fmt.h"
#include "hw.h"
#include "vmm/layout.h"

void
pg_console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pg_outb(VMM_COM1_PORT, s[i]);
    }
}

void
pg_console_line(const char *text)
{
    static const char prefix[] = "plx-guest: ";

    pg_console_write(prefix, sizeof prefix - 1);
    pg_console_write(text, pg_strlen(text));
    pg_console_write("\n", 1);
}
