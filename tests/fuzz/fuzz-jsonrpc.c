/* Fuzz target for the JSON-RPC framing parser and message decoder.
 *
 * Input: 4 bytes of chunking pattern, then the byte stream.  The stream
 * is fed to one parser in chunks whose sizes come from the pattern and
 * to another all at once; both must yield the same values and the same
 * error status (splitting must never change what is parsed).  Each value
 * goes through jsonrpc_msg_from_json(), and a valid message must survive
 * an encode/decode round trip unchanged.  The stream is also given to
 * the bounded one-value parser. */
#include <config.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "json.h"
#include "jsonrpc.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_MSG 16384

/* Decodes JSON as a message; if valid, checks the round trip. */
static void
check_message(const json_t *json)
{
    struct jsonrpc_msg *msg, *msg2;
    char *error = jsonrpc_msg_from_json(json, &msg);

    if (error) {
        if (msg) {
            abort();
        }
        free(error);
        return;
    }

    char *s1 = jsonrpc_msg_to_string(msg);
    json_t *again = jsonrpc_msg_to_json(msg);
    error = jsonrpc_msg_from_json(again, &msg2);
    if (error || msg2->type != msg->type) {
        abort();
    }
    char *s2 = jsonrpc_msg_to_string(msg2);
    if (strcmp(s1, s2)) {
        abort();
    }
    free(s1);
    free(s2);
    json_decref(again);
    jsonrpc_msg_destroy(msg);
    jsonrpc_msg_destroy(msg2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pattern[4] = { 1, 7, 64, 255 };
    struct jsonrpc_parser *chunked, *whole;
    size_t ofs = 0;
    json_t *a, *b;
    int ea, eb;

    if (size >= 4) {
        memcpy(pattern, data, 4);
        data += 4;
        size -= 4;
    }

    chunked = jsonrpc_parser_create(FUZZ_MAX_MSG);
    whole = jsonrpc_parser_create(FUZZ_MAX_MSG);
    for (int i = 0; ofs < size; i++) {
        size_t n = MIN(size - ofs, (size_t) pattern[i % 4] + 1);
        jsonrpc_parser_feed(chunked, data + ofs, n);
        ofs += n;
    }
    jsonrpc_parser_feed(whole, data, size);
    if (pattern[0] & 1) {
        jsonrpc_parser_finish(chunked);
        jsonrpc_parser_finish(whole);
    }

    do {
        ea = jsonrpc_parser_next(chunked, &a);
        eb = jsonrpc_parser_next(whole, &b);
        if (ea != eb || (!ea && !json_equal(a, b))) {
            abort();
        }
        if (!ea) {
            check_message(a);
        }
        json_decref(a);
        json_decref(b);
    } while (!ea);
    if (ea != EAGAIN && ea != EPROTO) {
        abort();
    }
    jsonrpc_parser_destroy(chunked);
    jsonrpc_parser_destroy(whole);

    /* The bounded single-value parser on the same bytes. */
    struct json_limits limits = { .max_depth = 64, .max_bytes = 32768 };
    char *error;
    json_t *json = json_from_buffer_bounded(data, size, &limits, &error);
    if (!json == !error) {
        abort();
    }
    if (json) {
        char *s = json_to_string_canonical(json);
        free(s);
        json_decref(json);
    }
    free(error);
    return 0;
}
