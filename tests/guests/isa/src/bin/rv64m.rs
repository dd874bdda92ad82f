//! rv64m: do MUL, MULH, MULHSU, MULHU, MULW, DIV, DIVU, REM, REMU, DIVW, DIVUW, REMW, REMUW give the
//! results the M extension specifies — full 128-bit high halves with the right signedness, truncation
//! towards zero, remainders with the sign of the dividend, division by zero (quotient all ones,
//! remainder = dividend), the signed overflows -2^63 / -1 and -2^31 / -1 (quotient = dividend,
//! remainder 0), W forms on the low 32 bits with sign-extended results?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
test_main:
    # MUL
    TEST_RR_OP 2, mul, 0, 0, 0
    TEST_RR_OP 3, mul, 1, 1, 1
    TEST_RR_OP 4, mul, 0x15, 3, 7
    TEST_RR_OP 5, mul, 0x8000, 0xffffffffffff8000, 0xffffffffffffffff
    TEST_RR_OP 6, mul, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 7, mul, 0, 0x8000000000000000, 0x8000000000000000
    TEST_RR_OP 8, mul, 1, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR_OP 9, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 2
    TEST_RR_OP 10, mul, 1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 11, mul, 0x3fffffff00000001, 0x7fffffff, 0x7fffffff
    TEST_RR_OP 12, mul, 0x4000000000000000, 0x80000000, 0x80000000
    TEST_RR_OP 13, mul, 0x4000000000000000, 0xffffffff80000000, 0xffffffff80000000
    TEST_RR_OP 14, mul, 0x2236d88fe5618cf0, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_OP 15, mul, 0xff7f, 0xaaaaaaaaaaaaaaab, 0x2fe7d
    TEST_RR_OP 16, mul, 0xffffffffffffff88, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 17, mul, 0, 0xffffffffffffffff, 0
    TEST_RR_SRC1_EQ_DEST 18, mul, 0x8f, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 19, mul, 0xffffffffffffff66, 0xfffffffffffffff2, 0xb
    TEST_RR_SRC12_EQ_DEST 20, mul, 1, 0x8000000000000001
    TEST_RR_ZEROSRC1 21, mul, 0, 0x1f
    TEST_RR_ZEROSRC2 22, mul, 0, 0x20
    TEST_RR_ZERODEST 23, mul, 0x21, 0x22

    # MULH
    TEST_RR_OP 24, mulh, 0, 0, 0
    TEST_RR_OP 25, mulh, 0, 1, 1
    TEST_RR_OP 26, mulh, 0, 3, 7
    TEST_RR_OP 27, mulh, 0, 0xffffffffffff8000, 0xffffffffffffffff
    TEST_RR_OP 28, mulh, 0, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 29, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR_OP 30, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR_OP 31, mulh, 0, 0x7fffffffffffffff, 2
    TEST_RR_OP 32, mulh, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 33, mulh, 0, 0x7fffffff, 0x7fffffff
    TEST_RR_OP 34, mulh, 0, 0x80000000, 0x80000000
    TEST_RR_OP 35, mulh, 0, 0xffffffff80000000, 0xffffffff80000000
    TEST_RR_OP 36, mulh, 0xfffeb49923cc0953, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_OP 37, mulh, 0xffffffffffff0081, 0xaaaaaaaaaaaaaaab, 0x2fe7d
    TEST_RR_OP 38, mulh, 0xffffffffffffffff, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 39, mulh, 0, 0xffffffffffffffff, 0
    TEST_RR_SRC1_EQ_DEST 40, mulh, 0, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 41, mulh, 0xffffffffffffffff, 0xfffffffffffffff2, 0xb
    TEST_RR_SRC12_EQ_DEST 42, mulh, 0x3fffffffffffffff, 0x8000000000000001
    TEST_RR_ZEROSRC1 43, mulh, 0, 0x1f
    TEST_RR_ZEROSRC2 44, mulh, 0, 0x20
    TEST_RR_ZERODEST 45, mulh, 0x21, 0x22

    # MULHSU
    TEST_RR_OP 46, mulhsu, 0, 0, 0
    TEST_RR_OP 47, mulhsu, 0, 1, 1
    TEST_RR_OP 48, mulhsu, 0, 3, 7
    TEST_RR_OP 49, mulhsu, 0xffffffffffff8000, 0xffffffffffff8000, 0xffffffffffffffff
    TEST_RR_OP 50, mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 51, mulhsu, 0xc000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR_OP 52, mulhsu, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR_OP 53, mulhsu, 0, 0x7fffffffffffffff, 2
    TEST_RR_OP 54, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 55, mulhsu, 0, 0x7fffffff, 0x7fffffff
    TEST_RR_OP 56, mulhsu, 0, 0x80000000, 0x80000000
    TEST_RR_OP 57, mulhsu, 0xffffffff80000000, 0xffffffff80000000, 0xffffffff80000000
    TEST_RR_OP 58, mulhsu, 0x121fa00ad77d742, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_OP 59, mulhsu, 0xffffffffffff0081, 0xaaaaaaaaaaaaaaab, 0x2fe7d
    TEST_RR_OP 60, mulhsu, 0x13, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 61, mulhsu, 0, 0xffffffffffffffff, 0
    TEST_RR_SRC1_EQ_DEST 62, mulhsu, 0, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 63, mulhsu, 0xffffffffffffffff, 0xfffffffffffffff2, 0xb
    TEST_RR_SRC12_EQ_DEST 64, mulhsu, 0xc000000000000000, 0x8000000000000001
    TEST_RR_ZEROSRC1 65, mulhsu, 0, 0x1f
    TEST_RR_ZEROSRC2 66, mulhsu, 0, 0x20
    TEST_RR_ZERODEST 67, mulhsu, 0x21, 0x22

    # MULHU
    TEST_RR_OP 68, mulhu, 0, 0, 0
    TEST_RR_OP 69, mulhu, 0, 1, 1
    TEST_RR_OP 70, mulhu, 0, 3, 7
    TEST_RR_OP 71, mulhu, 0xffffffffffff7fff, 0xffffffffffff8000, 0xffffffffffffffff
    TEST_RR_OP 72, mulhu, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 73, mulhu, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR_OP 74, mulhu, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR_OP 75, mulhu, 0, 0x7fffffffffffffff, 2
    TEST_RR_OP 76, mulhu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 77, mulhu, 0, 0x7fffffff, 0x7fffffff
    TEST_RR_OP 78, mulhu, 0, 0x80000000, 0x80000000
    TEST_RR_OP 79, mulhu, 0xffffffff00000000, 0xffffffff80000000, 0xffffffff80000000
    TEST_RR_OP 80, mulhu, 0x121fa00ad77d742, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_OP 81, mulhu, 0x1fefe, 0xaaaaaaaaaaaaaaab, 0x2fe7d
    TEST_RR_OP 82, mulhu, 0x13, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 83, mulhu, 0, 0xffffffffffffffff, 0
    TEST_RR_SRC1_EQ_DEST 84, mulhu, 0, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 85, mulhu, 0xa, 0xfffffffffffffff2, 0xb
    TEST_RR_SRC12_EQ_DEST 86, mulhu, 0x4000000000000001, 0x8000000000000001
    TEST_RR_ZEROSRC1 87, mulhu, 0, 0x1f
    TEST_RR_ZEROSRC2 88, mulhu, 0, 0x20
    TEST_RR_ZERODEST 89, mulhu, 0x21, 0x22

    # MULW: low 32 bits of the product, sign-extended; upper source bits ignored
    TEST_RR_OP 90, mulw, 0, 0, 0
    TEST_RR_OP 91, mulw, 1, 1, 1
    TEST_RR_OP 92, mulw, 0x15, 3, 7
    TEST_RR_OP 93, mulw, 0xfffffffffffffffe, 0x7fffffff, 2
    TEST_RR_OP 94, mulw, 0x40000000, 0xffff8000, 0xffff8000
    TEST_RR_OP 95, mulw, 0xffffffff80000000, 0x80000000, 0xffffffff
    TEST_RR_OP 96, mulw, 0xffffffffd0369cd0, 0x123456789abcdef0, 0xfedcba9800000003
    TEST_RR_OP 97, mulw, 0x2a, 0xffffffff00000007, 0x100000006
    TEST_RR_OP 98, mulw, 0, 0x10000, 0x10000
    TEST_RR_SRC1_EQ_DEST 99, mulw, 0x8f, 0xd, 0xb
    TEST_RR_ZERODEST 100, mulw, 0x21, 0x22

    # DIV: including division by zero and the signed overflow -2^63 / -1
    TEST_RR_OP 101, div, 3, 0x14, 6
    TEST_RR_OP 102, div, 0xfffffffffffffffd, 0xffffffffffffffec, 6
    TEST_RR_OP 103, div, 0xfffffffffffffffd, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 104, div, 3, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR_OP 105, div, 0x8000000000000000, 0x8000000000000000, 1
    TEST_RR_OP 106, div, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 107, div, 0xffffffffffffffff, 0x8000000000000000, 0
    TEST_RR_OP 108, div, 0xffffffffffffffff, 1, 0
    TEST_RR_OP 109, div, 0xffffffffffffffff, 0, 0
    TEST_RR_OP 110, div, 0x8000000000000001, 0x7fffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 111, div, 0x123456789abc, 0x123456789abcdef, 0x1000
    TEST_RR_OP 112, div, 0, 0xffffffffffffffff, 2
    TEST_RR_OP 113, div, 1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 114, div, 0xe, 0x64, 7
    TEST_RR_SRC2_EQ_DEST 115, div, 0xe, 0x64, 7
    TEST_RR_SRC12_EQ_DEST 116, div, 1, 0x7b
    TEST_RR_ZEROSRC1 117, div, 0, 5
    TEST_RR_ZEROSRC2 118, div, 0xffffffffffffffff, 5
    TEST_RR_ZERODEST 119, div, 0x21, 0x22

    # DIVU: including division by zero and the signed overflow -2^63 / -1
    TEST_RR_OP 120, divu, 3, 0x14, 6
    TEST_RR_OP 121, divu, 0x2aaaaaaaaaaaaaa7, 0xffffffffffffffec, 6
    TEST_RR_OP 122, divu, 0, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 123, divu, 0, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR_OP 124, divu, 0x8000000000000000, 0x8000000000000000, 1
    TEST_RR_OP 125, divu, 0, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 126, divu, 0xffffffffffffffff, 0x8000000000000000, 0
    TEST_RR_OP 127, divu, 0xffffffffffffffff, 1, 0
    TEST_RR_OP 128, divu, 0xffffffffffffffff, 0, 0
    TEST_RR_OP 129, divu, 0, 0x7fffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 130, divu, 0x123456789abc, 0x123456789abcdef, 0x1000
    TEST_RR_OP 131, divu, 0x7fffffffffffffff, 0xffffffffffffffff, 2
    TEST_RR_OP 132, divu, 1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 133, divu, 0xe, 0x64, 7
    TEST_RR_SRC2_EQ_DEST 134, divu, 0xe, 0x64, 7
    TEST_RR_SRC12_EQ_DEST 135, divu, 1, 0x7b
    TEST_RR_ZEROSRC1 136, divu, 0, 5
    TEST_RR_ZEROSRC2 137, divu, 0xffffffffffffffff, 5
    TEST_RR_ZERODEST 138, divu, 0x21, 0x22

    # REM: including division by zero and the signed overflow -2^63 / -1
    TEST_RR_OP 139, rem, 2, 0x14, 6
    TEST_RR_OP 140, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 6
    TEST_RR_OP 141, rem, 2, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 142, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR_OP 143, rem, 0, 0x8000000000000000, 1
    TEST_RR_OP 144, rem, 0, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 145, rem, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 146, rem, 1, 1, 0
    TEST_RR_OP 147, rem, 0, 0, 0
    TEST_RR_OP 148, rem, 0, 0x7fffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 149, rem, 0xdef, 0x123456789abcdef, 0x1000
    TEST_RR_OP 150, rem, 0xffffffffffffffff, 0xffffffffffffffff, 2
    TEST_RR_OP 151, rem, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 152, rem, 2, 0x64, 7
    TEST_RR_SRC2_EQ_DEST 153, rem, 2, 0x64, 7
    TEST_RR_SRC12_EQ_DEST 154, rem, 0, 0x7b
    TEST_RR_ZEROSRC1 155, rem, 0, 5
    TEST_RR_ZEROSRC2 156, rem, 5, 5
    TEST_RR_ZERODEST 157, rem, 0x21, 0x22

    # REMU: including division by zero and the signed overflow -2^63 / -1
    TEST_RR_OP 158, remu, 2, 0x14, 6
    TEST_RR_OP 159, remu, 2, 0xffffffffffffffec, 6
    TEST_RR_OP 160, remu, 0x14, 0x14, 0xfffffffffffffffa
    TEST_RR_OP 161, remu, 0xffffffffffffffec, 0xffffffffffffffec, 0xfffffffffffffffa
    TEST_RR_OP 162, remu, 0, 0x8000000000000000, 1
    TEST_RR_OP 163, remu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 164, remu, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 165, remu, 1, 1, 0
    TEST_RR_OP 166, remu, 0, 0, 0
    TEST_RR_OP 167, remu, 0x7fffffffffffffff, 0x7fffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 168, remu, 0xdef, 0x123456789abcdef, 0x1000
    TEST_RR_OP 169, remu, 1, 0xffffffffffffffff, 2
    TEST_RR_OP 170, remu, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 171, remu, 2, 0x64, 7
    TEST_RR_SRC2_EQ_DEST 172, remu, 2, 0x64, 7
    TEST_RR_SRC12_EQ_DEST 173, remu, 0, 0x7b
    TEST_RR_ZEROSRC1 174, remu, 0, 5
    TEST_RR_ZEROSRC2 175, remu, 5, 5
    TEST_RR_ZERODEST 176, remu, 0x21, 0x22

    # DIVW: 32-bit operands, sign-extended 32-bit result; -2^31 / -1 and division by zero
    TEST_RR_OP 177, divw, 3, 0x14, 6
    TEST_RR_OP 178, divw, 0xfffffffffffffffd, 0xffffffec, 6
    TEST_RR_OP 179, divw, 0xfffffffffffffffd, 0x14, 0xfffffffa
    TEST_RR_OP 180, divw, 3, 0xffffffec, 0xfffffffa
    TEST_RR_OP 181, divw, 0xffffffff80000000, 0x80000000, 1
    TEST_RR_OP 182, divw, 0xffffffff80000000, 0x80000000, 0xffffffff
    TEST_RR_OP 183, divw, 0xffffffffffffffff, 0x80000000, 0
    TEST_RR_OP 184, divw, 0xffffffffffffffff, 1, 0
    TEST_RR_OP 185, divw, 0xffffffffffffffff, 0, 0
    TEST_RR_OP 186, divw, 0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR_OP 187, divw, 3, 0x123456780000000a, 0xfedcba9800000003
    TEST_RR_OP 188, divw, 0xffffffffffffffff, 0xfffffffe, 0x100000000
    TEST_RR_OP 189, divw, 0xffffffff80000001, 0x7fffffff, 0xffffffff
    TEST_RR_OP 190, divw, 0, 0xffffffff, 2
    TEST_RR_SRC1_EQ_DEST 191, divw, 0xe, 0x64, 7
    TEST_RR_ZERODEST 192, divw, 0x21, 0x22

    # DIVUW: 32-bit operands, sign-extended 32-bit result; -2^31 / -1 and division by zero
    TEST_RR_OP 193, divuw, 3, 0x14, 6
    TEST_RR_OP 194, divuw, 0x2aaaaaa7, 0xffffffec, 6
    TEST_RR_OP 195, divuw, 0, 0x14, 0xfffffffa
    TEST_RR_OP 196, divuw, 0, 0xffffffec, 0xfffffffa
    TEST_RR_OP 197, divuw, 0xffffffff80000000, 0x80000000, 1
    TEST_RR_OP 198, divuw, 0, 0x80000000, 0xffffffff
    TEST_RR_OP 199, divuw, 0xffffffffffffffff, 0x80000000, 0
    TEST_RR_OP 200, divuw, 0xffffffffffffffff, 1, 0
    TEST_RR_OP 201, divuw, 0xffffffffffffffff, 0, 0
    TEST_RR_OP 202, divuw, 0, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR_OP 203, divuw, 3, 0x123456780000000a, 0xfedcba9800000003
    TEST_RR_OP 204, divuw, 0xffffffffffffffff, 0xfffffffe, 0x100000000
    TEST_RR_OP 205, divuw, 0, 0x7fffffff, 0xffffffff
    TEST_RR_OP 206, divuw, 0x7fffffff, 0xffffffff, 2
    TEST_RR_SRC1_EQ_DEST 207, divuw, 0xe, 0x64, 7
    TEST_RR_ZERODEST 208, divuw, 0x21, 0x22

    # REMW: 32-bit operands, sign-extended 32-bit result; -2^31 / -1 and division by zero
    TEST_RR_OP 209, remw, 2, 0x14, 6
    TEST_RR_OP 210, remw, 0xfffffffffffffffe, 0xffffffec, 6
    TEST_RR_OP 211, remw, 2, 0x14, 0xfffffffa
    TEST_RR_OP 212, remw, 0xfffffffffffffffe, 0xffffffec, 0xfffffffa
    TEST_RR_OP 213, remw, 0, 0x80000000, 1
    TEST_RR_OP 214, remw, 0, 0x80000000, 0xffffffff
    TEST_RR_OP 215, remw, 0xffffffff80000000, 0x80000000, 0
    TEST_RR_OP 216, remw, 1, 1, 0
    TEST_RR_OP 217, remw, 0, 0, 0
    TEST_RR_OP 218, remw, 0, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR_OP 219, remw, 1, 0x123456780000000a, 0xfedcba9800000003
    TEST_RR_OP 220, remw, 0xfffffffffffffffe, 0xfffffffe, 0x100000000
    TEST_RR_OP 221, remw, 0, 0x7fffffff, 0xffffffff
    TEST_RR_OP 222, remw, 0xffffffffffffffff, 0xffffffff, 2
    TEST_RR_SRC1_EQ_DEST 223, remw, 2, 0x64, 7
    TEST_RR_ZERODEST 224, remw, 0x21, 0x22

    # REMUW: 32-bit operands, sign-extended 32-bit result; -2^31 / -1 and division by zero
    TEST_RR_OP 225, remuw, 2, 0x14, 6
    TEST_RR_OP 226, remuw, 2, 0xffffffec, 6
    TEST_RR_OP 227, remuw, 0x14, 0x14, 0xfffffffa
    TEST_RR_OP 228, remuw, 0xffffffffffffffec, 0xffffffec, 0xfffffffa
    TEST_RR_OP 229, remuw, 0, 0x80000000, 1
    TEST_RR_OP 230, remuw, 0xffffffff80000000, 0x80000000, 0xffffffff
    TEST_RR_OP 231, remuw, 0xffffffff80000000, 0x80000000, 0
    TEST_RR_OP 232, remuw, 1, 1, 0
    TEST_RR_OP 233, remuw, 0, 0, 0
    TEST_RR_OP 234, remuw, 0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff
    TEST_RR_OP 235, remuw, 1, 0x123456780000000a, 0xfedcba9800000003
    TEST_RR_OP 236, remuw, 0xfffffffffffffffe, 0xfffffffe, 0x100000000
    TEST_RR_OP 237, remuw, 0x7fffffff, 0x7fffffff, 0xffffffff
    TEST_RR_OP 238, remuw, 1, 0xffffffff, 2
    TEST_RR_SRC1_EQ_DEST 239, remuw, 2, 0x64, 7
    TEST_RR_ZERODEST 240, remuw, 0x21, 0x22

    j pass
"#
);
