/*
 * vmm/uart.c: 8250/16550A UART.  See uart.h.
 */
#include <config.h>
#include "uart.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include "platform.h"
#include "util.h"

/* Registers (DLAB = LCR bit 7 selects the divisor latch at 0 and 1). */
#define UART_RBR_THR 0
#define UART_IER 1
#define UART_IIR_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01           /* Received data available. */
#define UART_IER_THRI 0x02          /* Transmitter holding register empty. */
#define UART_IER_RLSI 0x04          /* Receiver line status. */
#define UART_IER_MSI 0x08           /* Modem status. */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_FIFO 0xc0          /* FIFOs enabled (16550A). */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

#define UART_RX_FIFO 64
#define UART_LINE_MAX 256

struct uart {
    struct vmm_platform *platform;
    uint16_t port;
    int irq;
    uart_output_func *output;
    void *aux;

    pthread_mutex_t mutex;
    uint8_t ier, lcr, mcr, msr, scr, fcr;
    uint8_t dll, dlm;
    bool thr_int;               /* THRE interrupt pending. */
    int irq_level;

    uint8_t rx[UART_RX_FIFO];
    size_t rx_head, rx_n;

    uint8_t line[UART_LINE_MAX];
    size_t line_len;
};

/* The highest-priority pending interrupt's IIR value. */
static uint8_t
uart_iir(const struct uart *u)
{
    uint8_t fifo = u->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0;

    if (u->ier & UART_IER_RDI && u->rx_n) {
        return UART_IIR_RDI | fifo;
    }
    if (u->ier & UART_IER_THRI && u->thr_int) {
        return UART_IIR_THRI | fifo;
    }
    if (u->ier & UART_IER_MSI && u->msr & 0x0f) {
        return UART_IIR_MSI | fifo;
    }
    return UART_IIR_NO_INT | fifo;
}

/* On a PC, OUT2 gates the UART's interrupt onto the bus. */
static void
uart_update_irq(struct uart *u)
{
    int level = (!(uart_iir(u) & UART_IIR_NO_INT)
                 && u->mcr & UART_MCR_OUT2 && !(u->mcr & UART_MCR_LOOP));
    if (level != u->irq_level) {
        u->irq_level = level;
        u->platform->class->set_irq(u->platform, u->irq, level);
    }
}

static void
uart_flush__(struct uart *u)
{
    if (u->line_len) {
        u->output(u->aux, u->line, u->line_len);
        u->line_len = 0;
    }
}

static void
uart_transmit(struct uart *u, uint8_t c)
{
    if (u->mcr & UART_MCR_LOOP) {
        if (u->rx_n < UART_RX_FIFO) {
            u->rx[(u->rx_head + u->rx_n++) % UART_RX_FIFO] = c;
        }
        return;
    }
    u->line[u->line_len++] = c;
    if (c == '\n' || u->line_len == UART_LINE_MAX) {
        uart_flush__(u);
    }
}

/* In loopback, the modem inputs follow the modem outputs. */
static uint8_t
uart_msr(struct uart *u)
{
    if (u->mcr & UART_MCR_LOOP) {
        uint8_t m = u->mcr;
        return (((m & UART_MCR_RTS) ? UART_MSR_CTS : 0)
                | ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0)
                | ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0)
                | ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
    }
    uint8_t msr = u->msr;
    u->msr &= 0xf0;             /* Reading clears the delta bits. */
    return msr;
}

static uint8_t
uart_read_reg(struct uart *u, unsigned int reg)
{
    switch (reg) {
    case UART_RBR_THR:
        if (u->lcr & UART_LCR_DLAB) {
            return u->dll;
        }
        if (u->rx_n) {
            uint8_t c = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
            u->rx_n--;
            return c;
        }
        return 0;
    case UART_IER:
        return u->lcr & UART_LCR_DLAB ? u->dlm : u->ier;
    case UART_IIR_FCR: {
        uint8_t iir = uart_iir(u);
        if ((iir & 0x0f) == UART_IIR_THRI) {
            u->thr_int = false;     /* Reading IIR acknowledges THRE. */
        }
        return iir;
    }
    case UART_LCR:
        return u->lcr;
    case UART_MCR:
        return u->mcr;
    case UART_LSR:
        return UART_LSR_THRE | UART_LSR_TEMT | (u->rx_n ? UART_LSR_DR : 0);
    case UART_MSR:
        return uart_msr(u);
    case UART_SCR:
        return u->scr;
    }
    return 0xff;
}

static void
uart_write_reg(struct uart *u, unsigned int reg, uint8_t val)
{
    switch (reg) {
    case UART_RBR_THR:
        if (u->lcr & UART_LCR_DLAB) {
            u->dll = val;
        } else {
            uart_transmit(u, val);
            u->thr_int = true;  /* Sent at once: empty again. */
        }
        break;
    case UART_IER:
        if (u->lcr & UART_LCR_DLAB) {
            u->dlm = val;
        } else {
            /* Enabling THRE while the register is empty raises it. */
            if (val & UART_IER_THRI && !(u->ier & UART_IER_THRI)) {
                u->thr_int = true;
            }
            u->ier = val & 0x0f;
        }
        break;
    case UART_IIR_FCR:
        u->fcr = val & (UART_FCR_ENABLE | 0xc0);
        if (val & UART_FCR_CLEAR_RCVR) {
            u->rx_n = 0;
        }
        break;
    case UART_LCR:
        u->lcr = val;
        break;
    case UART_MCR:
        u->mcr = val & 0x1f;
        break;
    case UART_LSR:
    case UART_MSR:
        break;                  /* Read-only. */
    case UART_SCR:
        u->scr = val;
        break;
    }
}

static void
uart_io_read(void *u_, uint64_t offset, void *data, unsigned int len)
{
    struct uart *u = u_;
    uint8_t *p = data;

    pthread_mutex_lock(&u->mutex);
    for (unsigned int i = 0; i < len; i++) {
        p[i] = offset + i < 8 ? uart_read_reg(u, offset + i) : 0xff;
    }
    uart_update_irq(u);
    pthread_mutex_unlock(&u->mutex);
}

static void
uart_io_write(void *u_, uint64_t offset, const void *data, unsigned int len)
{
    struct uart *u = u_;
    const uint8_t *p = data;

    pthread_mutex_lock(&u->mutex);
    for (unsigned int i = 0; i < len; i++) {
        if (offset + i < 8) {
            uart_write_reg(u, offset + i, p[i]);
        }
    }
    uart_update_irq(u);
    pthread_mutex_unlock(&u->mutex);
}

static const struct vmm_io_ops uart_io_ops = {
    .read = uart_io_read,
    .write = uart_io_write,
};

struct uart *
uart_create(struct vmm_platform *platform, uint16_t port, int irq,
            uart_output_func *output, void *aux)
{
    struct uart *u = xzalloc(sizeof *u);

    u->platform = platform;
    u->port = port;
    u->irq = irq;
    u->output = output;
    u->aux = aux;
    u->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    u->lcr = 0x03;              /* 8N1. */
    u->dll = 0x0c;              /* 9600 baud. */
    pthread_mutex_init(&u->mutex, NULL);
    if (platform->class->map_io(platform, VMM_IO_PIO, port, 8, &uart_io_ops,
                                u)) {
        pthread_mutex_destroy(&u->mutex);
        free(u);
        return NULL;
    }
    return u;
}

void
uart_destroy(struct uart *u)
{
    if (u) {
        u->platform->class->unmap_io(u->platform, VMM_IO_PIO, u->port);
        uart_flush(u);
        pthread_mutex_destroy(&u->mutex);
        free(u);
    }
}

size_t
uart_input(struct uart *u, const uint8_t *data, size_t n)
{
    size_t taken = 0;

    pthread_mutex_lock(&u->mutex);
    while (taken < n && u->rx_n < UART_RX_FIFO) {
        u->rx[(u->rx_head + u->rx_n++) % UART_RX_FIFO] = data[taken++];
    }
    uart_update_irq(u);
    pthread_mutex_unlock(&u->mutex);
    return taken;
}

size_t
uart_input_room(struct uart *u)
{
    pthread_mutex_lock(&u->mutex);
    size_t room = UART_RX_FIFO - u->rx_n;
    pthread_mutex_unlock(&u->mutex);
    return room;
}

void
uart_flush(struct uart *u)
{
    pthread_mutex_lock(&u->mutex);
    uart_flush__(u);
    pthread_mutex_unlock(&u->mutex);
}
