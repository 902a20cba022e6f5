/*
 * ofctl-file: flow files and flow table comparison for plx-ofctl.  See
 * ofctl-file.h.
 */
#include <config.h>
#include "ofctl-file.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "hash.h"
#include "ofp-actions.h"

int
ofctl_read_flow_line(FILE *stream, struct ds *line, int *line_number)
{
    for (;;) {
        int c;

        ds_clear(line);
        c = getc(stream);
        if (c == EOF) {
            return EOF;
        }
        bool in_comment = false;
        for (; c != EOF && c != '\n'; c = getc(stream)) {
            if (c == '#') {
                in_comment = true;
            } else if (!in_comment) {
                ds_put_char(line, c);
            }
        }
        ++*line_number;

        const char *s = ds_cstr(line);
        if (s[strspn(s, " \t\r\n\v\f")] != '\0') {
            return 0;
        }
        if (c == EOF) {
            return EOF;
        }
    }
}

char *
ofctl_parse_flow_file(FILE *stream, const char *file_name, int command,
                      struct ofctl_flow_mods *fms)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ds line = DS_EMPTY_INITIALIZER;
    size_t allocated = fms->n;
    int line_number = 0;
    char *error = NULL;

    while (!ofctl_read_flow_line(stream, &line, &line_number)) {
        struct ofputil_flow_mod fm;

        ofpa_buf_clear(&ofpacts);
        error = ofputil_parse_flow_mod_str(ds_cstr(&line), command, &fm,
                                           &ofpacts);
        if (error) {
            char *msg = xasprintf("%s:%d: %s", file_name, line_number,
                                  error);
            free(error);
            error = msg;
            break;
        }
        fm.ofpacts = (fm.ofpacts_len
                      ? xmemdup(fm.ofpacts, fm.ofpacts_len) : NULL);
        if (fms->n >= allocated) {
            fms->fms = x2nrealloc(fms->fms, &allocated, sizeof *fms->fms);
        }
        fms->fms[fms->n++] = fm;
    }
    ds_destroy(&line);
    ofpa_buf_uninit(&ofpacts);
    return error;
}

char *
ofctl_parse_flow_file_name(const char *file_name, int command,
                           struct ofctl_flow_mods *fms)
{
    bool is_stdin = !strcmp(file_name, "-");
    FILE *stream = is_stdin ? stdin : fopen(file_name, "r");

    if (!stream) {
        return xasprintf("%s: open failed (%s)", file_name,
                         plx_strerror(errno));
    }
    char *error = ofctl_parse_flow_file(stream, file_name, command, fms);
    if (!is_stdin) {
        fclose(stream);
    }
    return error;
}

void
ofctl_flow_mods_destroy(struct ofctl_flow_mods *fms)
{
    for (size_t i = 0; i < fms->n; i++) {
        free((void *) fms->fms[i].ofpacts);
    }
    free(fms->fms);
    fms->fms = NULL;
    fms->n = 0;
}

/* ---- Flow tables. ---- */

void
ofctl_ftes_init(struct ofctl_ftes *ftes)
{
    hmap_init(&ftes->entries);
}

void
ofctl_ftes_destroy(struct ofctl_ftes *ftes)
{
    struct ofctl_fte *fte;

    HMAP_FOR_EACH_POP (fte, node, &ftes->entries) {
        ofctl_fte_version_destroy(fte->versions[0]);
        ofctl_fte_version_destroy(fte->versions[1]);
        free(fte);
    }
    hmap_destroy(&ftes->entries);
}

struct ofctl_fte_version *
ofctl_fte_version_create(plx_be64 cookie, uint16_t idle_timeout,
                         uint16_t hard_timeout, uint32_t flags,
                         const void *ofpacts, size_t ofpacts_len)
{
    struct ofctl_fte_version *v = xzalloc(sizeof *v);

    v->cookie = cookie;
    v->idle_timeout = idle_timeout;
    v->hard_timeout = hard_timeout;
    v->flags = flags & OFPUTIL_FF_SEND_FLOW_REM;
    v->ofpacts = ofpacts_len ? xmemdup(ofpacts, ofpacts_len) : NULL;
    v->ofpacts_len = ofpacts_len;
    v->actions = ofpacts_text(ofpacts, ofpacts_len);
    return v;
}

void
ofctl_fte_version_destroy(struct ofctl_fte_version *v)
{
    if (v) {
        free(v->ofpacts);
        free(v->actions);
        free(v);
    }
}

bool
ofctl_fte_version_equal(const struct ofctl_fte_version *a,
                        const struct ofctl_fte_version *b)
{
    return (a->cookie == b->cookie
            && a->idle_timeout == b->idle_timeout
            && a->hard_timeout == b->hard_timeout
            && !strcmp(a->actions, b->actions));
}

static uint32_t
fte_hash(uint8_t table_id, int priority, const struct match *match)
{
    return match_hash(match, hash_int(table_id, priority));
}

void
ofctl_ftes_insert(struct ofctl_ftes *ftes, uint8_t table_id, int priority,
                  const struct match *match_, int index,
                  struct ofctl_fte_version *version)
{
    struct match match = *match_;
    struct ofctl_fte *fte;

    match_normalize(&match);
    uint32_t hash = fte_hash(table_id, priority, &match);
    HMAP_FOR_EACH_WITH_HASH (fte, node, hash, &ftes->entries) {
        if (fte->table_id == table_id && fte->priority == priority
            && match_equal(&fte->match, &match)) {
            ofctl_fte_version_destroy(fte->versions[index]);
            fte->versions[index] = version;
            return;
        }
    }

    fte = xzalloc(sizeof *fte);
    fte->table_id = table_id;
    fte->priority = priority;
    fte->match = match;
    fte->versions[index] = version;
    hmap_insert(&ftes->entries, &fte->node, hash);
}

void
ofctl_ftes_insert_flow_mod(struct ofctl_ftes *ftes,
                           const struct ofputil_flow_mod *fm, int index)
{
    ofctl_ftes_insert(ftes, fm->table_id == OFPTT_ALL ? 0 : fm->table_id,
                      fm->priority, &fm->match, index,
                      ofctl_fte_version_create(fm->new_cookie,
                                               fm->idle_timeout,
                                               fm->hard_timeout, fm->flags,
                                               fm->ofpacts,
                                               fm->ofpacts_len));
}

void
ofctl_ftes_insert_flow_stats(struct ofctl_ftes *ftes,
                             const struct ofputil_flow_stats *fs, int index)
{
    ofctl_ftes_insert(ftes, fs->table_id, fs->priority, &fs->match, index,
                      ofctl_fte_version_create(fs->cookie, fs->idle_timeout,
                                               fs->hard_timeout, 0,
                                               fs->ofpacts,
                                               fs->ofpacts_len));
}

struct sortable_fte {
    struct ofctl_fte *fte;
    char *match;
};

static int
compare_ftes(const void *a_, const void *b_)
{
    const struct sortable_fte *a = a_;
    const struct sortable_fte *b = b_;

    if (a->fte->table_id != b->fte->table_id) {
        return a->fte->table_id < b->fte->table_id ? -1 : 1;
    } else if (a->fte->priority != b->fte->priority) {
        return a->fte->priority > b->fte->priority ? -1 : 1;
    }
    return strcmp(a->match, b->match);
}

struct ofctl_fte **
ofctl_ftes_sorted(const struct ofctl_ftes *ftes, size_t *np)
{
    size_t n = hmap_count(&ftes->entries);
    struct sortable_fte *s = xzalloc((n ? n : 1) * sizeof *s);
    struct ofctl_fte *fte;
    size_t i = 0;

    HMAP_FOR_EACH (fte, node, &ftes->entries) {
        s[i].fte = fte;
        s[i].match = match_to_string(&fte->match, OFPUTIL_DEFAULT_PRIORITY);
        i++;
    }
    qsort(s, n, sizeof *s, compare_ftes);

    struct ofctl_fte **sorted = xzalloc((n ? n : 1) * sizeof *sorted);
    for (i = 0; i < n; i++) {
        sorted[i] = s[i].fte;
        free(s[i].match);
    }
    free(s);
    *np = n;
    return sorted;
}

void
ofctl_fte_version_format(const struct ofctl_fte *fte, int index,
                         struct ds *s)
{
    const struct ofctl_fte_version *v = fte->versions[index];

    if (!v) {
        return;
    }
    if (fte->table_id) {
        ds_put_format(s, "table=%"PRIu8" ", fte->table_id);
    }
    match_format(&fte->match, fte->priority, s);
    if (v->cookie) {
        ds_put_format(s, " cookie=0x%"PRIx64, be64toh(v->cookie));
    }
    if (v->idle_timeout) {
        ds_put_format(s, " idle_timeout=%"PRIu16, v->idle_timeout);
    }
    if (v->hard_timeout) {
        ds_put_format(s, " hard_timeout=%"PRIu16, v->hard_timeout);
    }
    ds_put_format(s, " actions=%s\n", v->actions);
}

bool
ofctl_ftes_diff(const struct ofctl_ftes *ftes, struct ds *s)
{
    bool differences = false;
    size_t n;

    struct ofctl_fte **sorted = ofctl_ftes_sorted(ftes, &n);
    for (size_t i = 0; i < n; i++) {
        const struct ofctl_fte *fte = sorted[i];
        const struct ofctl_fte_version *a = fte->versions[0];
        const struct ofctl_fte_version *b = fte->versions[1];

        if (!a || !b || !ofctl_fte_version_equal(a, b)) {
            if (a) {
                ds_put_char(s, '-');
                ofctl_fte_version_format(fte, 0, s);
            }
            if (b) {
                ds_put_char(s, '+');
                ofctl_fte_version_format(fte, 1, s);
            }
            differences = true;
        }
    }
    free(sorted);
    return differences;
}
