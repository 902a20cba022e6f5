/* Fuzz target for the virtio engine: the input is the guest's memory
 * (rings, descriptors, headers and buffers, all hostile) for a split and
 * a packed queue, driven through dequeue, enqueue, notify and kicks.
 *
 * Layout of the 64 KiB guest memory (gpa 0), filled from the input:
 *   byte 0       feature selector (bit 0 MRG_RXBUF, 1 EVENT_IDX,
 *                2 INDIRECT_DESC, 3 VERSION_1, 4 dirty log on)
 *   byte 1       ring size selector
 *   byte 2       size selector of the packets enqueued
 *   byte 3       base: split bits 0-6; packed wrap bit 7, slot bits 0-6
 *   0x0100       tx ring: descriptor table / packed ring (up to 4 KiB)
 *   0x1100       tx avail ring / driver event suppression
 *   0x1900       tx used ring / device event suppression
 *   0x2200-      the same for the rx ring
 *   elsewhere    whatever the descriptors point at
 * The region is mapped inside PROT_NONE guard pages by vhost-mem, so a
 * stray access past it faults. */
#include <config.h>

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "dp-packet.h"
#include "vhost/vhost-mem.h"
#include "vhost/virtqueue.h"
#include "vlog.h"

#define MEM_SIZE 65536
#define UVA_BASE 0x7f5500000000ULL
#define TX_BASE 0x100
#define RX_BASE 0x2200

static uint8_t *guest;
static struct vhost_mem *mem;
static struct vhost_log *vlog_;

static void
setup(void)
{
    int fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
    int log_fd = memfd_create("fuzz-log", MFD_CLOEXEC);
    char *err;

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    if (fd < 0 || log_fd < 0 || ftruncate(fd, MEM_SIZE)
        || ftruncate(log_fd, 4096)) {
        abort();
    }
    guest = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct vhost_mem_region_desc d = { 0, MEM_SIZE, UVA_BASE, 0 };
    if (guest == MAP_FAILED || vhost_mem_create(&d, &fd, 1, &mem, &err)
        || vhost_log_create(log_fd, 4096, 0, &vlog_, &err)) {
        abort();
    }
    close(fd);
    close(log_fd);
}

static void
layout_at(uint64_t base, bool packed, uint16_t size,
          struct vhost_vq_layout *l)
{
    memset(l, 0, sizeof *l);
    l->desc_gpa = base;
    l->used_gpa = base + 0x1800;
    l->desc = vhost_mem_gpa_to_hva(mem, base, 16 * size);
    l->avail = vhost_mem_gpa_to_hva(mem, base + 0x1000,
                                    packed ? 4 : 6 + 2 * size);
    l->used = vhost_mem_gpa_to_hva(mem, base + 0x1800,
                                   packed ? 4 : 6 + 8 * size);
    l->log_used = true;
}

static void
run(bool packed, uint64_t features, uint16_t size, bool log,
    uint8_t pkt_sel, uint16_t base)
{
    struct vhost_vq_layout tx_l, rx_l;
    struct vhost_vq tx, rx;

    /* Packed rings of up to 256 descriptors; split sizes a power of 2. */
    layout_at(TX_BASE, packed, size, &tx_l);
    layout_at(RX_BASE, packed, size, &rx_l);
    if (!tx_l.desc || !tx_l.avail || !tx_l.used || !rx_l.desc
        || !rx_l.avail || !rx_l.used) {
        return;
    }
    memset(&tx, 0, sizeof tx);
    memset(&rx, 0, sizeof rx);
    if (vhost_vq_start(&tx, size, packed, features, &tx_l, mem,
                       log ? vlog_ : NULL, -1, base)
        || vhost_vq_start(&rx, size, packed, features, &rx_l, mem,
                          log ? vlog_ : NULL, -1, base)) {
        vhost_vq_stop(&tx);
        return;
    }

    for (int round = 0; round < 4; round++) {
        struct dp_packet_batch batch;

        vhost_vq_set_kicks(&tx, round & 1);
        dp_packet_batch_init(&batch);
        vhost_vq_dequeue(&tx, &batch);
        vhost_vq_notify(&tx);

        /* Send what came out back in through the rx queue, plus one
         * packet of a chosen size. */
        struct dp_packet *p = dp_packet_new(pkt_sel * 64 + round);
        dp_packet_put_zeros(p, pkt_sel * 64 + round);
        dp_packet_batch_add(&batch, p);
        vhost_vq_enqueue(&rx, &batch);
        vhost_vq_notify(&rx);
        vhost_vq_has_avail(&rx);
        vhost_vq_set_kicks(&rx, !(round & 1));
        dp_packet_delete_batch(&batch, true);
    }
    vhost_vq_stop(&tx);
    vhost_vq_stop(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!guest) {
        setup();
    }
    if (size < 4) {
        return 0;
    }

    uint8_t fsel = data[0];
    uint64_t features = ((fsel & 1 ? 1ULL << VIRTIO_NET_F_MRG_RXBUF : 0)
                         | (fsel & 2 ? 1ULL << VIRTIO_RING_F_EVENT_IDX : 0)
                         | (fsel & 4 ? 1ULL << VIRTIO_RING_F_INDIRECT_DESC
                            : 0)
                         | (fsel & 8 ? 1ULL << VIRTIO_F_VERSION_1 : 0));
    bool log = fsel & 16;
    uint16_t split_size = 1u << (data[1] % 9);          /* 1..256 */
    uint16_t packed_size = data[1] ? data[1] : 256;     /* 1..256 */
    uint8_t pkt_sel = data[2];
    uint16_t split_base = data[3] & 0x7f;
    uint16_t packed_base = ((data[3] & 0x80 ? 0x8000 : 0)
                            | (data[3] & 0x7f) % packed_size);

    /* The same memory twice: once read as split rings, once as packed. */
    for (int packed = 0; packed < 2; packed++) {
        size_t n = MIN(size, MEM_SIZE);
        memcpy(guest, data, n);
        memset(guest + n, 0, MEM_SIZE - n);
        run(packed, features, packed ? packed_size : split_size, log,
            pkt_sel, packed ? packed_base : split_base);
    }
    return 0;
}
