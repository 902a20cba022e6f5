/*
 * tests/guest/plx-guest/virtio.c: virtio-net over modern virtio-pci,
 * polled (see virtio.h).
 *
 * Ring memory is ordinary RAM shared with the device: the driver writes
 * descriptors and avail ring entries before publishing avail->idx with a
 * release store, and reads used entries only after an acquire load of
 * used->idx (on x86 both are plain moves plus a compiler barrier).  The
 * decision to kick reads used->flags after publishing, which needs a
 * full fence (virtio 1.x, 2.7.13.3 / 2.7.7.2).
 */
#include "virtio.h"
#include "fmt.h"
#include "hw.h"
#include "lib.h"

/* struct virtio_pci_common_cfg. */
#define COMMON_DFSELECT      0x00
#define COMMON_DF            0x04
#define COMMON_GFSELECT      0x08
#define COMMON_GF            0x0c
#define COMMON_MSIX          0x10
#define COMMON_NUMQ          0x12
#define COMMON_STATUS        0x14
#define COMMON_CFGGENERATION 0x15
#define COMMON_Q_SELECT      0x16
#define COMMON_Q_SIZE        0x18
#define COMMON_Q_MSIX        0x1a
#define COMMON_Q_ENABLE      0x1c
#define COMMON_Q_NOFF        0x1e
#define COMMON_Q_DESCLO      0x20
#define COMMON_Q_DESCHI      0x24
#define COMMON_Q_AVAILLO     0x28
#define COMMON_Q_AVAILHI     0x2c
#define COMMON_Q_USEDLO      0x30
#define COMMON_Q_USEDHI      0x34
#define COMMON_LEN           0x38

/* Virtio PCI capability (struct virtio_pci_cap). */
#define PCI_CAP_ID_VNDR       0x09
#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR    3
#define VIRTIO_PCI_CAP_DEVICE 4

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED      0x80

#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VIRTIO_NET_F_MAC   (1ULL << 5)
#define VIRTIO_MSI_NO_VECTOR 0xffff

#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

#define PAGE_SIZE 4096

void *
pg_alloc_pages(struct pg_alloc *a, uint64_t size)
{
    uint64_t start = (a->next + PAGE_SIZE - 1) & ~(uint64_t) (PAGE_SIZE - 1);
    size = (size + PAGE_SIZE - 1) & ~(uint64_t) (PAGE_SIZE - 1);
    if (start < a->next || start > a->end || size > a->end - start) {
        return NULL;
    }
    a->next = start + size;

    void *p = (void *) (uintptr_t) start;
    memset(p, 0, size);         /* Also faults the pages in now. */
    return p;
}

/* The location of a virtio structure: which BAR and where in it. */
struct vcap {
    bool found;
    uint8_t bar;
    uint32_t offset, length;
    uint32_t notify_mult;
};

static int
find_caps(const struct pg_pci_dev *dev, struct vcap caps[5])
{
    memset(caps, 0, 5 * sizeof caps[0]);
    if (!(pg_pci_read16(dev, PG_PCI_STATUS) & PG_PCI_STATUS_CAP_LIST)) {
        return -1;
    }

    uint8_t ptr = pg_pci_read8(dev, PG_PCI_CAP_PTR) & 0xfc;
    for (int i = 0; i < 48 && ptr >= 0x40; i++) {
        uint32_t w0 = pg_pci_read32(dev, ptr);
        uint8_t id = w0, next = w0 >> 8, len = w0 >> 16, type = w0 >> 24;

        if (id == PCI_CAP_ID_VNDR && len >= 16 && type >= 1 && type <= 4
            && !caps[type].found) {
            struct vcap *c = &caps[type];
            c->bar = pg_pci_read8(dev, ptr + 4);
            c->offset = pg_pci_read32(dev, ptr + 8);
            c->length = pg_pci_read32(dev, ptr + 12);
            if (type == VIRTIO_PCI_CAP_NOTIFY) {
                if (len < 20) {
                    goto next;  /* Malformed: keep looking. */
                }
                c->notify_mult = pg_pci_read32(dev, ptr + 16);
            }
            c->found = c->bar <= 5;
        }
    next:
        ptr = next & 0xfc;
    }
    return 0;
}

/* Maps capability C to an address, checking that MIN_LEN bytes of it lie
 * in the identity-mapped first 4 GiB. */
static int
cap_addr(const struct pg_pci_dev *dev, const struct vcap *c,
         uint32_t min_len, uintptr_t *addr)
{
    uint64_t base;

    if (!c->found || c->length < min_len
        || pg_pci_bar_addr(dev, c->bar, &base)) {
        return -1;
    }
    uint64_t start = base + c->offset;
    if (start < base || start >= 0x100000000ULL
        || 0x100000000ULL - start < c->length) {
        return -1;
    }
    *addr = (uintptr_t) start;
    return 0;
}

static uint8_t
get_status(const struct pg_vnet *vnet)
{
    return pg_mmio_read8(vnet->common + COMMON_STATUS);
}

static void
set_status(struct pg_vnet *vnet, uint8_t status)
{
    pg_mmio_write8(vnet->common + COMMON_STATUS, status);
}

static void
write64(uintptr_t lo_addr, uint64_t value)
{
    /* Two 32-bit halves, which virtio 1.x allows for 64-bit fields. */
    pg_mmio_write32(lo_addr, (uint32_t) value);
    pg_mmio_write32(lo_addr + 4, (uint32_t) (value >> 32));
}

static int
reset_device(struct pg_vnet *vnet)
{
    set_status(vnet, 0);
    for (int i = 0; i < 2000; i++) {
        if (!get_status(vnet)) {
            return 0;
        }
        pg_cpu_relax();
    }
    return -1;
}

static uint64_t
read_device_features(struct pg_vnet *vnet)
{
    pg_mmio_write32(vnet->common + COMMON_DFSELECT, 0);
    uint64_t lo = pg_mmio_read32(vnet->common + COMMON_DF);
    pg_mmio_write32(vnet->common + COMMON_DFSELECT, 1);
    uint64_t hi = pg_mmio_read32(vnet->common + COMMON_DF);
    return hi << 32 | lo;
}

static void
write_driver_features(struct pg_vnet *vnet, uint64_t features)
{
    pg_mmio_write32(vnet->common + COMMON_GFSELECT, 0);
    pg_mmio_write32(vnet->common + COMMON_GF, (uint32_t) features);
    pg_mmio_write32(vnet->common + COMMON_GFSELECT, 1);
    pg_mmio_write32(vnet->common + COMMON_GF, (uint32_t) (features >> 32));
}

static void
read_mac(struct pg_vnet *vnet)
{
    for (int tries = 0; tries < 10; tries++) {
        uint8_t gen = pg_mmio_read8(vnet->common + COMMON_CFGGENERATION);
        for (int i = 0; i < 6; i++) {
            vnet->mac[i] = pg_mmio_read8(vnet->device_cfg + i);
        }
        if (gen == pg_mmio_read8(vnet->common + COMMON_CFGGENERATION)) {
            break;
        }
    }
}

static uint16_t *
used_idx_ptr(const struct pg_vq *vq)
{
    return (uint16_t *) (vq->used + 2);
}

static uint16_t
used_flags(const struct pg_vq *vq)
{
    return __atomic_load_n((uint16_t *) vq->used, __ATOMIC_RELAXED);
}

static void
publish_avail(struct pg_vq *vq)
{
    __atomic_store_n(&vq->avail[1], vq->avail_idx, __ATOMIC_RELEASE);
}

static void
kick(struct pg_vq *vq)
{
    pg_mmio_write16(vq->notify, vq->index);
    vq->kicks++;
}

static void
set_desc(struct pg_vq *vq, uint16_t id, uint32_t len, uint16_t flags)
{
    uint8_t *d = vq->desc + 16 * id;
    uint64_t addr = (uintptr_t) (vq->bufs + (size_t) id * PG_VNET_BUF_SIZE);

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memset(d + 14, 0, 2);
}

/* Allocates queue INDEX's rings and buffers and programs the device. */
static int
setup_queue(struct pg_vnet *vnet, struct pg_vq *vq, uint16_t index,
            struct pg_alloc *alloc, struct pg_buf *err)
{
    uintptr_t c = vnet->common;

    pg_mmio_write16(c + COMMON_Q_SELECT, index);
    uint16_t max = pg_mmio_read16(c + COMMON_Q_SIZE);
    if (!max) {
        pg_buf_str(err, "queue ");
        pg_buf_u64(err, index);
        pg_buf_str(err, " not available");
        return -1;
    }

    uint16_t size = 1;
    while (size * 2 <= max && size * 2 <= PG_VQ_MAX) {
        size *= 2;
    }

    memset(vq, 0, sizeof *vq);
    vq->index = index;
    vq->size = size;
    vq->desc = pg_alloc_pages(alloc, 16 * size);
    vq->avail = pg_alloc_pages(alloc, 6 + 2 * size);
    vq->used = pg_alloc_pages(alloc, 6 + 8 * size);
    vq->bufs = pg_alloc_pages(alloc, (uint64_t) size * PG_VNET_BUF_SIZE);
    if (!vq->desc || !vq->avail || !vq->used || !vq->bufs) {
        pg_buf_str(err, "out of memory for queues");
        return -1;
    }
    vq->avail[0] = VRING_AVAIL_F_NO_INTERRUPT;

    pg_mmio_write16(c + COMMON_Q_SIZE, size);
    pg_mmio_write16(c + COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
    write64(c + COMMON_Q_DESCLO, (uintptr_t) vq->desc);
    write64(c + COMMON_Q_AVAILLO, (uintptr_t) vq->avail);
    write64(c + COMMON_Q_USEDLO, (uintptr_t) vq->used);

    uint64_t off = (uint64_t) pg_mmio_read16(c + COMMON_Q_NOFF)
                   * vnet->notify_mult;
    if (off > 0xffffffffULL || vnet->notify_base + off + 2 > 0x100000000ULL) {
        pg_buf_str(err, "notify address out of range");
        return -1;
    }
    vq->notify = vnet->notify_base + off;
    return 0;
}

static void
fill_rx(struct pg_vq *vq)
{
    for (uint16_t id = 0; id < vq->size; id++) {
        set_desc(vq, id, PG_VNET_BUF_SIZE, VRING_DESC_F_WRITE);
        vq->avail[2 + id] = id;
    }
    vq->avail_idx = vq->size;
    publish_avail(vq);
}

static void
init_tx(struct pg_vq *vq)
{
    for (uint16_t id = 0; id < vq->size; id++) {
        set_desc(vq, id, 0, 0);
        vq->free[id] = vq->size - 1 - id;
    }
    vq->n_free = vq->size;
}

static int
fail(struct pg_vnet *vnet, struct pg_buf *err, const char *what)
{
    if (what) {
        pg_buf_str(err, what);
    }
    if (vnet->common) {
        set_status(vnet, get_status(vnet) | STATUS_FAILED);
    }
    return -1;
}

int
pg_vnet_init(struct pg_vnet *vnet, const struct pg_pci_dev *dev,
             struct pg_alloc *alloc, struct pg_buf *err)
{
    struct vcap caps[5];

    memset(vnet, 0, sizeof *vnet);
    vnet->pci = *dev;

    uint16_t cmd = pg_pci_read16(dev, PG_PCI_COMMAND);
    pg_pci_write16(dev, PG_PCI_COMMAND,
                   cmd | PG_PCI_COMMAND_MEMORY | PG_PCI_COMMAND_MASTER);

    /* The ISR capability is not needed: nothing here uses interrupts. */
    if (find_caps(dev, caps)
        || cap_addr(dev, &caps[VIRTIO_PCI_CAP_COMMON], COMMON_LEN,
                    &vnet->common)
        || cap_addr(dev, &caps[VIRTIO_PCI_CAP_NOTIFY], 2,
                    &vnet->notify_base)) {
        return fail(vnet, err, "virtio capabilities missing or unusable");
    }
    vnet->notify_mult = caps[VIRTIO_PCI_CAP_NOTIFY].notify_mult;
    if (cap_addr(dev, &caps[VIRTIO_PCI_CAP_DEVICE], 6, &vnet->device_cfg)) {
        vnet->device_cfg = 0;
    }

    /* Virtio 1.x, 3.1.1: reset, ACKNOWLEDGE, DRIVER, features,
     * FEATURES_OK, queues, DRIVER_OK. */
    if (reset_device(vnet)) {
        return fail(vnet, err, "device reset did not complete");
    }
    set_status(vnet, STATUS_ACKNOWLEDGE);
    set_status(vnet, STATUS_ACKNOWLEDGE | STATUS_DRIVER);

    uint64_t offered = read_device_features(vnet);
    if (!(offered & VIRTIO_F_VERSION_1)) {
        return fail(vnet, err, "device does not offer VIRTIO_F_VERSION_1");
    }
    vnet->features = VIRTIO_F_VERSION_1;
    if (offered & VIRTIO_NET_F_MAC && vnet->device_cfg) {
        vnet->features |= VIRTIO_NET_F_MAC;
    }
    write_driver_features(vnet, vnet->features);
    set_status(vnet, STATUS_ACKNOWLEDGE | STATUS_DRIVER
                     | STATUS_FEATURES_OK);
    if (!(get_status(vnet) & STATUS_FEATURES_OK)) {
        return fail(vnet, err, "device refused features");
    }

    if (pg_mmio_read16(vnet->common + COMMON_NUMQ) < 2) {
        return fail(vnet, err, "device has fewer than 2 queues");
    }
    pg_mmio_write16(vnet->common + COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
    if (setup_queue(vnet, &vnet->rx, 0, alloc, err)
        || setup_queue(vnet, &vnet->tx, 1, alloc, err)) {
        return fail(vnet, err, NULL);
    }
    fill_rx(&vnet->rx);
    init_tx(&vnet->tx);
    for (uint16_t q = 0; q < 2; q++) {
        pg_mmio_write16(vnet->common + COMMON_Q_SELECT, q);
        pg_mmio_write16(vnet->common + COMMON_Q_ENABLE, 1);
    }

    if (vnet->features & VIRTIO_NET_F_MAC) {
        read_mac(vnet);
        vnet->has_mac = true;
    }

    set_status(vnet, STATUS_ACKNOWLEDGE | STATUS_DRIVER
                     | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    if (get_status(vnet) & STATUS_FAILED) {
        return fail(vnet, err, "device failed at DRIVER_OK");
    }

    /* The rx ring was filled before DRIVER_OK; tell the device. */
    pg_mb();
    if (!(used_flags(&vnet->rx) & VRING_USED_F_NO_NOTIFY)) {
        kick(&vnet->rx);
    }
    return 0;
}

int
pg_vnet_rx_poll(struct pg_vnet *vnet, int budget, pg_vnet_rx_cb *cb,
                void *aux)
{
    struct pg_vq *vq = &vnet->rx;
    uint16_t mask = vq->size - 1;
    uint16_t used_idx = __atomic_load_n(used_idx_ptr(vq), __ATOMIC_ACQUIRE);
    uint16_t published = vq->avail_idx;
    int n = 0;

    while (vq->last_used != used_idx && n < budget) {
        const uint8_t *e = vq->used + 4 + 8 * (vq->last_used & mask);
        uint32_t id, len;

        memcpy(&id, e, 4);
        memcpy(&len, e + 4, 4);
        vq->last_used++;
        n++;
        if (id >= vq->size) {
            continue;           /* Bogus id: nothing to recycle. */
        }

        const uint8_t *buf = vq->bufs + (size_t) id * PG_VNET_BUF_SIZE;
        if (len > PG_VNET_BUF_SIZE) {
            len = PG_VNET_BUF_SIZE;
        }
        if (len > PG_VNET_HDR_LEN) {
            vnet->rx_packets++;
            cb(aux, buf + PG_VNET_HDR_LEN, len - PG_VNET_HDR_LEN);
        }
        vq->avail[2 + (vq->avail_idx & mask)] = id;
        vq->avail_idx++;
    }
    if (!n) {
        return 0;
    }

    publish_avail(vq);
    pg_mb();
    /* Buffers the device still had before this refill: if it was
     * (nearly) dry it may be waiting for a notification. */
    uint16_t left = published
                    - __atomic_load_n(used_idx_ptr(vq), __ATOMIC_ACQUIRE);
    if (left <= vq->size / 4
        && !(used_flags(vq) & VRING_USED_F_NO_NOTIFY)) {
        kick(vq);
    }
    return n;
}

int
pg_vnet_tx_reclaim(struct pg_vnet *vnet)
{
    struct pg_vq *vq = &vnet->tx;
    uint16_t mask = vq->size - 1;
    uint16_t used_idx = __atomic_load_n(used_idx_ptr(vq), __ATOMIC_ACQUIRE);
    int n = 0;

    while (vq->last_used != used_idx) {
        uint32_t id;

        memcpy(&id, vq->used + 4 + 8 * (vq->last_used & mask), 4);
        vq->last_used++;
        if (id < vq->size && vq->n_free < vq->size) {
            vq->free[vq->n_free++] = id;
            n++;
        }
    }
    return n;
}

int
pg_vnet_tx(struct pg_vnet *vnet, const void *frame, size_t len)
{
    struct pg_vq *vq = &vnet->tx;

    if (len > PG_VNET_BUF_SIZE - PG_VNET_HDR_LEN) {
        return -1;
    }
    if (!vq->n_free && !pg_vnet_tx_reclaim(vnet)) {
        return -1;
    }

    uint16_t id = vq->free[--vq->n_free];
    uint8_t *buf = vq->bufs + (size_t) id * PG_VNET_BUF_SIZE;
    uint32_t total = PG_VNET_HDR_LEN + len;

    memset(buf, 0, PG_VNET_HDR_LEN);
    memcpy(buf + PG_VNET_HDR_LEN, frame, len);
    memcpy(vq->desc + 16 * id + 8, &total, 4);
    vq->avail[2 + (vq->avail_idx & (vq->size - 1))] = id;
    vq->avail_idx++;
    publish_avail(vq);
    vnet->tx_unkicked++;
    vnet->tx_packets++;
    return 0;
}

void
pg_vnet_tx_kick(struct pg_vnet *vnet)
{
    if (vnet->tx_unkicked) {
        vnet->tx_unkicked = 0;
        pg_mb();
        if (!(used_flags(&vnet->tx) & VRING_USED_F_NO_NOTIFY)) {
            kick(&vnet->tx);
        }
    }
}
