/*
 * pcap-file: reading and writing classic pcap capture files, through
 * libpcap.
 *
 * Only Ethernet (DLT_EN10MB) captures are read; a file of another link
 * type is refused when it is opened.  Writing goes through pcap_dump on
 * a "dead" libpcap handle, so the files are exactly what tcpdump and
 * tshark write and read (microsecond timestamps, snaplen 65535).
 *
 * A packet whose captured length is shorter than its original length
 * (a capture taken with a small snaplen) is returned with the captured
 * bytes only; flow_extract() copes with the truncation.
 */
#ifndef PLX_PCAP_FILE_H
#define PLX_PCAP_FILE_H 1

#include <stdint.h>
#include "util.h"

struct dp_packet;
struct pcap_file;

/* Opens FILE_NAME for reading (or writing, creating or truncating it).
 * Returns NULL and sets *PCAPP on success, otherwise returns an error
 * message that the caller frees and sets *PCAPP to NULL. */
char *pcap_file_open_read(const char *file_name, struct pcap_file **pcapp)
    PLX_WARN_UNUSED_RESULT;
char *pcap_file_open_write(const char *file_name, struct pcap_file **pcapp)
    PLX_WARN_UNUSED_RESULT;

/* Reads the next packet into a new *PACKETP (which the caller deletes),
 * with its timestamp in microseconds since the epoch in *WHEN_USEC if
 * WHEN_USEC is nonnull.  Returns 0 on success, EOF at the end of the
 * file, or a positive errno value (EINVAL for a corrupt file). */
int pcap_file_read(struct pcap_file *, struct dp_packet **packetp,
                   long long int *when_usec);

/* Appends PACKET with timestamp WHEN_USEC.  Returns 0 or an errno value. */
int pcap_file_write(struct pcap_file *, const struct dp_packet *,
                    long long int when_usec);

/* Flushes a file being written; returns 0 or an errno value. */
int pcap_file_flush(struct pcap_file *);

/* Closes the file (flushing it if written) and frees it. */
void pcap_file_close(struct pcap_file *);

#endif /* pcap-file.h */
