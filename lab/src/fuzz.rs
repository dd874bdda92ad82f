//! Entry points for the fuzz targets of klab's own input handling (crate `klab-fuzz`): each
//! takes arbitrary bytes and must return, without panicking, in bounded time. What they drive is
//! the code klab runs on hostile input — the GDB remote protocol, report merging and comparing —
//! through the same functions `klab run --gdb`, `klab report` and `klab compare` use.

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use emu::loader::minimal_elf;
use emu::memmap::RAM_BASE;
use emu::{Config, ElfImage, Machine};
use gdbstub::conn::{Connection, ConnectionExt};

use crate::bench::{files, merge};

/// The instructions a fuzzed GDB session may run in all (`c` runs to this limit at most).
const GDB_INSN_LIMIT: u64 = 20_000;

/// How much of what the stub sends a fuzzed session keeps.
const MAX_KEPT: usize = 64 << 10;

/// The most reports one input is split into.
const MAX_REPORTS: usize = 4;

/// The guest a fuzzed GDB session debugs: counts in a0 and stores the count to RAM, forever
/// (watchpoints and breakpoints have something to hit).
fn guest() -> Vec<u8> {
    let words: [u32; 5] = [
        0x0000_0297, // auipc t0, 0
        0x0015_0513, // addi  a0, a0, 1
        0x10a2_b023, // sd    a0, 256(t0)
        0xff9f_f06f, // j     -8 (back to the addi)
        0x0000_0073, // ecall (never reached)
    ];
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A connection replaying `input` and keeping the start of what the stub sends. The input ends
/// the session when it runs out; while the machine runs, only an interrupt (0x03) is delivered,
/// as a real GDB waits for the stop reply before it sends its next packet. The state is shared
/// so that the next session (after one the stub ended) goes on where the last one stopped.
#[derive(Clone)]
struct Replay(Rc<RefCell<Wire>>);

/// Both directions of a replayed connection.
struct Wire {
    input: Vec<u8>,
    pos: usize,
    sent: Vec<u8>,
}

fn eof() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the fuzz input ended")
}

impl Connection for Replay {
    type Error = io::Error;

    fn write(&mut self, byte: u8) -> io::Result<()> {
        let mut w = self.0.borrow_mut();
        if w.sent.len() < MAX_KEPT {
            w.sent.push(byte);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl ConnectionExt for Replay {
    fn read(&mut self) -> io::Result<u8> {
        let mut w = self.0.borrow_mut();
        let b = *w.input.get(w.pos).ok_or_else(eof)?;
        w.pos += 1;
        Ok(b)
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        let w = self.0.borrow();
        match w.input.get(w.pos) {
            None => Err(eof()),
            Some(&0x03) => Ok(Some(0x03)),
            Some(_) => Ok(None),
        }
    }
}

/// The bytes GDB would send for `data`: each line is a packet body, framed `$body#checksum`
/// (so mutations reach the commands rather than the checksum), except a line starting `!`,
/// sent as it is (framing, acks, `\x03`).
pub fn gdb_wire(data: &[u8]) -> Vec<u8> {
    let mut wire = Vec::with_capacity(data.len() + 8);
    for line in data.split(|&b| b == b'\n') {
        if let Some(raw) = line.strip_prefix(b"!") {
            wire.extend_from_slice(raw);
            continue;
        }
        let sum = line.iter().fold(0u8, |s, &b| s.wrapping_add(b));
        wire.push(b'$');
        wire.extend_from_slice(line);
        wire.extend_from_slice(format!("#{sum:02x}").as_bytes());
    }
    wire
}

/// One GDB session over `data` (see [`gdb_wire`]) against a small guest, at most
/// `GDB_INSN_LIMIT` instructions. Returns what the stub sent (its first 64 KiB).
pub fn gdb_session(data: &[u8]) -> Vec<u8> {
    let elf = minimal_elf(RAM_BASE, &guest(), 4096);
    let image = ElfImage::parse(&elf).expect("the fuzz guest is a valid ELF");
    let config = Config {
        ram_size: 4 << 20,
        ..Config::default()
    };
    let mut m = Machine::new(config, &image).expect("the fuzz guest boots");
    let wire = Replay(Rc::new(RefCell::new(Wire {
        input: gdb_wire(data),
        pos: 0,
        sent: Vec::new(),
    })));
    // As `klab run --gdb` does: a session the stub ends on bad input is followed by the next
    // connection (here, the rest of the input), the machine halted where it was.
    loop {
        let (result, ended) = crate::gdb::session(&mut m, wire.clone(), Some(GDB_INSN_LIMIT));
        let w = wire.0.borrow();
        if result.is_ok() || ended.is_some() || w.pos >= w.input.len() {
            break;
        }
        drop(w);
        m.clear_debug();
    }
    std::mem::take(&mut wire.0.borrow_mut().sent)
}

/// Parses `data` as up to four report.json texts separated by NUL bytes, compares the first two
/// that parse (every rendering of `klab compare`), merges them all, and renders the merged
/// report as the table and Markdown. Returns the merged result count, or `None` if nothing
/// parsed or the merge refused.
pub fn report_merge(data: &[u8]) -> Option<usize> {
    let reports: Vec<_> = data
        .split(|&b| b == 0)
        .take(MAX_REPORTS)
        .filter_map(|part| files::parse(std::str::from_utf8(part).ok()?, "fuzz").ok())
        .collect();
    if reports.is_empty() {
        return None;
    }
    if let [a, b, ..] = reports.as_slice() {
        let side = |r: &crate::bench::model::Report| crate::compare::pair::Input {
            label: "fuzz".to_string(),
            source: "fuzz".to_string(),
            kernel: None,
            report: r.clone(),
        };
        let c = crate::compare::pair::compare(&side(a), &side(b));
        let _ = crate::compare::text::table(&c);
        let _ = crate::compare::text::markdown(&c);
        let _ = crate::compare::text::csv(&c);
        let _ = crate::compare::html::render(&c);
        let _ = crate::compare::render(&c, crate::export::Format::Json);
        let _ = crate::compare::kernels_table(a);
    }
    let merged = merge::merge(reports).ok()?;
    let _ = crate::report::table(&merged);
    let _ = crate::report::markdown(&merged);
    Some(merged.results.len())
}
