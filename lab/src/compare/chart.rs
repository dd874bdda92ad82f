//! The comparison's charts: horizontal bars that grow left (less) or right (more) from zero,
//! one row per compared result, drawn with the report's plotters helpers
//! (`crate::report::charts`) so both pages look alike.
//!
//! A row's segments stack away from zero on their own side: the increases of the places whose
//! cycles went up to the right, the decreases to the left, so a row shows both what got slower
//! and what got faster. With one segment, bars are coloured by sign instead.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use crate::report::charts::{
    AXIS_H, BAND, DrawResult, FONT, GRID, LABEL_SIZE, LegendItem, MUTED, PALETTE, WIDTH, legend,
    legend_height, render, text_style, text_width,
};
use crate::report::format;

/// Pixels per row.
const ROW_H: u32 = 24;

/// An increase (slower: more cycles) with one segment.
const UP: RGBColor = RGBColor(0xEE, 0x66, 0x77);

/// A decrease (faster) with one segment.
const DOWN: RGBColor = RGBColor(0x44, 0x77, 0xAA);

/// One row: its name and each segment's signed value.
pub struct Bar {
    /// The row's name (`getpid · mono`).
    pub name: String,
    /// Per segment (in the chart's segment order), the signed value.
    pub values: Vec<f64>,
}

/// The chart: `bars` top first; `segments` names the parts (one name: colour by sign);
/// `x_desc` labels the x axis and `label` formats the total printed at each bar's end.
pub fn diverging(
    bars: &[Bar],
    segments: &[&str],
    x_desc: &str,
    label: &dyn Fn(f64) -> String,
) -> String {
    let name_w = bars
        .iter()
        .map(|b| text_width(&b.name))
        .max()
        .unwrap_or(0)
        .clamp(60, 320)
        + 16;
    let items: Vec<LegendItem<'_>> = if segments.len() > 1 {
        segments
            .iter()
            .enumerate()
            .filter(|(s, _)| {
                bars.iter()
                    .any(|b| b.values.get(*s).is_some_and(|v| *v != 0.0))
            })
            .map(|(s, name)| LegendItem {
                label: name,
                color: PALETTE[s % PALETTE.len()],
            })
            .collect()
    } else {
        vec![
            LegendItem {
                label: "more",
                color: UP,
            },
            LegendItem {
                label: "less",
                color: DOWN,
            },
        ]
    };
    let legend_h = legend_height(&items, WIDTH - name_w);
    let height = legend_h + bars.len().max(1) as u32 * ROW_H + AXIS_H + 10;
    render(WIDTH, height, |root| {
        legend(root, (name_w as i32, 4), WIDTH - name_w, &items)?;
        let (_, body) = root.split_vertically(legend_h);
        let (_, body) = body.split_horizontally(name_w);
        draw(root, &body, bars, segments.len() > 1, x_desc, label, name_w)
    })
}

/// The sums of a bar's increases and of its decreases.
fn extent(bar: &Bar) -> (f64, f64) {
    let finite = bar.values.iter().copied().filter(|v| v.is_finite());
    let up: f64 = finite.clone().filter(|v| *v > 0.0).sum();
    let down: f64 = finite.filter(|v| *v < 0.0).sum();
    (down, up)
}

/// Draws the bars and the axis in `area`, and the row names and totals on `root`.
fn draw(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    bars: &[Bar],
    stacked: bool,
    x_desc: &str,
    label: &dyn Fn(f64) -> String,
    name_w: u32,
) -> DrawResult {
    let (mut lo, mut hi) = (0f64, 0f64);
    for b in bars {
        let (d, u) = extent(b);
        lo = lo.min(d);
        hi = hi.max(u);
    }
    if lo == 0.0 && hi == 0.0 {
        (lo, hi) = (-1.0, 1.0);
    }
    // Room at both ends for the printed totals.
    let pad = (hi - lo) * 0.16;
    let (lo, hi) = (if lo < 0.0 { lo - pad } else { lo }, hi + pad);
    let n = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(AXIS_H)
        .build_cartesian_2d(lo..hi, 0f64..n)?;
    chart.draw_series((0..bars.len()).step_by(2).map(|r| {
        let top = n - r as f64;
        Rectangle::new([(lo, top), (hi, top - 1.0)], BAND.filled())
    }))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(9)
        .x_label_formatter(&|v| format::tick(*v))
        .x_label_style((FONT, LABEL_SIZE))
        .x_desc(x_desc)
        .axis_desc_style((FONT, LABEL_SIZE))
        .draw()?;
    chart.draw_series([PathElement::new([(0.0, 0.0), (0.0, n)], BLACK)])?;
    let muted = |h| text_style(LABEL_SIZE * 0.9, &MUTED, h);
    let name_style = text_style(LABEL_SIZE, &BLACK, HPos::Right);
    for (r, bar) in bars.iter().enumerate() {
        let top = n - r as f64;
        let (y0, y1) = (top - 0.2, top - 0.8);
        let (mut right, mut left) = (0.0, 0.0);
        for (s, v) in bar.values.iter().enumerate() {
            if !v.is_finite() || *v == 0.0 {
                continue;
            }
            let color = match (stacked, *v > 0.0) {
                (true, _) => PALETTE[s % PALETTE.len()],
                (false, true) => UP,
                (false, false) => DOWN,
            };
            let (from, to) = if *v > 0.0 {
                right += v;
                (right - v, right)
            } else {
                left += v;
                (left - v, left)
            };
            chart.draw_series([Rectangle::new([(from, y0), (to, y1)], color.filled())])?;
        }
        let total: f64 = bar.values.iter().filter(|v| v.is_finite()).sum();
        let (end, h, dx) = if right >= -left {
            (right, HPos::Left, 6)
        } else {
            (left, HPos::Right, -6)
        };
        let (px, py) = chart.backend_coord(&(end, top - 0.5));
        root.draw(&Text::new(label(total), (px + dx, py), muted(h)))?;
        root.draw(&Text::new(
            bar.name.clone(),
            (name_w as i32 - 8, py),
            name_style.clone(),
        ))?;
    }
    Ok(())
}
