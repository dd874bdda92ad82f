//! bench: the guest side of `klab bench` (lmbench-style micro-benchmarks, the same binary on both
//! kernels). `bench CASE N [ARGS…]` warms up, measures N operations of CASE (or the nearest count
//! the case's unit allows) inside region 1 and prints one line,
//! `bench CASE: ops=OPS cycles=C instructions=I[ note=TEXT]`, exiting 0; any failure prints
//! `bench CASE: FAIL WHAT` and exits 1. `bench list` prints the case names. The host's
//! catalogue (`lab/src/bench/catalog.rs`) names the command lines it runs.
//!
//! Children the cases start run this program again with an `@ROLE` as `argv[1]`
//! ([`ROLES`]); they never use markers and say `bench @ROLE: FAIL WHAT` on stderr (status 1)
//! when something goes wrong, which their parent then reports.
//!
//! One file per theme: [`harness`] (warm-up, region, result line), [`bare`] (the thin loops'
//! inlined `ecall`s), [`syscall`], [`file`], [`pipe`], [`switch`] (call, coroutine, threads,
//! processes), [`ring`], [`ipc`], [`signal`], [`memory`], [`process`] (spawn, pipeline), [`ipc_mech`] (fifos, sockets,
//! futexes, semaphores, `memcpy`), [`io`] (the IO models, thread and coroutine creation), [`irq`]
//! (the alarm interrupt's path to a blocked reader). The
//! futexes and semaphores between threads, `memcpy`), [`shm`] (shared memory between processes:
//! `shm-rt`, `sem-rt`, `shm-bw`), [`io`] (the IO models, thread and coroutine creation). The
//! ladder's cases (`thread-switch`, `process-switch`, `getpid`, `ipc`, `pipe-rt`) run thin loops; `getpid-lib`,
//! `pipe-rt-lib` and `ipc-lib` are the same operations through `ulib`.

#[macro_use]
mod harness;

mod bare;
mod file;
mod io;
mod ipc;
mod ipc_mech;
mod irq;
mod memory;
mod pipe;
mod process;
mod ring;
mod shm;
mod signal;
mod switch;
mod syscall;

use alloc::vec::Vec;

use ulib::{eprintln, println};

use harness::{Outcome, Report};

/// Exit status of a failed case or role.
const FAILED: i32 = 1;

/// One case: `bench NAME N PARAMS…`.
struct Case {
    /// Its name (`CASE`).
    name: &'static str,
    /// Its parameters after N, by name (for the usage line); each is a non-negative integer.
    params: &'static [&'static str],
    /// Measures `n` operations with these parameters.
    run: fn(n: u64, params: &[u64]) -> Outcome<Report>,
}

/// A [`Case`] (one line each in the table).
const fn case(
    name: &'static str,
    params: &'static [&'static str],
    run: fn(u64, &[u64]) -> Outcome<Report>,
) -> Case {
    Case { name, params, run }
}

/// Every case, in the catalogue's order.
const CASES: &[Case] = &[
    case("call", &[], switch::call),
    case("coroutine", &[], switch::coroutine),
    case("thread-switch", &[], switch::thread_switch),
    case("process-switch", &[], switch::process_switch),
    case("getpid", &[], syscall::getpid),
    case("getpid-lib", &[], syscall::getpid_lib),
    case("null-write", &[], syscall::null_write),
    case("zero-read", &[], syscall::zero_read),
    case("fstat", &[], syscall::fstat),
    case("open-close", &[], file::open_close),
    case("file", &["KIB"], file::create_delete),
    case("pipe-rt", &[], pipe::round_trip),
    case("pipe-rt-lib", &[], pipe::round_trip_lib),
    case("pipe-bw", &[], pipe::bandwidth),
    case("ipc", &["LEASE_BYTES"], ipc::round_trip),
    case("ipc-lib", &["LEASE_BYTES"], ipc::round_trip_lib),
    case("ring", &["PROCESSES", "KIB"], ring::ring),
    case("spawn", &[], process::spawn),
    case("sig-catch", &[], signal::catch),
    case("sig-install", &[], signal::install),
    case("page-fault", &[], memory::page_fault),
    case("mmap", &["PAGES"], memory::mmap),
    case("pipeline", &[], process::pipeline),
    case("fifo-rt", &[], ipc_mech::fifo_rt),
    case("unix-rt", &[], ipc_mech::unix_rt),
    case("shm-rt", &[], shm::shm_rt),
    case("sem-rt", &[], shm::sem_rt),
    case("unix-bw", &[], ipc_mech::unix_bw),
    case("bw-mem", &[], ipc_mech::bw_mem),
    case("mq-rt", &[], ipc_mech::mq_rt),
    case("io-threads", &["N"], io::threads),
    case("io-poll", &["N"], io::poll_model),
    case("io-select", &["N"], io::select_model),
    case("io-epoll", &["N"], io::epoll_model),
    case("io-coro", &["N"], io::coro),
    case("thread-create", &[], io::thread_create),
    case("coro-create", &[], io::coro_create),
    case("copy-1m", &[], io::copy_1m),
    case("sendfile-1m", &[], io::sendfile_1m),
    case("io-async", &["N"], io::async_model),
    case("io-procs", &["N"], io::procs),
    case("irq-latency", &[], irq::latency),
    case("shm-bw", &[], shm::shm_bw),
    case("shm-rt-thr", &[], ipc_mech::shm_rt_thr),
    case("sem-rt-thr", &[], ipc_mech::sem_rt_thr),
    case("sig-rt", &[], signal::round_trip),
];

/// One child role: `bench @NAME PARAMS…`.
struct Role {
    /// Its name, `@` included.
    name: &'static str,
    /// How many integer parameters it takes.
    params: usize,
    /// Plays the role.
    run: fn(params: &[u64]) -> Outcome,
}

/// A [`Role`] (one line each in the table).
const fn role(name: &'static str, params: usize, run: fn(&[u64]) -> Outcome) -> Role {
    Role { name, params, run }
}

/// Every child role.
const ROLES: &[Role] = &[
    role(pipe::ECHO, 1, pipe::echo),
    role(pipe::ECHO_LIB, 1, pipe::echo_lib),
    role(pipe::WRITER, 1, pipe::writer),
    role(switch::YIELDER, 1, switch::yielder),
    role(ring::MEMBER, 1, ring::member),
    role(ipc::CLIENT, 3, ipc::client),
    role(ipc::CLIENT_LIB, 3, ipc::client_lib),
    role(ipc_mech::FIFO_ECHO, 0, ipc_mech::fifo_echo),
    role(ipc_mech::MQ_ECHO, 0, ipc_mech::mq_echo),
    role(io::DRAIN, 1, io::drain),
    role(io::ECHO_PROC, 0, io::echo_proc),
    role(shm::SHM_PARTNER, 1, shm::shm_partner),
    role(shm::SEM_PARTNER, 1, shm::sem_partner),
    role(shm::SHM_WRITER, 1, shm::shm_writer),
    role(signal::SIG_ECHO, 2, signal::echo),
];

/// The usage line.
const USAGE: &str = "usage: bench [--mark-ops] CASE N [ARGS…] | bench list";

/// The flag that makes the harness mark each measured operation (for `klab run … --timeline`).
const MARK_OPS: &str = "--mark-ops";

/// `bench`'s main: runs a case, a role or `list`; the exit status. `--mark-ops` before the case
/// marks each measured operation's boundary (see `harness::measure`).
pub fn main(args: ulib::Args) -> i32 {
    let marked = args.get(1) == Some(MARK_OPS);
    if marked {
        harness::mark_ops();
    }
    let first = 1 + usize::from(marked);
    let Some(name) = args.get(first) else {
        eprintln!("{USAGE}");
        return FAILED;
    };
    if name == "list" {
        CASES.iter().for_each(|c| println!("{}", c.name));
        return 0;
    }
    let numbers: Option<Vec<u64>> = args
        .iter()
        .skip(first + 1)
        .map(|a| a.parse().ok())
        .collect();
    if name.starts_with('@') {
        return run_role(name, numbers);
    }
    let Some(case) = CASES.iter().find(|c| c.name == name) else {
        harness::print_fail(
            name,
            &harness::Fail("unknown case (bench list names them)".into()),
        );
        return FAILED;
    };
    let result = match numbers.as_deref() {
        Some([n, params @ ..]) if *n > 0 && params.len() == case.params.len() => {
            (case.run)(*n, params)
        }
        _ => harness::fail(format_args!(
            "usage: bench {} N{}{} (N > 0, integers)",
            case.name,
            if case.params.is_empty() { "" } else { " " },
            case.params.join(" ")
        )),
    };
    match result {
        Ok(report) => {
            harness::print_report(name, &report);
            0
        }
        Err(f) => {
            harness::print_fail(name, &f);
            FAILED
        }
    }
}

/// Plays child role `name` with `params`; the exit status.
fn run_role(name: &str, params: Option<Vec<u64>>) -> i32 {
    let result = match (ROLES.iter().find(|r| r.name == name), params) {
        (Some(role), Some(p)) if p.len() == role.params => (role.run)(&p),
        (Some(role), _) => harness::fail(format_args!(
            "usage: {} takes {} integers",
            role.name, role.params
        )),
        (None, _) => harness::fail("unknown role"),
    };
    match result {
        Ok(()) => 0,
        Err(f) => {
            eprintln!("bench {name}: FAIL {}", f.0);
            FAILED
        }
    }
}
