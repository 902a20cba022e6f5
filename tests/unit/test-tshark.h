/* test-tshark: tshark as an independent decoder for unit tests of
 * encoders (NetFlow, IPFIX, sFlow): a datagram an encoder produced is
 * wrapped in Ethernet, IPv4 and UDP and written to a pcap file, which
 * tshark then reads back field by field.
 *
 * The wrapping frame goes from 192.0.2.1:40000 to 192.0.2.2:PORT, with
 * a correct IPv4 header checksum and no UDP checksum, so that tshark's
 * dissector for PORT sees exactly the datagram's bytes. */
#ifndef TEST_TSHARK_H
#define TEST_TSHARK_H 1

#include <stddef.h>
#include <stdint.h>

struct pcap_file;

/* Appends the LEN bytes at DGRAM to PCAP as a UDP datagram to PORT,
 * timestamped USEC (microseconds since the epoch). */
void test_pcap_write_udp(struct pcap_file *, uint16_t port,
                         const void *dgram, size_t len, long long int usec);

/* Runs "tshark -n -r FILE ARGS" and returns what it printed on stdout
 * (malloc'd).  Skips the test if tshark is not installed; fails it if
 * tshark fails. */
char *test_tshark(const char *file, const char *args);

/* Splits S at SEP into at most MAX fields, in place, and returns their
 * number (failing the test beyond MAX). */
size_t test_split(char *s, char sep, char **fields, size_t max);

/* The unsigned number S (decimal, or hex with 0x), failing the test if
 * it is not one. */
uint64_t test_parse_u64(const char *s);

#endif /* test-tshark.h */
