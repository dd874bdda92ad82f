#!/usr/bin/env bash
# qemu-isa.sh — run the guest test programs on QEMU (the oracle the emulator is checked against).
#
# Builds tests/guests, then runs under qemu-system-riscv64 (7.2, `virt`, -bios none, 128 MiB):
#   - every ISA test listed in tests/guests/isa/MANIFEST: a `both` test must exit 0 without printing
#     FAIL; a `klab-only` test checks where QEMU 7.2 departs from the spec, so it is expected to fail
#     here (reported as XFAIL, counted as skipped; an XPASS is reported but not an error);
#   - hello, plain and with -append/-initrd, compared byte for byte with the expected text;
#   - the speed programs with a small N.
# Prints PASS/FAIL per program and a closing "N passed, N failed, N skipped" line; exits 1 if any failed.
#
# Usage: scripts/qemu-isa.sh [--no-build] [NAME...]   (NAME: ISA test, hello, compute or ecall)
# Environment: QEMU (default qemu-system-riscv64), QEMU_TIMEOUT (seconds per run, default 60).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GUESTS="$ROOT/tests/guests"
BIN="$GUESTS/target/riscv64imac-unknown-none-elf/release"
MANIFEST="$GUESTS/isa/MANIFEST"
QEMU="${QEMU:-qemu-system-riscv64}"
QEMU_TIMEOUT="${QEMU_TIMEOUT:-60}"
QEMU_ARGS=(-machine virt -bios none -m 128M -nographic)
UART_RX_INPUT="klab" # what uart_rx expects on its standard input, no newline

build=1
selected=()
for arg in "$@"; do
    case "$arg" in
    --no-build) build=0 ;;
    -h | --help)
        sed -n '2,12p' "$0"
        exit 0
        ;;
    *) selected+=("$arg") ;;
    esac
done

if ! command -v "$QEMU" >/dev/null; then
    echo "qemu-isa: $QEMU not found (apt-get install qemu-system-misc)" >&2
    exit 2
fi
version="$("$QEMU" --version | head -n 1)"
case "$version" in
*" 7.2"*) ;;
*) echo "qemu-isa: warning: the tests encode QEMU 7.2's behaviour; this is: $version" >&2 ;;
esac

if [ "$build" = 1 ]; then
    # Through the Makefile, with its guest flags (a plain `cargo build` would compile this
    # checkout's paths into the guests, so their bytes would differ from every other checkout's).
    make -C "$ROOT" --quiet --no-print-directory guests >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
skipped=0
failures=()

wanted() {
    [ "${#selected[@]}" = 0 ] && return 0
    local s
    for s in "${selected[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}

# run_qemu NAME STDIN_TEXT [extra QEMU args...]: runs $BIN/NAME; output in $work/NAME.out, status in $rc.
run_qemu() {
    local name="$1" input="$2"
    shift 2
    rc=0
    printf '%s' "$input" | timeout "$QEMU_TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" -kernel "$BIN/$name" "$@" \
        >"$work/$name.out" 2>&1 || rc=$?
}

report() { # report NAME ok|fail|xfail|xpass DETAIL
    case "$2" in
    ok) echo "PASS  $1" && passed=$((passed + 1)) ;;
    xfail) echo "XFAIL $1 (klab-only: $3)" && skipped=$((skipped + 1)) ;;
    xpass) echo "XPASS $1 (klab-only, passes on QEMU too: re-check its expectations)" && skipped=$((skipped + 1)) ;;
    *)
        echo "FAIL  $1: $3"
        sed 's/^/      | /' "$work/$1.out" | head -n 20
        failed=$((failed + 1))
        failures+=("$1")
        ;;
    esac
}

describe_exit() { # the reason a run failed, from $rc and its output
    if [ "$rc" = 124 ]; then
        echo "timed out after ${QEMU_TIMEOUT}s"
    else
        local line
        line="$(grep -m 1 'FAIL' "$work/$1.out" || true)"
        echo "exit status $rc${line:+, \"$line\"}"
    fi
}

# --- ISA tests ------------------------------------------------------------------------------------
listed=()
while IFS=$'\t' read -r name kind _description; do
    case "$name" in '' | '#'*) continue ;; esac
    listed+=("$name")
    wanted "$name" || continue
    input=""
    [ "$name" = uart_rx ] && input="$UART_RX_INPUT"
    run_qemu "$name" "$input"
    ok=0
    if [ "$rc" = 0 ] && ! grep -q 'FAIL' "$work/$name.out"; then ok=1; fi
    case "$kind" in
    both) if [ "$ok" = 1 ]; then report "$name" ok; else report "$name" fail "$(describe_exit "$name")"; fi ;;
    klab-only) if [ "$ok" = 1 ]; then report "$name" xpass; else report "$name" xfail "$(describe_exit "$name")"; fi ;;
    *) report "$name" fail "MANIFEST kind '$kind' is neither both nor klab-only" ;;
    esac
done <"$MANIFEST"

# Every test binary is in the MANIFEST and every MANIFEST line has a binary.
if [ "${#selected[@]}" = 0 ]; then
    for src in "$GUESTS"/isa/src/bin/*.rs; do
        name="$(basename "$src" .rs)"
        if ! printf '%s\n' "${listed[@]}" | grep -qx "$name"; then
            : >"$work/$name.out"
            report "$name" fail "not listed in tests/guests/isa/MANIFEST"
        fi
    done
    for name in "${listed[@]}"; do
        if [ ! -f "$GUESTS/isa/src/bin/$name.rs" ]; then
            : >"$work/$name.out"
            report "$name" fail "listed in MANIFEST but tests/guests/isa/src/bin/$name.rs does not exist"
        fi
    done
fi

# --- hello ----------------------------------------------------------------------------------------
hello_expected() { # hello_expected BOOTARGS INITRD
    printf '%s\n' \
        "hello from a bare-metal RISC-V guest" \
        "hartid: 0" \
        "memory: 0x80000000+0x8000000" \
        "timebase-frequency: 10000000" \
        "uart: 0x10000000 (ns16550a)" \
        "bootargs: $1" \
        "initrd: $2"
}
if wanted hello; then
    run_qemu hello ""
    hello_expected "(none)" "(none)" >"$work/hello.expected"
    if [ "$rc" != 0 ]; then
        report hello fail "$(describe_exit hello)"
    elif ! cmp -s "$work/hello.out" "$work/hello.expected"; then
        diff "$work/hello.expected" "$work/hello.out" >"$work/hello.diff" || true
        cp "$work/hello.diff" "$work/hello.out"
        report hello fail "output differs from the expected text (diff expected actual)"
    else
        report hello ok
    fi
    # QEMU puts the initrd at 0x8400_0000 with 128 MiB of RAM; six bytes long here.
    printf 'initrd' >"$work/initrd.bin"
    run_qemu hello "" -append "x=1" -initrd "$work/initrd.bin"
    hello_expected "x=1" "0x84000000..0x84000006" >"$work/hello.expected"
    cp "$work/hello.out" "$work/hello-args.out"
    if [ "$rc" != 0 ]; then
        report hello-args fail "$(describe_exit hello)"
    elif ! cmp -s "$work/hello.out" "$work/hello.expected"; then
        diff "$work/hello.expected" "$work/hello.out" >"$work/hello-args.out" || true
        report hello-args fail "output with -append/-initrd differs from the expected text"
    else
        report hello-args ok
    fi
fi

# --- speed programs (small N) -----------------------------------------------------------------------
if wanted compute; then
    run_qemu compute "" -append "10"
    if [ "$rc" != 0 ]; then
        report compute fail "$(describe_exit compute)"
    elif ! grep -qxE 'compute: n=10 checksum=0x[0-9a-f]{16}' "$work/compute.out"; then
        report compute fail "no checksum line for n=10"
    else
        report compute ok
    fi
fi
if wanted ecall; then
    run_qemu ecall "" -append "2"
    if [ "$rc" != 0 ]; then
        report ecall fail "$(describe_exit ecall)"
    elif ! grep -qx 'ecall: n=2 ecalls=2000' "$work/ecall.out"; then
        report ecall fail "no 'ecall: n=2 ecalls=2000' line"
    else
        report ecall ok
    fi
fi

echo
if [ "$failed" != 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "qemu-isa: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
