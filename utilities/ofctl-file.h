/*
 * ofctl-file: the parts of plx-ofctl's flow commands that need no switch,
 * kept apart so that unit tests can pin them down.
 *
 * Flow files.  add-flows, replace-flows and diff-flows read files with one
 * flow per line in ovs-ofctl's syntax.  As in ovs-ofctl, '#' starts a
 * comment that runs to the end of the line, lines that are then empty or
 * blank are skipped, and errors name the file and the line ("flows.txt:3:
 * unknown keyword foo").  For add-flows, a line may start with "add",
 * "modify", "modify_strict", "delete" or "delete_strict" (lib/ofp-flow's
 * parser reads the word).  A file named "-" is standard input.
 *
 * Flow tables.  replace-flows and diff-flows compare two sets of flows,
 * "version" 0 and 1 of each flow table entry.  An entry is identified by
 * its table, priority and match (struct match compared after
 * match_normalize(), so that a flow read back from a switch meets the same
 * flow read from a file); each side holds at most one version of it, the
 * last one given.  Versions are equal when their cookies, timeouts and
 * actions are, comparing actions by their text as ovs-ofctl does (flags
 * are ignored: a switch does not report them in 1.0).
 *
 * Entries are listed in a fixed order: by table, then by decreasing
 * priority, then by the text of the match.  (ovs-ofctl lists them in its
 * classifier's internal order, which nothing outside it can reproduce.)
 */
#ifndef PLX_UTILITIES_OFCTL_FILE_H
#define PLX_UTILITIES_OFCTL_FILE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hmap.h"
#include "match.h"
#include "ofp-flow.h"
#include "types.h"
#include "util.h"

struct ds;

/* Reads the next line of STREAM that has something other than white space
 * once comments are removed, into LINE (without the comment or the
 * newline), counting lines in '*line_number'.  Returns 0, or EOF at the
 * end of the stream. */
int ofctl_read_flow_line(FILE *stream, struct ds *line, int *line_number);

/* Flow mods read from a file; each owns its actions. */
struct ofctl_flow_mods {
    struct ofputil_flow_mod *fms;
    size_t n;
};

/* Reads every flow in STREAM (FILE_NAME in messages) for COMMAND (an
 * OFPUTIL_FC_*, or -1 to let each line choose, add by default).  Appends
 * them to FMS.  Returns NULL or a malloc'd "FILE:LINE: error" message
 * (FMS then keeps the flows before the bad line). */
char *ofctl_parse_flow_file(FILE *stream, const char *file_name, int command,
                            struct ofctl_flow_mods *fms)
    PLX_WARN_UNUSED_RESULT;
/* The same for the file named FILE_NAME ("-" for standard input). */
char *ofctl_parse_flow_file_name(const char *file_name, int command,
                                 struct ofctl_flow_mods *fms)
    PLX_WARN_UNUSED_RESULT;
void ofctl_flow_mods_destroy(struct ofctl_flow_mods *);

/* One side's version of a flow table entry. */
struct ofctl_fte_version {
    plx_be64 cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint32_t flags;             /* OFPUTIL_FF_SEND_FLOW_REM only. */
    void *ofpacts;              /* Owned. */
    size_t ofpacts_len;
    char *actions;              /* ofpacts_text() of the above, owned. */
};

struct ofctl_fte {
    struct hmap_node node;      /* In struct ofctl_ftes. */
    uint8_t table_id;
    int priority;
    struct match match;
    struct ofctl_fte_version *versions[2];
};

struct ofctl_ftes {
    struct hmap entries;
};

void ofctl_ftes_init(struct ofctl_ftes *);
void ofctl_ftes_destroy(struct ofctl_ftes *);

/* A new version with a copy of the OFPACTS_LEN bytes of OFPACTS. */
struct ofctl_fte_version *ofctl_fte_version_create(
    plx_be64 cookie, uint16_t idle_timeout, uint16_t hard_timeout,
    uint32_t flags, const void *ofpacts, size_t ofpacts_len);
void ofctl_fte_version_destroy(struct ofctl_fte_version *);
bool ofctl_fte_version_equal(const struct ofctl_fte_version *,
                             const struct ofctl_fte_version *);

/* Makes VERSION (owned from now on) version INDEX (0 or 1) of the entry for
 * TABLE_ID, PRIORITY and MATCH, replacing any it had. */
void ofctl_ftes_insert(struct ofctl_ftes *, uint8_t table_id, int priority,
                       const struct match *, int index,
                       struct ofctl_fte_version *version);
/* The same for a flow mod read from a file (an add; table OFPTT_ALL is
 * table 0). */
void ofctl_ftes_insert_flow_mod(struct ofctl_ftes *,
                                const struct ofputil_flow_mod *, int index);
/* The same for one flow of a flow statistics reply. */
void ofctl_ftes_insert_flow_stats(struct ofctl_ftes *,
                                  const struct ofputil_flow_stats *,
                                  int index);

/* Every entry, in the order described at the top: a malloc'd array of
 * '*np' pointers into FTES. */
struct ofctl_fte **ofctl_ftes_sorted(const struct ofctl_ftes *, size_t *np);

/* Version INDEX of FTE as diff-flows prints it ("table=1
 * priority=5,ip cookie=0x1 idle_timeout=10 actions=drop"), with a newline;
 * nothing if FTE has no version INDEX. */
void ofctl_fte_version_format(const struct ofctl_fte *, int index,
                              struct ds *);

/* Appends diff-flows' output ("-" lines for version 0, "+" lines for
 * version 1, for each entry whose versions differ) to S.  Returns true if
 * anything differs. */
bool ofctl_ftes_diff(const struct ofctl_ftes *, struct ds *s);

#endif /* ofctl-file.h */
