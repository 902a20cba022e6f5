# The demo sandbox: it runs, configures bridges through plx-dbserver and
# plx-vsctl, shows flow keys of captured traffic that Debian's ovs-ofctl
# agrees with, and leaves nothing behind.
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
    echo "$out" | grep -q '^Open_vSwitch$' || fail "plx-appctl list-dbs failed" || return
    echo "$out" | grep -q '^arp,in_port=ANY' || fail "no ARP flow shown" || return
    echo "$out" | grep -q '^icmp,in_port=ANY' || fail "no ICMP flow shown" || return
    echo "$out" | grep -q '^tcp,in_port=ANY' || fail "no TCP flow shown" || return
    if command -v ovs-ofctl > /dev/null; then
        echo "$out" | grep -q '^identical flow keys' \
            || fail "flow keys differ from ovs-ofctl's: $out" || return
    fi
    after=$(ip netns list | grep -c '^plxsb-')
    [ "$after" -eq "$before" ] || fail "namespaces left behind" || return
    local dir
    dir=$(echo "$out" | sed -n 's/^Plexus sandbox in //p')
    [ -n "$dir" ] || fail "demo did not say where its sandbox was" || return
    [ ! -e "$dir" ] || fail "sandbox directory $dir left behind" || return
    ! pgrep -f "plx-dbserver $dir" > /dev/null \
        || fail "plx-dbserver left running"
}

run_case demo_runs_and_cleans_up demo_runs_and_cleans_up
