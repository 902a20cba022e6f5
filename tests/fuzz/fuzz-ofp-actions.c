/* Fuzz target for the OpenFlow action and instruction decoders of
 * lib/ofp-actions.  The first byte picks the decoder (OpenFlow 1.0
 * actions, OpenFlow 1.3 actions, OpenFlow 1.3 instructions); the rest is
 * wire input.  Nothing may crash or leak, and whatever decodes must
 * encode, decode to the same list again, and format without trouble. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include "ofp-actions.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum ofperr
decode(int mode, const void *p, size_t n, struct ofpa_buf *out)
{
    return (mode == 2
            ? ofpacts_decode_instructions(p, n, OFPA_OF13, out)
            : ofpacts_decode_actions(p, n, mode ? OFPA_OF13 : OFPA_OF10,
                                     out));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ofpa_buf a, wire, b;
    int mode;

    if (!size) {
        return 0;
    }
    mode = data[0] % 3;
    ofpa_buf_init(&a);
    ofpa_buf_init(&wire);
    ofpa_buf_init(&b);
    if (!decode(mode, data + 1, size - 1, &a)) {
        int version = mode ? OFPA_OF13 : OFPA_OF10;
        enum ofperr error = (mode == 2
                             ? ofpacts_encode_instructions(a.data, a.size,
                                                           version, &wire)
                             : ofpacts_encode_actions(a.data, a.size,
                                                      version, &wire));
        if (error || decode(mode, wire.data, wire.size, &b)
            || !ofpacts_same(a.data, a.size, b.data, b.size)) {
            abort();
        }
        free(ofpacts_text(a.data, a.size));

        struct ofpa_buf set;
        ofpa_buf_init(&set);
        ofpacts_action_set_order(a.data, a.size, &set);
        ofpa_buf_uninit(&set);
    }
    ofpa_buf_uninit(&a);
    ofpa_buf_uninit(&wire);
    ofpa_buf_uninit(&b);
    return 0;
}
