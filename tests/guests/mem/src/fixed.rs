//! Fixed-point printing of ratios without floating point: `Ratio::new(1234, 100, 2)` prints
//! `12.34`. The value is truncated, not rounded.

use core::fmt;

/// `num / den`, printed with `decimals` digits after the point.
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    num: u64,
    den: u64,
    decimals: u32,
}

impl Ratio {
    /// `num / den` with `decimals` fractional digits; a zero `den` prints as 0.
    pub fn new(num: u64, den: u64, decimals: u32) -> Self {
        Self { num, den, decimals }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10u128.pow(self.decimals);
        let scaled = match self.den {
            0 => 0,
            den => u128::from(self.num) * scale / u128::from(den),
        };
        write!(f, "{}", scaled / scale)?;
        if self.decimals > 0 {
            write!(
                f,
                ".{:0width$}",
                scaled % scale,
                width = self.decimals as usize
            )?;
        }
        Ok(())
    }
}
