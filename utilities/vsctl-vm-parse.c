/* vsctl-vm-parse: add-vm and add-vm-port arguments (see the header). */
#include <config.h>
#include "vsctl-vm-parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
vsctl_vm_settings_init(struct vsctl_vm_settings *s)
{
    memset(s, 0, sizeof *s);
    smap_init(&s->other_config);
}

void
vsctl_vm_settings_destroy(struct vsctl_vm_settings *s)
{
    free(s->initrd);
    free(s->cmdline);
    smap_destroy(&s->other_config);
}

/* Parses S as a decimal integer in [MIN, MAX]. */
static bool
parse_int(const char *s, int64_t min, int64_t max, int64_t *value)
{
    char *end;

    if (!s[0] || s[0] == '+' || s[0] == '-' || s[0] == ' ') {
        return false;
    }
    errno = 0;
    long long int v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *value = v;
    return true;
}

char *
vsctl_vm_parse_setting(struct vsctl_vm_settings *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        return xasprintf("%s: argument does not end in \"=\" followed by "
                         "a value", arg);
    }

    size_t key_len = eq - arg;
    const char *value = eq + 1;
    if (key_len == 6 && !strncmp(arg, "initrd", 6)) {
        free(s->initrd);
        s->initrd = xstrdup(value);
    } else if (key_len == 7 && !strncmp(arg, "cmdline", 7)) {
        free(s->cmdline);
        s->cmdline = xstrdup(value);
    } else if (key_len == 9 && !strncmp(arg, "memory_mb", 9)) {
        if (!parse_int(value, 1, VSCTL_VM_MEMORY_MAX, &s->memory_mb)) {
            return xasprintf("%s: memory_mb must be an integer from 1 to "
                             "%d", arg, VSCTL_VM_MEMORY_MAX);
        }
    } else if (key_len == 4 && !strncmp(arg, "cpus", 4)) {
        if (!parse_int(value, 1, VSCTL_VM_CPUS_MAX, &s->cpus)) {
            return xasprintf("%s: cpus must be an integer from 1 to %d",
                             arg, VSCTL_VM_CPUS_MAX);
        }
    } else if (key_len > 13 && !strncmp(arg, "other_config:", 13)) {
        char *key = xmemdup0(arg + 13, key_len - 13);
        smap_replace(&s->other_config, key, value);
        free(key);
    } else {
        return xasprintf("%s: unknown setting (expected initrd, cmdline, "
                         "memory_mb, cpus or other_config:KEY)", arg);
    }
    return NULL;
}

char *
vsctl_vm_parse_mac(const char *arg, struct eth_addr *ea)
{
    struct eth_addr mac;

    if (strncmp(arg, "mac=", 4)) {
        return xasprintf("%s: expected mac=MAC", arg);
    }
    if (!eth_addr_from_string(arg + 4, &mac)) {
        return xasprintf("%s: not an Ethernet address", arg + 4);
    }
    if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
        return xasprintf("%s: a NIC needs a unicast, nonzero Ethernet "
                         "address", arg + 4);
    }
    *ea = mac;
    return NULL;
}
