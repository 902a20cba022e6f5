/*
 * tests/guest/plx-guest/cmdline.c: command-line parsing (see cmdline.h).
 */
#include "cmdline.h"
#include "fmt.h"
#include "lib.h"

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
word_eq(const char *s, size_t len, const char *lit)
{
    size_t n = pg_strlen(lit);
    return len == n && !memcmp(s, lit, n);
}

int
pg_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *value)
{
    uint64_t v = 0;

    if (!len || len > 20) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        unsigned d = s[i] - '0';
        if (d > max || v > (max - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    *value = v;
    return 0;
}

int
pg_parse_ip(const char *s, size_t len, uint32_t *ip)
{
    uint32_t result = 0;
    size_t pos = 0;

    for (int i = 0; i < 4; i++) {
        size_t start = pos;
        uint64_t octet;

        while (pos < len && s[pos] != '.') {
            pos++;
        }
        if (pos - start > 3
            || pg_parse_u64(s + start, pos - start, 255, &octet)) {
            return -1;
        }
        result = (result << 8) | (uint32_t) octet;
        if (i < 3) {
            if (pos >= len) {
                return -1;
            }
            pos++;              /* Skip '.'. */
        }
    }
    if (pos != len) {
        return -1;
    }
    *ip = result;
    return 0;
}

/* "A.B.C.D" or "A.B.C.D/N". */
static int
parse_ip_prefix(const char *s, size_t len, struct pg_if_config *ifc)
{
    size_t slash = 0;
    uint64_t prefix = 24;

    while (slash < len && s[slash] != '/') {
        slash++;
    }
    if (slash < len
        && pg_parse_u64(s + slash + 1, len - slash - 1, 32, &prefix)) {
        return -1;
    }
    if (pg_parse_ip(s, slash, &ifc->ip) || !ifc->ip) {
        return -1;
    }
    ifc->prefix_len = prefix;
    ifc->set = true;
    return 0;
}

/* "A.B.C.D:PORT". */
static int
parse_ip_port(const char *s, size_t len, uint32_t *ip, uint16_t *port)
{
    size_t colon = 0;
    uint64_t p;

    while (colon < len && s[colon] != ':') {
        colon++;
    }
    if (colon >= len
        || pg_parse_ip(s, colon, ip) || !*ip
        || pg_parse_u64(s + colon + 1, len - colon - 1, 65535, &p) || !p) {
        return -1;
    }
    *port = p;
    return 0;
}

static int
parse_port(const char *s, size_t len, uint16_t *port)
{
    uint64_t p;

    if (pg_parse_u64(s, len, 65535, &p) || !p) {
        return -1;
    }
    *port = p;
    return 0;
}

static int
set_action(struct pg_config *cfg, enum pg_action action, struct pg_buf *err)
{
    if (cfg->action != PG_ACTION_NONE) {
        pg_buf_str(err, "more than one action (ping=, udp-tx=, sink=)");
        return -1;
    }
    cfg->action = action;
    return 0;
}

/* Handles one KEY=VALUE word.  Returns 1 if KEY is unknown, 0 if it was
 * handled, -1 on a bad value (described in ERR). */
static int
parse_word(struct pg_config *cfg, const char *key, size_t klen,
           const char *val, size_t vlen, bool *count_set,
           struct pg_buf *err)
{
    uint64_t n;

    if (klen == 2 && !memcmp(key, "ip", 2)) {
        if (parse_ip_prefix(val, vlen, &cfg->ifs[0])) {
            goto bad;
        }
    } else if (klen == 3 && !memcmp(key, "ip", 2)
               && key[2] >= '1' && key[2] < '0' + PG_MAX_NICS) {
        if (parse_ip_prefix(val, vlen, &cfg->ifs[key[2] - '0'])) {
            goto bad;
        }
    } else if (word_eq(key, klen, "ping")) {
        if (set_action(cfg, PG_ACTION_PING, err)) {
            return -1;
        }
        if (pg_parse_ip(val, vlen, &cfg->dst_ip) || !cfg->dst_ip) {
            goto bad;
        }
    } else if (word_eq(key, klen, "udp-tx")) {
        if (set_action(cfg, PG_ACTION_UDP_TX, err)) {
            return -1;
        }
        if (parse_ip_port(val, vlen, &cfg->dst_ip, &cfg->dst_port)) {
            goto bad;
        }
    } else if (word_eq(key, klen, "sink")) {
        if (set_action(cfg, PG_ACTION_SINK, err)) {
            return -1;
        }
        if (parse_port(val, vlen, &cfg->sink_port)) {
            goto bad;
        }
    } else if (word_eq(key, klen, "count")) {
        if (pg_parse_u64(val, vlen, UINT32_MAX, &cfg->count)
            || !cfg->count) {
            goto bad;
        }
        *count_set = true;
    } else if (word_eq(key, klen, "interval_ms")) {
        if (pg_parse_u64(val, vlen, 3600 * 1000, &cfg->interval_ms)) {
            goto bad;
        }
    } else if (word_eq(key, klen, "size")) {
        if (pg_parse_u64(val, vlen, PG_FRAME_MAX, &n) || n < PG_FRAME_MIN) {
            goto bad;
        }
        cfg->size = n;
    } else if (word_eq(key, klen, "rate")) {
        if (pg_parse_u64(val, vlen, 1000 * 1000 * 1000, &cfg->rate)) {
            goto bad;
        }
    } else if (word_eq(key, klen, "duration_ms")) {
        if (pg_parse_u64(val, vlen, 24ULL * 3600 * 1000, &cfg->duration_ms)
            || !cfg->duration_ms) {
            goto bad;
        }
    } else if (word_eq(key, klen, "src-port")) {
        if (parse_port(val, vlen, &cfg->src_port)) {
            goto bad;
        }
    } else if (word_eq(key, klen, "exit")) {
        if (pg_parse_u64(val, vlen, 1, &n)) {
            goto bad;
        }
        cfg->exit = n;
    } else if (word_eq(key, klen, "fault")) {
        if (pg_parse_u64(val, vlen, 1, &n)) {
            goto bad;
        }
        cfg->fault = n;
    } else {
        return 1;
    }
    return 0;

bad:
    pg_buf_str(err, "bad value for ");
    pg_buf_mem(err, key, klen);
    pg_buf_str(err, ": \"");
    pg_buf_mem(err, val, vlen);
    pg_buf_char(err, '"');
    return -1;
}

int
pg_cmdline_parse(const char *cmdline, size_t len, struct pg_config *cfg,
                 struct pg_buf *err, struct pg_buf *warn)
{
    bool count_set = false;
    size_t pos = 0;

    memset(cfg, 0, sizeof *cfg);
    cfg->size = 64;
    cfg->interval_ms = 100;
    cfg->src_port = 1024;

    for (size_t i = 0; i < len; i++) {
        if (!cmdline[i]) {
            len = i;
            break;
        }
    }

    while (pos < len) {
        while (pos < len && is_space(cmdline[pos])) {
            pos++;
        }
        size_t start = pos;
        while (pos < len && !is_space(cmdline[pos])) {
            pos++;
        }
        if (pos == start) {
            break;
        }

        const char *word = cmdline + start;
        size_t wlen = pos - start;
        size_t eq = 0;
        while (eq < wlen && word[eq] != '=') {
            eq++;
        }

        int error = (eq < wlen
                     ? parse_word(cfg, word, eq, word + eq + 1,
                                  wlen - eq - 1, &count_set, err)
                     : 1);
        if (error < 0) {
            return -1;
        } else if (error > 0) {
            if (warn->len) {
                pg_buf_char(warn, ' ');
            }
            pg_buf_mem(warn, word, wlen);
        }
    }

    if (cfg->action == PG_ACTION_PING && !count_set) {
        cfg->count = 5;
    } else if (cfg->action == PG_ACTION_NONE) {
        cfg->count = 0;
    }
    return 0;
}
