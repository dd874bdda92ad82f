//! The SiFive test finisher ("sifive,test0"): a 32-bit write at offset 0 ends the run.
//!
//! ```text
//! value            meaning
//! 0x5555           pass: exit status 0
//! code<<16|0x3333  fail: exit status `code`
//! 0x7777           reset: klab has no reset, so this ends the run and says so
//! ```
//!
//! Other values are ignored, as QEMU does (it logs them as guest errors).

use super::Mmio;

const FINISHER_FAIL: u64 = 0x3333;
const FINISHER_PASS: u64 = 0x5555;
const FINISHER_RESET: u64 = 0x7777;

/// What a write to the finisher asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// Exit with this status (0 for pass).
    Exit(u32),
    /// The guest asked for a reset.
    Reset,
}

/// The test finisher.
#[derive(Clone, Debug, Default)]
pub struct Finisher {
    /// Set by a write that ends the run; taken by the machine.
    pub finished: Option<Finish>,
}

impl Mmio for Finisher {
    fn read(&mut self, _offset: u64, _size: u8, _now: u64) -> Option<u64> {
        Some(0)
    }

    fn write(&mut self, offset: u64, _size: u8, value: u64, _now: u64) -> Option<()> {
        if offset == 0 {
            let value = value & 0xffff_ffff;
            self.finished = match value & 0xffff {
                FINISHER_PASS => Some(Finish::Exit(0)),
                FINISHER_FAIL => Some(Finish::Exit((value >> 16) as u32)),
                FINISHER_RESET => Some(Finish::Reset),
                _ => self.finished,
            };
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_fail_and_reset() {
        let mut f = Finisher::default();
        f.write(0, 4, 0x1234, 0);
        assert_eq!(f.finished, None);
        f.write(0, 4, (7 << 16) | FINISHER_FAIL, 0);
        assert_eq!(f.finished, Some(Finish::Exit(7)));
        f.write(0, 4, FINISHER_PASS, 0);
        assert_eq!(f.finished, Some(Finish::Exit(0)));
        f.write(0, 4, FINISHER_RESET, 0);
        assert_eq!(f.finished, Some(Finish::Reset));
    }
}
