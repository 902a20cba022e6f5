/* Tests for utilities/vsctl-vm-parse: the KEY=VALUE settings of plx-vsctl
 * add-vm and the mac=MAC of add-vm-port, including what they refuse. */
#include <config.h>
#include "utilities/vsctl-vm-parse.h"

#include <stdlib.h>
#include <string.h>

#include "test.h"

static void
check_error(const char *arg, const char *needle)
{
    struct vsctl_vm_settings s;

    vsctl_vm_settings_init(&s);
    char *error = vsctl_vm_parse_setting(&s, arg);
    CHECK_MSG(error, "%s: accepted", arg);
    CHECK_MSG(strstr(error, needle), "%s: error \"%s\" lacks \"%s\"", arg,
              error, needle);
    /* A refused argument changes nothing. */
    CHECK(!s.initrd && !s.cmdline && !s.memory_mb && !s.cpus);
    CHECK_EQ(smap_count(&s.other_config), 0);
    free(error);
    vsctl_vm_settings_destroy(&s);
}

TEST(settings_all_keys)
{
    struct vsctl_vm_settings s;

    vsctl_vm_settings_init(&s);
    CHECK(!vsctl_vm_parse_setting(&s, "initrd=/boot/initrd.img"));
    CHECK(!vsctl_vm_parse_setting(&s, "cmdline=console=ttyS0 ip=10.0.0.1"
                                  "/24 ping=10.0.0.12"));
    CHECK(!vsctl_vm_parse_setting(&s, "memory_mb=512"));
    CHECK(!vsctl_vm_parse_setting(&s, "cpus=2"));
    CHECK(!vsctl_vm_parse_setting(&s, "other_config:restart=never"));
    CHECK(!vsctl_vm_parse_setting(&s, "other_config:console=/tmp/c=1"));
    CHECK_STREQ(s.initrd, "/boot/initrd.img");
    /* Everything after the first "=" is the value, spaces and "="
     * included, with no OVSDB quoting. */
    CHECK_STREQ(s.cmdline, "console=ttyS0 ip=10.0.0.1/24 ping=10.0.0.12");
    CHECK_EQ(s.memory_mb, 512);
    CHECK_EQ(s.cpus, 2);
    CHECK_STREQ(smap_get(&s.other_config, "restart"), "never");
    CHECK_STREQ(smap_get(&s.other_config, "console"), "/tmp/c=1");
    CHECK_EQ(smap_count(&s.other_config), 2);
    vsctl_vm_settings_destroy(&s);
}

TEST(settings_later_wins_and_empty_values)
{
    struct vsctl_vm_settings s;

    vsctl_vm_settings_init(&s);
    CHECK(!vsctl_vm_parse_setting(&s, "cmdline=a"));
    CHECK(!vsctl_vm_parse_setting(&s, "cmdline="));
    CHECK_STREQ(s.cmdline, "");
    CHECK(!vsctl_vm_parse_setting(&s, "cpus=1"));
    CHECK(!vsctl_vm_parse_setting(&s, "cpus=255"));
    CHECK_EQ(s.cpus, 255);
    CHECK(!vsctl_vm_parse_setting(&s, "memory_mb=1048576"));
    CHECK_EQ(s.memory_mb, 1048576);
    CHECK(!vsctl_vm_parse_setting(&s, "other_config:restart=always"));
    CHECK(!vsctl_vm_parse_setting(&s, "other_config:restart=never"));
    CHECK_STREQ(smap_get(&s.other_config, "restart"), "never");
    CHECK_EQ(smap_count(&s.other_config), 1);
    vsctl_vm_settings_destroy(&s);
}

TEST(settings_refused)
{
    check_error("memory_mb=0", "memory_mb must be an integer from 1");
    check_error("memory_mb=1048577", "memory_mb must be");
    check_error("memory_mb=-5", "memory_mb must be");
    check_error("memory_mb=+5", "memory_mb must be");
    check_error("memory_mb= 5", "memory_mb must be");
    check_error("memory_mb=12abc", "memory_mb must be");
    check_error("memory_mb=", "memory_mb must be");
    check_error("memory_mb=99999999999999999999999", "memory_mb must be");
    check_error("cpus=0", "cpus must be an integer from 1 to 255");
    check_error("cpus=256", "cpus must be");
    check_error("cpus=two", "cpus must be");
    check_error("kernel=/boot/vmlinuz", "unknown setting");
    check_error("name=vm2", "unknown setting");
    check_error("state=running", "unknown setting");
    check_error("other_config:=x", "unknown setting");
    check_error("other_config=x", "unknown setting");
    check_error("Cmdline=x", "unknown setting");
    check_error("cmdline", "does not end in \"=\"");
    check_error("=value", "does not end in \"=\"");
    check_error("", "does not end in \"=\"");
}

TEST(mac)
{
    struct eth_addr ea = eth_addr_zero;
    char *error;

    CHECK(!vsctl_vm_parse_mac("mac=52:54:00:12:34:56", &ea));
    CHECK_EQ(ea.ea[0], 0x52);
    CHECK_EQ(ea.ea[5], 0x56);

    static const char *const bad[][2] = {
        { "52:54:00:12:34:56", "expected mac=MAC" },
        { "MAC=52:54:00:12:34:56", "expected mac=MAC" },
        { "mac=", "not an Ethernet address" },
        { "mac=52:54:00:12:34", "not an Ethernet address" },
        { "mac=52:54:00:12:34:56:78", "not an Ethernet address" },
        { "mac=zz:54:00:12:34:56", "not an Ethernet address" },
        { "mac=01:00:5e:00:00:01", "unicast, nonzero" },
        { "mac=ff:ff:ff:ff:ff:ff", "unicast, nonzero" },
        { "mac=00:00:00:00:00:00", "unicast, nonzero" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct eth_addr before = ea;
        error = vsctl_vm_parse_mac(bad[i][0], &ea);
        CHECK_MSG(error, "%s accepted", bad[i][0]);
        CHECK_MSG(strstr(error, bad[i][1]), "%s: \"%s\"", bad[i][0], error);
        CHECK(eth_addr_equals(ea, before));
        free(error);
    }
}
