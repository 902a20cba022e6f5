/* Fuzzes plx-vm's --net parser (vmm/net-spec.c), which takes text from
 * the command line that plx-vswitchd or a user builds. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include "vmm/net-spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmemdup0((const char *) data, size);
    struct net_spec spec;
    char *error = net_spec_parse(s, &spec);

    if (error) {
        free(error);
    } else {
        /* Whatever parses is complete and consistent. */
        if ((spec.path != NULL) == (spec.fd >= 0)
            || spec.queues < 1 || spec.queues > NET_SPEC_MAX_QUEUES
            || (spec.has_mac && spec.mac[0] & 1)) {
            abort();
        }
        net_spec_destroy(&spec);
    }
    free(s);
    return 0;
}
