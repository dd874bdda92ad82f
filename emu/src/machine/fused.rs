//! Superinstructions: specialised handlers that a block's elements get when the block is
//! decoded, in functional mode: fused pairs and loop branches.
//!
//! - A *fused pair*: the first of two adjacent elements whose operations are a common pair (found
//!   by profiling guest code: `lui`+`addi`, `addi`+`bne`, `ld`+`add`, `auipc`+`jalr`, … — the
//!   list is `pairs!` below) gets
//!   `threaded::fused::<A, B, …>`, which runs the first instruction and then the second's handler
//!   through a direct call, saving the indirect jump between them. Pairs are taken greedily from
//!   the block's start.
//! - A *loop branch*: a conditional branch whose target is the start of its own block gets the
//!   `LOOP` variant of its handler, which re-enters the block without looking it up (see
//!   `threaded::taken`).
//!
//! Nothing else changes: every element keeps its instruction and its suffix, the second of a pair
//! keeps its own handler (a block resumed there after a cut, or a debugger's step, runs it
//! alone), and the same instructions run in the same order with the same slow paths, traps and
//! stop checks, so every count, trap and stop is what the unfused handlers give.
//!
//! Timing mode has neither. Its taken branches book costs on the way out, so a loop branch
//! cannot skip the chain. Its fused pairs cost more than they saved (user CPU with them, then
//! without, least of 3-5 interleaved runs, 2026-12-06): micro usertests 4.24 and 4.13 s under
//! `u74`, 4.08 and 3.95 s under `simple`, mono usertests 1.43 and 1.39 s, `compute` 5.99 and
//! 5.91 s, `ecall` the same within the noise. Each timing handler carries the model's inline
//! work, and a pair's copy of two of them is more code than the interpreter's working set holds
//! (a cachegrind run of micro usertests counted about one host L1I miss per interpreted guest
//! instruction, most of them in the timing handlers); that costs more than the indirect jump a
//! pair saves.

use crate::hart::insn::Op;

use super::execute::is_simple;
use super::threaded::{Decoded, Handler, element, fused, is_branch, is_jump};

/// `pair!(KIND, A, B, b_last, b_loop)`: the fused handler of `A` then `B`, if one is made for
/// the second's `LAST` and `LOOP`: `plain` (B is neither a branch nor a jump: only inside the
/// block), `branch` (B is a conditional branch: inside the block, loop branch or not), `jump`
/// (B is `jal` or `jalr`, always its block's last).
macro_rules! pair {
    (plain, $a:ident, $b:ident, $last:expr, $lp:expr) => {
        (!$last)
            .then_some(fused::<{ Op::$a as usize }, { Op::$b as usize }, false, false> as Handler)
    };
    (branch, $a:ident, $b:ident, $last:expr, $lp:expr) => {
        match ($last, $lp) {
            (false, false) => {
                Some(fused::<{ Op::$a as usize }, { Op::$b as usize }, false, false> as Handler)
            }
            (false, true) => {
                Some(fused::<{ Op::$a as usize }, { Op::$b as usize }, false, true> as Handler)
            }
            _ => None,
        }
    };
    (jump, $a:ident, $b:ident, $last:expr, $lp:expr) => {
        ($last).then_some(fused::<{ Op::$a as usize }, { Op::$b as usize }, true, false> as Handler)
    };
}

/// Declares the fused pairs: `A B KIND` (see `pair!`); checks that each first is simple and goes
/// on in its block, and that each second's kind is right.
macro_rules! pairs {
    ($($a:ident $b:ident $kind:ident),* $(,)?) => {
        /// The fused handler for `a` then `b` (`b_last`: `b` ends the block; `b_loop`: `b` is a
        /// loop branch), if that pair is fused.
        fn pair_handler(a: Op, b: Op, b_last: bool, b_loop: bool) -> Option<Handler> {
            match (a, b) {
                $((Op::$a, Op::$b) => pair!($kind, $a, $b, b_last, b_loop),)*
                _ => None,
            }
        }

        $(const _: () = assert!(
            is_simple(Op::$a) && !is_jump(Op::$a) && is_simple(Op::$b)
                && kind!($kind, $b)
        );)*
    };
}

/// Whether `B` is of kind `KIND` (see `pair!`).
macro_rules! kind {
    (plain, $b:ident) => {
        !is_branch(Op::$b) && !is_jump(Op::$b)
    };
    (branch, $b:ident) => {
        is_branch(Op::$b)
    };
    (jump, $b:ident) => {
        is_jump(Op::$b)
    };
}

pairs! {
    // The compute benchmark's most frequent adjacent pairs (QEMU's instruction trace).
    Add Add plain,
    Add Sb plain,
    Sb Bltu branch,
    Addi Add plain,
    Add Lbu plain,
    Lbu Addi plain,
    Beq Add plain,
    Add Bne branch,
    Sw Addi plain,
    Lw Bgeu branch,
    Addi Bne branch,
    Bgeu Addi plain,
    Addi Sw plain,
    And And plain,
    Xor Xor plain,
    Addi Addi plain,
    Srli Srli plain,
    And Xor plain,
    Addi Xor plain,
    Xor Andi plain,
    Xor Srli plain,
    Slli Xor plain,
    Bltu Addi plain,
    Addi Bltu branch,
    Mul Add plain,
    Add Bltu branch,
    Slliw Slliw plain,
    Slliw Srai plain,
    Addi And plain,
    Addi Beq branch,
    Add Addi plain,
    Bne Addi plain,
    Andi Sltu plain,
    Sltu Addi plain,
    And Mul plain,
    Srli Xor plain,
    Xor Slli plain,
    Sd Addi plain,
    Slli Add plain,
    Sd Sd plain,
    Addi Mul plain,
    Slli Addi plain,
    Mul Addi plain,
    Andi Slli plain,
    And Slli plain,
    Slli Srai plain,
    Srai And plain,
    Srliw And plain,
    // Common in compiled code generally (kernels, servers, user programs): constants and
    // addresses, stack frames, calls and returns.
    Lui Addi plain,
    Lui Addiw plain,
    Auipc Addi plain,
    Auipc Ld plain,
    Auipc Jalr jump,
    Ld Ld plain,
    Ld Addi plain,
    Ld Add plain,
    Add Ld plain,
    Addi Ld plain,
    Addi Sd plain,
    Lw Addi plain,
    Ld Bne branch,
    Ld Beq branch,
    Add Beq branch,
    Lbu Bne branch,
    Addi Jalr jump,
    Ld Jalr jump,
    Addi Jal jump,
    Add Jal jump,
    // The kernels', servers' and usertests' most frequent pairs not above (static counts).
    Addi Auipc plain,
    Add Auipc plain,
    Addi Slli plain,
    Ld Sd plain,
    Slli Slli plain,
    Beq Addi plain,
    Sd Ld plain,
    Lbu Lbu plain,
    Slli Srli plain,
    Slli Bne branch,
    Beq Ld plain,
    Slli Or plain,
    Bne Ld plain,
    Sw Sw plain,
    Beq Lw plain,
    Addi Lui plain,
    Sd Jal jump,
    Bne Jal jump,
}

/// Gives the elements of one functional-mode block their specialised handlers (timing mode has
/// none, see the module note). `loops[k]`: element `k` is a conditional branch whose target is
/// the block's start.
pub(crate) fn specialise(block: &mut [Decoded], loops: &[bool]) {
    let len = block.len();
    for (k, d) in block.iter_mut().enumerate() {
        if loops[k] {
            d.handler = loop_handler(d.insn.op, k + 1 == len);
        }
    }
    let mut k = 0;
    while k + 1 < len {
        // A loop branch keeps its own handler (a fused first leaves its block the plain way).
        let h = if loops[k] {
            None
        } else {
            pair_handler(
                block[k].insn.op,
                block[k + 1].insn.op,
                k + 2 == len,
                loops[k + 1],
            )
        };
        match h {
            Some(h) => {
                block[k].handler = h;
                k += 2;
            }
            None => k += 1,
        }
    }
}

/// The `LOOP` handler of conditional branch `op` (`last`: it ends its block).
fn loop_handler(op: Op, last: bool) -> Handler {
    debug_assert!(is_branch(op));
    macro_rules! lp {
        ($($op:ident),*) => {
            match (op, last) {
                $(
                    (Op::$op, false) => element::<{ Op::$op as usize }, false, false, true>,
                    (Op::$op, true) => element::<{ Op::$op as usize }, true, false, true>,
                )*
                _ => unreachable!("{op:?} is not a conditional branch"),
            }
        };
    }
    lp!(Beq, Bne, Blt, Bge, Bltu, Bgeu)
}
