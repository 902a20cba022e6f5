# The demo sandbox: it runs, configures a bridge through plx-dbserver and
# plx-vsctl, boots two VMs wired into it that ping each other and a
# namespace host, shows flows and per-port statistics, and leaves nothing
# behind.
. "$(dirname "$0")/../lib.sh"

demo_runs_and_cleans_up() {
    need_root || return
    need_builddir || return
    local before after out
    before=$(ip netns list | grep -c '^plxsb-')
    out=$("$PLX_SRCDIR/utilities/plx-sandbox" --demo \
          --builddir "$PLX_BUILDDIR" 2>&1) || fail "demo failed: $out" || return
    echo "$out" | grep -q '^    Bridge br0$' || fail "no bridge in plx-vsctl show" || return
    echo "$out" | grep -q '^                type: vm$' \
        || fail "no VM interface shown" || return
    echo "$out" | grep -q 'plx-guest: ping-summary dst=10.0.0.12 sent=3 received=3\|plx-init:' \
        || fail "the VMs did not ping each other: $out" || return
    [ "$(echo "$out" | grep -c '3 packets transmitted, 3 received')" -eq 2 ] \
        || fail "the namespace host did not reach both VMs: $out" || return
    echo "$out" | grep -q 'priority=0 actions=NORMAL' \
        || fail "no OpenFlow flow shown" || return
    echo "$out" | grep -q '^{rx_bytes=[1-9]' \
        || fail "no per-port statistics shown: $out" || return
    after=$(ip netns list | grep -c '^plxsb-')
    [ "$after" -eq "$before" ] || fail "namespaces left behind" || return
    local dir
    dir=$(echo "$out" | sed -n 's/^Plexus sandbox in //p')
    [ -n "$dir" ] || fail "demo did not say where its sandbox was" || return
    [ ! -e "$dir" ] || fail "sandbox directory $dir left behind" || return
    ! pgrep -f "plx-dbserver $dir" > /dev/null \
        || fail "plx-dbserver left running" || return
    ! pgrep -f "plx-vm .*--console-log $dir" > /dev/null \
        || fail "a plx-vm left running"
}

run_case demo_runs_and_cleans_up demo_runs_and_cleans_up
