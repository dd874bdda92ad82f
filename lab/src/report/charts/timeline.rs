//! A horizontal timeline: one row per kernel, each phase of one operation a segment from its
//! start cycle to its end, coloured by kind, on a linear cycle axis (so lengths compare across
//! rows), with the operation's total printed at the end of its row.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::{
    AXIS_H, Area, DrawResult, LABEL_SIZE, LegendItem, MUTED, WIDTH, legend, legend_height, render,
    text_style, text_width,
};
use crate::report::format;

/// One segment: start and length in cycles, and its kind (an index into the legend).
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    /// Its first cycle from the operation's start.
    pub start: f64,
    /// Its cycles.
    pub cycles: f64,
    /// Its kind: an index into the chart's kinds.
    pub kind: usize,
}

/// One row: a kernel's operation, or `None` when it has no timeline.
pub struct Row<'a> {
    /// The row's name (`mono`).
    pub name: &'a str,
    /// Its phases in order.
    pub segments: Option<Vec<Segment>>,
}

/// Pixels per row.
const ROW_H: u32 = 44;

/// The chart: `rows` top first; `kinds` names and colours the segment kinds (only those used
/// enter the legend); `x_desc` labels the x axis.
pub fn timeline_chart(rows: &[Row<'_>], kinds: &[(&str, RGBColor)], x_desc: &str) -> String {
    let name_w = rows
        .iter()
        .map(|r| text_width(r.name))
        .max()
        .unwrap_or(0)
        .clamp(40, 200)
        + 16;
    let used = |k: usize| {
        rows.iter()
            .flat_map(|r| r.segments.iter().flatten())
            .any(|s| s.kind == k && s.cycles > 0.0)
    };
    let items: Vec<LegendItem<'_>> = kinds
        .iter()
        .enumerate()
        .filter(|(k, _)| used(*k))
        .map(|(_, (label, color))| LegendItem {
            label,
            color: *color,
        })
        .collect();
    let legend_h = legend_height(&items, WIDTH - name_w);
    let height = legend_h + rows.len().max(1) as u32 * ROW_H + AXIS_H + 10;
    render(WIDTH, height, |root| {
        legend(root, (name_w as i32, 4), WIDTH - name_w, &items)?;
        let (_, body) = root.split_vertically(legend_h);
        let (_, body) = body.split_horizontally(name_w);
        draw(root, &body, rows, kinds, x_desc, name_w)
    })
}

/// Draws the rows and axis in `area`, and their names and totals on `root`.
fn draw(
    root: &Area<'_>,
    area: &Area<'_>,
    rows: &[Row<'_>],
    kinds: &[(&str, RGBColor)],
    x_desc: &str,
    name_w: u32,
) -> DrawResult {
    let end = |r: &Row<'_>| {
        r.segments.as_ref().map(|s| {
            s.iter()
                .filter(|s| s.start.is_finite() && s.cycles.is_finite())
                .map(|s| s.start + s.cycles)
                .fold(0f64, f64::max)
        })
    };
    let max = rows.iter().filter_map(end).fold(0f64, f64::max);
    let hi = if max > 0.0 { max * 1.14 } else { 1.0 };
    let n = rows.len().max(1) as f64;
    let mut chart = super::horizontal_frame(area, rows.len(), hi, 10, x_desc)?;
    let muted = text_style(LABEL_SIZE * 0.9, &MUTED, HPos::Left);
    let name_style = text_style(LABEL_SIZE, &BLACK, HPos::Right);
    for (r, row) in rows.iter().enumerate() {
        let top = n - r as f64;
        let (y0, y1) = (top - 0.2, top - 0.8);
        for s in row.segments.iter().flatten() {
            if !(s.cycles > 0.0 && s.start.is_finite() && s.cycles.is_finite()) {
                continue;
            }
            let Some((_, color)) = kinds.get(s.kind) else {
                continue;
            };
            let rect = [(s.start, y0), (s.start + s.cycles, y1)];
            chart.draw_series([Rectangle::new(rect, color.filled())])?;
            // A thin white edge keeps neighbouring phases of one kind apart.
            chart.draw_series([Rectangle::new(rect, WHITE.stroke_width(1))])?;
        }
        let x = end(row);
        let label = x.map_or_else(|| "no timeline".to_string(), format::num);
        let (px, py) = chart.backend_coord(&(x.unwrap_or(0.0), top - 0.5));
        root.draw(&Text::new(label, (px + 6, py), muted.clone()))?;
        root.draw(&Text::new(
            row.name.to_string(),
            (name_w as i32 - 8, py),
            name_style.clone(),
        ))?;
    }
    Ok(())
}
