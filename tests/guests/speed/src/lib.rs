//! speed: what the speed-measurement programs share — the console and the iteration count N, which
//! comes from the kernel command line (`/chosen/bootargs`, `-append "N"`), 1000 when absent.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

use rt::board::Board;
use rt::console::Uart;

/// N when the command line gives none (or nothing that parses as a number).
pub const DEFAULT_ITERATIONS: u64 = 1000;

/// The console UART (from the device tree, else UART0) and N (the first word of bootargs).
pub fn setup(dtb: usize) -> (Uart, u64) {
    // Safety: the boot protocol puts the address of the device tree in a1, and nothing writes it.
    let board = unsafe { Board::from_addr(dtb) };
    let uart = match board.as_ref().and_then(|b| b.uart()) {
        // Safety: the device tree says an NS16550A-compatible UART is there.
        Some(info) => unsafe { Uart::new(info.base, info.reg_shift) },
        None => Uart::console(),
    };
    let iterations = board
        .as_ref()
        .and_then(|b| b.bootargs())
        .and_then(|args| args.split_ascii_whitespace().next())
        .and_then(|word| word.parse().ok())
        .unwrap_or(DEFAULT_ITERATIONS);
    (uart, iterations)
}
