//! The calling side of ipctest (`ipctest client EP AUX`): makes the calls of the case table with
//! patterned words and leases, checks every reply word and every byte of its buffers afterwards
//! (what the server wrote, what it must not have touched, and the guard bytes around each
//! lease), then notifications, then calls the kernel must refuse, then `done`. It prints one line
//! per group; the first failure prints `ipctest: FAIL client: …` and exits 1.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use abi::ipc::lease::{READ, WRITE};
use abi::layout::PAGE_SIZE;
use abi::types::prot;
use ulib::ipc::{self, Badge, Lease};
use ulib::{println, sys};

use crate::proto::{
    Case, Checks, FAILED, GUARD, GUARD_BYTE, LeaseSpec, PASSED, cases, client_seed, compare, fill,
    label, reply_word, server_seed, show, word,
};

/// An endpoint number no kernel hands out (endpoints are small integers).
const NO_ENDPOINT: usize = 0x7fff_0000;
/// The two notifications' bits.
const NOTIFY_BITS: [u64; 2] = [0x8000_0000_0000_0001, 0x0000_0100_0010_0000];
/// Calls asking whether the notifications arrived, before giving up.
const NOTIFY_TRIES: usize = 8;

/// Runs every step against the server's endpoint `ep` (and `aux`, another endpoint of the
/// server's that nobody receives on); the exit status.
pub fn run(ep: usize, aux: usize) -> i32 {
    let mut c = Checks::default();
    match steps(&mut c, ep, aux) {
        Ok(()) => PASSED,
        Err(why) => {
            println!("ipctest: FAIL client: {why}");
            FAILED
        }
    }
}

fn steps(c: &mut Checks, ep: usize, aux: usize) -> Result<(), String> {
    let cases = cases();
    for (seq, case) in cases.iter().enumerate() {
        call_case(c, ep, seq, case)?;
        if cases
            .get(seq + 1)
            .is_none_or(|next| next.group != case.group)
        {
            println!("ipctest: {}: ok", case.group.title());
        }
    }
    notify(c, ep)?;
    println!("ipctest: notify: ok");
    let seen = refusals(c, ep, aux)?;
    println!("ipctest: refused calls: ok ({})", seen.join("; "));
    done(c, ep)
}

/// Case `seq`: the call, the reply's tag and words, then each buffer.
fn call_case(c: &mut Checks, ep: usize, seq: usize, case: &Case) -> Result<(), String> {
    let mut bufs = Vec::with_capacity(case.leases.len());
    for (j, spec) in case.leases.iter().enumerate() {
        bufs.push(Buffer::new(spec, client_seed(seq, j)).map_err(|e| {
            format!(
                "case {seq}: a buffer for a {}-byte lease: {}",
                spec.len,
                e.name()
            )
        })?);
    }
    let words: Vec<u64> = (0..case.words).map(|i| word(seq, i)).collect();
    let r = {
        let leases: Vec<Lease> = bufs.iter_mut().map(Buffer::lease).collect();
        ipc::call(ep, label::CASE + seq as u32, &words, &leases)
    };
    let (tag, w) = c.ok(r, || format!("case {seq}: call"))?;
    ensure!(
        c,
        tag.label() == label::OK,
        "case {seq}: the server reported a failure (its line above)"
    );
    ensure!(
        c,
        tag.words() == case.words && tag.leases() == 0,
        "case {seq}: reply tag {tag:?}, want {} words and no leases",
        case.words
    );
    for (i, &got) in w.iter().enumerate().take(case.words) {
        ensure!(
            c,
            got == reply_word(seq, i),
            "case {seq}: reply word {i} is {got:#x}, want {:#x}",
            reply_word(seq, i)
        );
    }
    for (j, b) in bufs.iter_mut().enumerate() {
        b.verify(c, seq, j)?;
    }
    Ok(())
}

/// Two notifications, then calls that ask the server whether their bits arrived: the kernel may
/// deliver a call before a pending notification, so a few tries are allowed.
fn notify(c: &mut Checks, ep: usize) -> Result<(), String> {
    for bits in NOTIFY_BITS {
        c.ok(ipc::notify(ep, bits), || format!("notify({ep}, {bits:#x})"))?;
    }
    let all = NOTIFY_BITS[0] | NOTIFY_BITS[1];
    for _ in 0..NOTIFY_TRIES {
        let (tag, _) = c.ok(ipc::call(ep, label::NOTIFY_CHECK, &[all], &[]), || {
            String::from("the call after notifying")
        })?;
        if tag.label() != label::RETRY {
            ensure!(
                c,
                tag.label() == label::OK,
                "notify: the server reported a failure (its line above)"
            );
            return Ok(());
        }
    }
    Err(format!(
        "notify: the bits {all:#x} had not all reached the server after {NOTIFY_TRIES} calls \
         (are waiting calls always delivered before a pending notification?)"
    ))
}

/// Calls the kernel must refuse without reaching anybody; what it answered, for the summary.
fn refusals(c: &mut Checks, ep: usize, aux: usize) -> Result<Vec<String>, String> {
    let mut seen = Vec::new();
    let mut refused = |c: &mut Checks, what: &str, r: Result<(), ulib::Errno>| {
        ensure!(c, r.is_err(), "{what}: {}, want an error", show(&r));
        seen.push(format!("{what}: {}", show(&r)));
        Ok::<(), String>(())
    };
    let r = ipc::call(NO_ENDPOINT, label::REFUSED, &[], &[]);
    refused(c, "call of an unknown endpoint", r.map(drop))?;
    refused(
        c,
        "notify of an unknown endpoint",
        ipc::notify(NO_ENDPOINT, 1),
    )?;
    // Safety: address 0 is never mapped (programs start at `PROGRAM_BASE`), so the lease lends
    // nothing; a kernel that let it through would deliver it to our own server, which does not
    // touch the leases of a `REFUSED` call.
    let unmapped = unsafe {
        Lease::from_raw(abi::ipc::Lease {
            addr: 0,
            len: 16,
            access: READ,
        })
    };
    let r = ipc::call(ep, label::REFUSED, &[], &[unmapped]);
    refused(c, "a lease of unmapped memory", r.map(drop))?;
    // Safety: program text is mapped read+execute, never writable, so a write lease of it must
    // be refused; if it were not, our own server does not write the leases of a `REFUSED` call.
    let text = unsafe {
        Lease::from_raw(abi::ipc::Lease {
            addr: run as *const () as u64,
            len: 16,
            access: WRITE,
        })
    };
    let r = ipc::call(ep, label::REFUSED, &[], &[text]);
    refused(c, "a write lease of program text", r.map(drop))?;
    let r = ipc::reply(Badge::new(0x7fff_fff0, 0x7fff_fff0), label::OK, &[]);
    refused(c, "a reply to nobody", r)?;
    // Only the endpoint's owner may receive on it. `aux` is the server's and nobody receives on
    // it, so the notification waits there: a kernel that wrongly let us receive would hand it
    // to us at once rather than block.
    c.ok(ipc::notify(aux, 1), || format!("notify({aux}, 1)"))?;
    let r = ipc::recv(aux);
    refused(c, "recv on another process's endpoint", r.map(drop))?;
    Ok(seen)
}

/// The last call, with a one-byte lease the server checks is gone after its reply.
fn done(c: &mut Checks, ep: usize) -> Result<(), String> {
    let one = [0x42u8];
    let r = ipc::call(ep, label::DONE, &[c.passed()], &[Lease::read(&one)]);
    let (tag, _) = c.ok(r, || String::from("done: call"))?;
    ensure!(
        c,
        tag.label() == label::OK,
        "done: the server reported a failure (its line above)"
    );
    Ok(())
}

/// Memory behind one lease: guard bytes, the leased bytes, guard bytes.
struct Buffer {
    mem: Memory,
    /// Where the lease starts in `mem`.
    start: usize,
    spec: LeaseSpec,
    /// What the bytes outside the lease hold.
    guard: u8,
}

/// Where a buffer lives.
enum Memory {
    /// On the heap, filled before the call.
    Heap(Vec<u8>),
    /// A fresh mapping never touched before the call (its bytes are zero).
    Mapped { addr: usize, len: usize },
}

impl Buffer {
    /// A buffer for `spec` whose leased bytes hold the pattern of `seed` (unless fresh).
    fn new(spec: &LeaseSpec, seed: u64) -> Result<Buffer, ulib::Errno> {
        if spec.fresh {
            let len = (spec.misalign + spec.len + GUARD).div_ceil(PAGE_SIZE) * PAGE_SIZE;
            let addr = sys::mmap(len, prot::READ | prot::WRITE)?;
            return Ok(Buffer {
                mem: Memory::Mapped { addr, len },
                start: spec.misalign,
                spec: *spec,
                guard: 0,
            });
        }
        let mut v = vec![GUARD_BYTE; spec.len + PAGE_SIZE + 2 * GUARD];
        let base = v.as_ptr() as usize + GUARD;
        let start = GUARD + (spec.misalign + PAGE_SIZE - base % PAGE_SIZE) % PAGE_SIZE;
        fill(seed, 0, &mut v[start..start + spec.len]);
        Ok(Buffer {
            mem: Memory::Heap(v),
            start,
            spec: *spec,
            guard: GUARD_BYTE,
        })
    }

    /// All of the buffer, guards included.
    fn bytes(&mut self) -> &mut [u8] {
        match &mut self.mem {
            Memory::Heap(v) => v,
            // Safety: a private mapping of `len` bytes that only this buffer uses, until drop.
            Memory::Mapped { addr, len } => unsafe {
                core::slice::from_raw_parts_mut(*addr as *mut u8, *len)
            },
        }
    }

    /// The lease of the buffer's middle, with the spec's access.
    fn lease(&mut self) -> Lease<'_> {
        let (start, len, access) = (self.start, self.spec.len, self.spec.access);
        let area = &mut self.bytes()[start..start + len];
        match access {
            READ => Lease::read(area),
            WRITE => Lease::write(area),
            _ => Lease::read_write(area),
        }
    }

    /// After the call: the leased bytes hold the server's pattern if it could write them and
    /// ours if not, and every guard byte is unchanged.
    fn verify(&mut self, c: &mut Checks, seq: usize, j: usize) -> Result<(), String> {
        let (start, spec, guard) = (self.start, self.spec, self.guard);
        let at = format!("case {seq}: lease {j} ({} bytes)", spec.len);
        let bytes = self.bytes();
        let (before, rest) = bytes.split_at(start);
        let (area, after) = rest.split_at(spec.len);
        let bad = before
            .iter()
            .rposition(|&b| b != guard)
            .map(|i| start - i)
            .or_else(|| after.iter().position(|&b| b != guard).map(|i| i + 1));
        ensure!(
            c,
            bad.is_none(),
            "{at}: a guard byte {} bytes from the lease changed",
            bad.unwrap_or(0)
        );
        let r = if spec.access & WRITE != 0 {
            compare(server_seed(seq, j), 0, area)
        } else {
            compare(client_seed(seq, j), 0, area)
        };
        ensure!(c, r.is_ok(), "{at}: after the reply: {}", r.unwrap_err());
        Ok(())
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if let Memory::Mapped { addr, len } = self.mem {
            // Safety: the buffer is going away and nothing else uses its mapping.
            let _ = unsafe { sys::munmap(addr, len) };
        }
    }
}
