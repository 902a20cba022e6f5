/* Fuzz target for ofpacts_parse(): arbitrary text never crashes the
 * parser or leaks, and whatever parses round-trips: its canonical text
 * parses back to the same actions and prints the same again. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ofproto/ofpact.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = xmemdup0((const char *) data, size);
    struct ofpacts a, b;
    char *error;

    ofpacts_init(&a);
    ofpacts_init(&b);
    error = ofpacts_parse(input, &a);
    if (!error) {
        char *text = ofpacts_to_string(a.data, a.size);
        char *text2;

        error = ofpacts_parse(text, &b);
        if (error || !ofpacts_equal(a.data, a.size, b.data, b.size)) {
            abort();
        }
        text2 = ofpacts_to_string(b.data, b.size);
        if (strcmp(text, text2)) {
            abort();
        }
        free(text);
        free(text2);
    }
    free(error);
    ofpacts_uninit(&a);
    ofpacts_uninit(&b);
    free(input);
    return 0;
}
