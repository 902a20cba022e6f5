/*
 * vmm/net-spec.c: plx-vm's --net argument.  See net-spec.h.
 */
#include <config.h>
#include "net-spec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

bool
net_spec_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = *s++;
            int d = (c >= '0' && c <= '9' ? c - '0'
                     : c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
            if (d < 0) {
                return false;
            }
            v = v * 16 + d;
        }
        mac[i] = v;
        if (*s != (i == 5 ? '\0' : ':')) {
            return false;
        }
        s += i < 5;
    }
    return true;
}

static bool
parse_int(const char *s, int min, int max, int *valuep)
{
    char *end;
    long v;

    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *valuep = v;
    return true;
}

char *
net_spec_parse(const char *s, struct net_spec *spec)
{
    char *copy = xstrdup(s);
    char *save = NULL;
    char *error = NULL;

    memset(spec, 0, sizeof *spec);
    spec->fd = -1;
    spec->queues = 1;

    char *token = strtok_r(copy, ",", &save);
    if (!token || strcmp(token, "vhost-user")) {
        error = xasprintf("--net %s: the only NIC type is \"vhost-user\"",
                          s);
        goto out;
    }
    while (!error && (token = strtok_r(NULL, ",", &save))) {
        char *value = strchr(token, '=');
        if (value) {
            *value++ = '\0';
        }
        if (!strcmp(token, "server") && !value) {
            spec->server = true;
        } else if (!value) {
            error = xasprintf("--net %s: \"%s\" needs a value", s, token);
        } else if (!strcmp(token, "path")) {
            if (!*value || spec->path) {
                error = xasprintf("--net %s: bad or repeated path", s);
            } else {
                spec->path = xstrdup(value);
            }
        } else if (!strcmp(token, "fd")) {
            if (spec->fd >= 0 || !parse_int(value, 0, INT_MAX, &spec->fd)) {
                error = xasprintf("--net %s: bad or repeated fd", s);
            }
        } else if (!strcmp(token, "mac")) {
            if (!net_spec_parse_mac(value, spec->mac)
                || spec->mac[0] & 1) {
                error = xasprintf("--net %s: \"%s\" is not a unicast "
                                  "Ethernet address", s, value);
            }
            spec->has_mac = true;
        } else if (!strcmp(token, "queues")) {
            if (!parse_int(value, 1, NET_SPEC_MAX_QUEUES, &spec->queues)) {
                error = xasprintf("--net %s: queues must be 1 to %d", s,
                                  NET_SPEC_MAX_QUEUES);
            }
        } else {
            error = xasprintf("--net %s: unknown option \"%s\"", s, token);
        }
    }
    if (!error && (spec->path != NULL) == (spec->fd >= 0)) {
        error = xasprintf("--net %s: give exactly one of path= and fd=", s);
    }
    if (!error && spec->server && !spec->path) {
        error = xasprintf("--net %s: \"server\" needs path=", s);
    }

out:
    free(copy);
    if (error) {
        net_spec_destroy(spec);
    }
    return error;
}

void
net_spec_destroy(struct net_spec *spec)
{
    free(spec->path);
    spec->path = NULL;
}
