//! console: `micro`'s console driver — the UART (the `uart` crate, at the page the kernel maps
//! for us at `abi::layout::server::DEVICE`) and the line discipline (`services::tty`), as
//! `mono`'s `console.rs` drives them from its kernel.
//!
//! Only servers talk to it (process id 0): from fs, `CON_WRITE` sends bytes to the UART;
//! `CON_READ` hands out a completed line, or answers `-EAGAIN` and remembers that fs waits —
//! then, when the UART interrupt (a notification) completes a line, fs is notified with
//! `CONSOLE_READY` and retries; `CON_POLL` answers whether a line waits, the same way without
//! taking it (fs's `poll` of the console). From proc, `CON_WATCH` turns watching on or off (the
//! foreground was handed to a job, or taken back by a shell), and `CON_CANCEL` drops the
//! `alarm_wait` of a thread a signal took out of it.
//!
//! Input is taken a line at a time and only while somebody waits (mono's rule): the receive
//! interrupt is on exactly when fs waits for input and the tty has no completed line, so bytes
//! typed ahead wait unechoed in the UART — unless watching, when bytes are taken ahead so a
//! Ctrl-C reaches a job that never reads (`services::tty`'s "Watching"); a Ctrl-C is notified to
//! proc (`CONSOLE_INTR`), which sends `SIGINT` to the foreground group. The console calls nobody.
//!
//! It is micro's device server, so it also drives the board's Goldfish RTC (the `rtc` crate, at
//! `RTC_DEVICE`, when the kernel passed `rtc`): programs' `alarm_arm`, `alarm_wait` and
//! `rtc_time` are forwarded here with their pid in the badge, and kept by `services::alarm`, as
//! `mono`'s kernel keeps them. A wait parks until the RTC's interrupt arrives as a notification
//! (`RTC_IRQ`: the kernel claimed it at the PLIC); the server takes it at the device, wakes the
//! parked waits and acknowledges (`irq_ack(irq::RTC)`). A waiter killed meanwhile is answered
//! by nobody: its reply finds the caller gone. Its state (the line being
//! typed, whether fs waits, the interrupt's setting) outlives a restart (`servers::serve::run`).

#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

use abi::Errno;
use abi::ipc::{Badge, bits, irq, label, level};
use abi::layout::server::{DEVICE, RTC_DEVICE};
use abi::sys::Sys;
use rtc::Rtc;
use servers::serve;
use servers::{Args, Outcome, Pending, Server, kernel, lease};
use services::Wakes;
use services::alarm::Alarm;
use services::tty::Tty;
use uart::Uart;
use ucall::Message;

servers::entry!(c"console", main);

/// Bytes moved per lease copy: a whole line with its `\n` (a read never returns more).
const CHUNK: usize = Tty::LINE_MAX + 1;

/// The server's state.
struct Console {
    /// The line discipline: the line being edited and the completed input.
    tty: Tty,
    /// The UART's registers.
    uart: Uart,
    /// fs has a read parked on us (we answered `-EAGAIN` and have not notified since).
    fs_waits: bool,
    /// Whether the receive interrupt is on.
    rx_on: bool,
    /// Parked `alarm_wait`s (console reads are parked by fs, not here).
    pending: Pending,
    /// The RTC, if the board has one.
    rtc: Option<Rtc>,
    /// The alarm programs arm and wait for.
    alarm: Alarm,
}

fn main(args: Args) -> ! {
    serve::run(level::CONSOLE, || {
        // Safety: the kernel maps the UART's registers at `DEVICE` for this server, read/write.
        let uart = unsafe { Uart::new(DEVICE) };
        uart.set_rx_interrupt(false);
        let rtc = (args.get(1) == Some("rtc")).then(|| {
            // Safety: the kernel passes `rtc` only after mapping the RTC's registers at
            // `RTC_DEVICE` for this server, read/write, and `raised` only if it has `RAISED_*`.
            let rtc = unsafe { Rtc::new(RTC_DEVICE, args.get(2) == Some("raised")) };
            rtc.init();
            rtc
        });
        Console {
            tty: Tty::new(),
            uart,
            fs_waits: false,
            rx_on: false,
            pending: Pending::new(),
            rtc,
            alarm: Alarm::new(),
        }
    })
}

impl Server for Console {
    fn pending(&mut self) -> &mut Pending {
        &mut self.pending
    }

    fn perform(&mut self, msg: &Message, _wakes: &mut Wakes) -> Outcome {
        let label = msg.tag.label();
        if let Some(sys) = Sys::from_number(label as usize) {
            return self.alarm_call(sys, msg);
        }
        if !matches!(
            label,
            label::CON_WRITE
                | label::CON_READ
                | label::CON_WATCH
                | label::CON_POLL
                | label::CON_CANCEL
        ) {
            return Err(Errno::NoSys.into());
        }
        if msg.badge.pid() != 0 {
            return Err(Errno::Perm.into());
        }
        if label == label::CON_WRITE {
            self.write(msg.badge)
        } else if label == label::CON_POLL {
            let uart = self.uart;
            self.tty.cook(&mut |echo| uart.write_bytes(echo));
            let line = self.tty.has_input();
            self.fs_waits |= !line;
            self.listen();
            Ok(usize::from(line))
        } else if label == label::CON_CANCEL {
            Ok(usize::from(self.pending.drop_thread(msg.words[0] as usize)))
        } else if label == label::CON_WATCH {
            self.tty.set_watch(msg.words[0] != 0);
            self.input();
            Ok(0)
        } else {
            let r = self.read(msg.badge);
            self.listen();
            r
        }
    }

    fn notified(&mut self, bits: u64, wakes: &mut Wakes) {
        if bits & bits::IRQ != 0 {
            self.input();
            kernel::irq_ack(irq::UART);
        }
        if bits & bits::RTC_IRQ != 0
            && let Some(rtc) = self.rtc
        {
            let taken = rtc.take();
            self.alarm.fire(taken.time_ns, taken.raised_cycle, wakes);
            kernel::irq_ack(irq::RTC);
        }
    }
}

impl Console {
    /// A program's alarm call (`services::alarm` holds the policy, as in mono's kernel); any
    /// other system call is not ours (`ENOSYS`).
    fn alarm_call(&mut self, sys: Sys, msg: &Message) -> Outcome {
        let rtc = self.rtc.ok_or(Errno::NoSys)?;
        match sys {
            Sys::AlarmArm => {
                let at = self.alarm.arm(rtc.time_ns(), msg.words[0])?;
                rtc.set_alarm(at);
                Ok(at as usize)
            }
            Sys::AlarmWait => {
                let e = self.alarm.wait()?;
                lease::write_all(msg.badge, 0, &e.to_bytes())?;
                Ok(0)
            }
            Sys::RtcTime => Ok(rtc.time_ns() as usize),
            _ => Err(Errno::NoSys.into()),
        }
    }

    /// `CON_WRITE`: lease 0's bytes to the UART, a chunk at a time; the count.
    fn write(&mut self, badge: Badge) -> Outcome {
        let (len, _) = lease::info(badge, 0)?;
        let mut chunk = [0u8; CHUNK];
        let mut done = 0;
        while done < len {
            let n = lease::read(badge, 0, done, &mut chunk[..(len - done).min(CHUNK)])?;
            if n == 0 {
                break;
            }
            self.uart.write_bytes(&chunk[..n]);
            done += n;
        }
        Ok(done)
    }

    /// `CON_READ`: up to lease 0's length of the first completed line, or `-EAGAIN` (fs parks
    /// the read until we notify `CONSOLE_READY`).
    fn read(&mut self, badge: Badge) -> Outcome {
        let (len, _) = lease::info(badge, 0)?;
        let mut chunk = [0u8; CHUNK];
        let buf = &mut chunk[..len.min(CHUNK)];
        // Bytes typed ahead while a job ran are edited now (and echoed).
        let uart = self.uart;
        self.tty.cook(&mut |echo| uart.write_bytes(echo));
        match self.tty.read(buf) {
            Some(n) => {
                lease::write_all(badge, 0, &buf[..n])?;
                Ok(n)
            }
            None => {
                self.fs_waits = true;
                Err(Errno::Again.into())
            }
        }
    }

    /// The UART has input: feed the line discipline until a line is complete, echoing through
    /// the UART (`mono`'s `console_input`); tell a waiting fs.
    fn input(&mut self) {
        let uart = self.uart;
        let p = self
            .tty
            .pump(self.fs_waits, &mut || uart.getc(), &mut |echo| {
                uart.write_bytes(echo)
            });
        if p.interrupt {
            kernel::notify(level::PROC, bits::CONSOLE_INTR);
        }
        if self.fs_waits && self.tty.has_input() {
            self.fs_waits = false;
            kernel::notify(level::FS, bits::CONSOLE_READY);
        }
        self.listen();
    }

    /// Turns the receive interrupt on or off by the rule in the module note.
    fn listen(&mut self) {
        let want = self.tty.wants_input(self.fs_waits);
        if want != self.rx_on {
            self.rx_on = want;
            self.uart.set_rx_interrupt(want);
        }
    }
}
