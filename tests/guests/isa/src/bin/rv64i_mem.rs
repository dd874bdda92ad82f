//! rv64i_mem: do the RV64I loads LB, LH, LW, LD, LBU, LHU, LWU read the right bytes, little-endian,
//! with sign or zero extension, at positive and negative (sign-extended 12-bit) offsets, and do the
//! stores SB, SH, SW, SD write exactly the low bytes of rs2 and leave their neighbours alone?
//! (Naturally aligned accesses only: misaligned ones are in `misaligned`.)
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
test_main:
    # LB
    TEST_LD_OP 2, lb, 0x11, 0, tdat
    TEST_LD_OP 3, lb, 0x44, 3, tdat
    TEST_LD_OP 4, lb, 0x77, 6, tdat
    TEST_LD_OP 5, lb, 0, 9, tdat
    TEST_LD_OP 6, lb, 0xffffffffffffff80, 12, tdat
    TEST_LD_OP 7, lb, 0xfffffffffffffffe, 15, tdat
    TEST_LD_OP 8, lb, 0, 18, tdat
    TEST_LD_OP 9, lb, 0xffffffffffffff80, 21, tdat
    TEST_LD_OP 10, lb, 0xffffffffffffffef, 24, tdat
    TEST_LD_OP 11, lb, 0xffffffffffffff89, 27, tdat
    TEST_LD_OP 12, lb, 0x23, 30, tdat
    TEST_LD_OP 13, lb, 0xffffffffffffffef, -8, tdat_end

    # LBU
    TEST_LD_OP 14, lbu, 0x11, 0, tdat
    TEST_LD_OP 15, lbu, 0x44, 3, tdat
    TEST_LD_OP 16, lbu, 0x77, 6, tdat
    TEST_LD_OP 17, lbu, 0, 9, tdat
    TEST_LD_OP 18, lbu, 0x80, 12, tdat
    TEST_LD_OP 19, lbu, 0xfe, 15, tdat
    TEST_LD_OP 20, lbu, 0, 18, tdat
    TEST_LD_OP 21, lbu, 0x80, 21, tdat
    TEST_LD_OP 22, lbu, 0xef, 24, tdat
    TEST_LD_OP 23, lbu, 0x89, 27, tdat
    TEST_LD_OP 24, lbu, 0x23, 30, tdat
    TEST_LD_OP 25, lbu, 0xef, -8, tdat_end

    # LH
    TEST_LD_OP 26, lh, 0x2211, 0, tdat
    TEST_LD_OP 27, lh, 0x4433, 2, tdat
    TEST_LD_OP 28, lh, 0x6655, 4, tdat
    TEST_LD_OP 29, lh, 0xffffffffffff8877, 6, tdat
    TEST_LD_OP 30, lh, 0xff, 8, tdat
    TEST_LD_OP 31, lh, 0xff0, 10, tdat
    TEST_LD_OP 32, lh, 0x7f80, 12, tdat
    TEST_LD_OP 33, lh, 0xfffffffffffffe01, 14, tdat
    TEST_LD_OP 34, lh, 0xffffffffffff8000, 16, tdat
    TEST_LD_OP 35, lh, 0, 18, tdat
    TEST_LD_OP 36, lh, 0xffffffffffff8000, 20, tdat
    TEST_LD_OP 37, lh, 0xffffffffffffffff, 22, tdat
    TEST_LD_OP 38, lh, 0xffffffffffffcdef, 24, tdat
    TEST_LD_OP 39, lh, 0xffffffffffff89ab, 26, tdat
    TEST_LD_OP 40, lh, 0x4567, 28, tdat
    TEST_LD_OP 41, lh, 0x123, 30, tdat
    TEST_LD_OP 42, lh, 0xffffffffffffcdef, -8, tdat_end

    # LHU
    TEST_LD_OP 43, lhu, 0x2211, 0, tdat
    TEST_LD_OP 44, lhu, 0x4433, 2, tdat
    TEST_LD_OP 45, lhu, 0x6655, 4, tdat
    TEST_LD_OP 46, lhu, 0x8877, 6, tdat
    TEST_LD_OP 47, lhu, 0xff, 8, tdat
    TEST_LD_OP 48, lhu, 0xff0, 10, tdat
    TEST_LD_OP 49, lhu, 0x7f80, 12, tdat
    TEST_LD_OP 50, lhu, 0xfe01, 14, tdat
    TEST_LD_OP 51, lhu, 0x8000, 16, tdat
    TEST_LD_OP 52, lhu, 0, 18, tdat
    TEST_LD_OP 53, lhu, 0x8000, 20, tdat
    TEST_LD_OP 54, lhu, 0xffff, 22, tdat
    TEST_LD_OP 55, lhu, 0xcdef, 24, tdat
    TEST_LD_OP 56, lhu, 0x89ab, 26, tdat
    TEST_LD_OP 57, lhu, 0x4567, 28, tdat
    TEST_LD_OP 58, lhu, 0x123, 30, tdat
    TEST_LD_OP 59, lhu, 0xcdef, -8, tdat_end

    # LW
    TEST_LD_OP 60, lw, 0x44332211, 0, tdat
    TEST_LD_OP 61, lw, 0xffffffff88776655, 4, tdat
    TEST_LD_OP 62, lw, 0xff000ff, 8, tdat
    TEST_LD_OP 63, lw, 0xfffffffffe017f80, 12, tdat
    TEST_LD_OP 64, lw, 0x8000, 16, tdat
    TEST_LD_OP 65, lw, 0xffffffffffff8000, 20, tdat
    TEST_LD_OP 66, lw, 0xffffffff89abcdef, 24, tdat
    TEST_LD_OP 67, lw, 0x1234567, 28, tdat
    TEST_LD_OP 68, lw, 0xffffffff89abcdef, -8, tdat_end

    # LWU
    TEST_LD_OP 69, lwu, 0x44332211, 0, tdat
    TEST_LD_OP 70, lwu, 0x88776655, 4, tdat
    TEST_LD_OP 71, lwu, 0xff000ff, 8, tdat
    TEST_LD_OP 72, lwu, 0xfe017f80, 12, tdat
    TEST_LD_OP 73, lwu, 0x8000, 16, tdat
    TEST_LD_OP 74, lwu, 0xffff8000, 20, tdat
    TEST_LD_OP 75, lwu, 0x89abcdef, 24, tdat
    TEST_LD_OP 76, lwu, 0x1234567, 28, tdat
    TEST_LD_OP 77, lwu, 0x89abcdef, -8, tdat_end

    # LD
    TEST_LD_OP 78, ld, 0x8877665544332211, 0, tdat
    TEST_LD_OP 79, ld, 0xfe017f800ff000ff, 8, tdat
    TEST_LD_OP 80, ld, 0xffff800000008000, 16, tdat
    TEST_LD_OP 81, ld, 0x123456789abcdef, 24, tdat
    TEST_LD_OP 82, ld, 0x123456789abcdef, -8, tdat_end

    # The 12-bit offset is sign-extended: the largest and smallest offsets
    la x11, tdat
    li x12, 2047
    sub x11, x11, x12
    ld x14, 2047(x11)
    TEST_EQ 83, x14, 0x8877665544332211
    la x11, tdat
    li x12, 2048
    add x11, x11, x12
    lbu x14, -2048(x11)
    TEST_EQ 84, x14, 0x11
    # rd = base register: the address uses the old value
    la x11, tdat
    ld x11, 8(x11)
    TEST_EQ 85, x11, 0xfe017f800ff000ff
    # A load into x0 leaves x0 zero
    la x11, tdat
    ld x0, 0(x11)
    TEST_EQ 86, x0, 0

    # Stores write exactly the low 1, 2, 4 or 8 bytes of rs2
    la x11, sbuf
    sd zero, 0(x11)
    sd zero, 8(x11)
    li x12, 0x1122334455667788
    sb x12, 1(x11)
    ld x14, 0(x11)
    TEST_EQ 87, x14, 0x8800
    sh x12, 4(x11)
    ld x14, 0(x11)
    TEST_EQ 88, x14, 0x0000778800008800
    sw x12, 8(x11)
    ld x14, 8(x11)
    TEST_EQ 89, x14, 0x55667788
    sd x12, 8(x11)
    ld x14, 8(x11)
    TEST_EQ 90, x14, 0x1122334455667788
    addi x13, x11, 16
    sh x12, -2(x13)
    ld x14, 8(x11)
    TEST_EQ 91, x14, 0x7788334455667788
    sb x0, -1(x13)
    ld x14, 8(x11)
    TEST_EQ 92, x14, 0x0088334455667788
    sw x12, -8(x13)
    sw x0, -4(x13)
    ld x14, 8(x11)
    TEST_EQ 93, x14, 0x55667788
    ld x14, 0(x11)
    TEST_EQ 94, x14, 0x0000778800008800

    # Store then load back through each width, with sign and zero extension
    TEST_ST_OP 95, lb, sb, 0xffffffffffffffaa, 0xaa, 0, sbuf
    TEST_ST_OP 96, lbu, sb, 0xaa, 0xffffffffffffffaa, 1, sbuf
    TEST_ST_OP 97, lb, sb, 0x7f, 0x17f, 2, sbuf
    TEST_ST_OP 98, lh, sh, 0xffffffffffffaa00, 0xaa00, 2, sbuf
    TEST_ST_OP 99, lhu, sh, 0xaa00, 0xaa00, 4, sbuf
    TEST_ST_OP 100, lh, sh, 0x7ffe, 0x12347ffe, 6, sbuf
    TEST_ST_OP 101, lw, sw, 0xffffffffaa00aa00, 0xaa00aa00, 4, sbuf
    TEST_ST_OP 102, lwu, sw, 0xaa00aa00, 0xaa00aa00, 8, sbuf
    TEST_ST_OP 103, lw, sw, 0x7fffffff, 0xffffffff7fffffff, 12, sbuf
    TEST_ST_OP 104, ld, sd, 0xaa00aa00aa00aa00, 0xaa00aa00aa00aa00, 8, sbuf
    TEST_ST_OP 105, ld, sd, 0xffffffffffffffff, 0xffffffffffffffff, 0, sbuf
    # A store of x0
    la x11, sbuf
    sd x0, 0(x11)
    ld x14, 0(x11)
    TEST_EQ 106, x14, 0

    # A store followed at once by loads of its parts
    li x12, 0x0102030405060708
    sd x12, 0(x11)
    lbu x14, 7(x11)
    TEST_EQ 107, x14, 0x01
    lhu x14, 6(x11)
    TEST_EQ 108, x14, 0x0102
    lwu x14, 4(x11)
    TEST_EQ 109, x14, 0x01020304

    j pass

.data
.balign 8
tdat:
    .byte 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xff, 0x00, 0xf0, 0x0f, 0x80, 0x7f, 0x01, 0xfe
    .byte 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01
tdat_end:
.balign 8
sbuf:
    .zero 16
"#
);
