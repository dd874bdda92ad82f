#!/usr/bin/env bash
# A klab sweep split into N shards run by GNU parallel, then merged into one report:
#
#   scripts/parallel-sweep.sh N OUT --param tlb.entries=8,16,32,64 --param asid=off,on --only getpid
#
# runs `klab sweep --shard I/N --out OUT/shard-I-of-N ARGS…` for I = 1..N (at most $JOBS at a
# time, default N, each with --jobs $THREADS, default 1) and then
# `klab report OUT/shard-1-of-N … --out OUT/report`: the same report as one unsharded run.
#
# Across machines: GNU parallel reads extra options from $PARALLEL, e.g.
#   PARALLEL="--sshloginfile nodes.txt" KLAB=/shared/klab scripts/parallel-sweep.sh 16 /shared/out …
# (klab at the same path on every host, OUT on a file system they share).
#
# klab is $KLAB if set, else `klab` on PATH, else target/release/klab next to this script's
# repository.

set -euo pipefail

[ $# -ge 2 ] || { echo "usage: scripts/parallel-sweep.sh N OUT SWEEP-ARGS…" >&2; exit 2; }
n=$1
out=$2
shift 2
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "parallel-sweep: N must be a positive number, not '$n'" >&2; exit 2; }
command -v parallel >/dev/null || { echo "parallel-sweep: GNU parallel is not installed (make deps)" >&2; exit 1; }

if [ -z "${KLAB:-}" ]; then
	if command -v klab >/dev/null; then
		KLAB=$(command -v klab)
	else
		KLAB="$(cd "$(dirname "$0")/.." && pwd)/target/release/klab"
	fi
fi

mkdir -p "$out"
# parallel hands the command line to a shell: everything of ours is quoted for it.
q() { printf '%q ' "$@"; }
o=$(printf '%q' "$out")
command="$(q "$KLAB" sweep "$@")--shard {}/$n --jobs $(q "${THREADS:-1}")"
command+="--out $o/shard-{}-of-$n > $o/shard-{}-of-$n.log 2>&1"
# --halt now,fail=1: one failed shard stops the others (the merge would be incomplete anyway).
parallel --will-cite --halt now,fail=1 --jobs "${JOBS:-$n}" "$command" ::: $(seq 1 "$n")
dirs=()
for ((i = 1; i <= n; i++)); do
	dirs+=("$out/shard-$i-of-$n")
done
"$KLAB" report "${dirs[@]}" --out "$out/report"
