/* test-tshark: tshark as an independent decoder (see test-tshark.h). */
#include <config.h>
#include "test-tshark.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "pcap-file.h"
#include "test.h"
#include "util.h"

static void
put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

void
test_pcap_write_udp(struct pcap_file *pcap, uint16_t port, const void *dgram,
                    size_t len, long long int usec)
{
    static const uint8_t eth[14] = {
        0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00,
    };
    static const uint8_t addrs[8] = { 192, 0, 2, 1, 192, 0, 2, 2 };
    uint8_t *frame = xmalloc(42 + len);

    CHECK_LE(len, 65507);
    memcpy(frame, eth, sizeof eth);
    uint8_t *ip = frame + 14;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    put_be16(ip + 2, 28 + len);
    put_be16(ip + 6, 0x4000);           /* Don't fragment. */
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, addrs, sizeof addrs);
    plx_be16 c = csum(ip, 20);
    memcpy(ip + 10, &c, 2);
    put_be16(ip + 20, 40000);
    put_be16(ip + 22, port);
    put_be16(ip + 24, 8 + len);
    memcpy(ip + 28, dgram, len);

    struct dp_packet *p = dp_packet_clone_data(frame, 42 + len);
    CHECK_EQ(pcap_file_write(pcap, p, usec), 0);
    dp_packet_delete(p);
    free(frame);
}

char *
test_tshark(const char *file, const char *args)
{
    if (system("tshark --version >/dev/null 2>&1")) {
        test_skip("tshark is not installed");
    }
    char *out = xasprintf("%s/tshark.out", test_tmpdir());
    char *err = xasprintf("%s/tshark.err", test_tmpdir());
    char *cmd = xasprintf("tshark -n -r %s %s > %s 2> %s", file, args, out,
                          err);
    int status = system(cmd);
    if (status) {
        char *why = test_read_file(err, NULL);
        CHECK_MSG(!status, "%s: status %d: %s", cmd, status, why);
        free(why);
    }
    char *text = test_read_file(out, NULL);
    free(cmd);
    free(err);
    free(out);
    return text;
}

size_t
test_split(char *s, char sep, char **fields, size_t max)
{
    size_t n = 0;
    for (;;) {
        CHECK_LT(n, max);
        fields[n++] = s;
        char *p = strchr(s, sep);
        if (!p) {
            return n;
        }
        *p = '\0';
        s = p + 1;
    }
}

uint64_t
test_parse_u64(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    CHECK_MSG(!errno && end != s && *end == '\0', "bad number \"%s\"", s);
    return x;
}
