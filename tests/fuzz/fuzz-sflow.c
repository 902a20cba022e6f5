/* Fuzz target for ofproto/sflow: the input is a program of operations on
 * one agent (ports added and deleted, samples with arbitrary header bytes,
 * lengths, interfaces and rates, counter reads that succeed or fail, time
 * advancing and, now and then, going backwards, option changes including
 * invalid ones), exporting to 127.0.0.1:9 and [::1]:9.  Besides memory
 * safety and leaks, checks that the status text can always be formatted
 * and that no more flow samples go out than came in. */
#include <config.h>
#include "ofproto/sflow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "sset.h"
#include "util.h"
#include "vlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t left;
};

static uint32_t
take(struct input *in, int n)
{
    uint32_t x = 0;
    for (int i = 0; i < n; i++) {
        x = (x << 8) | (in->left ? (in->left--, *in->p++) : 0);
    }
    return x;
}

/* Mostly small ifindexes so that samples hit registered ports. */
static uint32_t
take_ifindex(struct input *in)
{
    uint32_t sel = take(in, 1);
    return (sel & 0x80 ? take(in, 4)
            : sel & 0x40 ? 0x1000000 + (sel & 3)
            : sel & 7);
}

static bool
counters_cb(void *aux, uint32_t ifindex, struct sflow_if_counters *c)
{
    uint32_t x = *(uint32_t *) aux + ifindex;
    if (x % 5 == 0) {
        return false;
    }
    c->if_speed = (uint64_t) x * 1000;
    c->in_octets = x;
    c->out_octets = (uint64_t) x << 20;
    c->in_ucast_pkts = x * 3;
    c->dot3_fcs_errors = x >> 3;
    c->ethernet = x & 1;
    return true;
}

static void
set_options(struct sflow *sf, struct input *in)
{
    static const char *const agents[] = {
        NULL, "127.0.0.1", "::1", "lo", "nosuchdev0", "300.1.1.1", "",
        "[::1]", "a-name-much-too-long-for-a-device",
    };
    static const char *const targets[] = {
        "127.0.0.1:9", "[::1]:9", "127.0.0.1", "bad target", "1.2.3.4:0",
    };
    struct sflow_options o;
    uint32_t sel = take(in, 2);

    sset_init(&o.targets);
    for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
        if (sel & (1u << i)) {
            sset_add(&o.targets, targets[i]);
        }
    }
    o.sampling_rate = take(in, 1) == 0 ? 0 : take(in, 2);
    o.polling_interval = take(in, 1) % 8;
    if (o.polling_interval == 7) {
        o.polling_interval = take(in, 4);
    }
    o.header_len = take(in, 2) % 300;
    const char *agent = agents[(sel >> 8) % ARRAY_SIZE(agents)];
    o.agent = agent ? xstrdup(agent) : NULL;
    o.sub_agent_id = take(in, 4);

    free(sflow_set_options(sf, &o));
    sset_destroy(&o.targets);
    free(o.agent);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }

    struct input in = { data, size };
    struct sflow *sf = sflow_create();
    uint32_t seed = 0;
    long long int now = 1000000;
    uint8_t header[SFLOW_MAX_HEADER_LEN + 64];

    sflow_set_counters_cb(sf, counters_cb, &seed);
    while (in.left) {
        switch (take(&in, 1) % 8) {
        case 0:
            sflow_add_port(sf, take_ifindex(&in), "p");
            break;
        case 1:
            sflow_del_port(sf, take_ifindex(&in));
            break;
        case 2: case 3: {
            struct sflow_sample s;
            s.input_ifindex = take_ifindex(&in);
            s.output_ifindex = take(&in, 4);
            s.sampling_rate = take(&in, 1) ? take(&in, 4) : 0;
            s.drops = take(&in, 1) ? take(&in, 4) : 0;
            s.frame_len = take(&in, 4);
            s.header_len = take(&in, 2) % sizeof header;
            size_t n = MIN(s.header_len, in.left);
            memset(header, 0, sizeof header);
            memcpy(header, in.p, n);
            in.p += n;
            in.left -= n;
            s.header = take(&in, 1) & 1 ? header : NULL;
            sflow_received(sf, &s, now);
            break;
        }
        case 4:
            now += take(&in, 1) & 0x80 ? take(&in, 2) * 100LL
                                       : -(long long int) take(&in, 1);
            sflow_run(sf, now);
            break;
        case 5:
            set_options(sf, &in);
            break;
        case 6:
            seed = take(&in, 4);
            sflow_wait(sf, now);
            break;
        case 7: {
            struct ds s = DS_EMPTY_INITIALIZER;
            sflow_format_status(sf, &s);
            ds_destroy(&s);
            break;
        }
        }
    }
    sflow_run(sf, now + 2000);

    struct sflow_stats st;
    sflow_get_stats(sf, &st);
    if (st.flow_samples + st.samples_unknown_input > st.samples_received) {
        abort();
    }
    sflow_destroy(sf);
    return 0;
}
