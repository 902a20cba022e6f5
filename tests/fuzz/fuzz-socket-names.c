/* Fuzzes the parsers of stream names and socket addresses, which take
 * text from command lines, configuration and the database: stream and
 * pstream name validation, active and passive address parsing, and the
 * format/parse round trip of every address that parses. */
#include <config.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "socket-util.h"
#include "stream.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const struct sockaddr_storage *ss)
{
    char *s = ss_format_address_port(ss);
    struct sockaddr_storage ss2;
    if (inet_parse_active(s, -1, &ss2, false)
        || ss_get_port(&ss2) != ss_get_port(ss)
        || ss2.ss_family != ss->ss_family) {
        abort();
    }
    free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmemdup0((const char *) data, size);
    struct sockaddr_storage ss;
    char *host, *port;
    int error;

    error = stream_verify_name(s);
    if (error && error != EINVAL && error != EAFNOSUPPORT) {
        abort();
    }
    error = pstream_verify_name(s);
    if (error && error != EINVAL && error != EAFNOSUPPORT) {
        abort();
    }

    error = inet_parse_active(s, 6653, &ss, false);
    if (!error) {
        check_round_trip(&ss);
    } else if (error != EINVAL && error != EAGAIN) {
        abort();
    }
    if (!inet_parse_passive(s, 6653, &ss)) {
        check_round_trip(&ss);
    }
    if (!inet_split_host_port(s, &host, &port)) {
        free(host);
        free(port);
    }
    free(s);
    return 0;
}
