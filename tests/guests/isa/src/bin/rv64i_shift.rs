//! rv64i_shift: do the RV64I shifts SLL, SRL, SRA, SLLI, SRLI, SRAI and their 32-bit forms SLLW,
//! SRLW, SRAW, SLLIW, SRLIW, SRAIW shift by the right amount (0, 1, 31, 32, 33, 63; only rs2[5:0] for
//! the 64-bit forms and rs2[4:0] for the W forms), fill with zeros or the sign bit, and sign-extend the
//! 32-bit results of the W forms from bit 31?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
test_main:
    # SLL: shift amount is rs2[5:0]
    TEST_RR_OP 2, sll, 1, 1, 0
    TEST_RR_OP 3, sll, 2, 1, 1
    TEST_RR_OP 4, sll, 0x80, 1, 7
    TEST_RR_OP 5, sll, 0x80000000, 1, 0x1f
    TEST_RR_OP 6, sll, 0x100000000, 1, 0x20
    TEST_RR_OP 7, sll, 0x200000000, 1, 0x21
    TEST_RR_OP 8, sll, 0x8000000000000000, 1, 0x3f
    TEST_RR_OP 9, sll, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_RR_OP 10, sll, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_RR_OP 11, sll, 0xffffffffffffff80, 0xffffffffffffffff, 7
    TEST_RR_OP 12, sll, 0xffffffff80000000, 0xffffffffffffffff, 0x1f
    TEST_RR_OP 13, sll, 0xffffffff00000000, 0xffffffffffffffff, 0x20
    TEST_RR_OP 14, sll, 0xfffffffe00000000, 0xffffffffffffffff, 0x21
    TEST_RR_OP 15, sll, 0x8000000000000000, 0xffffffffffffffff, 0x3f
    TEST_RR_OP 16, sll, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 17, sll, 0, 0x8000000000000000, 1
    TEST_RR_OP 18, sll, 0, 0x8000000000000000, 7
    TEST_RR_OP 19, sll, 0, 0x8000000000000000, 0x1f
    TEST_RR_OP 20, sll, 0, 0x8000000000000000, 0x20
    TEST_RR_OP 21, sll, 0, 0x8000000000000000, 0x21
    TEST_RR_OP 22, sll, 0, 0x8000000000000000, 0x3f
    TEST_RR_OP 23, sll, 0x2121212121212121, 0x2121212121212121, 0
    TEST_RR_OP 24, sll, 0x4242424242424242, 0x2121212121212121, 1
    TEST_RR_OP 25, sll, 0x9090909090909080, 0x2121212121212121, 7
    TEST_RR_OP 26, sll, 0x9090909080000000, 0x2121212121212121, 0x1f
    TEST_RR_OP 27, sll, 0x2121212100000000, 0x2121212121212121, 0x20
    TEST_RR_OP 28, sll, 0x4242424200000000, 0x2121212121212121, 0x21
    TEST_RR_OP 29, sll, 0x8000000000000000, 0x2121212121212121, 0x3f
    TEST_RR_OP 30, sll, 0x8765432187654321, 0x8765432187654321, 0
    TEST_RR_OP 31, sll, 0xeca86430eca8642, 0x8765432187654321, 1
    TEST_RR_OP 32, sll, 0xb2a190c3b2a19080, 0x8765432187654321, 7
    TEST_RR_OP 33, sll, 0xc3b2a19080000000, 0x8765432187654321, 0x1f
    TEST_RR_OP 34, sll, 0x8765432100000000, 0x8765432187654321, 0x20
    TEST_RR_OP 35, sll, 0xeca864200000000, 0x8765432187654321, 0x21
    TEST_RR_OP 36, sll, 0x8000000000000000, 0x8765432187654321, 0x3f
    TEST_RR_OP 37, sll, 0x80000001, 0x80000001, 0
    TEST_RR_OP 38, sll, 0x100000002, 0x80000001, 1
    TEST_RR_OP 39, sll, 0x4000000080, 0x80000001, 7
    TEST_RR_OP 40, sll, 0x4000000080000000, 0x80000001, 0x1f
    TEST_RR_OP 41, sll, 0x8000000100000000, 0x80000001, 0x20
    TEST_RR_OP 42, sll, 0x200000000, 0x80000001, 0x21
    TEST_RR_OP 43, sll, 0x8000000000000000, 0x80000001, 0x3f

    # SLL: only the low six bits of rs2 count
    TEST_RR_OP 44, sll, 0x2121212121212121, 0x2121212121212121, 0xffffffffffffffc0
    TEST_RR_OP 45, sll, 0x4242424242424242, 0x2121212121212121, 0xffffffffffffffc1
    TEST_RR_OP 46, sll, 0x4000000000000000, 0x8765432187654321, 0x7e
    TEST_RR_OP 47, sll, 0x8000000000000000, 0x8765432187654321, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 48, sll, 0x80, 1, 7
    TEST_RR_SRC2_EQ_DEST 49, sll, 0x100000000000, 0x40000000, 0xe
    TEST_RR_SRC12_EQ_DEST 50, sll, 0x380, 7
    TEST_RR_ZEROSRC1 51, sll, 0, 0xf
    TEST_RR_ZEROSRC2 52, sll, 0x21, 0x21
    TEST_RR_ZERODEST 53, sll, 0x11, 3

    # SRL: shift amount is rs2[5:0]
    TEST_RR_OP 54, srl, 1, 1, 0
    TEST_RR_OP 55, srl, 0, 1, 1
    TEST_RR_OP 56, srl, 0, 1, 7
    TEST_RR_OP 57, srl, 0, 1, 0x1f
    TEST_RR_OP 58, srl, 0, 1, 0x20
    TEST_RR_OP 59, srl, 0, 1, 0x21
    TEST_RR_OP 60, srl, 0, 1, 0x3f
    TEST_RR_OP 61, srl, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_RR_OP 62, srl, 0x7fffffffffffffff, 0xffffffffffffffff, 1
    TEST_RR_OP 63, srl, 0x1ffffffffffffff, 0xffffffffffffffff, 7
    TEST_RR_OP 64, srl, 0x1ffffffff, 0xffffffffffffffff, 0x1f
    TEST_RR_OP 65, srl, 0xffffffff, 0xffffffffffffffff, 0x20
    TEST_RR_OP 66, srl, 0x7fffffff, 0xffffffffffffffff, 0x21
    TEST_RR_OP 67, srl, 1, 0xffffffffffffffff, 0x3f
    TEST_RR_OP 68, srl, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 69, srl, 0x4000000000000000, 0x8000000000000000, 1
    TEST_RR_OP 70, srl, 0x100000000000000, 0x8000000000000000, 7
    TEST_RR_OP 71, srl, 0x100000000, 0x8000000000000000, 0x1f
    TEST_RR_OP 72, srl, 0x80000000, 0x8000000000000000, 0x20
    TEST_RR_OP 73, srl, 0x40000000, 0x8000000000000000, 0x21
    TEST_RR_OP 74, srl, 1, 0x8000000000000000, 0x3f
    TEST_RR_OP 75, srl, 0x2121212121212121, 0x2121212121212121, 0
    TEST_RR_OP 76, srl, 0x1090909090909090, 0x2121212121212121, 1
    TEST_RR_OP 77, srl, 0x42424242424242, 0x2121212121212121, 7
    TEST_RR_OP 78, srl, 0x42424242, 0x2121212121212121, 0x1f
    TEST_RR_OP 79, srl, 0x21212121, 0x2121212121212121, 0x20
    TEST_RR_OP 80, srl, 0x10909090, 0x2121212121212121, 0x21
    TEST_RR_OP 81, srl, 0, 0x2121212121212121, 0x3f
    TEST_RR_OP 82, srl, 0x8765432187654321, 0x8765432187654321, 0
    TEST_RR_OP 83, srl, 0x43b2a190c3b2a190, 0x8765432187654321, 1
    TEST_RR_OP 84, srl, 0x10eca86430eca86, 0x8765432187654321, 7
    TEST_RR_OP 85, srl, 0x10eca8643, 0x8765432187654321, 0x1f
    TEST_RR_OP 86, srl, 0x87654321, 0x8765432187654321, 0x20
    TEST_RR_OP 87, srl, 0x43b2a190, 0x8765432187654321, 0x21
    TEST_RR_OP 88, srl, 1, 0x8765432187654321, 0x3f
    TEST_RR_OP 89, srl, 0x80000001, 0x80000001, 0
    TEST_RR_OP 90, srl, 0x40000000, 0x80000001, 1
    TEST_RR_OP 91, srl, 0x1000000, 0x80000001, 7
    TEST_RR_OP 92, srl, 1, 0x80000001, 0x1f
    TEST_RR_OP 93, srl, 0, 0x80000001, 0x20
    TEST_RR_OP 94, srl, 0, 0x80000001, 0x21
    TEST_RR_OP 95, srl, 0, 0x80000001, 0x3f

    # SRL: only the low six bits of rs2 count
    TEST_RR_OP 96, srl, 0x2121212121212121, 0x2121212121212121, 0xffffffffffffffc0
    TEST_RR_OP 97, srl, 0x1090909090909090, 0x2121212121212121, 0xffffffffffffffc1
    TEST_RR_OP 98, srl, 2, 0x8765432187654321, 0x7e
    TEST_RR_OP 99, srl, 1, 0x8765432187654321, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 100, srl, 0, 1, 7
    TEST_RR_SRC2_EQ_DEST 101, srl, 0x10000, 0x40000000, 0xe
    TEST_RR_SRC12_EQ_DEST 102, srl, 0, 7
    TEST_RR_ZEROSRC1 103, srl, 0, 0xf
    TEST_RR_ZEROSRC2 104, srl, 0x21, 0x21
    TEST_RR_ZERODEST 105, srl, 0x11, 3

    # SRA: shift amount is rs2[5:0]
    TEST_RR_OP 106, sra, 1, 1, 0
    TEST_RR_OP 107, sra, 0, 1, 1
    TEST_RR_OP 108, sra, 0, 1, 7
    TEST_RR_OP 109, sra, 0, 1, 0x1f
    TEST_RR_OP 110, sra, 0, 1, 0x20
    TEST_RR_OP 111, sra, 0, 1, 0x21
    TEST_RR_OP 112, sra, 0, 1, 0x3f
    TEST_RR_OP 113, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_RR_OP 114, sra, 0xffffffffffffffff, 0xffffffffffffffff, 1
    TEST_RR_OP 115, sra, 0xffffffffffffffff, 0xffffffffffffffff, 7
    TEST_RR_OP 116, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0x1f
    TEST_RR_OP 117, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0x20
    TEST_RR_OP 118, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0x21
    TEST_RR_OP 119, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0x3f
    TEST_RR_OP 120, sra, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 121, sra, 0xc000000000000000, 0x8000000000000000, 1
    TEST_RR_OP 122, sra, 0xff00000000000000, 0x8000000000000000, 7
    TEST_RR_OP 123, sra, 0xffffffff00000000, 0x8000000000000000, 0x1f
    TEST_RR_OP 124, sra, 0xffffffff80000000, 0x8000000000000000, 0x20
    TEST_RR_OP 125, sra, 0xffffffffc0000000, 0x8000000000000000, 0x21
    TEST_RR_OP 126, sra, 0xffffffffffffffff, 0x8000000000000000, 0x3f
    TEST_RR_OP 127, sra, 0x2121212121212121, 0x2121212121212121, 0
    TEST_RR_OP 128, sra, 0x1090909090909090, 0x2121212121212121, 1
    TEST_RR_OP 129, sra, 0x42424242424242, 0x2121212121212121, 7
    TEST_RR_OP 130, sra, 0x42424242, 0x2121212121212121, 0x1f
    TEST_RR_OP 131, sra, 0x21212121, 0x2121212121212121, 0x20
    TEST_RR_OP 132, sra, 0x10909090, 0x2121212121212121, 0x21
    TEST_RR_OP 133, sra, 0, 0x2121212121212121, 0x3f
    TEST_RR_OP 134, sra, 0x8765432187654321, 0x8765432187654321, 0
    TEST_RR_OP 135, sra, 0xc3b2a190c3b2a190, 0x8765432187654321, 1
    TEST_RR_OP 136, sra, 0xff0eca86430eca86, 0x8765432187654321, 7
    TEST_RR_OP 137, sra, 0xffffffff0eca8643, 0x8765432187654321, 0x1f
    TEST_RR_OP 138, sra, 0xffffffff87654321, 0x8765432187654321, 0x20
    TEST_RR_OP 139, sra, 0xffffffffc3b2a190, 0x8765432187654321, 0x21
    TEST_RR_OP 140, sra, 0xffffffffffffffff, 0x8765432187654321, 0x3f
    TEST_RR_OP 141, sra, 0x80000001, 0x80000001, 0
    TEST_RR_OP 142, sra, 0x40000000, 0x80000001, 1
    TEST_RR_OP 143, sra, 0x1000000, 0x80000001, 7
    TEST_RR_OP 144, sra, 1, 0x80000001, 0x1f
    TEST_RR_OP 145, sra, 0, 0x80000001, 0x20
    TEST_RR_OP 146, sra, 0, 0x80000001, 0x21
    TEST_RR_OP 147, sra, 0, 0x80000001, 0x3f

    # SRA: only the low six bits of rs2 count
    TEST_RR_OP 148, sra, 0x2121212121212121, 0x2121212121212121, 0xffffffffffffffc0
    TEST_RR_OP 149, sra, 0x1090909090909090, 0x2121212121212121, 0xffffffffffffffc1
    TEST_RR_OP 150, sra, 0xfffffffffffffffe, 0x8765432187654321, 0x7e
    TEST_RR_OP 151, sra, 0xffffffffffffffff, 0x8765432187654321, 0xffffffffffffffff
    TEST_RR_SRC1_EQ_DEST 152, sra, 0, 1, 7
    TEST_RR_SRC2_EQ_DEST 153, sra, 0x10000, 0x40000000, 0xe
    TEST_RR_SRC12_EQ_DEST 154, sra, 0, 7
    TEST_RR_ZEROSRC1 155, sra, 0, 0xf
    TEST_RR_ZEROSRC2 156, sra, 0x21, 0x21
    TEST_RR_ZERODEST 157, sra, 0x11, 3

    # SLLI: 6-bit shift amount
    TEST_IMM_OP 158, slli, 1, 1, 0
    TEST_IMM_OP 159, slli, 2, 1, 1
    TEST_IMM_OP 160, slli, 0x80, 1, 7
    TEST_IMM_OP 161, slli, 0x80000000, 1, 31
    TEST_IMM_OP 162, slli, 0x100000000, 1, 32
    TEST_IMM_OP 163, slli, 0x200000000, 1, 33
    TEST_IMM_OP 164, slli, 0x8000000000000000, 1, 63
    TEST_IMM_OP 165, slli, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_IMM_OP 166, slli, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_IMM_OP 167, slli, 0xffffffffffffff80, 0xffffffffffffffff, 7
    TEST_IMM_OP 168, slli, 0xffffffff80000000, 0xffffffffffffffff, 31
    TEST_IMM_OP 169, slli, 0xffffffff00000000, 0xffffffffffffffff, 32
    TEST_IMM_OP 170, slli, 0xfffffffe00000000, 0xffffffffffffffff, 33
    TEST_IMM_OP 171, slli, 0x8000000000000000, 0xffffffffffffffff, 63
    TEST_IMM_OP 172, slli, 0x8000000000000000, 0x8000000000000000, 0
    TEST_IMM_OP 173, slli, 0, 0x8000000000000000, 1
    TEST_IMM_OP 174, slli, 0, 0x8000000000000000, 7
    TEST_IMM_OP 175, slli, 0, 0x8000000000000000, 31
    TEST_IMM_OP 176, slli, 0, 0x8000000000000000, 32
    TEST_IMM_OP 177, slli, 0, 0x8000000000000000, 33
    TEST_IMM_OP 178, slli, 0, 0x8000000000000000, 63
    TEST_IMM_OP 179, slli, 0x2121212121212121, 0x2121212121212121, 0
    TEST_IMM_OP 180, slli, 0x4242424242424242, 0x2121212121212121, 1
    TEST_IMM_OP 181, slli, 0x9090909090909080, 0x2121212121212121, 7
    TEST_IMM_OP 182, slli, 0x9090909080000000, 0x2121212121212121, 31
    TEST_IMM_OP 183, slli, 0x2121212100000000, 0x2121212121212121, 32
    TEST_IMM_OP 184, slli, 0x4242424200000000, 0x2121212121212121, 33
    TEST_IMM_OP 185, slli, 0x8000000000000000, 0x2121212121212121, 63
    TEST_IMM_OP 186, slli, 0x8765432187654321, 0x8765432187654321, 0
    TEST_IMM_OP 187, slli, 0xeca86430eca8642, 0x8765432187654321, 1
    TEST_IMM_OP 188, slli, 0xb2a190c3b2a19080, 0x8765432187654321, 7
    TEST_IMM_OP 189, slli, 0xc3b2a19080000000, 0x8765432187654321, 31
    TEST_IMM_OP 190, slli, 0x8765432100000000, 0x8765432187654321, 32
    TEST_IMM_OP 191, slli, 0xeca864200000000, 0x8765432187654321, 33
    TEST_IMM_OP 192, slli, 0x8000000000000000, 0x8765432187654321, 63
    TEST_IMM_OP 193, slli, 0x80000001, 0x80000001, 0
    TEST_IMM_OP 194, slli, 0x100000002, 0x80000001, 1
    TEST_IMM_OP 195, slli, 0x4000000080, 0x80000001, 7
    TEST_IMM_OP 196, slli, 0x4000000080000000, 0x80000001, 31
    TEST_IMM_OP 197, slli, 0x8000000100000000, 0x80000001, 32
    TEST_IMM_OP 198, slli, 0x200000000, 0x80000001, 33
    TEST_IMM_OP 199, slli, 0x8000000000000000, 0x80000001, 63
    TEST_IMM_SRC1_EQ_DEST 200, slli, 0x80, 1, 7
    TEST_IMM_ZEROSRC1 201, slli, 0, 31
    TEST_IMM_ZERODEST 202, slli, 0x11, 3

    # SRLI: 6-bit shift amount
    TEST_IMM_OP 203, srli, 1, 1, 0
    TEST_IMM_OP 204, srli, 0, 1, 1
    TEST_IMM_OP 205, srli, 0, 1, 7
    TEST_IMM_OP 206, srli, 0, 1, 31
    TEST_IMM_OP 207, srli, 0, 1, 32
    TEST_IMM_OP 208, srli, 0, 1, 33
    TEST_IMM_OP 209, srli, 0, 1, 63
    TEST_IMM_OP 210, srli, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_IMM_OP 211, srli, 0x7fffffffffffffff, 0xffffffffffffffff, 1
    TEST_IMM_OP 212, srli, 0x1ffffffffffffff, 0xffffffffffffffff, 7
    TEST_IMM_OP 213, srli, 0x1ffffffff, 0xffffffffffffffff, 31
    TEST_IMM_OP 214, srli, 0xffffffff, 0xffffffffffffffff, 32
    TEST_IMM_OP 215, srli, 0x7fffffff, 0xffffffffffffffff, 33
    TEST_IMM_OP 216, srli, 1, 0xffffffffffffffff, 63
    TEST_IMM_OP 217, srli, 0x8000000000000000, 0x8000000000000000, 0
    TEST_IMM_OP 218, srli, 0x4000000000000000, 0x8000000000000000, 1
    TEST_IMM_OP 219, srli, 0x100000000000000, 0x8000000000000000, 7
    TEST_IMM_OP 220, srli, 0x100000000, 0x8000000000000000, 31
    TEST_IMM_OP 221, srli, 0x80000000, 0x8000000000000000, 32
    TEST_IMM_OP 222, srli, 0x40000000, 0x8000000000000000, 33
    TEST_IMM_OP 223, srli, 1, 0x8000000000000000, 63
    TEST_IMM_OP 224, srli, 0x2121212121212121, 0x2121212121212121, 0
    TEST_IMM_OP 225, srli, 0x1090909090909090, 0x2121212121212121, 1
    TEST_IMM_OP 226, srli, 0x42424242424242, 0x2121212121212121, 7
    TEST_IMM_OP 227, srli, 0x42424242, 0x2121212121212121, 31
    TEST_IMM_OP 228, srli, 0x21212121, 0x2121212121212121, 32
    TEST_IMM_OP 229, srli, 0x10909090, 0x2121212121212121, 33
    TEST_IMM_OP 230, srli, 0, 0x2121212121212121, 63
    TEST_IMM_OP 231, srli, 0x8765432187654321, 0x8765432187654321, 0
    TEST_IMM_OP 232, srli, 0x43b2a190c3b2a190, 0x8765432187654321, 1
    TEST_IMM_OP 233, srli, 0x10eca86430eca86, 0x8765432187654321, 7
    TEST_IMM_OP 234, srli, 0x10eca8643, 0x8765432187654321, 31
    TEST_IMM_OP 235, srli, 0x87654321, 0x8765432187654321, 32
    TEST_IMM_OP 236, srli, 0x43b2a190, 0x8765432187654321, 33
    TEST_IMM_OP 237, srli, 1, 0x8765432187654321, 63
    TEST_IMM_OP 238, srli, 0x80000001, 0x80000001, 0
    TEST_IMM_OP 239, srli, 0x40000000, 0x80000001, 1
    TEST_IMM_OP 240, srli, 0x1000000, 0x80000001, 7
    TEST_IMM_OP 241, srli, 1, 0x80000001, 31
    TEST_IMM_OP 242, srli, 0, 0x80000001, 32
    TEST_IMM_OP 243, srli, 0, 0x80000001, 33
    TEST_IMM_OP 244, srli, 0, 0x80000001, 63
    TEST_IMM_SRC1_EQ_DEST 245, srli, 0, 1, 7
    TEST_IMM_ZEROSRC1 246, srli, 0, 31
    TEST_IMM_ZERODEST 247, srli, 0x11, 3

    # SRAI: 6-bit shift amount
    TEST_IMM_OP 248, srai, 1, 1, 0
    TEST_IMM_OP 249, srai, 0, 1, 1
    TEST_IMM_OP 250, srai, 0, 1, 7
    TEST_IMM_OP 251, srai, 0, 1, 31
    TEST_IMM_OP 252, srai, 0, 1, 32
    TEST_IMM_OP 253, srai, 0, 1, 33
    TEST_IMM_OP 254, srai, 0, 1, 63
    TEST_IMM_OP 255, srai, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_IMM_OP 256, srai, 0xffffffffffffffff, 0xffffffffffffffff, 1
    TEST_IMM_OP 257, srai, 0xffffffffffffffff, 0xffffffffffffffff, 7
    TEST_IMM_OP 258, srai, 0xffffffffffffffff, 0xffffffffffffffff, 31
    TEST_IMM_OP 259, srai, 0xffffffffffffffff, 0xffffffffffffffff, 32
    TEST_IMM_OP 260, srai, 0xffffffffffffffff, 0xffffffffffffffff, 33
    TEST_IMM_OP 261, srai, 0xffffffffffffffff, 0xffffffffffffffff, 63
    TEST_IMM_OP 262, srai, 0x8000000000000000, 0x8000000000000000, 0
    TEST_IMM_OP 263, srai, 0xc000000000000000, 0x8000000000000000, 1
    TEST_IMM_OP 264, srai, 0xff00000000000000, 0x8000000000000000, 7
    TEST_IMM_OP 265, srai, 0xffffffff00000000, 0x8000000000000000, 31
    TEST_IMM_OP 266, srai, 0xffffffff80000000, 0x8000000000000000, 32
    TEST_IMM_OP 267, srai, 0xffffffffc0000000, 0x8000000000000000, 33
    TEST_IMM_OP 268, srai, 0xffffffffffffffff, 0x8000000000000000, 63
    TEST_IMM_OP 269, srai, 0x2121212121212121, 0x2121212121212121, 0
    TEST_IMM_OP 270, srai, 0x1090909090909090, 0x2121212121212121, 1
    TEST_IMM_OP 271, srai, 0x42424242424242, 0x2121212121212121, 7
    TEST_IMM_OP 272, srai, 0x42424242, 0x2121212121212121, 31
    TEST_IMM_OP 273, srai, 0x21212121, 0x2121212121212121, 32
    TEST_IMM_OP 274, srai, 0x10909090, 0x2121212121212121, 33
    TEST_IMM_OP 275, srai, 0, 0x2121212121212121, 63
    TEST_IMM_OP 276, srai, 0x8765432187654321, 0x8765432187654321, 0
    TEST_IMM_OP 277, srai, 0xc3b2a190c3b2a190, 0x8765432187654321, 1
    TEST_IMM_OP 278, srai, 0xff0eca86430eca86, 0x8765432187654321, 7
    TEST_IMM_OP 279, srai, 0xffffffff0eca8643, 0x8765432187654321, 31
    TEST_IMM_OP 280, srai, 0xffffffff87654321, 0x8765432187654321, 32
    TEST_IMM_OP 281, srai, 0xffffffffc3b2a190, 0x8765432187654321, 33
    TEST_IMM_OP 282, srai, 0xffffffffffffffff, 0x8765432187654321, 63
    TEST_IMM_OP 283, srai, 0x80000001, 0x80000001, 0
    TEST_IMM_OP 284, srai, 0x40000000, 0x80000001, 1
    TEST_IMM_OP 285, srai, 0x1000000, 0x80000001, 7
    TEST_IMM_OP 286, srai, 1, 0x80000001, 31
    TEST_IMM_OP 287, srai, 0, 0x80000001, 32
    TEST_IMM_OP 288, srai, 0, 0x80000001, 33
    TEST_IMM_OP 289, srai, 0, 0x80000001, 63
    TEST_IMM_SRC1_EQ_DEST 290, srai, 0, 1, 7
    TEST_IMM_ZEROSRC1 291, srai, 0, 31
    TEST_IMM_ZERODEST 292, srai, 0x11, 3

    # SLLW: operates on rs1[31:0], shift amount rs2[4:0], result sign-extended from bit 31
    TEST_RR_OP 293, sllw, 1, 1, 0
    TEST_RR_OP 294, sllw, 2, 1, 1
    TEST_RR_OP 295, sllw, 0x80, 1, 7
    TEST_RR_OP 296, sllw, 0x4000, 1, 0xe
    TEST_RR_OP 297, sllw, 0xffffffff80000000, 1, 0x1f
    TEST_RR_OP 298, sllw, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_RR_OP 299, sllw, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_RR_OP 300, sllw, 0xffffffffffffff80, 0xffffffffffffffff, 7
    TEST_RR_OP 301, sllw, 0xffffffffffffc000, 0xffffffffffffffff, 0xe
    TEST_RR_OP 302, sllw, 0xffffffff80000000, 0xffffffffffffffff, 0x1f
    TEST_RR_OP 303, sllw, 0xffffffff80000000, 0x80000000, 0
    TEST_RR_OP 304, sllw, 0, 0x80000000, 1
    TEST_RR_OP 305, sllw, 0, 0x80000000, 7
    TEST_RR_OP 306, sllw, 0, 0x80000000, 0xe
    TEST_RR_OP 307, sllw, 0, 0x80000000, 0x1f
    TEST_RR_OP 308, sllw, 0x21212121, 0x21212121, 0
    TEST_RR_OP 309, sllw, 0x42424242, 0x21212121, 1
    TEST_RR_OP 310, sllw, 0xffffffff90909080, 0x21212121, 7
    TEST_RR_OP 311, sllw, 0x48484000, 0x21212121, 0xe
    TEST_RR_OP 312, sllw, 0xffffffff80000000, 0x21212121, 0x1f
    TEST_RR_OP 313, sllw, 0x7fffffff, 0xffffffff7fffffff, 0
    TEST_RR_OP 314, sllw, 0xfffffffffffffffe, 0xffffffff7fffffff, 1
    TEST_RR_OP 315, sllw, 0xffffffffffffff80, 0xffffffff7fffffff, 7
    TEST_RR_OP 316, sllw, 0xffffffffffffc000, 0xffffffff7fffffff, 0xe
    TEST_RR_OP 317, sllw, 0xffffffff80000000, 0xffffffff7fffffff, 0x1f
    TEST_RR_OP 318, sllw, 0xffffffff87654321, 0x1234567887654321, 0
    TEST_RR_OP 319, sllw, 0xeca8642, 0x1234567887654321, 1
    TEST_RR_OP 320, sllw, 0xffffffffb2a19080, 0x1234567887654321, 7
    TEST_RR_OP 321, sllw, 0x50c84000, 0x1234567887654321, 0xe
    TEST_RR_OP 322, sllw, 0xffffffff80000000, 0x1234567887654321, 0x1f
    TEST_RR_OP 323, sllw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_RR_OP 324, sllw, 0xfffffffffffffffe, 0xffffffff, 1
    TEST_RR_OP 325, sllw, 0xffffffffffffff80, 0xffffffff, 7
    TEST_RR_OP 326, sllw, 0xffffffffffffc000, 0xffffffff, 0xe
    TEST_RR_OP 327, sllw, 0xffffffff80000000, 0xffffffff, 0x1f
    TEST_RR_OP 328, sllw, 0x7fffffff, 0x7fffffff, 0
    TEST_RR_OP 329, sllw, 0xfffffffffffffffe, 0x7fffffff, 1
    TEST_RR_OP 330, sllw, 0xffffffffffffff80, 0x7fffffff, 7
    TEST_RR_OP 331, sllw, 0xffffffffffffc000, 0x7fffffff, 0xe
    TEST_RR_OP 332, sllw, 0xffffffff80000000, 0x7fffffff, 0x1f

    # SLLW: rs2[5] and above are ignored
    TEST_RR_OP 333, sllw, 0x21212121, 0x21212121, 0x20
    TEST_RR_OP 334, sllw, 0x42424242, 0x21212121, 0x21
    TEST_RR_OP 335, sllw, 0xffffffff80000001, 0x80000001, 0xffffffffffffffe0
    TEST_RR_OP 336, sllw, 0xffffffff80000000, 0x80000001, 0x3f
    TEST_RR_OP 337, sllw, 0xffffffff80000000, 0x1234567887654321, 0x3f
    TEST_RR_SRC1_EQ_DEST 338, sllw, 0x80, 1, 7
    TEST_RR_SRC2_EQ_DEST 339, sllw, 0, 0x40000000, 0xe
    TEST_RR_SRC12_EQ_DEST 340, sllw, 0x380, 7
    TEST_RR_ZEROSRC1 341, sllw, 0, 0xf
    TEST_RR_ZEROSRC2 342, sllw, 0xffffffff80000021, 0x80000021
    TEST_RR_ZERODEST 343, sllw, 0x11, 3

    # SRLW: operates on rs1[31:0], shift amount rs2[4:0], result sign-extended from bit 31
    TEST_RR_OP 344, srlw, 1, 1, 0
    TEST_RR_OP 345, srlw, 0, 1, 1
    TEST_RR_OP 346, srlw, 0, 1, 7
    TEST_RR_OP 347, srlw, 0, 1, 0xe
    TEST_RR_OP 348, srlw, 0, 1, 0x1f
    TEST_RR_OP 349, srlw, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_RR_OP 350, srlw, 0x7fffffff, 0xffffffffffffffff, 1
    TEST_RR_OP 351, srlw, 0x1ffffff, 0xffffffffffffffff, 7
    TEST_RR_OP 352, srlw, 0x3ffff, 0xffffffffffffffff, 0xe
    TEST_RR_OP 353, srlw, 1, 0xffffffffffffffff, 0x1f
    TEST_RR_OP 354, srlw, 0xffffffff80000000, 0x80000000, 0
    TEST_RR_OP 355, srlw, 0x40000000, 0x80000000, 1
    TEST_RR_OP 356, srlw, 0x1000000, 0x80000000, 7
    TEST_RR_OP 357, srlw, 0x20000, 0x80000000, 0xe
    TEST_RR_OP 358, srlw, 1, 0x80000000, 0x1f
    TEST_RR_OP 359, srlw, 0x21212121, 0x21212121, 0
    TEST_RR_OP 360, srlw, 0x10909090, 0x21212121, 1
    TEST_RR_OP 361, srlw, 0x424242, 0x21212121, 7
    TEST_RR_OP 362, srlw, 0x8484, 0x21212121, 0xe
    TEST_RR_OP 363, srlw, 0, 0x21212121, 0x1f
    TEST_RR_OP 364, srlw, 0x7fffffff, 0xffffffff7fffffff, 0
    TEST_RR_OP 365, srlw, 0x3fffffff, 0xffffffff7fffffff, 1
    TEST_RR_OP 366, srlw, 0xffffff, 0xffffffff7fffffff, 7
    TEST_RR_OP 367, srlw, 0x1ffff, 0xffffffff7fffffff, 0xe
    TEST_RR_OP 368, srlw, 0, 0xffffffff7fffffff, 0x1f
    TEST_RR_OP 369, srlw, 0xffffffff87654321, 0x1234567887654321, 0
    TEST_RR_OP 370, srlw, 0x43b2a190, 0x1234567887654321, 1
    TEST_RR_OP 371, srlw, 0x10eca86, 0x1234567887654321, 7
    TEST_RR_OP 372, srlw, 0x21d95, 0x1234567887654321, 0xe
    TEST_RR_OP 373, srlw, 1, 0x1234567887654321, 0x1f
    TEST_RR_OP 374, srlw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_RR_OP 375, srlw, 0x7fffffff, 0xffffffff, 1
    TEST_RR_OP 376, srlw, 0x1ffffff, 0xffffffff, 7
    TEST_RR_OP 377, srlw, 0x3ffff, 0xffffffff, 0xe
    TEST_RR_OP 378, srlw, 1, 0xffffffff, 0x1f
    TEST_RR_OP 379, srlw, 0x7fffffff, 0x7fffffff, 0
    TEST_RR_OP 380, srlw, 0x3fffffff, 0x7fffffff, 1
    TEST_RR_OP 381, srlw, 0xffffff, 0x7fffffff, 7
    TEST_RR_OP 382, srlw, 0x1ffff, 0x7fffffff, 0xe
    TEST_RR_OP 383, srlw, 0, 0x7fffffff, 0x1f

    # SRLW: rs2[5] and above are ignored
    TEST_RR_OP 384, srlw, 0x21212121, 0x21212121, 0x20
    TEST_RR_OP 385, srlw, 0x10909090, 0x21212121, 0x21
    TEST_RR_OP 386, srlw, 0xffffffff80000001, 0x80000001, 0xffffffffffffffe0
    TEST_RR_OP 387, srlw, 1, 0x80000001, 0x3f
    TEST_RR_OP 388, srlw, 1, 0x1234567887654321, 0x3f
    TEST_RR_SRC1_EQ_DEST 389, srlw, 0, 1, 7
    TEST_RR_SRC2_EQ_DEST 390, srlw, 0x10000, 0x40000000, 0xe
    TEST_RR_SRC12_EQ_DEST 391, srlw, 0, 7
    TEST_RR_ZEROSRC1 392, srlw, 0, 0xf
    TEST_RR_ZEROSRC2 393, srlw, 0xffffffff80000021, 0x80000021
    TEST_RR_ZERODEST 394, srlw, 0x11, 3

    # SRAW: operates on rs1[31:0], shift amount rs2[4:0], result sign-extended from bit 31
    TEST_RR_OP 395, sraw, 1, 1, 0
    TEST_RR_OP 396, sraw, 0, 1, 1
    TEST_RR_OP 397, sraw, 0, 1, 7
    TEST_RR_OP 398, sraw, 0, 1, 0xe
    TEST_RR_OP 399, sraw, 0, 1, 0x1f
    TEST_RR_OP 400, sraw, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_RR_OP 401, sraw, 0xffffffffffffffff, 0xffffffffffffffff, 1
    TEST_RR_OP 402, sraw, 0xffffffffffffffff, 0xffffffffffffffff, 7
    TEST_RR_OP 403, sraw, 0xffffffffffffffff, 0xffffffffffffffff, 0xe
    TEST_RR_OP 404, sraw, 0xffffffffffffffff, 0xffffffffffffffff, 0x1f
    TEST_RR_OP 405, sraw, 0xffffffff80000000, 0x80000000, 0
    TEST_RR_OP 406, sraw, 0xffffffffc0000000, 0x80000000, 1
    TEST_RR_OP 407, sraw, 0xffffffffff000000, 0x80000000, 7
    TEST_RR_OP 408, sraw, 0xfffffffffffe0000, 0x80000000, 0xe
    TEST_RR_OP 409, sraw, 0xffffffffffffffff, 0x80000000, 0x1f
    TEST_RR_OP 410, sraw, 0x21212121, 0x21212121, 0
    TEST_RR_OP 411, sraw, 0x10909090, 0x21212121, 1
    TEST_RR_OP 412, sraw, 0x424242, 0x21212121, 7
    TEST_RR_OP 413, sraw, 0x8484, 0x21212121, 0xe
    TEST_RR_OP 414, sraw, 0, 0x21212121, 0x1f
    TEST_RR_OP 415, sraw, 0x7fffffff, 0xffffffff7fffffff, 0
    TEST_RR_OP 416, sraw, 0x3fffffff, 0xffffffff7fffffff, 1
    TEST_RR_OP 417, sraw, 0xffffff, 0xffffffff7fffffff, 7
    TEST_RR_OP 418, sraw, 0x1ffff, 0xffffffff7fffffff, 0xe
    TEST_RR_OP 419, sraw, 0, 0xffffffff7fffffff, 0x1f
    TEST_RR_OP 420, sraw, 0xffffffff87654321, 0x1234567887654321, 0
    TEST_RR_OP 421, sraw, 0xffffffffc3b2a190, 0x1234567887654321, 1
    TEST_RR_OP 422, sraw, 0xffffffffff0eca86, 0x1234567887654321, 7
    TEST_RR_OP 423, sraw, 0xfffffffffffe1d95, 0x1234567887654321, 0xe
    TEST_RR_OP 424, sraw, 0xffffffffffffffff, 0x1234567887654321, 0x1f
    TEST_RR_OP 425, sraw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_RR_OP 426, sraw, 0xffffffffffffffff, 0xffffffff, 1
    TEST_RR_OP 427, sraw, 0xffffffffffffffff, 0xffffffff, 7
    TEST_RR_OP 428, sraw, 0xffffffffffffffff, 0xffffffff, 0xe
    TEST_RR_OP 429, sraw, 0xffffffffffffffff, 0xffffffff, 0x1f
    TEST_RR_OP 430, sraw, 0x7fffffff, 0x7fffffff, 0
    TEST_RR_OP 431, sraw, 0x3fffffff, 0x7fffffff, 1
    TEST_RR_OP 432, sraw, 0xffffff, 0x7fffffff, 7
    TEST_RR_OP 433, sraw, 0x1ffff, 0x7fffffff, 0xe
    TEST_RR_OP 434, sraw, 0, 0x7fffffff, 0x1f

    # SRAW: rs2[5] and above are ignored
    TEST_RR_OP 435, sraw, 0x21212121, 0x21212121, 0x20
    TEST_RR_OP 436, sraw, 0x10909090, 0x21212121, 0x21
    TEST_RR_OP 437, sraw, 0xffffffff80000001, 0x80000001, 0xffffffffffffffe0
    TEST_RR_OP 438, sraw, 0xffffffffffffffff, 0x80000001, 0x3f
    TEST_RR_OP 439, sraw, 0xffffffffffffffff, 0x1234567887654321, 0x3f
    TEST_RR_SRC1_EQ_DEST 440, sraw, 0, 1, 7
    TEST_RR_SRC2_EQ_DEST 441, sraw, 0x10000, 0x40000000, 0xe
    TEST_RR_SRC12_EQ_DEST 442, sraw, 0, 7
    TEST_RR_ZEROSRC1 443, sraw, 0, 0xf
    TEST_RR_ZEROSRC2 444, sraw, 0xffffffff80000021, 0x80000021
    TEST_RR_ZERODEST 445, sraw, 0x11, 3

    # SLLIW: 5-bit shift amount, result sign-extended from bit 31
    TEST_IMM_OP 446, slliw, 1, 1, 0
    TEST_IMM_OP 447, slliw, 2, 1, 1
    TEST_IMM_OP 448, slliw, 0x80, 1, 7
    TEST_IMM_OP 449, slliw, 0x4000, 1, 14
    TEST_IMM_OP 450, slliw, 0xffffffff80000000, 1, 31
    TEST_IMM_OP 451, slliw, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_IMM_OP 452, slliw, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_IMM_OP 453, slliw, 0xffffffffffffff80, 0xffffffffffffffff, 7
    TEST_IMM_OP 454, slliw, 0xffffffffffffc000, 0xffffffffffffffff, 14
    TEST_IMM_OP 455, slliw, 0xffffffff80000000, 0xffffffffffffffff, 31
    TEST_IMM_OP 456, slliw, 0xffffffff80000000, 0x80000000, 0
    TEST_IMM_OP 457, slliw, 0, 0x80000000, 1
    TEST_IMM_OP 458, slliw, 0, 0x80000000, 7
    TEST_IMM_OP 459, slliw, 0, 0x80000000, 14
    TEST_IMM_OP 460, slliw, 0, 0x80000000, 31
    TEST_IMM_OP 461, slliw, 0x21212121, 0x21212121, 0
    TEST_IMM_OP 462, slliw, 0x42424242, 0x21212121, 1
    TEST_IMM_OP 463, slliw, 0xffffffff90909080, 0x21212121, 7
    TEST_IMM_OP 464, slliw, 0x48484000, 0x21212121, 14
    TEST_IMM_OP 465, slliw, 0xffffffff80000000, 0x21212121, 31
    TEST_IMM_OP 466, slliw, 0x7fffffff, 0xffffffff7fffffff, 0
    TEST_IMM_OP 467, slliw, 0xfffffffffffffffe, 0xffffffff7fffffff, 1
    TEST_IMM_OP 468, slliw, 0xffffffffffffff80, 0xffffffff7fffffff, 7
    TEST_IMM_OP 469, slliw, 0xffffffffffffc000, 0xffffffff7fffffff, 14
    TEST_IMM_OP 470, slliw, 0xffffffff80000000, 0xffffffff7fffffff, 31
    TEST_IMM_OP 471, slliw, 0xffffffff87654321, 0x1234567887654321, 0
    TEST_IMM_OP 472, slliw, 0xeca8642, 0x1234567887654321, 1
    TEST_IMM_OP 473, slliw, 0xffffffffb2a19080, 0x1234567887654321, 7
    TEST_IMM_OP 474, slliw, 0x50c84000, 0x1234567887654321, 14
    TEST_IMM_OP 475, slliw, 0xffffffff80000000, 0x1234567887654321, 31
    TEST_IMM_OP 476, slliw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_IMM_OP 477, slliw, 0xfffffffffffffffe, 0xffffffff, 1
    TEST_IMM_OP 478, slliw, 0xffffffffffffff80, 0xffffffff, 7
    TEST_IMM_OP 479, slliw, 0xffffffffffffc000, 0xffffffff, 14
    TEST_IMM_OP 480, slliw, 0xffffffff80000000, 0xffffffff, 31
    TEST_IMM_OP 481, slliw, 0x7fffffff, 0x7fffffff, 0
    TEST_IMM_OP 482, slliw, 0xfffffffffffffffe, 0x7fffffff, 1
    TEST_IMM_OP 483, slliw, 0xffffffffffffff80, 0x7fffffff, 7
    TEST_IMM_OP 484, slliw, 0xffffffffffffc000, 0x7fffffff, 14
    TEST_IMM_OP 485, slliw, 0xffffffff80000000, 0x7fffffff, 31
    TEST_IMM_SRC1_EQ_DEST 486, slliw, 0x80, 1, 7
    TEST_IMM_ZEROSRC1 487, slliw, 0, 31
    TEST_IMM_ZERODEST 488, slliw, 0x11, 3

    # SRLIW: 5-bit shift amount, result sign-extended from bit 31
    TEST_IMM_OP 489, srliw, 1, 1, 0
    TEST_IMM_OP 490, srliw, 0, 1, 1
    TEST_IMM_OP 491, srliw, 0, 1, 7
    TEST_IMM_OP 492, srliw, 0, 1, 14
    TEST_IMM_OP 493, srliw, 0, 1, 31
    TEST_IMM_OP 494, srliw, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_IMM_OP 495, srliw, 0x7fffffff, 0xffffffffffffffff, 1
    TEST_IMM_OP 496, srliw, 0x1ffffff, 0xffffffffffffffff, 7
    TEST_IMM_OP 497, srliw, 0x3ffff, 0xffffffffffffffff, 14
    TEST_IMM_OP 498, srliw, 1, 0xffffffffffffffff, 31
    TEST_IMM_OP 499, srliw, 0xffffffff80000000, 0x80000000, 0
    TEST_IMM_OP 500, srliw, 0x40000000, 0x80000000, 1
    TEST_IMM_OP 501, srliw, 0x1000000, 0x80000000, 7
    TEST_IMM_OP 502, srliw, 0x20000, 0x80000000, 14
    TEST_IMM_OP 503, srliw, 1, 0x80000000, 31
    TEST_IMM_OP 504, srliw, 0x21212121, 0x21212121, 0
    TEST_IMM_OP 505, srliw, 0x10909090, 0x21212121, 1
    TEST_IMM_OP 506, srliw, 0x424242, 0x21212121, 7
    TEST_IMM_OP 507, srliw, 0x8484, 0x21212121, 14
    TEST_IMM_OP 508, srliw, 0, 0x21212121, 31
    TEST_IMM_OP 509, srliw, 0x7fffffff, 0xffffffff7fffffff, 0
    TEST_IMM_OP 510, srliw, 0x3fffffff, 0xffffffff7fffffff, 1
    TEST_IMM_OP 511, srliw, 0xffffff, 0xffffffff7fffffff, 7
    TEST_IMM_OP 512, srliw, 0x1ffff, 0xffffffff7fffffff, 14
    TEST_IMM_OP 513, srliw, 0, 0xffffffff7fffffff, 31
    TEST_IMM_OP 514, srliw, 0xffffffff87654321, 0x1234567887654321, 0
    TEST_IMM_OP 515, srliw, 0x43b2a190, 0x1234567887654321, 1
    TEST_IMM_OP 516, srliw, 0x10eca86, 0x1234567887654321, 7
    TEST_IMM_OP 517, srliw, 0x21d95, 0x1234567887654321, 14
    TEST_IMM_OP 518, srliw, 1, 0x1234567887654321, 31
    TEST_IMM_OP 519, srliw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_IMM_OP 520, srliw, 0x7fffffff, 0xffffffff, 1
    TEST_IMM_OP 521, srliw, 0x1ffffff, 0xffffffff, 7
    TEST_IMM_OP 522, srliw, 0x3ffff, 0xffffffff, 14
    TEST_IMM_OP 523, srliw, 1, 0xffffffff, 31
    TEST_IMM_OP 524, srliw, 0x7fffffff, 0x7fffffff, 0
    TEST_IMM_OP 525, srliw, 0x3fffffff, 0x7fffffff, 1
    TEST_IMM_OP 526, srliw, 0xffffff, 0x7fffffff, 7
    TEST_IMM_OP 527, srliw, 0x1ffff, 0x7fffffff, 14
    TEST_IMM_OP 528, srliw, 0, 0x7fffffff, 31
    TEST_IMM_SRC1_EQ_DEST 529, srliw, 0, 1, 7
    TEST_IMM_ZEROSRC1 530, srliw, 0, 31
    TEST_IMM_ZERODEST 531, srliw, 0x11, 3

    # SRAIW: 5-bit shift amount, result sign-extended from bit 31
    TEST_IMM_OP 532, sraiw, 1, 1, 0
    TEST_IMM_OP 533, sraiw, 0, 1, 1
    TEST_IMM_OP 534, sraiw, 0, 1, 7
    TEST_IMM_OP 535, sraiw, 0, 1, 14
    TEST_IMM_OP 536, sraiw, 0, 1, 31
    TEST_IMM_OP 537, sraiw, 0xffffffffffffffff, 0xffffffffffffffff, 0
    TEST_IMM_OP 538, sraiw, 0xffffffffffffffff, 0xffffffffffffffff, 1
    TEST_IMM_OP 539, sraiw, 0xffffffffffffffff, 0xffffffffffffffff, 7
    TEST_IMM_OP 540, sraiw, 0xffffffffffffffff, 0xffffffffffffffff, 14
    TEST_IMM_OP 541, sraiw, 0xffffffffffffffff, 0xffffffffffffffff, 31
    TEST_IMM_OP 542, sraiw, 0xffffffff80000000, 0x80000000, 0
    TEST_IMM_OP 543, sraiw, 0xffffffffc0000000, 0x80000000, 1
    TEST_IMM_OP 544, sraiw, 0xffffffffff000000, 0x80000000, 7
    TEST_IMM_OP 545, sraiw, 0xfffffffffffe0000, 0x80000000, 14
    TEST_IMM_OP 546, sraiw, 0xffffffffffffffff, 0x80000000, 31
    TEST_IMM_OP 547, sraiw, 0x21212121, 0x21212121, 0
    TEST_IMM_OP 548, sraiw, 0x10909090, 0x21212121, 1
    TEST_IMM_OP 549, sraiw, 0x424242, 0x21212121, 7
    TEST_IMM_OP 550, sraiw, 0x8484, 0x21212121, 14
    TEST_IMM_OP 551, sraiw, 0, 0x21212121, 31
    TEST_IMM_OP 552, sraiw, 0x7fffffff, 0xffffffff7fffffff, 0
    TEST_IMM_OP 553, sraiw, 0x3fffffff, 0xffffffff7fffffff, 1
    TEST_IMM_OP 554, sraiw, 0xffffff, 0xffffffff7fffffff, 7
    TEST_IMM_OP 555, sraiw, 0x1ffff, 0xffffffff7fffffff, 14
    TEST_IMM_OP 556, sraiw, 0, 0xffffffff7fffffff, 31
    TEST_IMM_OP 557, sraiw, 0xffffffff87654321, 0x1234567887654321, 0
    TEST_IMM_OP 558, sraiw, 0xffffffffc3b2a190, 0x1234567887654321, 1
    TEST_IMM_OP 559, sraiw, 0xffffffffff0eca86, 0x1234567887654321, 7
    TEST_IMM_OP 560, sraiw, 0xfffffffffffe1d95, 0x1234567887654321, 14
    TEST_IMM_OP 561, sraiw, 0xffffffffffffffff, 0x1234567887654321, 31
    TEST_IMM_OP 562, sraiw, 0xffffffffffffffff, 0xffffffff, 0
    TEST_IMM_OP 563, sraiw, 0xffffffffffffffff, 0xffffffff, 1
    TEST_IMM_OP 564, sraiw, 0xffffffffffffffff, 0xffffffff, 7
    TEST_IMM_OP 565, sraiw, 0xffffffffffffffff, 0xffffffff, 14
    TEST_IMM_OP 566, sraiw, 0xffffffffffffffff, 0xffffffff, 31
    TEST_IMM_OP 567, sraiw, 0x7fffffff, 0x7fffffff, 0
    TEST_IMM_OP 568, sraiw, 0x3fffffff, 0x7fffffff, 1
    TEST_IMM_OP 569, sraiw, 0xffffff, 0x7fffffff, 7
    TEST_IMM_OP 570, sraiw, 0x1ffff, 0x7fffffff, 14
    TEST_IMM_OP 571, sraiw, 0, 0x7fffffff, 31
    TEST_IMM_SRC1_EQ_DEST 572, sraiw, 0, 1, 7
    TEST_IMM_ZEROSRC1 573, sraiw, 0, 31
    TEST_IMM_ZERODEST 574, sraiw, 0x11, 3

    j pass
"#
);
