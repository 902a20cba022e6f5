/*
 * Tests vmm/'s legacy devices (8250 UART, power/reset controls), the
 * console and plx-vm's --net parser, against the fake platform: the
 * guest's side is port reads and writes through vmm_fake_*().
 */
#include <config.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "test.h"
#include "vmm-fake-platform.h"
#include "vmm/console.h"
#include "vmm/layout.h"
#include "vmm/net-spec.h"
#include "vmm/pm.h"
#include "vmm/uart.h"

#define COM1 VMM_COM1_PORT

struct output {
    char buf[4096];
    size_t len;
    int n_calls;
};

static void
collect(void *out_, const uint8_t *data, size_t n)
{
    struct output *out = out_;
    CHECK(out->len + n < sizeof out->buf);
    memcpy(out->buf + out->len, data, n);
    out->len += n;
    out->buf[out->len] = '\0';
    out->n_calls++;
}

static uint8_t
inb(struct vmm_fake_platform *fp, uint16_t port)
{
    return vmm_fake_readv(fp, VMM_IO_PIO, port, 1);
}

static void
outb(struct vmm_fake_platform *fp, uint16_t port, uint8_t v)
{
    vmm_fake_writev(fp, VMM_IO_PIO, port, 1, v);
}

TEST(uart_lines_go_out_whole)
{
    struct vmm_fake_platform fp;
    struct output out = { .len = 0 };

    vmm_fake_platform_init(&fp, 1 << 20);
    struct uart *u = uart_create(&fp.up, COM1, 4, collect, &out);
    CHECK(u);
    for (const char *p = "hello\nwor"; *p; p++) {
        outb(&fp, COM1, *p);
    }
    CHECK_STREQ(out.buf, "hello\n");
    CHECK_EQ(out.n_calls, 1);
    uart_flush(u);
    CHECK_STREQ(out.buf, "hello\nwor");
    /* Transmitter always ready. */
    CHECK_EQ(inb(&fp, COM1 + 5) & 0x60, 0x60);
    uart_destroy(u);
    vmm_fake_platform_destroy(&fp);
}

TEST(uart_probe_as_linux_does)
{
    struct vmm_fake_platform fp;
    struct output out = { .len = 0 };

    vmm_fake_platform_init(&fp, 1 << 20);
    struct uart *u = uart_create(&fp.up, COM1, 4, collect, &out);

    /* Scratch register. */
    outb(&fp, COM1 + 7, 0xa5);
    CHECK_EQ(inb(&fp, COM1 + 7), 0xa5);
    /* Divisor latch does not disturb IER. */
    outb(&fp, COM1 + 1, 0x00);
    outb(&fp, COM1 + 3, 0x80);
    outb(&fp, COM1 + 0, 0x01);
    outb(&fp, COM1 + 1, 0x02);
    CHECK_EQ(inb(&fp, COM1 + 0), 0x01);
    CHECK_EQ(inb(&fp, COM1 + 1), 0x02);
    outb(&fp, COM1 + 3, 0x03);
    CHECK_EQ(inb(&fp, COM1 + 1), 0x00);
    /* Loopback: MSR follows MCR (autoconfig expects 0x90 for 0x1a). */
    outb(&fp, COM1 + 4, 0x1a);
    CHECK_EQ(inb(&fp, COM1 + 6) & 0xf0, 0x90);
    /* Loopback echoes transmitted bytes into the receiver. */
    outb(&fp, COM1, 'x');
    CHECK(inb(&fp, COM1 + 5) & 0x01);
    CHECK_EQ(inb(&fp, COM1), 'x');
    CHECK_EQ(out.len, 0);
    outb(&fp, COM1 + 4, 0x00);
    /* FIFO enabled: IIR's top bits say 16550A. */
    outb(&fp, COM1 + 2, 0x01);
    CHECK_EQ(inb(&fp, COM1 + 2) & 0xc0, 0xc0);
    uart_destroy(u);
    vmm_fake_platform_destroy(&fp);
}

TEST(uart_interrupts_gated_by_out2)
{
    struct vmm_fake_platform fp;
    struct output out = { .len = 0 };

    vmm_fake_platform_init(&fp, 1 << 20);
    struct uart *u = uart_create(&fp.up, COM1, 4, collect, &out);

    outb(&fp, COM1 + 1, 0x01);          /* Receive interrupt. */
    CHECK_EQ(uart_input(u, (const uint8_t *) "ab", 2), 2);
    CHECK_EQ(fp.irq_level[4], 0);       /* OUT2 clear. */
    outb(&fp, COM1 + 4, 0x08);          /* OUT2. */
    CHECK_EQ(fp.irq_level[4], 1);
    CHECK_EQ(inb(&fp, COM1 + 2) & 0x0f, 0x04);
    CHECK_EQ(inb(&fp, COM1), 'a');
    CHECK_EQ(fp.irq_level[4], 1);
    CHECK_EQ(inb(&fp, COM1), 'b');
    CHECK_EQ(fp.irq_level[4], 0);
    CHECK_EQ(inb(&fp, COM1 + 2) & 0x0f, 0x01);

    /* THRE: raised when enabled, acknowledged by reading IIR. */
    outb(&fp, COM1 + 1, 0x02);
    CHECK_EQ(fp.irq_level[4], 1);
    CHECK_EQ(inb(&fp, COM1 + 2) & 0x0f, 0x02);
    CHECK_EQ(fp.irq_level[4], 0);
    outb(&fp, COM1, '\n');
    CHECK_EQ(fp.irq_level[4], 1);

    /* A full receive FIFO takes no more. */
    uint8_t many[100];
    memset(many, 'z', sizeof many);
    CHECK_EQ(uart_input(u, many, sizeof many), 64);
    uart_destroy(u);
    vmm_fake_platform_destroy(&fp);
}

struct events {
    int n;
    enum pm_event last;
    uint8_t code;
};

static void
record_event(void *ev_, enum pm_event event, uint8_t code)
{
    struct events *ev = ev_;
    ev->n++;
    ev->last = event;
    ev->code = code;
}

TEST(pm_power_button_and_soft_off)
{
    struct vmm_fake_platform fp;
    struct events ev = { .n = 0 };

    vmm_fake_platform_init(&fp, 1 << 20);
    struct pm *pm = pm_create(&fp.up, record_event, &ev);
    CHECK(pm);

    /* ACPI is on (no SMI command port). */
    CHECK(vmm_fake_readv(&fp, VMM_IO_PIO, VMM_PM1A_CNT_PORT, 2) & 1);
    CHECK_EQ(vmm_fake_readv(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT, 2), 0);

    /* Button pressed while disabled: status only, no SCI. */
    pm_power_button(pm);
    CHECK_EQ(vmm_fake_readv(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT, 2),
             VMM_PM1_PWRBTN_STS);
    CHECK_EQ(fp.irq_level[VMM_SCI_IRQ], 0);
    /* Enabling it raises the SCI; clearing the status lowers it. */
    vmm_fake_writev(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT + 2, 2,
                    VMM_PM1_PWRBTN_STS);
    CHECK_EQ(fp.irq_level[VMM_SCI_IRQ], 1);
    vmm_fake_writev(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT, 2,
                    VMM_PM1_PWRBTN_STS);
    CHECK_EQ(fp.irq_level[VMM_SCI_IRQ], 0);
    CHECK_EQ(vmm_fake_readv(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT, 4),
             (uint32_t) VMM_PM1_PWRBTN_STS << 16);

    /* Byte writes: the enable register's other byte stays. */
    vmm_fake_writev(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT + 2, 1, 0x01);
    CHECK_EQ(vmm_fake_readv(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT + 2, 2),
             VMM_PM1_PWRBTN_STS | 0x01);
    vmm_fake_writev(&fp, VMM_IO_PIO, VMM_PM1A_EVT_PORT + 2, 2,
                    VMM_PM1_PWRBTN_STS);

    /* Sleep states other than S5 do nothing. */
    vmm_fake_writev(&fp, VMM_IO_PIO, VMM_PM1A_CNT_PORT, 2,
                    (3 << VMM_PM1_SLP_TYP_SHIFT) | VMM_PM1_SLP_EN);
    CHECK_EQ(ev.n, 0);
    vmm_fake_writev(&fp, VMM_IO_PIO, VMM_PM1A_CNT_PORT, 2,
                    (VMM_S5_SLP_TYP << VMM_PM1_SLP_TYP_SHIFT)
                    | VMM_PM1_SLP_EN);
    CHECK_EQ(ev.n, 1);
    CHECK_EQ(ev.last, PM_POWEROFF);
    pm_destroy(pm);
    vmm_fake_platform_destroy(&fp);
}

TEST(pm_resets_and_exit_port)
{
    struct vmm_fake_platform fp;
    struct events ev = { .n = 0 };

    vmm_fake_platform_init(&fp, 1 << 20);
    struct pm *pm = pm_create(&fp.up, record_event, &ev);

    CHECK_EQ(inb(&fp, VMM_I8042_CMD_PORT), 0);
    outb(&fp, VMM_I8042_CMD_PORT, 0xaa);    /* Self-test: ignored. */
    CHECK_EQ(ev.n, 0);
    outb(&fp, VMM_I8042_CMD_PORT, 0xfe);
    CHECK_EQ(ev.n, 1);
    CHECK_EQ(ev.last, PM_RESET);
    outb(&fp, VMM_EXIT_PORT, 7);
    CHECK_EQ(ev.n, 2);
    CHECK_EQ(ev.last, PM_EXIT_PORT);
    CHECK_EQ(ev.code, 7);
    outb(&fp, 0x80, 0x55);                  /* POST code: swallowed. */
    CHECK_EQ(ev.n, 2);
    pm_destroy(pm);
    vmm_fake_platform_destroy(&fp);
}

TEST(console_log_and_socket)
{
    char *log = xasprintf("%s/console.log", test_tmpdir());
    char *sock = xasprintf("%s/console.sock", test_tmpdir());
    struct console *c;
    char *error;

    CHECK_EQ(console_create(log, sock, &c, &error), 0);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strncpy(sun.sun_path, sock, sizeof sun.sun_path - 1);
    CHECK_EQ(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    console_run(c);                     /* Accepts. */
    console_output(c, (const uint8_t *) "boot ok\n", 8);

    char buf[64];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    CHECK_EQ(n, 8);
    CHECK(!memcmp(buf, "boot ok\n", 8));
    close(fd);
    console_run(c);                     /* Notices the hang-up. */
    console_output(c, (const uint8_t *) "more\n", 5);
    console_destroy(c);

    char *text = test_read_file(log, NULL);
    CHECK_STREQ(text, "boot ok\nmore\n");
    CHECK(access(sock, F_OK) < 0);
    free(text);

    /* A log file that cannot be created is a clear error. */
    CHECK(console_create("/nonexistent/dir/log", NULL, &c, &error) != 0);
    CHECK(strstr(error, "/nonexistent/dir/log"));
    free(error);
    free(log);
    free(sock);
}

TEST(console_input_waits_for_the_guest)
{
    struct vmm_fake_platform fp;
    struct output out = { .len = 0 };
    char *sock = xasprintf("%s/console.sock", test_tmpdir());
    struct console *c;
    char *error;

    vmm_fake_platform_init(&fp, 1 << 20);
    CHECK_EQ(console_create(NULL, sock, &c, &error), 0);
    struct uart *u = uart_create(&fp.up, COM1, 4, console_output, c);
    console_set_uart(c, u);

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strncpy(sun.sun_path, sock, sizeof sun.sun_path - 1);
    CHECK_EQ(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    console_run(c);

    /* 300 bytes pasted: the guest gets all of them, in order, 64 (the
     * receive FIFO) at a time. */
    char pasted[300];
    for (size_t i = 0; i < sizeof pasted; i++) {
        pasted[i] = 'a' + i % 26;
    }
    CHECK_EQ(send(fd, pasted, sizeof pasted, 0), sizeof pasted);
    usleep(10 * 1000);
    size_t got = 0;
    for (int round = 0; round < 20 && got < sizeof pasted; round++) {
        console_run(c);
        while (inb(&fp, COM1 + 5) & 0x01) {
            CHECK_EQ(inb(&fp, COM1), pasted[got]);
            got++;
        }
    }
    CHECK_EQ(got, sizeof pasted);
    close(fd);
    uart_destroy(u);
    console_destroy(c);
    vmm_fake_platform_destroy(&fp);
    free(sock);
    (void) out;
}

TEST(net_spec_good)
{
    struct net_spec spec;

    CHECK(!net_spec_parse("vhost-user,path=/run/x.sock", &spec));
    CHECK_STREQ(spec.path, "/run/x.sock");
    CHECK(!spec.server && spec.fd == -1 && spec.queues == 1);
    CHECK(!spec.has_mac);
    net_spec_destroy(&spec);

    CHECK(!net_spec_parse("vhost-user,fd=7,mac=52:54:00:AB:cd:01,queues=4",
                          &spec));
    CHECK_EQ(spec.fd, 7);
    CHECK(!spec.path);
    CHECK(spec.has_mac);
    CHECK_EQ(spec.mac[3], 0xab);
    CHECK_EQ(spec.mac[5], 0x01);
    CHECK_EQ(spec.queues, 4);
    net_spec_destroy(&spec);

    CHECK(!net_spec_parse("vhost-user,server,path=s", &spec));
    CHECK(spec.server);
    net_spec_destroy(&spec);
}

TEST(net_spec_bad)
{
    static const char *bad[] = {
        "", "tap,path=x", "vhost-user", "vhost-user,path=",
        "vhost-user,path=a,path=b", "vhost-user,fd=3,path=a",
        "vhost-user,fd=-1", "vhost-user,fd=x", "vhost-user,fd=99999999999",
        "vhost-user,fd=3,server", "vhost-user,path=a,mac=01:00:5e:00:00:01",
        "vhost-user,path=a,mac=52:54:00:00:00", "vhost-user,path=a,mac=zz",
        "vhost-user,path=a,mac=52:54:00:00:00:001",
        "vhost-user,path=a,queues=0", "vhost-user,path=a,queues=9",
        "vhost-user,path=a,color=red", "vhost-user,path=a,mac",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct net_spec spec;
        char *error = net_spec_parse(bad[i], &spec);
        if (!error) {
            test_fail(TEST_WHERE, "\"%s\" parsed", bad[i]);
        }
        CHECK(strstr(error, "--net"));
        free(error);
    }
}
