/*
 * ofpact: the OpenFlow actions of a flow-table rule, in one internal form
 * whatever OpenFlow version they came from (as Open vSwitch's ofpacts).
 *
 * Encoding.  A list is a byte sequence of actions, each a struct ofpact
 * header (type, length) followed by its type's fields, every action
 * padded to a multiple of OFPACT_ALIGNTO bytes.  An empty list drops.  A
 * list is position-independent and compared with memcmp(), so building
 * it must zero every padding byte (the builders here do).
 *
 * Actions, for now:
 *   OFPACT_OUTPUT  output to 'port': an OpenFlow port number or one of
 *                  the reserved ports NORMAL (the L2 learning switch),
 *                  FLOOD, ALL, IN_PORT, LOCAL and CONTROLLER
 *                  (MF_OFPP_* of lib/meta-flow.h).  OpenFlow's rules:
 *                  output to a regular port equal to the input port
 *                  does nothing (IN_PORT is the way to send a packet
 *                  back), FLOOD and ALL exclude the input port.
 * Issue 5 adds more types (set-field, push/pop VLAN, resubmit, ...) at
 * the end of enum ofpact_type; nothing here depends on the list of
 * types being short.
 *
 * Text (ovs-ofctl's action syntax): "NORMAL", "FLOOD", "ALL", "IN_PORT",
 * "LOCAL", "CONTROLLER", "output:PORT" or a bare port number, separated
 * by commas; "drop" alone is the empty list.  Keywords are
 * case-insensitive.  ofpacts_parse() reads what ofpacts_format()
 * writes, and returns an error message for anything else.
 */
#ifndef PLX_OFPACT_H
#define PLX_OFPACT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

struct ds;

enum ofpact_type {
    OFPACT_OUTPUT,
    OFPACT_N_TYPES
};

#define OFPACT_ALIGNTO 8
#define OFPACT_ALIGN(LEN) ROUND_UP((size_t) (LEN), OFPACT_ALIGNTO)

struct ofpact {
    uint16_t type;              /* OFPACT_*. */
    uint16_t len;               /* Header and fields, before padding. */
};

struct ofpact_output {
    struct ofpact ofpact;
    uint32_t port;              /* OpenFlow port or MF_OFPP_*. */
    uint16_t max_len;           /* For CONTROLLER: bytes to send. */
    uint8_t pad[2];
};

/* A growable, 8-byte-aligned action list under construction, or a
 * finished one. */
struct ofpacts {
    void *data;
    size_t size;
    size_t allocated;
};

#define OFPACTS_INITIALIZER { NULL, 0, 0 }

void ofpacts_init(struct ofpacts *);
void ofpacts_uninit(struct ofpacts *);
void ofpacts_clear(struct ofpacts *);

/* Appends an output to PORT (MAX_LEN matters for CONTROLLER only). */
void ofpact_put_output(struct ofpacts *, uint32_t port, uint16_t max_len);

static inline const struct ofpact *
ofpact_next(const struct ofpact *a)
{
    return (const void *) ((const uint8_t *) a + OFPACT_ALIGN(a->len));
}

static inline const struct ofpact *
ofpact_end(const void *ofpacts, size_t size)
{
    return (const void *) ((const uint8_t *) ofpacts + size);
}

/* Visits each action of a list built by the functions here. */
#define OFPACT_FOR_EACH(POS, OFPACTS, SIZE)                             \
    for ((POS) = (const void *) (OFPACTS);                              \
         (POS) < ofpact_end(OFPACTS, SIZE);                             \
         (POS) = ofpact_next(POS))

static inline const struct ofpact_output *
ofpact_get_output(const struct ofpact *a)
{
    return (const struct ofpact_output *) (const void *) a;
}

bool ofpacts_equal(const void *a, size_t a_size, const void *b,
                   size_t b_size);

/* Text, see the top. */
void ofpacts_format(const void *ofpacts, size_t size, struct ds *);
char *ofpacts_to_string(const void *ofpacts, size_t size);
/* Appends the actions in S to OFPACTS.  Returns NULL or a malloc'd error
 * message (OFPACTS is then restored to its size on entry). */
char *ofpacts_parse(const char *s, struct ofpacts *) PLX_WARN_UNUSED_RESULT;

#endif /* ofpact.h */
