//! Coroutines: minimal stackful coroutines on one thread. A [`Coroutine`] runs its body on its
//! own heap-allocated stack; [`Coroutine::resume`] switches to it, and the body switches back with
//! [`Yielder::suspend`] (or by returning). A switch is [`ulib_coro_switch`]: it saves the
//! callee-saved registers (`ra`, `s0`–`s11`; the target has no floating point) on the current
//! stack, stores `sp`, loads the other side's `sp` and restores its registers — the cost of a
//! function call plus 26 loads and stores, with no kernel involved.
//!
//! ```text
//! a suspended side's stack, at its saved sp:
//!   sp + 0    ra   where it resumes (`ulib_coro_entry` for a body not yet started)
//!   sp + 8    s0   (for a body not yet started: its `Context`)
//!   sp + 16   s1
//!   ...
//!   sp + 96   s11
//!   sp + 112  the rest of its frames
//! ```
//!
//! Left out: passing values through the switch (share state through the body's captures),
//! moving coroutines between threads, and unwinding: dropping a suspended coroutine frees its
//! stack without running the destructors of what its body holds there (they leak).

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// Bytes of the register frame a switch saves: `ra` and `s0`–`s11`, rounded up to the 16-byte
/// stack alignment of the RISC-V psABI.
const FRAME: usize = 112;

/// The least stack a coroutine gets (room for its first frame and a little more).
pub const MIN_STACK: usize = 1024;

core::arch::global_asm!(
    r#"
    .section .text.ulib_coro_switch, "ax", @progbits
    .globl ulib_coro_switch
    .p2align 2
ulib_coro_switch:
    addi sp, sp, -{frame}
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    sd sp, 0(a0)
    mv sp, a1
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, {frame}
    ret

    .section .text.ulib_coro_entry, "ax", @progbits
    .globl ulib_coro_entry
    .p2align 2
ulib_coro_entry:
    mv a0, s0
    mv ra, zero
    call {body}
    unimp
"#,
    frame = const FRAME,
    body = sym coro_body,
);

unsafe extern "C" {
    /// Saves the callee-saved registers on the current stack, stores `sp` at `save`, and resumes
    /// the side whose saved `sp` is `to`.
    ///
    /// # Safety
    /// `save` must be writable; `to` must be a stack pointer a switch saved (or
    /// [`Coroutine::new`] prepared) whose side has not been resumed since.
    fn ulib_coro_switch(save: *mut usize, to: usize);
    /// Where a new coroutine's first resume lands: calls [`coro_body`] with its `Context` (`s0`).
    fn ulib_coro_entry();
}

/// A coroutine's body, boxed until it starts.
type Body = Box<dyn FnOnce(&Yielder)>;

/// What both sides of a coroutine share. It lives in a `Box` so that its address stays fixed
/// while the [`Coroutine`] that owns it moves.
struct Context {
    /// The coroutine's saved `sp` while it is suspended.
    coro_sp: usize,
    /// The resumer's saved `sp` while the coroutine runs.
    resumer_sp: usize,
    /// Whether the body has returned (the coroutine is never resumed again).
    done: bool,
    /// The body, until its first resume takes it.
    body: Option<Body>,
}

/// A coroutine: a body with its own stack, run a piece at a time by [`Coroutine::resume`].
pub struct Coroutine {
    /// Owned: made by `Box::into_raw`, freed in `drop`.
    ctx: *mut Context,
    /// The stack (`u128`s, for its 16-byte alignment); the coroutine's frames live in it.
    _stack: Vec<u128>,
}

/// The body's handle on its coroutine: how it gives control back.
pub struct Yielder {
    ctx: *mut Context,
}

impl Coroutine {
    /// A coroutine that will run `body` on a stack of `stack_bytes` (at least [`MIN_STACK`]);
    /// nothing runs until the first [`Coroutine::resume`].
    pub fn new(stack_bytes: usize, body: impl FnOnce(&Yielder) + 'static) -> Coroutine {
        let words = stack_bytes.max(MIN_STACK).div_ceil(16);
        let mut stack = vec![0u128; words];
        let ctx = Box::into_raw(Box::new(Context {
            coro_sp: 0,
            resumer_sp: 0,
            done: false,
            body: Some(Box::new(body)),
        }));
        // The first frame, as a switch would have saved it: `ra` = the entry, `s0` = `ctx`.
        let top = stack.as_mut_ptr_range().end as usize;
        let sp = top - FRAME;
        let frame = sp as *mut usize;
        // Safety: `sp..top` is the top `FRAME` bytes of `stack`, 16-byte aligned, and nothing
        // else uses the stack yet.
        unsafe {
            frame.write(ulib_coro_entry as *const () as usize);
            frame.add(1).write(ctx as usize);
            (*ctx).coro_sp = sp;
        }
        Coroutine { ctx, _stack: stack }
    }

    /// Runs the body until it suspends (true) or returns (false); false at once, without a
    /// switch, once it has returned.
    pub fn resume(&mut self) -> bool {
        let ctx = self.ctx;
        // Safety: `ctx` is live (we own it); the coroutine is suspended (it runs only inside
        // this call), so `coro_sp` is the stack pointer its last switch saved, and its stack is
        // alive in `self`.
        unsafe {
            if (*ctx).done {
                return false;
            }
            ulib_coro_switch(&raw mut (*ctx).resumer_sp, (*ctx).coro_sp);
            !(*ctx).done
        }
    }

    /// Whether the body has returned.
    pub fn is_done(&self) -> bool {
        // Safety: `ctx` is live (we own it) and the coroutine is not running.
        unsafe { (*self.ctx).done }
    }
}

impl Drop for Coroutine {
    fn drop(&mut self) {
        // Safety: `ctx` came from `Box::into_raw` in `new` and is freed only here; the coroutine
        // is not running (it runs only inside `resume`, which borrows `self`).
        drop(unsafe { Box::from_raw(self.ctx) });
    }
}

impl Yielder {
    /// Switches back to whoever resumed the coroutine; returns when it is resumed again.
    pub fn suspend(&self) {
        let ctx = self.ctx;
        // Safety: the body runs only inside `resume`, so the `Coroutine` (and `ctx`) is alive,
        // and `resumer_sp` is what that `resume`'s switch saved.
        unsafe { ulib_coro_switch(&raw mut (*ctx).coro_sp, (*ctx).resumer_sp) };
    }
}

/// The bottom frame of every coroutine: runs the body, marks it done and switches back for the
/// last time.
extern "C" fn coro_body(ctx: *mut Context) -> ! {
    // Safety: `ulib_coro_entry` passes the `Context` `Coroutine::new` put in `s0`; it is alive
    // while the coroutine runs (see `Yielder::suspend`).
    let body = unsafe { (*ctx).body.take() };
    if let Some(body) = body {
        body(&Yielder { ctx });
    }
    // Safety: as above; after this switch the coroutine is never resumed (`done`).
    unsafe {
        (*ctx).done = true;
        ulib_coro_switch(&raw mut (*ctx).coro_sp, (*ctx).resumer_sp);
    }
    unreachable!("a finished coroutine was resumed")
}
