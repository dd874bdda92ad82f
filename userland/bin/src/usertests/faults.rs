//! Tests that watch a victim process die of its own mistake: the kernel must end just that
//! process with the status `abi::types::exit` names for the cause, and stay fine (the dead
//! process is gone, the parent runs on and has nothing left to wait for).

use abi::types::exit::{BREAKPOINT, FAULT, ILLEGAL};
use ulib::{Errno, sys};

use crate::harness::{Outcome, Test, expect_err, no_children, reap, spawn_victim};

/// Runs `victim`, requires status `want`, then that the system is fine.
fn dies(victim: &str, want: i32) -> Outcome {
    let pid = spawn_victim(&[victim], None)?;
    let status = reap(pid)?;
    ensure!(
        status == want,
        "victim {victim}: status {status}, want {want}"
    );
    expect_err(sys::kill(pid), Errno::Srch, "kill the dead victim")?;
    no_children()
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "fault_illegal",
        question: "Does an illegal instruction end the process with status 132?",
        run: || dies("illegal", ILLEGAL),
    },
    Test {
        name: "fault_csr",
        question: "Does reading a supervisor CSR from user mode end the process with 132?",
        run: || dies("csr", ILLEGAL),
    },
    Test {
        name: "fault_ebreak",
        question: "Does ebreak end the process with status 133?",
        run: || dies("ebreak", BREAKPOINT),
    },
    Test {
        name: "fault_null",
        question: "Does a load from address 0 end the process with status 139?",
        run: || dies("null", FAULT),
    },
    Test {
        name: "fault_load_kernel",
        question: "Does a load from kernel memory (0x8000_0000) end the process with 139?",
        run: || dies("load_kernel", FAULT),
    },
    Test {
        name: "fault_store_kernel",
        question: "Does a store to kernel memory end the process with 139?",
        run: || dies("store_kernel", FAULT),
    },
    Test {
        name: "fault_exec_kernel",
        question: "Does jumping into kernel memory end the process with 139?",
        run: || dies("exec_kernel", FAULT),
    },
    Test {
        name: "fault_exec_heap",
        question: "Is the heap not executable: does jumping into it end the process with 139?",
        run: || dies("exec_heap", FAULT),
    },
    Test {
        name: "fault_exec_stack",
        question: "Is the stack not executable: does jumping into it end the process with 139?",
        run: || dies("exec_stack", FAULT),
    },
    Test {
        name: "fault_store_text",
        question: "Is a program's code read-only: does a store to it end the process with 139?",
        run: || dies("store_text", FAULT),
    },
    Test {
        name: "fault_store_rodata",
        question: "Is read-only data read-only: does a store to it end the process with 139?",
        run: || dies("store_rodata", FAULT),
    },
    Test {
        name: "fault_stack_overflow",
        question: "Does runaway recursion stop at the stack guard page with status 139?",
        run: || dies("stack_overflow", FAULT),
    },
    Test {
        name: "fault_munmapped",
        question: "Is unmapped memory gone: does a load from it end the process with 139?",
        run: || dies("munmapped", FAULT),
    },
];
