#!/bin/bash
# run-ovsdb-bench.sh: plx-dbserver and Debian's ovsdb-server side by side.
#
#     PLX_BUILDDIR=BUILD [PLX_SRCDIR=SRC] [PLX_BENCH_ROUNDS=N] \
#         bash tests/bench/run-ovsdb-bench.sh [BENCH-OVSDB-OPTION]...
#
# ("make bench" runs it through the generated tests/bench/run-ovsdb-bench.)
#
# For each round (default 5), starts each server in turn on a new database
# created from tests/bench/bench.ovsschema in a temporary directory,
# listening on a unix socket, runs tests/bench/bench-ovsdb against it
# (options are passed on, e.g. --txns=5000), and stops it again.  Servers
# alternate within a round so that a change in machine load hits both.
# Output, one JSON object per line on stdout:
#
#   {"bench":"ovsdb-env",...}            machine, load, versions
#   {"bench":"ovsdb-txn","server":...}   every run, see bench-ovsdb.c
#   {"bench":"ovsdb-fanout","server":...}
#   {"bench":"ovsdb-ratio",...}          per test and metric: the median
#                                        over rounds for each server and
#                                        plx-dbserver / ovsdb-server
#
# Metrics compared: throughput, latency, and the server's CPU time per
# transaction or per delivered update (bench-ovsdb --server-pid).  The
# last matters on a two-core machine, where the client and the server
# share the CPUs: when the client is saturated ("client_cpu" near 1.0)
# throughput says little about the server, its CPU cost still does.
#
# Everything it starts is killed by PID and the temporary directory is
# removed on exit, however it exits.  Without Debian's ovsdb-server it
# measures plx-dbserver alone and says so on stderr.
set -eu -o pipefail

srcdir=${PLX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PLX_BUILDDIR:-$(pwd)}
rounds=${PLX_BENCH_ROUNDS:-5}
schema=$srcdir/tests/bench/bench.ovsschema
bench=$builddir/tests/bench/bench-ovsdb
plx_server=$builddir/ovsdb/plx-dbserver
plx_tool=$builddir/ovsdb/plx-dbtool
ovs_server=/usr/sbin/ovsdb-server
ovs_tool=$(command -v ovsdb-tool || true)

for f in "$bench" "$plx_server" "$plx_tool"; do
    if [ ! -x "$f" ]; then
        echo "run-ovsdb-bench: $f not built" >&2
        exit 1
    fi
done
servers="plx-dbserver"
if [ -x "$ovs_server" ] && [ -n "$ovs_tool" ]; then
    servers="plx-dbserver ovsdb-server"
else
    echo "run-ovsdb-bench: Debian's ovsdb-server/ovsdb-tool not installed;" \
         "measuring plx-dbserver alone, no ratios" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/plx-ovsdb-bench.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME DIR: creates DIR/bench.db and starts server NAME on
# DIR/db.sock, setting server_pid.
start_server() {
    local name=$1 dir=$2
    mkdir -p "$dir"
    case $name in
        plx-dbserver)
            "$plx_tool" create "$dir/bench.db" "$schema"
            set -- "$plx_server" ;;
        ovsdb-server)
            "$ovs_tool" create "$dir/bench.db" "$schema"
            set -- "$ovs_server" ;;
    esac
    "$@" "$dir/bench.db" --remote="punix:$dir/db.sock" \
        --pidfile="$dir/server.pid" --unixctl="$dir/server.ctl" \
        --log-file="$dir/server.log" > "$dir/server.out" 2>&1 &
    server_pid=$!
    local i
    for i in $(seq 200); do
        if [ -S "$dir/db.sock" ]; then
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    echo "run-ovsdb-bench: $name did not start:" >&2
    cat "$dir/server.out" "$dir/server.log" >&2 2>/dev/null || true
    exit 1
}

stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

ovs_version=
if [ -x "$ovs_server" ]; then
    ovs_version=$("$ovs_server" --version | head -1)
fi
python3 - "$ovs_version" <<'EOF'
import json, os, sys
cpu = "unknown"
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
print(json.dumps({"bench": "ovsdb-env", "cpus": os.cpu_count(),
                  "cpu": cpu,
                  "loadavg": open("/proc/loadavg").read().split()[:3],
                  "ovsdb_server": sys.argv[1] or None}))
EOF

results=$tmp/results.jsonl
for round in $(seq "$rounds"); do
    for name in $servers; do
        dir=$tmp/$name.$round
        start_server "$name" "$dir"
        "$bench" --label="$name" --server-pid="$server_pid" "$@" \
            "unix:$dir/db.sock" | tee -a "$results"
        stop_server
        rm -rf "$dir"
    done
done

python3 - "$results" <<'EOF'
import json, statistics, sys

runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tests = {}
for r in runs:
    if r["bench"] == "ovsdb-txn":
        key = ("txn", "commit=%s pipeline=%d" % (r["commit"], r["pipeline"]),
               ("txn_per_sec", "higher"), ("p99_latency_us", "lower"),
               ("server_cpu_us_per_txn", "lower"))
    else:
        key = ("fanout", "clients=%d window=%d" % (r["clients"], r["window"]),
               ("updates_per_sec", "higher"), ("mean_latency_us", "lower"),
               ("p99_latency_us", "lower"),
               ("server_cpu_us_per_update", "lower"))
    tests.setdefault(key, []).append(r)

for key, rs in tests.items():
    kind, test = key[:2]
    for metric, better in key[2:]:
        med = {}
        for server in ("plx-dbserver", "ovsdb-server"):
            vals = [r[metric] for r in rs
                    if r["server"] == server and r.get(metric) is not None]
            if vals:
                med[server] = statistics.median(vals)
        if len(med) < 2 or not med["ovsdb-server"]:
            continue
        out = {
            "bench": "ovsdb-ratio", "kind": kind, "test": test,
            "metric": metric, "better": better,
            "rounds": len([r for r in rs if r["server"] == "plx-dbserver"]),
            "plx-dbserver": med["plx-dbserver"],
            "ovsdb-server": med["ovsdb-server"],
            "ratio": round(med["plx-dbserver"] / med["ovsdb-server"], 3)}
        if "commit=none" in test:
            out["note"] = ("not comparable: without a durable commit "
                           "ovsdb-server does not fsync, plx-dbserver does")
        print(json.dumps(out))
EOF
