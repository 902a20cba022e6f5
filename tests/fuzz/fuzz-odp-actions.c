/* Fuzz target for datapath actions: the text parser, the binary
 * validator and formatter, and execution of valid lists on hostile
 * packets.
 *
 * The first input byte picks the mode:
 *   'T' (or anything else): the rest is text for odp_actions_parse();
 *       what parses must be valid, and its text must parse back to the
 *       same bytes and print the same again;
 *   'B': the rest is a binary action list; the validator and formatter
 *       must cope, and a valid list must round-trip through text;
 *   'X': two bytes of length N, N bytes of binary actions, and the rest
 *       a packet: a valid list is executed on that packet (and on a copy
 *       with and without may_steal). */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/odp-actions.h"
#include "datapath/odp-execute.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const void *actions, size_t size)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;
    char *text = odp_actions_to_string(actions, size);
    char *error = odp_actions_parse(text, &b);

    if (error || !odp_actions_equal(actions, size, b.data, b.size)) {
        abort();
    }
    char *text2 = odp_actions_to_string(b.data, b.size);
    if (strcmp(text, text2)) {
        abort();
    }
    free(text);
    free(text2);
    odp_buf_uninit(&b);
}

static void
steal_cb(void *aux, struct dp_packet_batch *batch,
         const struct odp_attr *a, bool should_steal)
{
    (void) aux;
    (void) a;
    dp_packet_delete_batch(batch, should_steal);
}

static void
execute(const uint8_t *actions_, size_t n, const uint8_t *pkt, size_t len)
{
    uint32_t actions[16384];
    if (n > sizeof actions) {
        return;
    }
    memcpy(actions, actions_, n);
    if (odp_actions_check(actions, n)) {
        return;
    }

    struct dp_packet *p = dp_packet_clone_data(pkt, len);
    struct dp_packet_batch batch;
    struct flow flow;

    flow_extract(p, &flow);
    odp_execute_set_seed(1);
    dp_packet_batch_init_packet(&batch, p);
    odp_execute_actions(NULL, &batch, false, actions, n, steal_cb);
    if (batch.count != 1 || batch.packets[0] != p) {
        abort();
    }
    odp_execute_actions(NULL, &batch, true, actions, n, steal_cb);
    if (batch.count) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) {
        return 0;
    }

    uint8_t mode = data[0];
    data++;
    size--;
    if (mode == 'B') {
        uint32_t actions[16384];
        if (size <= sizeof actions) {
            memcpy(actions, data, size);
            free(odp_actions_to_string(actions, size));
            if (!odp_actions_check(actions, size)) {
                round_trip(actions, size);
            }
        }
    } else if (mode == 'X') {
        if (size >= 2) {
            size_t n = MIN((size_t) (data[0] << 8 | data[1]), size - 2);
            execute(data + 2, n, data + 2 + n, size - 2 - n);
        }
    } else {
        char *input = xmemdup0((const char *) data, size);
        struct odp_buf b = ODP_BUF_INITIALIZER;
        char *error = odp_actions_parse(input, &b);
        if (!error) {
            if (odp_actions_check(b.data, b.size)) {
                abort();
            }
            round_trip(b.data, b.size);
        } else if (b.size) {
            abort();
        }
        free(error);
        odp_buf_uninit(&b);
        free(input);
    }
    return 0;
}
