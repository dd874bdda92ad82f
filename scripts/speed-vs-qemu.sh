#!/usr/bin/env bash
# speed-vs-qemu.sh — klab's speed next to QEMU's on the same guests, measured in one run: the four
# workload kinds of issue 19.
#
#   compute      tests/guests/speed `compute`: CPU-bound integer code
#   sharedpage   tests/guests/speed `sharedpage`: a loop whose data shares a 4 KiB page with its code
#   ecall        tests/guests/speed `ecall`: N * 1000 U-mode system calls into an S-mode handler
#                (Sv39 off; the trap round trip is what is measured)
#   usertests    micro running `usertests` (klab only: kernel code, servers, many address spaces)
#
# Columns: klab functional (`--timing off`), klab timing (the default profile, u74), QEMU TCG and QEMU
# `-icount shift=0` (QEMU's deterministic mode), in MIPS, and the ratios the issue's goals are stated
# in. Each emulator's start-up time (a run with N = 1) is taken off the bare-metal guests; each time
# is the least CPU time (user + system) of REPS runs (the machine may be shared), and usertests
# runs its two modes in turn (functional, timing, functional, …) so that both see the same spells
# of host load, as their ratio is a goal; the instruction count is klab's (the guests are
# deterministic, so QEMU executes the same instructions).
#
# Usage: scripts/speed-vs-qemu.sh [N_COMPUTE [N_SHARED [N_ECALL]]]   (defaults 300000, 3000, 1000)
# Environment: REPS (default 3), QEMU (default qemu-system-riscv64), USERTESTS=0 to skip usertests,
# KLAB (another klab binary, e.g. an older build to compare with), BUILD=0 to build nothing.
# This script reads the host's CPU-time counters; klab reads no host clock.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/tests/guests/target/riscv64imac-unknown-none-elf/release"
KLAB="${KLAB:-$ROOT/target/release/klab}"
QEMU="${QEMU:-qemu-system-riscv64}"
REPS="${REPS:-3}"
N_COMPUTE="${1:-300000}"
N_SHARED="${2:-3000}"
N_ECALL="${3:-1000}"

if [ "${BUILD:-1}" != 0 ]; then
    # Through the Makefile, with its guest flags: a plain `cargo build` of tests/guests would
    # compile this checkout's paths into the guests, and their bytes (and the README's figures
    # that quote them) would then differ from every other checkout's.
    make -C "$ROOT" --quiet --no-print-directory build >&2
fi

# best_in_turn LINE... : the least CPU time (user + system, of the command and its children) of
# REPS runs of each shell command line, run in turn (A, B, A, B, …), in seconds, on one line.
# CPU time, not wall time: on a shared machine another job's load stretches the wall clock of
# both emulators, not the work they do.
best_in_turn() {
    python3 - "$REPS" "$@" <<'PY'
import resource, subprocess, sys
reps, cmds = int(sys.argv[1]), sys.argv[2:]
best = [None] * len(cmds)
for _ in range(reps):
    for k, cmd in enumerate(cmds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(["bash", "-c", cmd], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best[k] = t if best[k] is None else min(best[k], t)
print(*best)
PY
}

# best_time CMD... : `best_in_turn` of one command.
best_time() { best_in_turn "$(printf '%q ' "$@")"; }

klab_fun() { "$KLAB" run --timing off --append "$2" "$BIN/$1"; }
klab_tim() { "$KLAB" run --append "$2" "$BIN/$1"; }
qemu_tcg() { "$QEMU" -machine virt -bios none -m 128M -nographic -monitor none -serial stdio -append "$2" -kernel "$BIN/$1"; }
qemu_icount() { "$QEMU" -machine virt -bios none -m 128M -nographic -monitor none -serial stdio -icount shift=0 -append "$2" -kernel "$BIN/$1"; }

# best_time runs them in a child bash.
export -f klab_fun klab_tim qemu_tcg qemu_icount
export KLAB QEMU BIN

# net RUNNER GUEST N: the time of N less the time of N = 1.
net() { python3 -c "print(max($(best_time "$1" "$2" "$3") - $(best_time "$1" "$2" 1), 1e-9))"; }

printf "%-11s %13s %9s %9s %9s %9s  %9s %9s %9s %9s\n" workload instructions "fun MIPS" "tim MIPS" "TCG MIPS" "icnt MIPS" "fun/TCG" "fun/icnt" "tim/fun" "tim/TCG"
for spec in "compute $N_COMPUTE" "sharedpage $N_SHARED" "ecall $N_ECALL"; do
    set -- $spec
    name=$1 n=$2
    insns=$("$KLAB" run --stats --timing off --append "$n" "$BIN/$name" 2>&1 >/dev/null | sed -n 's/^klab: \([0-9]*\) instructions retired.*/\1/p')
    f=$(net klab_fun "$name" "$n")
    t=$(net klab_tim "$name" "$n")
    q=$(net qemu_tcg "$name" "$n")
    i=$(net qemu_icount "$name" "$n")
    python3 -c "
n, f, t, q, i = $insns, $f, $t, $q, $i
m = lambda s: n / s / 1e6
print('%-11s %13d %9.1f %9.1f %9.1f %9.1f  %8.2fx %8.2fx %8.2fx %8.2fx' % ('$name', n, m(f), m(t), m(q), m(i), q / f, i / f, f / t, q / t))"
done
if [ "${USERTESTS:-1}" != 0 ]; then
    f_insns=$("$KLAB" run --stats --timing off micro usertests 2>&1 >/dev/null </dev/null | sed -n 's/^klab: \([0-9]*\) instructions retired.*/\1/p')
    t_insns=$("$KLAB" run --stats micro usertests 2>&1 >/dev/null </dev/null | sed -n 's/^klab: \([0-9]*\) instructions retired.*/\1/p')
    read -r f t < <(best_in_turn '"$KLAB" run --timing off micro usertests' '"$KLAB" run micro usertests')
    python3 -c "
fn, tn, f, t = $f_insns, $t_insns, $f, $t
print('%-11s %13d %9.1f %9.1f %9s %9s  %9s %9s %8.2fx %9s' % ('usertests', tn, fn / f / 1e6, tn / t / 1e6, '-', '-', '-', '-', (tn / t) / (fn / f), '-'))"
fi
