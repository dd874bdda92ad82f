#!/usr/bin/env bash
# A klab sweep as a Slurm job array: each array task runs one shard of the grid into its own
# directory; a last step merges the shards into the report of the whole sweep.
#
#   jid=$(sbatch --parsable --array=0-3 scripts/slurm-sweep.sh OUT --param tlb.entries=8,16,32,64 \
#           --param asid=off,on --only getpid,ipc)
#   sbatch --dependency=afterok:$jid scripts/slurm-sweep.sh --merge OUT
#
# Task i of an array of N tasks (whatever the range: 0-3, 1-4, 5-8) runs
# `klab sweep --shard I/N --out OUT/shard-I-of-N ARGS…` with I = i - min + 1; --merge runs
# `klab report OUT/shard-*-of-N --out OUT/report` after checking that all N shard reports are
# there. Give a task more threads with `sbatch --cpus-per-task=C` (klab gets --jobs C); do not
# pass --shard, --out or --jobs yourself. OUT must be on a file system every node sees.
#
# klab is $KLAB if set, else `klab` on PATH, else target/release/klab under the directory sbatch
# was called from (Slurm runs a copy of this script, so it cannot look next to itself).
#
#SBATCH --job-name=klab-sweep
#SBATCH --output=klab-sweep-%A_%a.out

set -euo pipefail

usage() {
	echo "usage: sbatch --array=0-N scripts/slurm-sweep.sh OUT SWEEP-ARGS…" >&2
	echo "       scripts/slurm-sweep.sh --merge OUT   (after the array; sbatch it or run it)" >&2
	exit 2
}

klab() {
	if [ -n "${KLAB:-}" ]; then
		"$KLAB" "$@"
	elif command -v klab >/dev/null; then
		command klab "$@"
	else
		"${SLURM_SUBMIT_DIR:-.}/target/release/klab" "$@"
	fi
}

[ $# -ge 1 ] || usage
if [ "$1" = --merge ]; then
	[ $# -eq 2 ] || usage
	out=$2
	shopt -s nullglob
	parts=("$out"/shard-*-of-*/report.json)
	[ ${#parts[@]} -gt 0 ] || { echo "slurm-sweep: no shard reports in $out" >&2; exit 1; }
	# Every shard of one split, and only one split.
	counts=$(printf '%s\n' "${parts[@]}" | sed 's|.*-of-\([0-9]*\)/report.json$|\1|' | sort -u)
	[ "$(wc -l <<<"$counts")" -eq 1 ] || { echo "slurm-sweep: $out holds shards of several splits (of $(echo $counts))" >&2; exit 1; }
	n=$counts
	dirs=()
	for ((i = 1; i <= n; i++)); do
		d="$out/shard-$i-of-$n"
		[ -f "$d/report.json" ] || { echo "slurm-sweep: shard $i of $n is missing ($d/report.json)" >&2; exit 1; }
		dirs+=("$d")
	done
	klab report "${dirs[@]}" --out "$out/report"
	exit 0
fi

out=$1
shift
: "${SLURM_ARRAY_TASK_ID:?not a Slurm array task: submit with sbatch --array=0-N}"
: "${SLURM_ARRAY_TASK_MIN:?}" "${SLURM_ARRAY_TASK_MAX:?}" "${SLURM_ARRAY_TASK_COUNT:?}"
i=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))
n=$SLURM_ARRAY_TASK_COUNT
# A range with a step (0-6:2) would leave gaps: every index from min to max must be a task.
[ $((SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1)) -eq "$n" ] || {
	echo "slurm-sweep: the array must be a range without gaps (got $n tasks from $SLURM_ARRAY_TASK_MIN to $SLURM_ARRAY_TASK_MAX)" >&2
	exit 2
}
mkdir -p "$out"
klab sweep "$@" --shard "$i/$n" --jobs "${SLURM_CPUS_PER_TASK:-1}" --out "$out/shard-$i-of-$n"
