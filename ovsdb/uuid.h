/*
 * uuid: 128-bit universally unique identifiers (RFC 4122) for OVSDB.
 *
 * OVSDB names every row by a UUID and writes UUIDs on the wire as
 * 36-character strings, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in
 * lowercase hex.  A struct uuid holds the 128 bits as four 32-bit words in
 * the order they are printed, so that comparing the words in order
 * compares the UUIDs in the order of their printed forms (the order OVSDB
 * sorts sets of UUIDs in).
 *
 * uuid_generate() makes random (version 4) UUIDs from the kernel's random
 * source (getrandom(), falling back to /dev/urandom).  It aborts if no
 * random bytes can be had at all: handing out predictable row UUIDs would
 * be worse than stopping.
 */
#ifndef PLX_OVSDB_UUID_H
#define PLX_OVSDB_UUID_H 1

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct uuid {
    uint32_t parts[4];          /* Most significant word first. */
};

/* Length of a printed UUID, without the terminating NUL. */
#define UUID_LEN 36

/* printf() a UUID with "..." UUID_FMT "...", UUID_ARGS(&uuid). */
#define UUID_FMT "%08x-%04x-%04x-%04x-%04x%08x"
#define UUID_ARGS(UUID)                                 \
    ((unsigned int) (UUID)->parts[0]),                  \
    ((unsigned int) ((UUID)->parts[1] >> 16)),          \
    ((unsigned int) ((UUID)->parts[1] & 0xffff)),       \
    ((unsigned int) ((UUID)->parts[2] >> 16)),          \
    ((unsigned int) ((UUID)->parts[2] & 0xffff)),       \
    ((unsigned int) (UUID)->parts[3])

void uuid_zero(struct uuid *);
bool uuid_is_zero(const struct uuid *);
bool uuid_equals(const struct uuid *, const struct uuid *);
int uuid_compare_3way(const struct uuid *, const struct uuid *);
uint32_t uuid_hash(const struct uuid *);

/* Fills in a random version 4, variant 1 UUID. */
void uuid_generate(struct uuid *);

/* Parses the 36-character form (hex digits in either case).  Returns true
 * if S is exactly one UUID, otherwise false (and zeroes UUID). */
bool uuid_from_string(struct uuid *, const char *s);

/* Writes the printed form of UUID into BUF (at least UUID_LEN + 1 bytes)
 * and returns BUF. */
char *uuid_to_string(const struct uuid *, char *buf);

#endif /* ovsdb/uuid.h */
