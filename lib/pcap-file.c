/* pcap-file: pcap capture files through libpcap; see pcap-file.h. */
#include <config.h>
#include "pcap-file.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include "dp-packet.h"
#include "util.h"

#define PCAP_FILE_SNAPLEN 65535

struct pcap_file {
    pcap_t *pcap;
    pcap_dumper_t *dumper;      /* Nonnull when writing. */
};

char *
pcap_file_open_read(const char *file_name, struct pcap_file **pcapp)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pcap;

    *pcapp = NULL;
    pcap = pcap_open_offline(file_name, errbuf);
    if (!pcap) {
        return xasprintf("%s: cannot open for reading (%s)",
                         file_name, errbuf);
    }
    if (pcap_datalink(pcap) != DLT_EN10MB) {
        int dlt = pcap_datalink(pcap);
        pcap_close(pcap);
        return xasprintf("%s: link type %d is not Ethernet", file_name, dlt);
    }

    struct pcap_file *pf = xzalloc(sizeof *pf);
    pf->pcap = pcap;
    *pcapp = pf;
    return NULL;
}

char *
pcap_file_open_write(const char *file_name, struct pcap_file **pcapp)
{
    pcap_t *pcap;
    pcap_dumper_t *dumper;

    *pcapp = NULL;
    pcap = pcap_open_dead(DLT_EN10MB, PCAP_FILE_SNAPLEN);
    if (!pcap) {
        return xasprintf("%s: pcap_open_dead failed", file_name);
    }
    dumper = pcap_dump_open(pcap, file_name);
    if (!dumper) {
        char *error = xasprintf("%s: cannot open for writing (%s)",
                                file_name, pcap_geterr(pcap));
        pcap_close(pcap);
        return error;
    }

    struct pcap_file *pf = xzalloc(sizeof *pf);
    pf->pcap = pcap;
    pf->dumper = dumper;
    *pcapp = pf;
    return NULL;
}

int
pcap_file_read(struct pcap_file *pf, struct dp_packet **packetp,
               long long int *when_usec)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int retval;

    *packetp = NULL;
    if (pf->dumper) {
        return EBADF;
    }
    retval = pcap_next_ex(pf->pcap, &hdr, &data);
    if (retval == PCAP_ERROR_BREAK) {
        return EOF;
    } else if (retval != 1) {
        /* Truncated or corrupt record. */
        return EINVAL;
    }
    *packetp = dp_packet_clone_data(data, hdr->caplen);
    if (when_usec) {
        *when_usec = hdr->ts.tv_sec * 1000000LL + hdr->ts.tv_usec;
    }
    return 0;
}

int
pcap_file_write(struct pcap_file *pf, const struct dp_packet *packet,
                long long int when_usec)
{
    struct pcap_pkthdr hdr;
    uint32_t size = dp_packet_size(packet);

    if (!pf->dumper) {
        return EBADF;
    }
    if (when_usec < 0) {
        when_usec = 0;
    }
    hdr.ts.tv_sec = when_usec / 1000000;
    hdr.ts.tv_usec = when_usec % 1000000;
    hdr.len = size;
    hdr.caplen = MIN(size, PCAP_FILE_SNAPLEN);
    pcap_dump((u_char *) pf->dumper, &hdr, dp_packet_data(packet));
    return ferror(pcap_dump_file(pf->dumper)) ? EIO : 0;
}

int
pcap_file_flush(struct pcap_file *pf)
{
    if (pf->dumper && pcap_dump_flush(pf->dumper)) {
        return EIO;
    }
    return 0;
}

void
pcap_file_close(struct pcap_file *pf)
{
    if (pf) {
        if (pf->dumper) {
            pcap_dump_close(pf->dumper);
        }
        pcap_close(pf->pcap);
        free(pf);
    }
}
