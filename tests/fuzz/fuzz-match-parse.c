/* Fuzz target for match_parse(): arbitrary text never crashes the parser
 * or leaks, and whatever parses round-trips: its canonical text parses
 * back to the same match and priority, and prints the same again. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "match.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = xmemdup0((const char *) data, size);
    struct match match, match2;
    int priority = 32768, priority2 = 32768;
    char *error;

    error = match_parse(input, &match, &priority);
    if (!error) {
        char *text = match_to_string(&match, priority);
        char *text2;

        error = match_parse(text, &match2, &priority2);
        if (error || !match_equal(&match, &match2)
            || priority != priority2) {
            abort();
        }
        text2 = match_to_string(&match2, priority2);
        if (strcmp(text, text2)) {
            abort();
        }
        free(text);
        free(text2);
    }
    free(error);
    free(input);
    return 0;
}
