/*
 * ovsdb-error: the errors of the OVSDB engine, in RFC 7047's shape.
 *
 * An OVSDB error is what an RFC 7047 reply carries in an "error" object:
 *
 *     {"error": TAG, "details": "human-readable text", "syntax": "..."}
 *
 * TAG is one of a small fixed vocabulary that clients match on ("syntax
 * error", "constraint violation", "referential integrity violation",
 * "unknown column", "domain error", "range error", "timed out",
 * "not owner", "resources exhausted", "I/O error", "duplicate uuid-name",
 * "unknown database", "ovsdb error" when none is given...), so the tag is
 * always a string the caller chooses, never formatted text.  "details" is
 * free text.  A syntax error also remembers the offending JSON, already
 * serialized (compact, keys sorted), as Open vSwitch's ovsdb-server
 * reports it in the "syntax" member; an I/O error may carry an errno.
 *
 * Errors are returned, not thrown: a function that can fail returns a
 * struct ovsdb_error * that is NULL on success and otherwise owned by the
 * caller, who passes it on or frees it with ovsdb_error_destroy().
 *
 * This module also holds the small parser for JSON objects with named
 * members that the type and schema parsers share (struct ovsdb_parser):
 * it fetches members by name and JSON type and, at the end, complains
 * about any member that nobody asked for, so that a misspelt "maxInteger"
 * is an error rather than silently ignored.
 */
#ifndef PLX_OVSDB_ERROR_H
#define PLX_OVSDB_ERROR_H 1

#include <jansson.h>
#include <stdbool.h>
#include "util.h"

struct ovsdb_error;

/* Creates an error with TAG (NULL means "ovsdb error") and DETAILS
 * formatted as with printf (NULL for none). */
struct ovsdb_error *ovsdb_error(const char *tag, const char *details, ...)
    PLX_PRINTF_FORMAT(2, 3) PLX_WARN_UNUSED_RESULT;
struct ovsdb_error *ovsdb_error_valist(const char *tag, const char *details,
                                       va_list)
    PLX_PRINTF_FORMAT(2, 0) PLX_WARN_UNUSED_RESULT;
/* An "I/O error" carrying ERRNO_ (0 for none). */
struct ovsdb_error *ovsdb_io_error(int errno_, const char *details, ...)
    PLX_PRINTF_FORMAT(2, 3) PLX_WARN_UNUSED_RESULT;
/* A syntax error about JSON (may be NULL); TAG NULL means "syntax error".
 */
struct ovsdb_error *ovsdb_syntax_error(const json_t *json, const char *tag,
                                       const char *details, ...)
    PLX_PRINTF_FORMAT(3, 4) PLX_WARN_UNUSED_RESULT;

/* Prefixes ERROR's details with "DETAILS: " and returns ERROR. */
struct ovsdb_error *ovsdb_wrap_error(struct ovsdb_error *error,
                                     const char *details, ...)
    PLX_PRINTF_FORMAT(2, 3);

void ovsdb_error_destroy(struct ovsdb_error *);
struct ovsdb_error *ovsdb_error_clone(const struct ovsdb_error *);

const char *ovsdb_error_get_tag(const struct ovsdb_error *);
const char *ovsdb_error_get_details(const struct ovsdb_error *);
/* The offending JSON as compact text, or NULL. */
const char *ovsdb_error_get_syntax(const struct ovsdb_error *);

/* {"error": tag, "details": ..., "syntax": ..., "io-error": ...}, the
 * members after "error" only when present.  New reference. */
json_t *ovsdb_error_to_json(const struct ovsdb_error *);
/* 'syntax "SYNTAX": TAG: DETAILS (IO-ERROR)', the parts present.  The
 * caller frees the string. */
char *ovsdb_error_to_string(const struct ovsdb_error *);
/* ovsdb_error_to_string(), then destroys ERROR. */
char *ovsdb_error_to_string_free(struct ovsdb_error *);

/* Parser for JSON objects with named members.
 *
 *     struct ovsdb_parser p;
 *     ovsdb_parser_init(&p, json, "table schema for table %s", name);
 *     cols = ovsdb_parser_member(&p, "columns", OP_OBJECT);
 *     max = ovsdb_parser_member(&p, "maxRows", OP_INTEGER | OP_OPTIONAL);
 *     error = ovsdb_parser_finish(&p);
 *
 * Only the first problem is kept; members asked for after an error come
 * back NULL.  ovsdb_parser_finish() must always be called (it frees the
 * parser) and returns the error, which the caller owns. */
enum ovsdb_parser_types {
    OP_NULL = 1 << 0,
    OP_FALSE = 1 << 1,
    OP_TRUE = 1 << 2,
    OP_BOOLEAN = OP_FALSE | OP_TRUE,
    OP_INTEGER = 1 << 3,
    OP_REAL = 1 << 4,
    OP_NUMBER = OP_INTEGER | OP_REAL,
    OP_STRING = 1 << 5,
    OP_ARRAY = 1 << 6,
    OP_OBJECT = 1 << 7,
    OP_ANY = 0xff,
    OP_ID = 1 << 8,             /* A string that is an <id>. */
    OP_OPTIONAL = 1 << 9,       /* Absence is not an error. */
};

struct ovsdb_parser {
    char *name;                 /* What is being parsed, for messages. */
    const json_t *json;         /* The object, or NULL if not one. */
    struct ovsdb_error *error;  /* First error, or NULL. */
    const char **used;          /* Member names asked for and found. */
    size_t n_used, allocated_used;
};

void ovsdb_parser_init(struct ovsdb_parser *, const json_t *,
                       const char *name, ...) PLX_PRINTF_FORMAT(3, 4);
const json_t *ovsdb_parser_member(struct ovsdb_parser *, const char *name,
                                  enum ovsdb_parser_types);
void ovsdb_parser_raise_error(struct ovsdb_parser *, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3);
bool ovsdb_parser_has_error(const struct ovsdb_parser *);
struct ovsdb_error *ovsdb_parser_finish(struct ovsdb_parser *)
    PLX_WARN_UNUSED_RESULT;

/* True if S is an RFC 7047 <id>: [a-zA-Z_][a-zA-Z0-9_]*. */
bool ovsdb_parser_is_id(const char *s);

/* True if JSON is a string without embedded NUL bytes (jansson can hold
 * them; OVSDB strings never do). */
bool ovsdb_json_is_cstring(const json_t *);

#endif /* ovsdb/ovsdb-error.h */
