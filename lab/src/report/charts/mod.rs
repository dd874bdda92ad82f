//! SVG charts for `report.html`, drawn with plotters' SVG backend into a `String`.
//!
//! Each function takes plain numbers (no report types) and returns one complete `<svg>` element.
//! A chart that cannot be drawn — a plotters error, or even a panic inside plotters — comes back
//! as a small `<svg>` saying so, never as a failure of the whole report.
//!
//! Fonts: plotters is built without `ttf`/`ab_glyph`, so it lays text out with its naive width
//! estimate and the SVG names the generic `sans-serif` family; the browser draws the glyphs. No
//! font file is read or embedded, so the charts draw the same on any host.

pub mod band;
pub mod bars;
pub mod lines;
pub mod stacked;
pub mod timeline;

use std::error::Error;
use std::panic::{self, AssertUnwindSafe};

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format;

/// What a drawing step returns.
pub type DrawResult = Result<(), Box<dyn Error>>;

/// The height of a chart's x axis: tick labels and the axis description.
pub const AXIS_H: u32 = 46;

/// A drawing area on the SVG backend.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The font family every chart names; the browser picks the face.
pub const FONT: &str = "sans-serif";

/// Plotters font size of tick and row labels (the SVG gets `size / 1.24` px).
pub const LABEL_SIZE: f64 = 15.0;

/// Plotters font size of panel captions.
pub const CAPTION_SIZE: f64 = 18.0;

/// Width of every chart in pixels (the page scales it down on narrow screens).
pub const WIDTH: u32 = 1100;

/// Estimated width in pixels of one character at [`LABEL_SIZE`] (a wide sans-serif: generous).
pub const CHAR_W: f64 = 7.2;

/// Height of one legend line.
const LEGEND_LINE: u32 = 24;

/// mono and micro, in [`super::data::KERNELS`] order (Paul Tol's colour-blind-safe "bright").
pub const KERNEL_COLORS: [RGBColor; 2] = [RGBColor(0x44, 0x77, 0xAA), RGBColor(0xEE, 0x66, 0x77)];

/// Colours for places (`user`, `kernel`, then servers) and other categorical series: Paul Tol's
/// colour-blind-safe "muted" and "bright" hues without the two kernel colours, so that blue and
/// red mean mono and micro everywhere in a report and nothing else.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x22, 0x88, 0x33),
    RGBColor(0xAA, 0x33, 0x77),
    RGBColor(0xCC, 0xBB, 0x44),
    RGBColor(0x66, 0xCC, 0xEE),
    RGBColor(0xEE, 0x77, 0x33),
    RGBColor(0x00, 0x99, 0x88),
    RGBColor(0x99, 0x99, 0x33),
    RGBColor(0x77, 0x77, 0x77),
];

/// Alternate row shading.
pub const BAND: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);

/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xD8, 0xD8, 0xD8);

/// Secondary text (missing values, value labels).
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// Draws a `width` × `height` chart with `draw` and returns the `<svg>` element, or a stand-in
/// `<svg>` with the error if drawing failed.
pub fn render(width: u32, height: u32, draw: impl FnOnce(&Area<'_>) -> DrawResult) -> String {
    let mut svg = String::new();
    let outcome = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        // Plotters asserts on some inputs; a chart is not worth losing the report for.
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| -> DrawResult {
            root.fill(&WHITE)?;
            draw(&root)?;
            root.present()?;
            Ok(())
        }));
        drop(root);
        outcome
    };
    match outcome {
        Ok(Ok(())) => svg,
        Ok(Err(e)) => failed(width, &e.to_string()),
        Err(_) => failed(width, "the plotting library panicked"),
    }
}

/// The stand-in for a chart that could not be drawn.
pub fn failed(width: u32, why: &str) -> String {
    let height = 60;
    format!(
        "<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"100%\" height=\"100%\" \
         fill=\"#fff4f4\"/><text x=\"16\" y=\"36\" font-family=\"{FONT}\" font-size=\"14\" \
         fill=\"#a00\">chart could not be drawn: {}</text></svg>",
        format::html(why)
    )
}

/// A text style of `size` anchored at `h`, vertically centred.
pub fn text_style(size: f64, color: &'static RGBColor, h: HPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(color)
        .pos(Pos::new(h, VPos::Center))
}

/// Estimated width in pixels of `text` at [`LABEL_SIZE`].
pub fn text_width(text: &str) -> u32 {
    (text.chars().count() as f64 * CHAR_W).ceil() as u32
}

/// One legend entry: a swatch and its label.
pub struct LegendItem<'a> {
    /// The label.
    pub label: &'a str,
    /// The swatch colour.
    pub color: RGBColor,
}

/// Left edges and lines of legend entries laid out left to right, wrapping within `width`.
fn legend_layout(items: &[LegendItem<'_>], width: u32) -> Vec<(u32, u32)> {
    let (mut x, mut line) = (0u32, 0u32);
    items
        .iter()
        .map(|item| {
            let w = 20 + text_width(item.label) + 24;
            if x > 0 && x + w > width {
                x = 0;
                line += 1;
            }
            let at = (x, line);
            x += w;
            at
        })
        .collect()
}

/// The height the legend for `items` takes in `width` pixels.
pub fn legend_height(items: &[LegendItem<'_>], width: u32) -> u32 {
    let lines = legend_layout(items, width)
        .last()
        .map_or(0, |&(_, line)| line + 1);
    lines * LEGEND_LINE + 8
}

/// Draws the legend for `items` with its top left corner at `(x0, y0)` of `area`, within
/// `width` pixels.
pub fn legend(
    area: &Area<'_>,
    (x0, y0): (i32, i32),
    width: u32,
    items: &[LegendItem<'_>],
) -> DrawResult {
    let style = text_style(LABEL_SIZE, &BLACK, HPos::Left);
    for (item, (x, line)) in items.iter().zip(legend_layout(items, width)) {
        let x = x0 + x as i32;
        let y = y0 + (line * LEGEND_LINE) as i32 + LEGEND_LINE as i32 / 2;
        area.draw(&Rectangle::new(
            [(x, y - 6), (x + 12, y + 6)],
            item.color.filled(),
        ))?;
        area.draw(&Text::new(
            item.label.to_string(),
            (x + 18, y),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// The powers of ten from `lo` (a power of ten) up to `hi`, for log-axis ticks.
pub fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (
        lo.log10().round() as i32,
        (hi * 1.000_001).log10().floor() as i32,
    );
    (a..=b).map(|e| 10f64.powi(e)).collect()
}

/// The decades of [`decades`] thinned to every second, third, … one so that their tick labels,
/// at most `label_chars` characters each, fit side by side in `width` pixels.
pub fn decades_fitting(lo: f64, hi: f64, width: u32, label_chars: usize) -> Vec<f64> {
    let all = decades(lo, hi);
    let room = tick_room(label_chars);
    let fit = (f64::from(width) / room).floor().max(2.0) as usize;
    let step = all.len().div_ceil(fit).max(1);
    // Keep the top decade: the one nearest the longest bar.
    let last = all.len().saturating_sub(1);
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| (last - i).is_multiple_of(step))
        .map(|(_, v)| v)
        .collect()
}

/// Pixels one tick label of `chars` characters needs, with the gap to the next.
fn tick_room(chars: usize) -> f64 {
    chars as f64 * CHAR_W + 18.0
}

/// Linear-axis ticks from 0 up to `hi`: a step of 1, 2 or 5 times a power of ten, as fine as
/// lets the labels (each as wide as [`format::tick`] makes it) fit side by side in `width`
/// pixels; the ticks and the axis end (the last tick at or above `hi`).
pub fn linear_ticks(hi: f64, width: u32) -> (Vec<f64>, f64) {
    // Below a millionth (or nothing at all, or not a number) the axis runs to 1.
    let hi = if hi.is_finite() && hi > 1e-6 { hi } else { 1.0 };
    let mut exp = (hi / 10.0).log10().floor() as i32 - 1;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(exp);
            let n = (hi / step - 1e-9).ceil().max(1.0) as usize;
            if n > 1000 {
                continue;
            }
            let end = step * n as f64;
            let chars = (0..=n)
                .map(|i| format::tick(step * i as f64).chars().count())
                .max()
                .unwrap_or(1);
            if (n + 1) as f64 * tick_room(chars) <= f64::from(width) || n <= 1 {
                let ticks = (0..=n).map(|i| step * i as f64).collect();
                return (ticks, end);
            }
        }
        exp += 1;
    }
}

/// A log axis covering the positive values in `values`: from the power of ten below the
/// smallest (strictly, so the shortest bar still shows) to the power of ten above the largest,
/// at most 12 decades wide; `None` when no value is positive.
pub fn log_span(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut min, mut max) = (f64::INFINITY, 0f64);
    for v in values {
        if v.is_finite() && v > 0.0 {
            min = min.min(v);
            max = max.max(v);
        }
    }
    if max <= 0.0 {
        return None;
    }
    let hi_exp = max.log10().floor() as i32 + 1;
    let lo_exp = (min.log10().ceil() as i32 - 1).clamp(hi_exp - 12, hi_exp - 1);
    Some((10f64.powi(lo_exp), 10f64.powi(hi_exp)))
}

/// The frame of a horizontal bar chart (the stacked bars, the timeline): `rows` rows top to
/// bottom, every other one banded, a linear x axis from 0 to `hi` with `x_labels` ticks and
/// `x_desc` under it, no y labels (the caller writes the row names).
pub fn horizontal_frame<'a, 'b>(
    area: &'a Area<'b>,
    rows: usize,
    hi: f64,
    x_labels: usize,
    x_desc: &str,
) -> Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn Error>,
> {
    let n = rows.max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(AXIS_H)
        .build_cartesian_2d(0f64..hi, 0f64..n)?;
    chart.draw_series((0..rows).step_by(2).map(|r| {
        let top = n - r as f64;
        Rectangle::new([(0.0, top), (hi, top - 1.0)], BAND.filled())
    }))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(x_labels)
        .x_label_formatter(&|v| format::tick(*v))
        .x_label_style((FONT, LABEL_SIZE))
        .x_desc(x_desc)
        .axis_desc_style((FONT, LABEL_SIZE))
        .draw()?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_and_fit_their_width() {
        let (ticks, end) = linear_ticks(16.0, 1000);
        assert_eq!(ticks.first(), Some(&0.0));
        assert!((16.0..=20.0).contains(&end), "{end}");
        assert!(ticks.len() >= 5, "{ticks:?}");
        // Narrow: fewer, wider steps, still ending at or above the maximum.
        let (narrow, end) = linear_ticks(16.0, 120);
        assert!(
            narrow.len() < ticks.len() && narrow.len() >= 2,
            "{narrow:?}"
        );
        assert!(end >= 16.0);
        for w in [80, 200, 400, 1000] {
            let (t, _) = linear_ticks(123_456.0, w);
            let chars = t.iter().map(|v| format::tick(*v).len()).max().unwrap();
            assert!(
                t.len() <= 2 || t.len() as f64 * tick_room(chars) <= f64::from(w),
                "{w}: {t:?}"
            );
        }
    }

    #[test]
    fn an_axis_over_nothing_runs_to_one() {
        for hi in [0.0, f64::MIN_POSITIVE, 1e-300, f64::NAN, f64::INFINITY] {
            let (ticks, end) = linear_ticks(hi, 300);
            assert_eq!(end, 1.0, "{hi}");
            assert!(ticks.len() >= 2, "{hi}: {ticks:?}");
        }
    }

    #[test]
    fn decades_are_thinned_to_fit_but_keep_the_top_one() {
        assert_eq!(decades_fitting(1e-6, 1e2, 2000, 4).len(), 9);
        let thin = decades_fitting(1e-6, 1e2, 200, 4);
        assert!(thin.len() < 9 && thin.len() >= 2, "{thin:?}");
        assert_eq!(thin.last(), Some(&1e2));
    }
}
