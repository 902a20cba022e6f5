/* Fuzz target for flow_extract(): arbitrary bytes as an Ethernet frame.
 *
 * Besides memory safety (ASan/UBSan), checks that the layer offsets stay
 * within the packet, that the padding of the flow stays zero, and that
 * formatting and re-composing the extracted flow work on anything
 * extraction can produce. */
#include <config.h>
#include "flow.h"

#include <stdint.h>
#include <stdlib.h>
#include "dp-packet.h"
#include "dynamic-string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ofs(const struct dp_packet *p, uint16_t ofs)
{
    if (ofs != DP_PACKET_OFS_UNSET && ofs > dp_packet_size(p)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy, so that the data is 2-byte aligned as dp-packet.h
     * requires and ASan sees its exact end. */
    struct dp_packet *p = dp_packet_clone_data(data, size);
    struct flow flow, again;

    pkt_metadata_init(&p->md, size & 0xff);
    flow_extract(p, &flow);
    check_ofs(p, p->l2_5_ofs);
    check_ofs(p, p->l3_ofs);
    check_ofs(p, p->l4_ofs);
    if (flow.pad1[0] | flow.pad2[0] | flow.pad3[0] | flow.pad4[0]
        | flow.pad5[0] | (flow.tcp_flags & ~htons(0x0fff))) {
        abort();
    }

    char *s = flow_to_string(&flow);
    free(s);

    /* Whatever was extracted can be composed and parsed again. */
    flow_compose(p, &flow);
    flow_extract(p, &again);
    if (again.in_port != flow.in_port || again.dl_type == 0) {
        abort();
    }
    (void) flow_hash(&again, 0);

    dp_packet_delete(p);
    return 0;
}
