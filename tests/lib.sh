# tests/lib.sh: the reporting side of shell system and interop tests.
#
# Source it, define one function per case, and call
#     run_case NAME FUNCTION
# for each: a function that returns 0 passes, one that calls
# skip "REASON" is skipped, anything else fails with its last words.
# PLX_BUILDDIR and PLX_SRCDIR come from make check.

suite=$(basename "$0" .sh)

skip() {
    echo "$*" > "$case_skip_file"
    return 77
}

fail() {
    echo "$*" >&2
    return 1
}

need_root() {
    [ "$(id -u)" -eq 0 ] || skip "needs root"
}

need_builddir() {
    [ -n "${PLX_BUILDDIR:-}" ] || skip "PLX_BUILDDIR not set (run through make check)"
}

run_case() {
    local name=$1 function=$2 out status
    case_skip_file=$(mktemp)
    out=$(mktemp)
    ( set -u; "$function" ) > "$out" 2>&1
    status=$?
    if [ "$status" -eq 0 ]; then
        echo "PASS $suite/$name"
    elif [ "$status" -eq 77 ] && [ -s "$case_skip_file" ]; then
        echo "SKIP $suite/$name: $(cat "$case_skip_file")"
    else
        sed 's/^/    /' "$out"
        echo "FAIL $suite/$name: $(tail -n 1 "$out")"
    fi
    rm -f "$out" "$case_skip_file"
}
