#!/usr/bin/env bash
# speed-vs-qemu.sh — klab's speed next to QEMU TCG's on the same guests, measured in one run.
#
# Runs tests/guests/speed's `compute` (CPU-bound integer code) and `ecall` (U-mode system calls
# into an S-mode handler) on `klab run` and on `qemu-system-riscv64 -machine virt -bios none`,
# with the same iteration count N. Each emulator's start-up time (a run with N = 1) is taken off,
# each time is the best of REPS runs (the machine may be shared), and the instruction count is
# klab's (the guests are deterministic, so QEMU executes the same instructions).
#
# Usage: scripts/speed-vs-qemu.sh [N_COMPUTE [N_ECALL]]      (defaults 300000 and 30000)
# Environment: REPS (default 3), QEMU (default qemu-system-riscv64).
# Prints one line per guest and the ratio klab/QEMU; this script reads the host clock, klab does not.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/tests/guests/target/riscv64imac-unknown-none-elf/release"
KLAB="$ROOT/target/release/klab"
QEMU="${QEMU:-qemu-system-riscv64}"
REPS="${REPS:-3}"
N_COMPUTE="${1:-300000}"
N_ECALL="${2:-30000}"

(cd "$ROOT/tests/guests" && cargo build --release --quiet -p speed)
(cd "$ROOT" && cargo build --release --quiet -p lab)

# best_time CMD... : the shortest wall time of REPS runs, in seconds.
best_time() {
    local best=""
    for _ in $(seq "$REPS"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 </dev/null
        t1=$(date +%s.%N)
        best=$(python3 -c "t=$t1-$t0; b='$best'; print(t if b=='' else min(t, float(b)))")
    done
    echo "$best"
}

klab_run() { "$KLAB" run --append "$2" "$BIN/$1"; }
qemu_run() { "$QEMU" -machine virt -bios none -m 128M -nographic -monitor none -serial stdio -append "$2" -kernel "$BIN/$1"; }

printf "%-8s %14s %10s %10s %10s %10s %8s\n" guest instructions "klab s" "QEMU s" "klab MIPS" "QEMU MIPS" "ratio"
for spec in "compute $N_COMPUTE" "ecall $N_ECALL"; do
    set -- $spec
    name=$1 n=$2
    insns=$("$KLAB" run --stats --append "$n" "$BIN/$name" 2>&1 >/dev/null | sed -n 's/^klab: \([0-9]*\) instructions retired.*/\1/p')
    k=$(python3 -c "print(max($(best_time klab_run "$name" "$n") - $(best_time klab_run "$name" 1), 1e-9))")
    q=$(python3 -c "print(max($(best_time qemu_run "$name" "$n") - $(best_time qemu_run "$name" 1), 1e-9))")
    python3 -c "
i, k, q = $insns, $k, $q
print(f'%-8s %14d %10.2f %10.2f %10.1f %10.1f %7.1f%%' % ('$name', i, k, q, i / k / 1e6, i / q / 1e6, 100 * q / k))"
done
