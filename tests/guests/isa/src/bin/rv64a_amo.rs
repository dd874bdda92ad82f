//! rv64a_amo: does every AMO — SWAP, ADD, XOR, AND, OR, MIN, MAX, MINU, MAXU in .W and .D — return the
//! old memory value in rd (sign-extended from 32 bits for .W), store op(old, rs2) with the right signed or
//! unsigned comparison, touch only its own 4 or 8 bytes, and behave with rd = x0, rd = rs2, rd = rs1 and
//! the aq/rl bits? (Misaligned AMOs are in `rv64a_lrsc`.)
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# Check `num`: the dword at amo_buf holds `before`; run `inst rd, src, (amo_buf + off)`; rd must be `rd`
# and the dword must then be `after`.
.macro TEST_AMO num, inst, off, before, src, rd, after
    li gp, \num
    la x11, amo_buf
    li x12, \before
    sd x12, 0(x11)
    addi x13, x11, \off
    li x12, \src
    \inst x14, x12, (x13)
    li x7, \rd
    bne x14, x7, fail
    ld x14, 0(x11)
    li x7, \after
    bne x14, x7, fail
.endm

test_main:
    # AMOSWAP.D and AMOSWAP.W
    TEST_AMO 2, amoswap.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xfffffffffffff800
    TEST_AMO 3, amoswap.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 1
    TEST_AMO 4, amoswap.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xfedcba9876543210
    TEST_AMO 5, amoswap.d, 0, 0x10, 0x8000000000000000, 0x10, 0x8000000000000000
    TEST_AMO 6, amoswap.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5afffff800
    TEST_AMO 7, amoswap.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x15a5a5a5a
    TEST_AMO 8, amoswap.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5a76543210
    TEST_AMO 9, amoswap.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x800000005a5a5a5a
    TEST_AMO 10, amoswap.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5a23456789

    # AMOADD.D and AMOADD.W
    TEST_AMO 11, amoadd.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xffffffff7ffff800
    TEST_AMO 12, amoadd.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_AMO 13, amoadd.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xffffffffffffffff
    TEST_AMO 14, amoadd.d, 0, 0x10, 0x8000000000000000, 0x10, 0x8000000000000010
    TEST_AMO 15, amoadd.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5a7ffff800
    TEST_AMO 16, amoadd.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x800000005a5a5a5a
    TEST_AMO 17, amoadd.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5affffffff
    TEST_AMO 18, amoadd.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x800000105a5a5a5a
    TEST_AMO 19, amoadd.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5a23456787

    # AMOXOR.D and AMOXOR.W
    TEST_AMO 20, amoxor.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0x7ffff800
    TEST_AMO 21, amoxor.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x7ffffffffffffffe
    TEST_AMO 22, amoxor.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xffffffffffffffff
    TEST_AMO 23, amoxor.d, 0, 0x10, 0x8000000000000000, 0x10, 0x8000000000000010
    TEST_AMO 24, amoxor.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5a7ffff800
    TEST_AMO 25, amoxor.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x7ffffffe5a5a5a5a
    TEST_AMO 26, amoxor.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5affffffff
    TEST_AMO 27, amoxor.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x800000105a5a5a5a
    TEST_AMO 28, amoxor.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5adcba9877

    # AMOAND.D and AMOAND.W
    TEST_AMO 29, amoand.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xffffffff80000000
    TEST_AMO 30, amoand.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 1
    TEST_AMO 31, amoand.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0
    TEST_AMO 32, amoand.d, 0, 0x10, 0x8000000000000000, 0x10, 0
    TEST_AMO 33, amoand.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5a80000000
    TEST_AMO 34, amoand.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x15a5a5a5a
    TEST_AMO 35, amoand.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5a00000000
    TEST_AMO 36, amoand.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x5a5a5a5a
    TEST_AMO 37, amoand.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5a23456788

    # AMOOR.D and AMOOR.W
    TEST_AMO 38, amoor.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xfffffffffffff800
    TEST_AMO 39, amoor.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_AMO 40, amoor.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xffffffffffffffff
    TEST_AMO 41, amoor.d, 0, 0x10, 0x8000000000000000, 0x10, 0x8000000000000010
    TEST_AMO 42, amoor.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5afffff800
    TEST_AMO 43, amoor.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x7fffffff5a5a5a5a
    TEST_AMO 44, amoor.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5affffffff
    TEST_AMO 45, amoor.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x800000105a5a5a5a
    TEST_AMO 46, amoor.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5affffffff

    # AMOMIN.D and AMOMIN.W
    TEST_AMO 47, amomin.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xffffffff80000000
    TEST_AMO 48, amomin.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 1
    TEST_AMO 49, amomin.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xfedcba9876543210
    TEST_AMO 50, amomin.d, 0, 0x10, 0x8000000000000000, 0x10, 0x8000000000000000
    TEST_AMO 51, amomin.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5a80000000
    TEST_AMO 52, amomin.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x15a5a5a5a
    TEST_AMO 53, amomin.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5a89abcdef
    TEST_AMO 54, amomin.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x800000005a5a5a5a
    TEST_AMO 55, amomin.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5afffffffe

    # AMOMAX.D and AMOMAX.W
    TEST_AMO 56, amomax.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xfffffffffffff800
    TEST_AMO 57, amomax.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_AMO 58, amomax.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0x123456789abcdef
    TEST_AMO 59, amomax.d, 0, 0x10, 0x8000000000000000, 0x10, 0x10
    TEST_AMO 60, amomax.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5afffff800
    TEST_AMO 61, amomax.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x7fffffff5a5a5a5a
    TEST_AMO 62, amomax.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5a76543210
    TEST_AMO 63, amomax.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x105a5a5a5a
    TEST_AMO 64, amomax.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5a23456789

    # AMOMINU.D and AMOMINU.W
    TEST_AMO 65, amominu.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xffffffff80000000
    TEST_AMO 66, amominu.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 1
    TEST_AMO 67, amominu.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0x123456789abcdef
    TEST_AMO 68, amominu.d, 0, 0x10, 0x8000000000000000, 0x10, 0x10
    TEST_AMO 69, amominu.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5a80000000
    TEST_AMO 70, amominu.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x15a5a5a5a
    TEST_AMO 71, amominu.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5a76543210
    TEST_AMO 72, amominu.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x105a5a5a5a
    TEST_AMO 73, amominu.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5a23456789

    # AMOMAXU.D and AMOMAXU.W
    TEST_AMO 74, amomaxu.d, 0, 0xffffffff80000000, 0xfffffffffffff800, 0xffffffff80000000, 0xfffffffffffff800
    TEST_AMO 75, amomaxu.d, 0, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_AMO 76, amomaxu.d, 0, 0x123456789abcdef, 0xfedcba9876543210, 0x123456789abcdef, 0xfedcba9876543210
    TEST_AMO 77, amomaxu.d, 0, 0x10, 0x8000000000000000, 0x10, 0x8000000000000000
    TEST_AMO 78, amomaxu.w, 0, 0x5a5a5a5a80000000, 0xfffff800, 0xffffffff80000000, 0x5a5a5a5afffff800
    TEST_AMO 79, amomaxu.w, 4, 0x7fffffff5a5a5a5a, 1, 0x7fffffff, 0x7fffffff5a5a5a5a
    TEST_AMO 80, amomaxu.w, 0, 0x5a5a5a5a89abcdef, 0x76543210, 0xffffffff89abcdef, 0x5a5a5a5a89abcdef
    TEST_AMO 81, amomaxu.w, 4, 0x105a5a5a5a, 0x80000000, 0x10, 0x800000005a5a5a5a
    TEST_AMO 82, amomaxu.w, 0, 0x5a5a5a5afffffffe, 0x123456789, 0xfffffffffffffffe, 0x5a5a5a5afffffffe

    # rd = x0: memory is still updated
    la x11, amo_buf
    li x12, 40
    sd x12, 0(x11)
    li x12, 2
    amoadd.d x0, x12, (x11)
    ld x14, 0(x11)
    TEST_EQ 83, x14, 42
    TEST_EQ 84, x0, 0
    amoor.w x0, x12, (x11)
    ld x14, 0(x11)
    TEST_EQ 85, x14, 42
    # rd = rs2: the old memory value lands in rd, the old rs2 in memory
    li x12, 7
    amoswap.d x12, x12, (x11)
    TEST_EQ 86, x12, 42
    ld x14, 0(x11)
    TEST_EQ 87, x14, 7
    # rd = rs1: the address is read before rd is written
    li x12, 1
    mv x13, x11
    amoadd.w x13, x12, (x13)
    TEST_EQ 88, x13, 7
    ld x14, 0(x11)
    TEST_EQ 89, x14, 8
    # The aq and rl bits change ordering only
    amoadd.d.aq x14, x12, (x11)
    TEST_EQ 90, x14, 8
    amoadd.d.rl x14, x12, (x11)
    TEST_EQ 91, x14, 9
    amoadd.w.aqrl x14, x12, (x11)
    TEST_EQ 92, x14, 10
    ld x14, 0(x11)
    TEST_EQ 93, x14, 11

    j pass

.data
.balign 8
amo_buf:
    .dword 0
"#
);
