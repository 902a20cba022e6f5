/* Fuzz target for utilities/vsctl-vm-parse: the KEY=VALUE settings of
 * plx-vsctl add-vm and the mac=MAC argument of add-vm-port, which come
 * from users and scripts.
 *
 * Input: words separated by NUL bytes, each parsed as an add-vm setting
 * into one settings object (later ones replace earlier ones) and as a
 * mac= argument.  Whatever parses must be within the schema's limits;
 * every error must be a message.
 *
 * The fuzz build links only the libraries, so the file under test is
 * compiled into this target directly. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../utilities/vsctl-vm-parse.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = xmemdup0((const char *) data, size);
    struct vsctl_vm_settings settings;

    vsctl_vm_settings_init(&settings);
    for (char *word = copy; word < copy + size;
         word += strlen(word) + 1) {
        char *error = vsctl_vm_parse_setting(&settings, word);
        free(error);

        struct eth_addr ea;
        error = vsctl_vm_parse_mac(word, &ea);
        if (!error && (ea.ea[0] & 1)) {
            abort();            /* Multicast accepted as a NIC's MAC. */
        }
        free(error);
    }
    if (settings.memory_mb < 0 || settings.memory_mb > VSCTL_VM_MEMORY_MAX
        || settings.cpus < 0 || settings.cpus > VSCTL_VM_CPUS_MAX) {
        abort();
    }
    vsctl_vm_settings_destroy(&settings);
    free(copy);
    return 0;
}
