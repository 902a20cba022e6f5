/* Fuzzes the EAL arguments plx-vswitchd builds from the database's
 * other_config:dpdk-* keys (datapath/dpdk.c), which any database client
 * can set.  The input is "key=value" lines. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/dpdk.h"
#include "smap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smap oc = SMAP_INITIALIZER(&oc);
    char *text = xmemdup0((const char *) data, size);
    char *save = NULL;

    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            smap_replace(&oc, line, eq + 1);
        }
    }

    int argc;
    char **argv;
    char *error;
    if (dpdk_build_args(&oc, &argc, &argv, &error)) {
        if (!error || !error[0]) {
            abort();
        }
        free(error);
    } else {
        /* A program name, then no empty word. */
        if (argc < 1 || argv[argc] || strcmp(argv[0], "plx-vswitchd")) {
            abort();
        }
        for (int i = 0; i < argc; i++) {
            if (!argv[i][0]) {
                abort();
            }
        }
        dpdk_free_args(argv);
    }
    smap_destroy(&oc);
    free(text);
    return 0;
}
