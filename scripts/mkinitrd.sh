#!/usr/bin/env bash
# Packs the userland programs into the initrd both kernels boot with: a ustar archive holding
# /bin/NAME for every program in userland/bin/src/bin, debug info stripped (the unstripped ELFs
# stay in userland/target for symbols and gdb), and the benchmarks' data files under /data (made
# here, see data_1m). The archive is reproducible: fixed order, times, owners and modes, and
# generated data that depends on nothing but this script, so its bytes (and hash) depend only on
# the programs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"  # so rustc is the toolchain rust-toolchain.toml pins (llvm-tools: `make deps`)
release=$root/userland/target/riscv64imac-unknown-none-elf/release
stage=$root/userland/target/initrd
out=$root/userland/target/initrd.tar
objcopy="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-objcopy"

# /data/1M, for `bench pipeline`: exactly 1 MiB (1048576 bytes) of text, numbered lines of
# words, the last line cut short at the limit. Integer arithmetic and fixed strings only, so
# every awk prints the same bytes.
data_1m() {
    LC_ALL=C awk 'BEGIN {
        limit = 1048576; total = 0
        split("the quick brown fox jumps over a lazy dog while seven wizards box", w, " ")
        for (i = 1; total < limit; i++) {
            line = sprintf("%06d", i)
            for (j = 0; j <= i % 9; j++) line = line " " w[(i + j * 5) % 13 + 1]
            line = line "\n"
            if (total + length(line) > limit) line = substr(line, 1, limit - total)
            printf "%s", line
            total += length(line)
        }
    }'
}

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/data"
for src in "$root"/userland/bin/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    "$objcopy" --strip-debug "$release/$name" "$stage/bin/$name"
done
data_1m >"$stage/data/1M"
size=$(wc -c <"$stage/data/1M")
if [ "$size" -ne 1048576 ]; then
    echo "mkinitrd: /data/1M is $size bytes, not 1048576" >&2
    exit 1
fi
tar --format=ustar --mtime=@0 --owner=0 --group=0 --numeric-owner --sort=name \
    --mode=u=rwX,go=rX -C "$stage" -cf "$out.tmp" bin data
if ! cmp -s "$out.tmp" "$out"; then mv "$out.tmp" "$out"; else rm "$out.tmp"; fi
