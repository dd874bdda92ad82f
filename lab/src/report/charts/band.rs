//! The micro/mono ratio of each benchmark with its band: one row per benchmark (names on the
//! left, first at the top), a dot at the ratio and a whisker from the band's low end to its high
//! end, on a log axis (ratios run from a tenth to several times), with a dashed line at parity.
//! A benchmark without a ratio shows `–` at the axis start.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::{
    AXIS_H, BAND, DrawResult, FONT, GRID, KERNEL_COLORS, LABEL_SIZE, MUTED, WIDTH, render,
    text_style, text_width,
};
use crate::report::format::{self, MISSING};

/// One row: the benchmark, its ratio and its band `(low, high)`.
pub struct BandRow {
    /// The row's label.
    pub name: String,
    /// The ratio (`None`: not measured on both kernels).
    pub ratio: Option<f64>,
    /// The band; equal ends when no estimated parameter moves the ratio.
    pub band: Option<(f64, f64)>,
}

/// Pixels per row.
const ROW_H: u32 = 22;

/// Half the height of a whisker's end caps, in row units.
const CAP: f64 = 0.22;

/// Ticks at 1, 2 and 5 times the powers of ten between `lo` and `hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    (first..=last)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(|v| (lo..=hi).contains(v))
        .collect()
}

/// The chart, its x axis described by `x_desc`.
pub fn ratio_bands(rows: &[BandRow], x_desc: &str) -> String {
    let name_w = rows
        .iter()
        .map(|r| text_width(&r.name))
        .max()
        .unwrap_or(0)
        .clamp(60, 300)
        + 16;
    let height = 12 + rows.len().max(1) as u32 * ROW_H + AXIS_H;
    render(WIDTH, height, |root| {
        let (_, plot) = root.split_horizontally(name_w);
        draw(root, &plot, rows, name_w, x_desc)
    })
}

/// Draws the rows on `plot`, their names right-aligned at `name_w` on `root`.
fn draw(
    root: &super::Area<'_>,
    plot: &super::Area<'_>,
    rows: &[BandRow],
    name_w: u32,
    x_desc: &str,
) -> DrawResult {
    let values = rows.iter().flat_map(|r| {
        let (l, h) = r.band.unwrap_or((f64::NAN, f64::NAN));
        [r.ratio.unwrap_or(f64::NAN), l, h]
    });
    let (mut lo, mut hi) = (f64::INFINITY, 0f64);
    for v in values.filter(|v| v.is_finite() && *v > 0.0).chain([1.0]) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    // A margin of a fifth of the span (in log terms) on each side, at least a factor of 1.25.
    let pad = ((hi / lo).log10() * 0.08).max(0.1);
    let (lo, hi) = (lo / 10f64.powf(pad), hi * 10f64.powf(pad));
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(plot)
        .margin_right(24)
        .margin_top(12)
        .x_label_area_size(AXIS_H)
        .build_cartesian_2d((lo..hi).log_scale().with_key_points(ticks(lo, hi)), 0f64..n)?;
    chart.draw_series((0..rows.len()).step_by(2).map(|r| {
        let top = n - r as f64;
        Rectangle::new([(lo, top), (hi, top - 1.0)], BAND.filled())
    }))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_label_formatter(&|v| format!("{}×", format::tick(*v)))
        .x_label_style((FONT, LABEL_SIZE))
        .x_desc(x_desc)
        .axis_desc_style((FONT, LABEL_SIZE))
        .draw()?;
    chart.draw_series([DashedPathElement::new(
        [(1.0, 0.0), (1.0, n)],
        6,
        4,
        MUTED.stroke_width(1),
    )])?;
    let color = KERNEL_COLORS[1];
    let muted = text_style(LABEL_SIZE * 0.85, &MUTED, HPos::Left);
    for (r, row) in rows.iter().enumerate() {
        let y = n - r as f64 - 0.5;
        if let Some((l, h)) = row
            .band
            .filter(|(l, h)| l.is_finite() && h.is_finite() && l < h)
        {
            let (l, h) = (l.clamp(lo, hi), h.clamp(lo, hi));
            let line = color.stroke_width(2);
            chart.draw_series([
                PathElement::new([(l, y), (h, y)], line),
                PathElement::new([(l, y - CAP), (l, y + CAP)], line),
                PathElement::new([(h, y - CAP), (h, y + CAP)], line),
            ])?;
        }
        match row.ratio.filter(|v| v.is_finite() && *v > 0.0) {
            Some(v) => {
                chart.draw_series([Circle::new((v.clamp(lo, hi), y), 4, color.filled())])?;
            }
            None => {
                let (x, py) = chart.backend_coord(&(lo, y));
                root.draw(&Text::new(MISSING, (x + 4, py), muted.clone()))?;
            }
        }
    }
    let style = text_style(LABEL_SIZE, &BLACK, HPos::Right);
    for (r, row) in rows.iter().enumerate() {
        let (_, y) = chart.backend_coord(&(lo, n - r as f64 - 0.5));
        root.draw(&Text::new(
            row.name.clone(),
            (name_w as i32 - 8, y),
            style.clone(),
        ))?;
    }
    Ok(())
}
