/* Fuzz target for the OpenFlow match decoders (lib/ofp-match.c).
 *
 * The first input byte picks the decoder: even for OpenFlow 1.3 (OXM,
 * strict, then lenient), odd for OpenFlow 1.0.  Arbitrary bytes never
 * crash, read out of bounds or leak, and whatever decodes re-encodes to
 * bytes that decode to the same match (and, for OXM, re-encode to the
 * same bytes). */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "match.h"
#include "ofp-match.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_oxm(const uint8_t *data, size_t size)
{
    struct match m, back;
    size_t padded;

    if (!ofp13_match_decode(data, size, false, &m, &padded)) {
        size_t need = ofp13_match_encode(&m, NULL, 0);
        uint8_t *enc = xmalloc(need);
        uint8_t *enc2 = xmalloc(need);

        if (padded > size
            || ofp13_match_encode(&m, enc, need) != need
            || ofp13_match_decode(enc, need, false, &back, NULL)
            || !match_equal(&m, &back)
            || ofp13_match_encode(&back, enc2, need) != need
            || memcmp(enc, enc2, need)) {
            abort();
        }
        free(enc);
        free(enc2);
    }
    (void) ofp13_match_decode(data, size, true, &m, &padded);
}

static void
check_ofp10(const uint8_t *data, size_t size)
{
    struct match m, back;

    if (!ofp10_match_decode(data, size, &m)) {
        struct ofp10_match om;

        ofp10_match_encode(&m, &om);
        if (ofp10_match_decode(&om, sizeof om, &back)
            || !match_equal(&m, &back)
            || !ofp10_match_is_exact(&m)) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) {
        return 0;
    }
    /* A copy of exactly the input's length, so that ASan catches any
     * read past the end. */
    uint8_t *copy = xmemdup(data + 1, size - 1);
    if (data[0] & 1) {
        check_ofp10(copy, size - 1);
    } else {
        check_oxm(copy, size - 1);
    }
    free(copy);
    return 0;
}
