//! Horizontal bar charts: one row per benchmark (names on the left, first at the top), a mono
//! bar and a micro bar side by side in each row, and one panel per metric sharing the rows.
//!
//! Two scales. Cycles and instructions per operation span seven decades, hence a log axis: every
//! bar starts at the axis's lowest power of ten, so lengths compare as ratios. Counts (traps,
//! switches, misses per operation) are small numbers where 1 against 2 matters, hence a linear
//! axis from 0. Tick labels are thinned to the panel's width so they never run into each other.
//!
//! A linear chart, and a single-panel log chart, print each value at its bar's end. A zero is
//! marked `0` and a missing result `–` at the axis start.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    AXIS_H, Area, BAND, CAPTION_SIZE, CHAR_W, DrawResult, FONT, GRID, KERNEL_COLORS, LABEL_SIZE,
    LegendItem, MUTED, WIDTH, decades_fitting, legend, legend_height, linear_ticks, log_span,
    render, text_style, text_width,
};
use crate::report::data::KERNELS;
use crate::report::format::{self, MISSING};

/// One metric: its caption and, per row, the mono and micro values.
pub struct Panel<'a> {
    /// The caption above the panel (`traps / op`).
    pub title: &'a str,
    /// Per row, the values in [`KERNELS`] order.
    pub values: Vec<[Option<f64>; 2]>,
}

/// Pixels per row (two bars and a gap).
const ROW_H: u32 = 26;

/// Pixels for a panel caption.
const CAPTION_H: u32 = 30;

/// Where in a row (in row units from its top) each kernel's bar starts and ends.
const BAR_SPAN: [(f64, f64); 2] = [(0.10, 0.48), (0.52, 0.90)];

/// Left plus right margin of a panel, wide enough that neighbouring panels' end ticks do not
/// touch.
const MARGINS: u32 = 42;

/// Plotters font size of the values printed at bar ends.
const VALUE_SIZE: f64 = LABEL_SIZE * 0.85;

/// Estimated pixel width of one character at [`VALUE_SIZE`].
const VALUE_CHAR_W: f64 = CHAR_W * 0.85;

/// How values map onto the x axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Powers of ten equally spaced; bars start at the lowest decade shown.
    Log,
    /// From 0, for counts.
    Linear,
}

/// Pixels of the label printed after a bar, for the widest of `values`.
fn label_px(values: impl Iterator<Item = f64>, extra: usize) -> f64 {
    let chars = extra
        + values
            .filter(|v| v.is_finite())
            .map(|v| format::num(v).chars().count())
            .max()
            .unwrap_or(1);
    chars as f64 * VALUE_CHAR_W + 12.0
}

/// The largest value a linear axis shows: the largest value, unless it is an outlier (over
/// three times the 90th percentile of the positive values), when it is that bound; bars
/// beyond it are drawn clipped with `»` before their value, so one benchmark that counts a
/// thousand events per operation does not flatten all the others' bars.
fn linear_cap(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.filter(|v| v.is_finite() && *v > 0.0).collect();
    v.sort_by(f64::total_cmp);
    let Some(&max) = v.last() else { return 0.0 };
    let p90 = v[(v.len() - 1) * 9 / 10];
    if max > 3.0 * p90 { 3.0 * p90 } else { max }
}

/// The axis end that leaves room after the longest bar for its printed value, on a log axis
/// from `lo` across `width` pixels: with the bars spanning `d` decades and the label `l`
/// pixels, the room `h` decades satisfies `h / (d + h) · width = l`.
fn label_room(lo: f64, values: impl Iterator<Item = f64>, width: u32, extra: usize) -> f64 {
    let (mut max, mut chars) = (lo, 1);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        max = max.max(v);
        chars = chars.max(format::num(v).chars().count());
    }
    let l = (chars + extra) as f64 * VALUE_CHAR_W + 12.0;
    let w = f64::from(width).max(2.0 * l);
    let d = (max / lo).log10().max(0.5);
    max * 10f64.powf(l * d / (w - l))
}

/// The chart on a log axis: `rows` names the rows (top first), `panels` the metrics; `x_desc`
/// labels each x axis.
pub fn log_bars(rows: &[String], panels: &[Panel<'_>], x_desc: &str) -> String {
    bars(rows, panels, x_desc, Scale::Log)
}

/// The chart on `scale`: `rows` names the rows (top first), `panels` the metrics; `x_desc`
/// labels each x axis.
pub fn bars(rows: &[String], panels: &[Panel<'_>], x_desc: &str, scale: Scale) -> String {
    bars_marked(rows, panels, x_desc, scale, &[])
}

/// What a stand-in bar's label says after its value.
pub const STAND_IN: &str = " (stand-in)";

/// [`bars`], with the bars `standins[row][kernel]` marks drawn hatched and labelled
/// [`STAND_IN`]: a kernel that lacks the mechanism and measures the nearest thing it has (mono's
/// `ipc` is its pipe round trip), so the bar is not read as the same thing as its neighbour's.
pub fn bars_marked(
    rows: &[String],
    panels: &[Panel<'_>],
    x_desc: &str,
    scale: Scale,
    standins: &[[bool; 2]],
) -> String {
    let name_w = rows
        .iter()
        .map(|r| text_width(r))
        .max()
        .unwrap_or(0)
        .clamp(60, 300)
        + 16;
    let items: Vec<LegendItem<'_>> = KERNELS
        .iter()
        .zip(KERNEL_COLORS)
        .map(|(label, color)| LegendItem { label, color })
        .collect();
    let legend_h = legend_height(&items, WIDTH - name_w);
    let height = legend_h + CAPTION_H + rows.len().max(1) as u32 * ROW_H + AXIS_H;
    render(WIDTH, height, |root| {
        legend(root, (name_w as i32, 4), WIDTH - name_w, &items)?;
        let (_, body) = root.split_vertically(legend_h);
        let (_, plots) = body.split_horizontally(name_w);
        let areas = plots.split_evenly((1, panels.len().max(1)));
        for (i, (panel, area)) in panels.iter().zip(&areas).enumerate() {
            draw_panel(
                root,
                area,
                (rows, standins),
                panel,
                x_desc,
                (scale, panels.len() == 1 || scale == Scale::Linear),
                (i == 0).then_some(name_w),
            )?;
        }
        Ok(())
    })
}

/// Draws one panel in `area` on `scale`, with values printed at bar ends if `value_labels`;
/// with `names`, also the row names right-aligned at that x on `root`.
///
/// Plotting happens in axis units: `log10(v)` on a log scale, `v` on a linear one.
fn draw_panel(
    root: &Area<'_>,
    area: &Area<'_>,
    (rows, standins): (&[String], &[[bool; 2]]),
    panel: &Panel<'_>,
    x_desc: &str,
    (scale, value_labels): (Scale, bool),
    names: Option<u32>,
) -> DrawResult {
    let values = || panel.values.iter().flatten().flatten().copied();
    let is_standin = |r: usize, k: usize| standins.get(r).is_some_and(|s| s[k]);
    let extra = if standins.iter().flatten().any(|s| *s) {
        STAND_IN.chars().count()
    } else {
        0
    };
    let plot_w = area.dim_in_pixel().0.saturating_sub(MARGINS);
    let (lo, hi, clip, ticks) = match scale {
        Scale::Log => {
            let (lo, mut hi) = log_span(values()).unwrap_or((0.1, 1.0));
            if value_labels {
                hi = label_room(lo, values(), plot_w, extra);
            }
            let widest = decades_fitting(lo, hi, u32::MAX, 1)
                .iter()
                .map(|v| format::tick(*v).chars().count())
                .max()
                .unwrap_or(1);
            let ticks: Vec<f64> = decades_fitting(lo, hi, plot_w, widest)
                .into_iter()
                .map(f64::log10)
                .collect();
            (lo.log10(), hi.log10(), hi.log10(), ticks)
        }
        Scale::Linear => {
            let max = linear_cap(values());
            // Room after the longest bar for its label: max / (1 - l / w).
            let l = if value_labels {
                label_px(values(), extra) + 2.0 * VALUE_CHAR_W
            } else {
                0.0
            };
            let w = f64::from(plot_w).max(2.0 * l + 1.0);
            let want = if max > 0.0 { max * w / (w - l) } else { 1.0 };
            let (ticks, _) = linear_ticks(if max > 0.0 { max } else { 1.0 }, plot_w);
            let ticks: Vec<f64> = ticks.into_iter().filter(|t| *t <= want).collect();
            (0.0, want, max, ticks)
        }
    };
    let to_axis = |v: f64| match scale {
        Scale::Log => v.log10(),
        Scale::Linear => v,
    };
    let from_axis = move |x: f64| match scale {
        Scale::Log => 10f64.powf(x),
        Scale::Linear => x,
    };
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, (FONT, CAPTION_SIZE))
        .margin_left(MARGINS / 3)
        .margin_right(MARGINS - MARGINS / 3)
        .x_label_area_size(AXIS_H)
        .build_cartesian_2d(lo..hi, 0f64..n)?;
    chart.draw_series((0..rows.len()).step_by(2).map(|r| {
        let top = n - r as f64;
        Rectangle::new([(lo, top), (hi, top - 1.0)], BAND.filled())
    }))?;
    // The ticks are ours (plotters would choose its own for a linear range): a grid line and a
    // label under the axis at each.
    chart.draw_series(
        ticks
            .iter()
            .map(|&t| PathElement::new([(t, 0.0), (t, n)], GRID.stroke_width(1))),
    )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(x_desc)
        .axis_desc_style((FONT, LABEL_SIZE))
        .draw()?;
    let tick_style =
        TextStyle::from((FONT, LABEL_SIZE).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    for &t in &ticks {
        let (x, y) = chart.backend_coord(&(t, 0.0));
        root.draw(&PathElement::new([(x, y), (x, y + 4)], BLACK))?;
        root.draw(&Text::new(
            format::tick(from_axis(t)),
            (x, y + 7),
            tick_style.clone(),
        ))?;
    }
    let muted = text_style(VALUE_SIZE, &MUTED, HPos::Left);
    for (r, values) in panel.values.iter().enumerate() {
        let top = n - r as f64;
        for (k, value) in values.iter().enumerate() {
            let (a, b) = BAR_SPAN[k];
            let (y0, y1) = (top - a, top - b);
            let end = match value {
                Some(v) if *v > 0.0 && v.is_finite() => {
                    let x = to_axis(*v).clamp(lo, clip);
                    if is_standin(r, k) {
                        let c = KERNEL_COLORS[k];
                        chart.draw_series([Rectangle::new(
                            [(lo, y0), (x, y1)],
                            c.mix(0.25).filled(),
                        )])?;
                        chart.draw_series([Rectangle::new(
                            [(lo, y0), (x, y1)],
                            c.stroke_width(1),
                        )])?;
                        let (a, b) = (
                            chart.backend_coord(&(lo, y0)),
                            chart.backend_coord(&(x, y1)),
                        );
                        hatch(root, a, b, c)?;
                    } else {
                        chart.draw_series([Rectangle::new(
                            [(lo, y0), (x, y1)],
                            KERNEL_COLORS[k].filled(),
                        )])?;
                    }
                    x
                }
                _ => lo,
            };
            let label = match value {
                None => MISSING.to_string(),
                Some(v) if *v <= 0.0 => format::num(*v),
                Some(v) if to_axis(*v) > clip => {
                    format!("» {}", format::num(*v))
                }
                Some(v) if value_labels => format::num(*v),
                Some(_) => continue,
            };
            let label = if is_standin(r, k) {
                label + STAND_IN
            } else {
                label
            };
            let (x, y) = chart.backend_coord(&(end, (y0 + y1) / 2.0));
            root.draw(&Text::new(label, (x + 4, y), muted.clone()))?;
        }
    }
    if let Some(right) = names {
        let style = text_style(LABEL_SIZE, &BLACK, HPos::Right);
        for (r, name) in rows.iter().enumerate() {
            let (_, y) = chart.backend_coord(&(lo, n - r as f64 - 0.5));
            root.draw(&Text::new(
                name.clone(),
                (right as i32 - 8, y),
                style.clone(),
            ))?;
        }
    }
    Ok(())
}

/// Diagonal strokes every few pixels across the box from pixel `a` to pixel `b` (corners in
/// any order), in `color`: the hatching of a stand-in bar.
fn hatch(root: &Area<'_>, a: (i32, i32), b: (i32, i32), color: RGBColor) -> DrawResult {
    let (left, right) = (a.0.min(b.0), a.0.max(b.0));
    let (top, bottom) = (a.1.min(b.1), a.1.max(b.1));
    let h = bottom - top;
    let mut at = left;
    while at < right {
        let rise = (right - at).min(h);
        root.draw(&PathElement::new(
            [(at, bottom), (at + rise, bottom - rise)],
            color.stroke_width(1),
        ))?;
        at += 6;
    }
    Ok(())
}
