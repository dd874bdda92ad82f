#!/usr/bin/env bash
# make soak: a long mixed workload on each kernel with the memory invariants checked (issue 13).
# Not part of `make test`. For each of mono and micro, every run below goes through
# `klab run --check-tlb --stats` and must
#   - end with status 0 (each program checks its own results: usertests, the hostile program's
#     zero/secret/leak checks, the stress, the benchmarks' FAIL lines, the pipeline's count);
#   - print no `check-tlb` line (no stale translation used), no `kernel panic` (kcore's frame
#     table panics on a frame freed while mapped, mapped twice, or freed twice) and no server
#     failure (micro restarts a failed server, so a run could otherwise pass over one);
# and the runs together must retire at least $SOAK_MIN instructions per kernel (10^9 unless set).
# `hostile soak` runs many seeds as children of one boot and then has three processes touch
# most of RAM at once, which only fits if every run gave its frames back.
# Prints one line per run and a total per kernel: instructions and host time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
klab=${KLAB:-$root/target/release/klab}
min=${SOAK_MIN:-1000000000}
seeds=${SOAK_SEEDS:-12}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail() {
    echo "soak: FAIL $*" >&2
    cat "$log" >&2
    exit 1
}

# run KERNEL [STDIN-FILE] -- ARGS…: one checked run; adds its instructions to $total.
run() {
    local kernel=$1 input=$2
    shift 3
    local start status=0
    start=$(date +%s.%N)
    "$klab" run --check-tlb --stats --max-insns 20000000000 "$kernel" "$@" <"$input" >"$log" 2>&1 || status=$?
    local secs insns
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    [ "$status" = 0 ] || fail "$kernel $*: status $status"
    ! grep -q "check-tlb" "$log" || fail "$kernel $*: a stale translation was used"
    ! grep -q "kernel panic" "$log" || fail "$kernel $*: kernel panic"
    ! grep -q ": server .* failed: " "$log" || fail "$kernel $*: a server failed"
    ! grep -q "FAIL" "$log" || fail "$kernel $*: a check failed"
    insns=$(sed -n 's/^klab: \([0-9]*\) instructions retired.*/\1/p' "$log")
    [ -n "$insns" ] || fail "$kernel $*: no statistics"
    total=$((total + insns))
    wall=$(echo "$wall + $secs" | bc)
    printf 'soak: %-5s %-40s %12d instructions %7.1f s\n' "$kernel" "$*" "$insns" "$secs"
}

pipeline=$(mktemp)
trap 'rm -f "$log" "$pipeline"' EXIT
printf 'cat /data/1M | wc\necho soak | cat | cat | wc\nls /bin | wc\nexit\n' >"$pipeline"

for kernel in mono micro; do
    total=0
    wall=0
    run "$kernel" /dev/null -- usertests
    run "$kernel" /dev/null -- hostile soak 100 "$seeds"
    run "$kernel" /dev/null -- hostile maps 77 8 400 24 4
    run "$kernel" /dev/null -- hostile 4242 20000
    for case in "page-fault 2000" "mmap 2000 1" "mmap 500 16" "mmap 100 256" "spawn 100" "pipe-rt 2000" "pipeline 2"; do
        # shellcheck disable=SC2086
        run "$kernel" /dev/null -- bench $case
    done
    run "$kernel" "$pipeline" -- sh
    [ "$total" -ge "$min" ] || fail "$kernel: only $total instructions (want >= $min): raise SOAK_SEEDS"
    printf 'soak: %-5s total %d instructions, %.1f s host time: ok\n' "$kernel" "$total" "$wall"
done
