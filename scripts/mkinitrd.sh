#!/usr/bin/env bash
# Packs the userland programs into the initrd both kernels boot with: a ustar archive holding
# /bin/NAME for every program in userland/bin/src/bin, debug info stripped (the unstripped ELFs
# stay in userland/target for symbols and gdb). The archive is reproducible: fixed order, times,
# owners and modes, so its bytes (and hash) depend only on the programs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"  # so rustc is the toolchain rust-toolchain.toml pins (llvm-tools: `make deps`)
release=$root/userland/target/riscv64imac-unknown-none-elf/release
stage=$root/userland/target/initrd
out=$root/userland/target/initrd.tar
objcopy="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-objcopy"

rm -rf "$stage"
mkdir -p "$stage/bin"
for src in "$root"/userland/bin/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    "$objcopy" --strip-debug "$release/$name" "$stage/bin/$name"
done
tar --format=ustar --mtime=@0 --owner=0 --group=0 --numeric-owner --sort=name \
    --mode=u=rwX,go=rX -C "$stage" -cf "$out.tmp" bin
if ! cmp -s "$out.tmp" "$out"; then mv "$out.tmp" "$out"; else rm "$out.tmp"; fi
