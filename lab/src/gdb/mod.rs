//! `klab run --gdb [ADDR:]PORT`: a GDB remote stub (through the `gdbstub` crate) serving the
//! machine, which is halted before its first instruction until GDB says to run.
//!
//! One file per concern: `arch` (registers and the target description), `target` (registers
//! and memory), `breakpoints` (`Z`/`z` packets), `resume` (continue, step, Ctrl-C, stop reports),
//! `monitor` (`qRcmd`). The emulator's side is `emu::machine::{debug, inspect}`.
//!
//! Sessions and their ends:
//! - the guest exits (or the run ends otherwise): GDB gets `W`/`X` and klab exits as `klab run`
//!   does, with the guest's status;
//! - `detach`: breakpoints and watchpoints go, the guest runs on to its end without the debugger,
//!   and klab exits with its status;
//! - `kill`: klab exits at once with status 137;
//! - the connection drops, or GDB (or anything else) sends what the protocol does not allow:
//!   klab says so on stderr, removes the breakpoints and watchpoints (GDB inserts its own again
//!   when it reconnects) and waits, halted, for a new connection on the same address.

mod arch;
mod breakpoints;
pub(crate) mod monitor;
mod resume;
mod target;

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use anyhow::Context;
use emu::{Exit, Machine};
use gdbstub::conn::ConnectionExt;
use gdbstub::stub::{DisconnectReason, GdbStub};

use resume::EventLoop;
use target::{KlabTarget, Mode};

/// How long an idle hart waits for live console input before looking at the connection.
const LIVE_WAIT: Duration = Duration::from_millis(50);

/// Largest packet klab accepts (GDB's `PacketSize`); longer ones end the session.
const PACKET_SIZE: usize = 16 * 1024;

/// How a debugging session left the machine.
#[derive(Debug)]
pub enum Outcome {
    /// The run is over: how it ended.
    Ended(Exit),
    /// GDB killed it.
    Killed,
}

/// Parses `[ADDR:]PORT` (the address defaults to 127.0.0.1; port 0 picks a free one).
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Some(port) = s.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()) {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| {
        format!(
            "`{s}` is not [ADDR:]PORT (e.g. 1234, 127.0.0.1:1234, [::1]:1234, 0 for any free port)"
        )
    })
}

/// Serves GDB on `addr` until the run is over or GDB kills it. `limit` is `--max-insns`.
pub fn serve(m: &mut Machine, addr: SocketAddr, limit: Option<u64>) -> anyhow::Result<Outcome> {
    let listener =
        TcpListener::bind(addr).with_context(|| format!("cannot listen for gdb on {addr}"))?;
    let local = listener
        .local_addr()
        .context("cannot read the gdb address")?;
    m.set_live_wait_limit(Some(LIVE_WAIT));
    loop {
        eprintln!("klab: waiting for gdb on {local}");
        let stream = match listener.accept() {
            Ok((stream, peer)) => {
                eprintln!("klab: gdb connected from {peer}");
                stream
            }
            Err(e) => {
                eprintln!("klab: a gdb connection failed ({e})");
                continue;
            }
        };
        let (result, ended) = session(m, stream, limit);
        match result {
            Ok(DisconnectReason::TargetExited(code)) => {
                return Ok(Outcome::Ended(ended.unwrap_or(Exit::Status(code.into()))));
            }
            Ok(DisconnectReason::TargetTerminated(_)) => {
                return Ok(Outcome::Ended(ended.unwrap_or(Exit::Reset)));
            }
            Ok(DisconnectReason::Disconnect) => {
                m.clear_debug();
                m.set_live_wait_limit(None);
                eprintln!("klab: gdb detached; the guest runs on to its end without it");
                return Ok(Outcome::Ended(run_to_end(m, limit)));
            }
            Ok(DisconnectReason::Kill) => {
                eprintln!("klab: killed by gdb at pc {:#x}", m.hart.pc);
                return Ok(Outcome::Killed);
            }
            Err(why) => {
                if let Some(exit) = ended {
                    // The run ended but the report did not reach GDB: it is over all the same.
                    return Ok(Outcome::Ended(exit));
                }
                m.clear_debug();
                eprintln!(
                    "klab: the gdb session ended ({why}); the machine stays halted at pc {:#x} in {}-mode after {} instructions (breakpoints and watchpoints removed)",
                    m.hart.pc,
                    m.hart.privilege.letter(),
                    m.executed()
                );
            }
        }
    }
}

/// Runs one session on `stream` (a TCP stream, or an in-memory one for the fuzz targets): how
/// it ended (or why it failed), and how the run ended if it did.
pub(crate) fn session<C: ConnectionExt<Error = std::io::Error>>(
    m: &mut Machine,
    stream: C,
    limit: Option<u64>,
) -> (Result<DisconnectReason, String>, Option<Exit>) {
    let mut target = KlabTarget {
        m,
        mode: Mode::Continue,
        limit,
        ended: None,
    };
    let gdb = match GdbStub::<KlabTarget<'_>, C>::builder(stream)
        .packet_buffer_size(PACKET_SIZE)
        .build()
    {
        Ok(gdb) => gdb,
        Err(e) => return (Err(e.to_string()), None),
    };
    let r = gdb.run_blocking::<EventLoop<'_, C>>(&mut target);
    (r.map_err(|e| e.to_string()), target.ended)
}

/// Runs `m` to the end of its run (after a detach).
fn run_to_end(m: &mut Machine, limit: Option<u64>) -> Exit {
    loop {
        match m.run(limit) {
            Exit::Debug(_) => continue,
            exit => return exit,
        }
    }
}
