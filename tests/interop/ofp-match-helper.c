/* ofp-match-helper: a command-line face of lib/ofp-match.c for
 * tests/interop/test_ofp_match.py.
 *
 *   ofp-match-helper encode13 MATCH   prints the OF1.3 ofp_match in hex
 *   ofp-match-helper encode10 MATCH   prints the OF1.0 ofp10_match in hex
 *   ofp-match-helper decode13 HEX     prints the match, or the error name
 *   ofp-match-helper decode10 HEX     likewise for OF1.0
 *
 * MATCH is in ovs-ofctl syntax (match_parse()); output matches are in
 * match_format()'s canonical text. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "match.h"
#include "ofp-match.h"
#include "util.h"

static void
print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
    putchar('\n');
}

static size_t
parse_hex(const char *s, uint8_t *buf, size_t size)
{
    size_t n = 0;

    while (*s) {
        unsigned int byte;
        if (*s == ' ') {
            s++;
            continue;
        }
        if (n >= size || sscanf(s, "%2x", &byte) != 1 || !s[1]) {
            plx_fatal(0, "bad hex");
        }
        buf[n++] = byte;
        s += 2;
    }
    return n;
}

int
main(int argc, char *argv[])
{
    struct match match;
    uint8_t buf[4096];
    enum ofperr error;

    set_program_name(argv[0]);
    if (argc != 3) {
        plx_fatal(0, "usage: %s encode13|encode10|decode13|decode10 ARG",
                  program_name);
    }
    if (!strncmp(argv[1], "encode", 6)) {
        char *err = match_parse(argv[2], &match, NULL);
        if (err) {
            plx_fatal(0, "%s", err);
        }
        if (!strcmp(argv[1], "encode13")) {
            size_t n = ofp13_match_encode(&match, buf, sizeof buf);
            print_hex(buf, n);
        } else {
            struct ofp10_match om;
            ofp10_match_encode(&match, &om);
            print_hex((const uint8_t *) &om, sizeof om);
            if (!ofp10_match_is_exact(&match)) {
                fprintf(stderr, "not exact in OpenFlow 1.0\n");
            }
        }
        return 0;
    }
    size_t n = parse_hex(argv[2], buf, sizeof buf);
    error = (!strcmp(argv[1], "decode13")
             ? ofp13_match_decode(buf, n, false, &match, NULL)
             : ofp10_match_decode(buf, n, &match));
    if (error) {
        printf("error %s\n", ofperr_get_name(error));
    } else {
        char *s = match_to_string(&match, 32768);
        printf("%s\n", s);
        free(s);
    }
    return 0;
}
