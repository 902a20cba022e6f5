/*
 * plx-ofctl: the OpenFlow switch management tool, with ovs-ofctl's
 * command language.
 *
 * Today it has the commands that need no switch: parse-pcap (the flow key
 * of every packet in a capture, printed as ovs-ofctl prints it).  The
 * OpenFlow commands (show, dump-flows, add-flow, ...) arrive with the
 * OpenFlow layer.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "command-line.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "match.h"
#include "meta-flow.h"
#include "pcap-file.h"
#include "util.h"
#include "vlog.h"

/* OpenFlow's default flow priority: match_format() omits it. */
#define DEFAULT_PRIORITY 32768

static void
usage(const struct plx_cmdl_command commands[])
{
    printf("%s: OpenFlow switch management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n\n",
           program_name, program_name);
    plx_cmdl_print_commands(commands);
    printf("\nOptions:\n"
           "  -v, --verbose=[SPEC]    set logging levels\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
}

/* parse-pcap FILE...: prints each packet's flow key as a match on exactly
 * the fields that packet carries, the input port being ANY (the capture
 * does not say which port a packet came from). */
static void
cmd_parse_pcap(struct plx_cmdl_context *ctx)
{
    int status = 0;

    for (int i = 1; i < ctx->argc; i++) {
        const char *file_name = ctx->argv[i];
        struct pcap_file *pcap;
        char *error = pcap_file_open_read(file_name, &pcap);
        if (error) {
            plx_fatal(0, "%s", error);
        }

        for (;;) {
            struct dp_packet *packet;
            int retval = pcap_file_read(pcap, &packet, NULL);
            if (retval == EOF) {
                break;
            } else if (retval) {
                plx_error(retval, "%s: read failed", file_name);
                status = 1;
                break;
            }

            struct match match;
            pkt_metadata_init(&packet->md, MF_OFPP_ANY);
            flow_extract(packet, &match.flow);
            flow_wildcards_init_for_packet(&match.wc, &match.flow);
            match_normalize(&match);

            struct ds s = DS_EMPTY_INITIALIZER;
            match_format(&match, DEFAULT_PRIORITY, &s);
            puts(ds_cstr(&s));
            ds_destroy(&s);
            dp_packet_delete(packet);
        }
        pcap_file_close(pcap);
    }
    exit(status);
}

static const struct plx_cmdl_command all_commands[] = {
    { "parse-pcap", "pcap...", 1, INT_MAX, cmd_parse_pcap },
    { NULL, NULL, 0, 0, NULL },
};

int
main(int argc, char *argv[])
{
    enum { OPT_UNUSED = UCHAR_MAX + 1, VLOG_OPTION_ENUMS };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    set_program_name(argv[0]);
    char *short_options = plx_cmdl_long_options_to_short_options(long_options);
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'h':
            usage(all_commands);
            exit(EXIT_SUCCESS);
        case 'V':
            plx_print_version();
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);

    if (optind >= argc) {
        plx_fatal(0, "missing command name; use --help for help");
    }
    struct plx_cmdl_context ctx = {
        .argc = argc - optind,
        .argv = argv + optind,
    };
    plx_cmdl_run_command(&ctx, all_commands);
    return 0;
}
