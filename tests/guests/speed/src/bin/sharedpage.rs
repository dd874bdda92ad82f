//! sharedpage: how fast does the machine run a loop whose data shares a 4 KiB page with its code?
//! The loop and a 256-byte buffer sit in one page-aligned block of `.text`; each of N * 1000
//! iterations (N from `-append "N"`, default 1000) loads a word of the buffer, adds the iteration
//! number and stores it back, so every iteration writes the page it executes from (without ever
//! writing the loop's own instructions). At the end it prints `sharedpage: n=N sum=0x...` (the sum of
//! the buffer, the same on every correct machine) and exits with status 0.
//!
//! Per iteration: 8 instructions, one load and one store.
#![no_std]
#![no_main]

use core::fmt::Write;

/// Iterations per unit of N.
const ITERATIONS_PER_UNIT: u64 = 1000;

core::arch::global_asm!(
    r#"
.section .text.sharedpage, "ax"
.balign 4096
# shared_loop(count): count iterations of buf[i % 32] += i; returns the sum of buf.
.globl shared_loop
shared_loop:
    la t0, shared_buf
    li t1, 0
    beqz a0, 2f
1:  andi t2, t1, 31
    slli t2, t2, 3
    add t2, t2, t0
    ld t3, 0(t2)
    add t3, t3, t1
    sd t3, 0(t2)
    addi t1, t1, 1
    bne t1, a0, 1b
2:  li a0, 0
    li t1, 32
3:  ld t3, 0(t0)
    add a0, a0, t3
    addi t0, t0, 8
    addi t1, t1, -1
    bnez t1, 3b
    ret
.balign 64
.globl shared_buf
shared_buf:
    .zero 256
"#
);

unsafe extern "C" {
    fn shared_loop(count: u64) -> u64;
}

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let (mut out, n) = speed::setup(dtb);
    // Safety: `shared_loop` only touches its own buffer (in its page of `.text`, which M-mode may
    // write: no PMP entry locks it) and follows the C calling convention.
    let sum = unsafe { shared_loop(n.saturating_mul(ITERATIONS_PER_UNIT)) };
    let _ = writeln!(out, "sharedpage: n={n} sum={sum:#018x}");
    rt::exit(0)
}
