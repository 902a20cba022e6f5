/* Fuzz target for ofpacts_text_parse() of lib/ofp-actions: arbitrary
 * text never crashes the parser or leaks, and whatever parses
 * round-trips: its canonical text parses back to the same actions and
 * prints the same again. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ofp-actions.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = xmemdup0((const char *) data, size);
    struct ofpa_buf a, b;
    char *error;

    ofpa_buf_init(&a);
    ofpa_buf_init(&b);
    error = ofpacts_text_parse(input, &a);
    if (!error) {
        char *text = ofpacts_text(a.data, a.size);
        char *text2;

        error = ofpacts_text_parse(text, &b);
        if (error || !ofpacts_same(a.data, a.size, b.data, b.size)) {
            abort();
        }
        text2 = ofpacts_text(b.data, b.size);
        if (strcmp(text, text2)) {
            abort();
        }
        free(text);
        free(text2);
    }
    free(error);
    free(input);
    ofpa_buf_uninit(&a);
    ofpa_buf_uninit(&b);
    return 0;
}
