/* Fuzz target for plx-vm's PCI bus and virtio-pci transport: the input
 * is a hostile guest's sequence of register accesses (configuration
 * cycles, BAR reads and writes of any size and alignment, kicks) mixed
 * with backend interrupts, against a fresh machine each time (the fake
 * platform of tests/unit).
 *
 * Byte 0 picks the device model: bit 0 clear, a stub (fast); set, a
 * real virtio_net_dev connected over a socketpair to Plexus's vhost-user
 * backend served by a thread, so that DRIVER_OK and resets run the whole
 * vhost-user start and stop sequence on whatever the guest programmed.
 * Then operations, each an opcode byte and its operands:
 *
 *   0  BAR write: offset (2 bytes, inside the 32 KiB BAR), size code,
 *      value (8 bytes)                              -> vp_bar_write()
 *   1  BAR read: offset (2), size code
 *   2  config write: register, size code, value (4 bytes)
 *   3  config read: register, size code
 *   4  common-config field write of the right width: field, value (8)
 *   5  backend signals queue N's call fd, then the VMM's run()
 *   6  device side: config change or queue interrupt
 *   7  ISR read
 *
 * Invariants checked besides "no crash, no leak": the fake platform
 * aborts if the transport releases an irqfd it never bound, and after
 * destruction no window, ioeventfd or route may remain. */
#include <config.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../../tests/unit/vmm-fake-platform.c"
#include "latch.h"
#include "poll-loop.h"
#include "vhost/vhost-user.h"
#include "vlog.h"
#include "vmm/pci.h"
#include "vmm/virtio-net-dev.h"
#include "vmm/virtio-pci.h"

#define RAM_SIZE (1 << 20)
#define DEV_BDF (1 << 3)

struct input {
    const uint8_t *p;
    size_t n;
};

static uint64_t
take(struct input *in, size_t len)
{
    uint64_t v = 0;

    for (size_t i = 0; i < len; i++) {
        v |= (uint64_t) (in->n ? (in->n--, *in->p++) : 0) << (8 * i);
    }
    return v;
}

static unsigned int
size_code(uint64_t c)
{
    static const unsigned int sizes[] = { 1, 2, 4, 8, 4, 2, 3, 16 };
    return sizes[c % 8];
}

/* Stub device model. */
static void
stub_get_config(void *aux PLX_UNUSED, uint8_t *config)
{
    memset(config, 0x5a, 12);
}

static int
stub_start(void *aux PLX_UNUSED)
{
    return 0;
}

static void
stub_stop(void *aux PLX_UNUSED)
{
}

static const struct virtio_pci_dev_ops stub_ops = {
    .get_config = stub_get_config,
    .start = stub_start,
    .stop = stub_stop,
};

/* The backend thread of net mode. */
struct backend {
    struct vhost_user_dev *dev;
    struct latch exit;
    pthread_t thread;
};

static void *
backend_main(void *b_)
{
    struct backend *b = b_;

    while (!latch_is_set(&b->exit)) {
        if (vhost_user_dev_run(b->dev)) {
            break;
        }
        vhost_user_dev_wait(b->dev);
        latch_wait(&b->exit);
        poll_block();
    }
    return NULL;
}

static const uint8_t common_fields[][2] = {
    { 0x00, 4 }, { 0x04, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x10, 2 },
    { 0x12, 2 }, { 0x14, 1 }, { 0x15, 1 }, { 0x16, 2 }, { 0x18, 2 },
    { 0x1a, 2 }, { 0x1c, 2 }, { 0x1e, 2 }, { 0x20, 8 }, { 0x28, 8 },
    { 0x30, 8 }, { 0x24, 4 }, { 0x2c, 4 }, { 0x34, 4 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    struct vmm_fake_platform p;
    struct pci_bus *bus;
    struct virtio_pci *vp = NULL;
    struct virtio_net_dev *net = NULL;
    struct backend b;
    struct input in = { data, size };
    bool net_mode;

    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }
    if (size < 1 || size > 4096) {
        return 0;
    }
    net_mode = take(&in, 1) & 1;

    vmm_fake_platform_init(&p, RAM_SIZE);
    if (pci_bus_create(&p.up, &bus)) {
        abort();
    }
    if (net_mode) {
        int fds[2];
        char *err = NULL;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)
            || fcntl(fds[0], F_SETFL, O_NONBLOCK)) {
            abort();
        }
        b.dev = vhost_user_dev_create(fds[0], "fuzz-backend");
        latch_init(&b.exit);
        if (pthread_create(&b.thread, NULL, backend_main, &b)) {
            abort();
        }
        struct virtio_net_dev_options o = { .name = "fuzz", .fd = fds[1] };
        net = virtio_net_dev_create(&p.up, bus, &o, &err);
        if (!net) {
            abort();
        }
        vp = virtio_net_dev_get_transport(net);
    } else {
        struct virtio_pci_options o = {
            .device_type = 1, .class_code = 0x020000,
            .features = (1ULL << 5) | (1ULL << 29) | (1ULL << 34),
            .n_queues = 3, .max_queue_size = 256, .config_size = 12,
            .name = "fuzz",
        };
        if (virtio_pci_create(bus, &o, &stub_ops, NULL, &vp)) {
            abort();
        }
    }

    while (in.n) {
        uint8_t op = take(&in, 1);
        uint64_t bar = vmm_fake_pci_read(&p, DEV_BDF, PCI_BAR0 + 16, 4)
                       & ~0xfULL;
        uint8_t buf[16];

        switch (op % 8) {
        case 0: {
            uint64_t off = take(&in, 2) % VIRTIO_PCI_BAR_SIZE;
            unsigned int len = size_code(take(&in, 1));
            uint64_t v = take(&in, 8);
            memcpy(buf, &v, 8);
            memcpy(buf + 8, &v, 8);
            vmm_fake_write(&p, VMM_IO_MMIO, bar + off, buf, len);
            break;
        }
        case 1: {
            uint64_t off = take(&in, 2) % VIRTIO_PCI_BAR_SIZE;
            unsigned int len = size_code(take(&in, 1));
            vmm_fake_read(&p, VMM_IO_MMIO, bar + off, buf, len);
            break;
        }
        case 2: {
            unsigned int reg = take(&in, 1);
            unsigned int len = size_code(take(&in, 1)) % 5;
            uint32_t v = take(&in, 4);
            if (len == 1 || len == 2 || len == 4) {
                vmm_fake_pci_write(&p, DEV_BDF, reg, len, v);
            }
            break;
        }
        case 3: {
            unsigned int reg = take(&in, 1);
            unsigned int len = size_code(take(&in, 1)) % 5;
            if (len == 1 || len == 2 || len == 4) {
                vmm_fake_pci_read(&p, DEV_BDF, reg, len);
            }
            break;
        }
        case 4: {
            const uint8_t *fld = common_fields[take(&in, 1)
                                               % ARRAY_SIZE(common_fields)];
            vmm_fake_writev(&p, VMM_IO_MMIO, bar + fld[0], fld[1],
                            take(&in, 8));
            break;
        }
        case 5: {
            struct virtio_pci_queue q;
            uint64_t one = 1;
            virtio_pci_get_queue(vp, take(&in, 1) % 4, &q);
            if (q.call_fd >= 0 && write(q.call_fd, &one, 8) != 8) {
                abort();
            }
            if (net) {
                virtio_net_dev_run(net);
            } else {
                virtio_pci_run(vp);
            }
            break;
        }
        case 6: {
            uint8_t what = take(&in, 1);
            if (what & 0x80) {
                virtio_pci_config_changed(vp);
            } else {
                virtio_pci_queue_interrupt(vp, what % 4);
            }
            break;
        }
        case 7:
            vmm_fake_read(&p, VMM_IO_MMIO, bar + VIRTIO_PCI_ISR_OFF, buf, 1);
            break;
        }
    }

    if (net) {
        latch_set(&b.exit);
        pthread_join(b.thread, NULL);
        virtio_net_dev_destroy(net);
        /* Freed after an RCU grace period by liburcu's thread; waiting
         * for it here (rcu_wait_postponed()) would cost 10 ms a run. */
        vhost_user_dev_destroy(b.dev);
        latch_destroy(&b.exit);
    } else {
        virtio_pci_destroy(vp);
    }
    if (p.n_routes || p.n_ioeventfds) {
        abort();
    }
    pci_bus_destroy(bus);
    if (p.n_windows) {
        abort();
    }
    vmm_fake_platform_destroy(&p);
    return 0;
}
