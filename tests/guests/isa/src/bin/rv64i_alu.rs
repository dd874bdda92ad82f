//! rv64i_alu: do the RV64I integer computational instructions — ADD, SUB, AND, OR, XOR, SLT, SLTU,
//! their immediate forms ADDI, ANDI, ORI, XORI, SLTI, SLTIU, the 32-bit ADDW, SUBW, ADDIW, and LUI,
//! AUIPC — compute the right 64-bit results on edge values (signed and unsigned extremes, carries out
//! of bit 31 and bit 63, sign-extended 12-bit immediates, sign-extended 32-bit results), also when rd is
//! a source, when a source is x0, and when rd is x0?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
test_main:
    # ADD
    TEST_RR_OP 2, add, 0, 0, 0
    TEST_RR_OP 3, add, 2, 1, 1
    TEST_RR_OP 4, add, 0xa, 3, 7
    TEST_RR_OP 5, add, 0xffffffffffff8000, 0xffffffffffff8000, 0
    TEST_RR_OP 6, add, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 7, add, 0x7fffffffffff8000, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 8, add, 0x7fffffff, 0, 0x7fffffff
    TEST_RR_OP 9, add, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_RR_OP 10, add, 0x800000007ffffffe, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 11, add, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 12, add, 0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RR_OP 13, add, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 14, add, 0, 0xffffffffffffffff, 1
    TEST_RR_OP 15, add, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 16, add, 0x80000000, 0x7fffffff, 1
    TEST_RR_OP 17, add, 0x100000000, 0x80000000, 0x80000000
    TEST_RR_OP 18, add, 0xffffffffffffffff, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 19, add, 0x18, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 20, add, 0x19, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 21, add, 0x1a, 0xd
    TEST_RR_ZEROSRC1 22, add, 0x11, 0x11
    TEST_RR_ZEROSRC2 23, add, 0x22, 0x22
    TEST_RR_ZERODEST 24, add, 0x11, 0x22

    # SUB
    TEST_RR_OP 25, sub, 0, 0, 0
    TEST_RR_OP 26, sub, 0, 1, 1
    TEST_RR_OP 27, sub, 0xfffffffffffffffc, 3, 7
    TEST_RR_OP 28, sub, 0xffffffffffff8000, 0xffffffffffff8000, 0
    TEST_RR_OP 29, sub, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 30, sub, 0x8000000000008000, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 31, sub, 0xffffffff80000001, 0, 0x7fffffff
    TEST_RR_OP 32, sub, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_RR_OP 33, sub, 0x7fffffff80000000, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 34, sub, 1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 35, sub, 0x7ffffffffffffffe, 0x7fffffffffffffff, 1
    TEST_RR_OP 36, sub, 0x8000000000000001, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 37, sub, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_RR_OP 38, sub, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 39, sub, 0x7ffffffe, 0x7fffffff, 1
    TEST_RR_OP 40, sub, 0, 0x80000000, 0x80000000
    TEST_RR_OP 41, sub, 0x2468acf13579bdf, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 42, sub, 2, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 43, sub, 3, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 44, sub, 0, 0xd
    TEST_RR_ZEROSRC1 45, sub, 0xffffffffffffffef, 0x11
    TEST_RR_ZEROSRC2 46, sub, 0x22, 0x22
    TEST_RR_ZERODEST 47, sub, 0x11, 0x22

    # AND
    TEST_RR_OP 48, and, 0, 0, 0
    TEST_RR_OP 49, and, 1, 1, 1
    TEST_RR_OP 50, and, 3, 3, 7
    TEST_RR_OP 51, and, 0, 0xffffffffffff8000, 0
    TEST_RR_OP 52, and, 0, 0x8000000000000000, 0
    TEST_RR_OP 53, and, 0x8000000000000000, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 54, and, 0, 0, 0x7fffffff
    TEST_RR_OP 55, and, 0, 0x7fffffffffffffff, 0
    TEST_RR_OP 56, and, 0x7fffffff, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 57, and, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 58, and, 1, 0x7fffffffffffffff, 1
    TEST_RR_OP 59, and, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 60, and, 1, 0xffffffffffffffff, 1
    TEST_RR_OP 61, and, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 62, and, 1, 0x7fffffff, 1
    TEST_RR_OP 63, and, 0x80000000, 0x80000000, 0x80000000
    TEST_RR_OP 64, and, 0, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 65, and, 9, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 66, and, 0xa, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 67, and, 0xd, 0xd
    TEST_RR_ZEROSRC1 68, and, 0, 0x11
    TEST_RR_ZEROSRC2 69, and, 0, 0x22
    TEST_RR_ZERODEST 70, and, 0x11, 0x22

    # OR
    TEST_RR_OP 71, or, 0, 0, 0
    TEST_RR_OP 72, or, 1, 1, 1
    TEST_RR_OP 73, or, 7, 3, 7
    TEST_RR_OP 74, or, 0xffffffffffff8000, 0xffffffffffff8000, 0
    TEST_RR_OP 75, or, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 76, or, 0xffffffffffff8000, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 77, or, 0x7fffffff, 0, 0x7fffffff
    TEST_RR_OP 78, or, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_RR_OP 79, or, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 80, or, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 81, or, 0x7fffffffffffffff, 0x7fffffffffffffff, 1
    TEST_RR_OP 82, or, 0xffffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 83, or, 0xffffffffffffffff, 0xffffffffffffffff, 1
    TEST_RR_OP 84, or, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 85, or, 0x7fffffff, 0x7fffffff, 1
    TEST_RR_OP 86, or, 0x80000000, 0x80000000, 0x80000000
    TEST_RR_OP 87, or, 0xffffffffffffffff, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 88, or, 0xf, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 89, or, 0xf, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 90, or, 0xd, 0xd
    TEST_RR_ZEROSRC1 91, or, 0x11, 0x11
    TEST_RR_ZEROSRC2 92, or, 0x22, 0x22
    TEST_RR_ZERODEST 93, or, 0x11, 0x22

    # XOR
    TEST_RR_OP 94, xor, 0, 0, 0
    TEST_RR_OP 95, xor, 0, 1, 1
    TEST_RR_OP 96, xor, 4, 3, 7
    TEST_RR_OP 97, xor, 0xffffffffffff8000, 0xffffffffffff8000, 0
    TEST_RR_OP 98, xor, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR_OP 99, xor, 0x7fffffffffff8000, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 100, xor, 0x7fffffff, 0, 0x7fffffff
    TEST_RR_OP 101, xor, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_RR_OP 102, xor, 0x7fffffff80000000, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 103, xor, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 104, xor, 0x7ffffffffffffffe, 0x7fffffffffffffff, 1
    TEST_RR_OP 105, xor, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 106, xor, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_RR_OP 107, xor, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 108, xor, 0x7ffffffe, 0x7fffffff, 1
    TEST_RR_OP 109, xor, 0, 0x80000000, 0x80000000
    TEST_RR_OP 110, xor, 0xffffffffffffffff, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 111, xor, 6, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 112, xor, 5, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 113, xor, 0, 0xd
    TEST_RR_ZEROSRC1 114, xor, 0x11, 0x11
    TEST_RR_ZEROSRC2 115, xor, 0x22, 0x22
    TEST_RR_ZERODEST 116, xor, 0x11, 0x22

    # SLT
    TEST_RR_OP 117, slt, 0, 0, 0
    TEST_RR_OP 118, slt, 0, 1, 1
    TEST_RR_OP 119, slt, 1, 3, 7
    TEST_RR_OP 120, slt, 1, 0xffffffffffff8000, 0
    TEST_RR_OP 121, slt, 1, 0x8000000000000000, 0
    TEST_RR_OP 122, slt, 1, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 123, slt, 1, 0, 0x7fffffff
    TEST_RR_OP 124, slt, 0, 0x7fffffffffffffff, 0
    TEST_RR_OP 125, slt, 0, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 126, slt, 1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 127, slt, 0, 0x7fffffffffffffff, 1
    TEST_RR_OP 128, slt, 1, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 129, slt, 1, 0xffffffffffffffff, 1
    TEST_RR_OP 130, slt, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 131, slt, 0, 0x7fffffff, 1
    TEST_RR_OP 132, slt, 0, 0x80000000, 0x80000000
    TEST_RR_OP 133, slt, 0, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 134, slt, 0, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 135, slt, 0, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 136, slt, 0, 0xd
    TEST_RR_ZEROSRC1 137, slt, 1, 0x11
    TEST_RR_ZEROSRC2 138, slt, 0, 0x22
    TEST_RR_ZERODEST 139, slt, 0x11, 0x22

    # SLTU
    TEST_RR_OP 140, sltu, 0, 0, 0
    TEST_RR_OP 141, sltu, 0, 1, 1
    TEST_RR_OP 142, sltu, 1, 3, 7
    TEST_RR_OP 143, sltu, 0, 0xffffffffffff8000, 0
    TEST_RR_OP 144, sltu, 0, 0x8000000000000000, 0
    TEST_RR_OP 145, sltu, 1, 0x8000000000000000, 0xffffffffffff8000
    TEST_RR_OP 146, sltu, 1, 0, 0x7fffffff
    TEST_RR_OP 147, sltu, 0, 0x7fffffffffffffff, 0
    TEST_RR_OP 148, sltu, 0, 0x7fffffffffffffff, 0x7fffffff
    TEST_RR_OP 149, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 150, sltu, 0, 0x7fffffffffffffff, 1
    TEST_RR_OP 151, sltu, 1, 0x8000000000000000, 0xffffffffffffffff
    TEST_RR_OP 152, sltu, 0, 0xffffffffffffffff, 1
    TEST_RR_OP 153, sltu, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR_OP 154, sltu, 0, 0x7fffffff, 1
    TEST_RR_OP 155, sltu, 0, 0x80000000, 0x80000000
    TEST_RR_OP 156, sltu, 1, 0x123456789abcdef, 0xfedcba9876543210
    TEST_RR_SRC1_EQ_DEST 157, sltu, 0, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 158, sltu, 0, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 159, sltu, 0, 0xd
    TEST_RR_ZEROSRC1 160, sltu, 1, 0x11
    TEST_RR_ZEROSRC2 161, sltu, 0, 0x22
    TEST_RR_ZERODEST 162, sltu, 0x11, 0x22

    # SLT/SLTU: signed and unsigned orderings of the same bit patterns
    TEST_RR_OP 163, slt, 1, 0xffffffffffffffff, 0
    TEST_RR_OP 164, sltu, 0, 0xffffffffffffffff, 0
    TEST_RR_OP 165, slt, 0, 0, 0xffffffffffffffff
    TEST_RR_OP 166, sltu, 1, 0, 0xffffffffffffffff
    TEST_RR_OP 167, slt, 1, 0x8000000000000000, 0
    TEST_RR_OP 168, sltu, 0, 0x8000000000000000, 0
    TEST_RR_OP 169, slt, 0, 0, 0x8000000000000000
    TEST_RR_OP 170, sltu, 1, 0, 0x8000000000000000
    TEST_RR_OP 171, slt, 0, 0x7fffffffffffffff, 0x8000000000000000
    TEST_RR_OP 172, sltu, 1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_RR_OP 173, slt, 1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 174, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR_OP 175, slt, 0, 0x80000000, 0x7fffffff
    TEST_RR_OP 176, sltu, 0, 0x80000000, 0x7fffffff

    # ADDI
    TEST_IMM_OP 177, addi, 0, 0, 0
    TEST_IMM_OP 178, addi, 2, 1, 1
    TEST_IMM_OP 179, addi, 0xa, 3, 7
    TEST_IMM_OP 180, addi, 0xfffffffffffff800, 0, -2048
    TEST_IMM_OP 181, addi, 0x8000000000000000, 0x8000000000000000, 0
    TEST_IMM_OP 182, addi, 0x7ffffffffffff800, 0x8000000000000000, -2048
    TEST_IMM_OP 183, addi, 0x7ff, 0, 2047
    TEST_IMM_OP 184, addi, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_IMM_OP 185, addi, 0x80000000000007fe, 0x7fffffffffffffff, 2047
    TEST_IMM_OP 186, addi, 0x80000000000007ff, 0x8000000000000000, 2047
    TEST_IMM_OP 187, addi, 0x7ffffffffffff7ff, 0x7fffffffffffffff, -2048
    TEST_IMM_OP 188, addi, 0, 0xffffffffffffffff, 1
    TEST_IMM_OP 189, addi, 0x80000000, 0x7fffffff, 1
    TEST_IMM_OP 190, addi, 0xff00ff00ff000e, 0xff00ff00ff00ff, -241
    TEST_IMM_OP 191, addi, 0xff01060f, 0xff00ff00, 1807
    TEST_IMM_SRC1_EQ_DEST 192, addi, 0x18, 13, 11
    TEST_IMM_ZEROSRC1 193, addi, 0xfffffffffffff801, -0x7ff
    TEST_IMM_ZERODEST 194, addi, 0x11, 0x22

    # ANDI
    TEST_IMM_OP 195, andi, 0, 0, 0
    TEST_IMM_OP 196, andi, 1, 1, 1
    TEST_IMM_OP 197, andi, 3, 3, 7
    TEST_IMM_OP 198, andi, 0, 0, -2048
    TEST_IMM_OP 199, andi, 0, 0x8000000000000000, 0
    TEST_IMM_OP 200, andi, 0x8000000000000000, 0x8000000000000000, -2048
    TEST_IMM_OP 201, andi, 0, 0, 2047
    TEST_IMM_OP 202, andi, 0, 0x7fffffffffffffff, 0
    TEST_IMM_OP 203, andi, 0x7ff, 0x7fffffffffffffff, 2047
    TEST_IMM_OP 204, andi, 0, 0x8000000000000000, 2047
    TEST_IMM_OP 205, andi, 0x7ffffffffffff800, 0x7fffffffffffffff, -2048
    TEST_IMM_OP 206, andi, 1, 0xffffffffffffffff, 1
    TEST_IMM_OP 207, andi, 1, 0x7fffffff, 1
    TEST_IMM_OP 208, andi, 0xff00ff00ff000f, 0xff00ff00ff00ff, -241
    TEST_IMM_OP 209, andi, 0x700, 0xff00ff00, 1807
    TEST_IMM_SRC1_EQ_DEST 210, andi, 9, 13, 11
    TEST_IMM_ZEROSRC1 211, andi, 0, -0x7ff
    TEST_IMM_ZERODEST 212, andi, 0x11, 0x22

    # ORI
    TEST_IMM_OP 213, ori, 0, 0, 0
    TEST_IMM_OP 214, ori, 1, 1, 1
    TEST_IMM_OP 215, ori, 7, 3, 7
    TEST_IMM_OP 216, ori, 0xfffffffffffff800, 0, -2048
    TEST_IMM_OP 217, ori, 0x8000000000000000, 0x8000000000000000, 0
    TEST_IMM_OP 218, ori, 0xfffffffffffff800, 0x8000000000000000, -2048
    TEST_IMM_OP 219, ori, 0x7ff, 0, 2047
    TEST_IMM_OP 220, ori, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_IMM_OP 221, ori, 0x7fffffffffffffff, 0x7fffffffffffffff, 2047
    TEST_IMM_OP 222, ori, 0x80000000000007ff, 0x8000000000000000, 2047
    TEST_IMM_OP 223, ori, 0xffffffffffffffff, 0x7fffffffffffffff, -2048
    TEST_IMM_OP 224, ori, 0xffffffffffffffff, 0xffffffffffffffff, 1
    TEST_IMM_OP 225, ori, 0x7fffffff, 0x7fffffff, 1
    TEST_IMM_OP 226, ori, 0xffffffffffffffff, 0xff00ff00ff00ff, -241
    TEST_IMM_OP 227, ori, 0xff00ff0f, 0xff00ff00, 1807
    TEST_IMM_SRC1_EQ_DEST 228, ori, 0xf, 13, 11
    TEST_IMM_ZEROSRC1 229, ori, 0xfffffffffffff801, -0x7ff
    TEST_IMM_ZERODEST 230, ori, 0x11, 0x22

    # XORI
    TEST_IMM_OP 231, xori, 0, 0, 0
    TEST_IMM_OP 232, xori, 0, 1, 1
    TEST_IMM_OP 233, xori, 4, 3, 7
    TEST_IMM_OP 234, xori, 0xfffffffffffff800, 0, -2048
    TEST_IMM_OP 235, xori, 0x8000000000000000, 0x8000000000000000, 0
    TEST_IMM_OP 236, xori, 0x7ffffffffffff800, 0x8000000000000000, -2048
    TEST_IMM_OP 237, xori, 0x7ff, 0, 2047
    TEST_IMM_OP 238, xori, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
    TEST_IMM_OP 239, xori, 0x7ffffffffffff800, 0x7fffffffffffffff, 2047
    TEST_IMM_OP 240, xori, 0x80000000000007ff, 0x8000000000000000, 2047
    TEST_IMM_OP 241, xori, 0x80000000000007ff, 0x7fffffffffffffff, -2048
    TEST_IMM_OP 242, xori, 0xfffffffffffffffe, 0xffffffffffffffff, 1
    TEST_IMM_OP 243, xori, 0x7ffffffe, 0x7fffffff, 1
    TEST_IMM_OP 244, xori, 0xff00ff00ff00fff0, 0xff00ff00ff00ff, -241
    TEST_IMM_OP 245, xori, 0xff00f80f, 0xff00ff00, 1807
    TEST_IMM_SRC1_EQ_DEST 246, xori, 6, 13, 11
    TEST_IMM_ZEROSRC1 247, xori, 0xfffffffffffff801, -0x7ff
    TEST_IMM_ZERODEST 248, xori, 0x11, 0x22

    # SLTI
    TEST_IMM_OP 249, slti, 0, 0, 0
    TEST_IMM_OP 250, slti, 0, 1, 1
    TEST_IMM_OP 251, slti, 1, 3, 7
    TEST_IMM_OP 252, slti, 0, 0, -2048
    TEST_IMM_OP 253, slti, 1, 0x8000000000000000, 0
    TEST_IMM_OP 254, slti, 1, 0x8000000000000000, -2048
    TEST_IMM_OP 255, slti, 1, 0, 2047
    TEST_IMM_OP 256, slti, 0, 0x7fffffffffffffff, 0
    TEST_IMM_OP 257, slti, 0, 0x7fffffffffffffff, 2047
    TEST_IMM_OP 258, slti, 1, 0x8000000000000000, 2047
    TEST_IMM_OP 259, slti, 0, 0x7fffffffffffffff, -2048
    TEST_IMM_OP 260, slti, 1, 0xffffffffffffffff, 1
    TEST_IMM_OP 261, slti, 0, 0x7fffffff, 1
    TEST_IMM_OP 262, slti, 0, 0xff00ff00ff00ff, -241
    TEST_IMM_OP 263, slti, 0, 0xff00ff00, 1807
    TEST_IMM_SRC1_EQ_DEST 264, slti, 0, 13, 11
    TEST_IMM_ZEROSRC1 265, slti, 0, -0x7ff
    TEST_IMM_ZERODEST 266, slti, 0x11, 0x22

    # SLTIU
    TEST_IMM_OP 267, sltiu, 0, 0, 0
    TEST_IMM_OP 268, sltiu, 0, 1, 1
    TEST_IMM_OP 269, sltiu, 1, 3, 7
    TEST_IMM_OP 270, sltiu, 1, 0, -2048
    TEST_IMM_OP 271, sltiu, 0, 0x8000000000000000, 0
    TEST_IMM_OP 272, sltiu, 1, 0x8000000000000000, -2048
    TEST_IMM_OP 273, sltiu, 1, 0, 2047
    TEST_IMM_OP 274, sltiu, 0, 0x7fffffffffffffff, 0
    TEST_IMM_OP 275, sltiu, 0, 0x7fffffffffffffff, 2047
    TEST_IMM_OP 276, sltiu, 0, 0x8000000000000000, 2047
    TEST_IMM_OP 277, sltiu, 1, 0x7fffffffffffffff, -2048
    TEST_IMM_OP 278, sltiu, 0, 0xffffffffffffffff, 1
    TEST_IMM_OP 279, sltiu, 0, 0x7fffffff, 1
    TEST_IMM_OP 280, sltiu, 1, 0xff00ff00ff00ff, -241
    TEST_IMM_OP 281, sltiu, 0, 0xff00ff00, 1807
    TEST_IMM_SRC1_EQ_DEST 282, sltiu, 0, 13, 11
    TEST_IMM_ZEROSRC1 283, sltiu, 1, -0x7ff
    TEST_IMM_ZERODEST 284, sltiu, 0x11, 0x22

    # SLTIU: the immediate is sign-extended, then compared unsigned
    TEST_IMM_OP 285, sltiu, 1, 5, -1
    TEST_IMM_OP 286, sltiu, 0, 0xffffffffffffffff, -1
    TEST_IMM_OP 287, sltiu, 0, 0xfffffffffffff800, -2048
    TEST_IMM_OP 288, sltiu, 1, 0xfffffffffffff7ff, -2048

    # ADDW/SUBW/ADDIW: 32-bit result, sign-extended; upper source bits ignored
    TEST_RR_OP 289, addw, 0, 0, 0
    TEST_RR_OP 290, addw, 2, 1, 1
    TEST_RR_OP 291, addw, 0xa, 3, 7
    TEST_RR_OP 292, addw, 0xffffffffffff8000, 0xffffffffffff8000, 0
    TEST_RR_OP 293, addw, 0xffffffff80000000, 0xffffffff80000000, 0
    TEST_RR_OP 294, addw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RR_OP 295, addw, 0x7fffffff, 0x80000000, 0xffffffff
    TEST_RR_OP 296, addw, 0xfffffffffffffffe, 0x7fffffff, 0x7fffffff
    TEST_RR_OP 297, addw, 0, 0xffffffff, 1
    TEST_RR_OP 298, addw, 0x22222211, 0x123456789abcdef0, 0xfedcba987654321
    TEST_RR_OP 299, addw, 1, 0xffffffff00000000, 0xffffffff00000001
    TEST_RR_OP 300, addw, 0, 0x80000000, 0x80000000
    TEST_RR_SRC1_EQ_DEST 301, addw, 0x18, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 302, addw, 0x19, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 303, addw, 0x1a, 0xd
    TEST_RR_ZEROSRC1 304, addw, 0xffffffff80000000, 0x80000000
    TEST_RR_ZEROSRC2 305, addw, 0xffffffffffffffff, 0xffffffff
    TEST_RR_ZERODEST 306, addw, 0x11, 0x22
    TEST_RR_OP 307, subw, 0, 0, 0
    TEST_RR_OP 308, subw, 0, 1, 1
    TEST_RR_OP 309, subw, 0xfffffffffffffffc, 3, 7
    TEST_RR_OP 310, subw, 0xffffffffffff8000, 0xffffffffffff8000, 0
    TEST_RR_OP 311, subw, 0xffffffff80000000, 0xffffffff80000000, 0
    TEST_RR_OP 312, subw, 0x7ffffffe, 0x7fffffff, 1
    TEST_RR_OP 313, subw, 0xffffffff80000001, 0x80000000, 0xffffffff
    TEST_RR_OP 314, subw, 0, 0x7fffffff, 0x7fffffff
    TEST_RR_OP 315, subw, 0xfffffffffffffffe, 0xffffffff, 1
    TEST_RR_OP 316, subw, 0x13579bcf, 0x123456789abcdef0, 0xfedcba987654321
    TEST_RR_OP 317, subw, 0xffffffffffffffff, 0xffffffff00000000, 0xffffffff00000001
    TEST_RR_OP 318, subw, 0, 0x80000000, 0x80000000
    TEST_RR_SRC1_EQ_DEST 319, subw, 2, 0xd, 0xb
    TEST_RR_SRC2_EQ_DEST 320, subw, 3, 0xe, 0xb
    TEST_RR_SRC12_EQ_DEST 321, subw, 0, 0xd
    TEST_RR_ZEROSRC1 322, subw, 0xffffffff80000000, 0x80000000
    TEST_RR_ZEROSRC2 323, subw, 0xffffffffffffffff, 0xffffffff
    TEST_RR_ZERODEST 324, subw, 0x11, 0x22
    TEST_IMM_OP 325, addiw, 0, 0, 0
    TEST_IMM_OP 326, addiw, 2, 1, 1
    TEST_IMM_OP 327, addiw, 0xa, 3, 7
    TEST_IMM_OP 328, addiw, 0xfffffffffffff800, 0, -2048
    TEST_IMM_OP 329, addiw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_IMM_OP 330, addiw, 0xffffffff80000000, 0x80000000, 0
    TEST_IMM_OP 331, addiw, 0x7ffffffe, 0x7fffffff, -1
    TEST_IMM_OP 332, addiw, 0, 0xffffffff, 1
    TEST_IMM_OP 333, addiw, 0xffffffff9abce6ef, 0x123456789abcdef0, 2047
    TEST_IMM_OP 334, addiw, 0xffffffffffffffff, 0xffffffff00000000, -1
    TEST_IMM_SRC1_EQ_DEST 335, addiw, 24, 13, 11
    TEST_IMM_ZERODEST 336, addiw, 0x11, 0x22

    # LUI: the 20-bit immediate goes to bits 31..12 and is sign-extended from bit 31
    lui x14, 0
    TEST_EQ 337, x14, 0
    lui x14, 0xfffff
    TEST_EQ 338, x14, 0xfffffffffffff000
    lui x14, 0x7ffff
    TEST_EQ 339, x14, 0x7ffff000
    lui x14, 0x80000
    TEST_EQ 340, x14, 0xffffffff80000000
    lui x14, 0x12345
    TEST_EQ 341, x14, 0x12345000
    lui x0, 0x80000
    TEST_EQ 342, x0, 0

    # AUIPC: pc of the AUIPC itself plus the sign-extended upper immediate
1:  auipc x14, 0
    la x13, 1b
    TEST_REGS_EQ 343, x14, x13
1:  auipc x14, 1
    la x13, 1b
    li x12, 0x1000
    add x13, x13, x12
    TEST_REGS_EQ 344, x14, x13
1:  auipc x14, 0xfffff
    la x13, 1b
    li x12, -0x1000
    add x13, x13, x12
    TEST_REGS_EQ 345, x14, x13
1:  auipc x14, 0x80000
    la x13, 1b
    li x12, 0xffffffff80000000
    add x13, x13, x12
    TEST_REGS_EQ 346, x14, x13
1:  auipc x14, 0x7ffff
    la x13, 1b
    li x12, 0x7ffff000
    add x13, x13, x12
    TEST_REGS_EQ 347, x14, x13
    auipc x0, 0x12345
    TEST_EQ 348, x0, 0

    j pass
"#
);
