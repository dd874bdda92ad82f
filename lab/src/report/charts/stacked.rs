//! Stacked horizontal bars on a linear axis: one bar per kernel, split into segments (the
//! places cycles were spent: `user`, `kernel`, each server), with the total printed at the end.
//! Linear because segments of a log-scaled bar would not add up visually.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::{
    AXIS_H, Area, DrawResult, LABEL_SIZE, LegendItem, MUTED, PALETTE, WIDTH, legend, legend_height,
    render, text_style, text_width,
};
use crate::report::format;

/// One bar: its name and each segment's value (`None` where it has no such segment); `None`
/// altogether when not measured.
pub struct Stack<'a> {
    /// The bar's name (`mono`).
    pub name: &'a str,
    /// Per segment, in the chart's segment order.
    pub parts: Option<Vec<Option<f64>>>,
}

/// Pixels per bar.
const ROW_H: u32 = 40;

/// The chart: `bars` top first, `segments` names and orders the parts (colours follow
/// [`PALETTE`] by position); `x_desc` labels the x axis.
pub fn stacked_bars(bars: &[Stack<'_>], segments: &[&str], x_desc: &str) -> String {
    let name_w = bars
        .iter()
        .map(|b| text_width(b.name))
        .max()
        .unwrap_or(0)
        .clamp(40, 200)
        + 16;
    let used: Vec<usize> = (0..segments.len())
        .filter(|&s| {
            bars.iter().any(|b| {
                b.parts
                    .as_ref()
                    .and_then(|p| p.get(s).copied().flatten())
                    .is_some_and(|v| v > 0.0)
            })
        })
        .collect();
    let items: Vec<LegendItem<'_>> = used
        .iter()
        .map(|&s| LegendItem {
            label: segments[s],
            color: PALETTE[s % PALETTE.len()],
        })
        .collect();
    let legend_h = legend_height(&items, WIDTH - name_w);
    let height = legend_h + bars.len().max(1) as u32 * ROW_H + AXIS_H + 10;
    render(WIDTH, height, |root| {
        legend(root, (name_w as i32, 4), WIDTH - name_w, &items)?;
        let (_, body) = root.split_vertically(legend_h);
        let (_, body) = body.split_horizontally(name_w);
        draw(root, &body, bars, x_desc, name_w)
    })
}

/// Draws the bars and axis in `area`, and their names and totals on `root`.
fn draw(
    root: &Area<'_>,
    area: &Area<'_>,
    bars: &[Stack<'_>],
    x_desc: &str,
    name_w: u32,
) -> DrawResult {
    let totals: Vec<Option<f64>> = bars
        .iter()
        .map(|b| {
            b.parts.as_ref().map(|p| {
                p.iter()
                    .flatten()
                    .filter(|v| v.is_finite() && **v > 0.0)
                    .sum()
            })
        })
        .collect();
    let max = totals.iter().flatten().copied().fold(0f64, f64::max);
    // Room after the longest bar for its total.
    let hi = if max > 0.0 { max * 1.18 } else { 1.0 };
    let n = bars.len().max(1) as f64;
    let mut chart = super::horizontal_frame(area, bars.len(), hi, 8, x_desc)?;
    let muted = text_style(LABEL_SIZE * 0.9, &MUTED, HPos::Left);
    let name_style = text_style(LABEL_SIZE, &BLACK, HPos::Right);
    for (r, (bar, total)) in bars.iter().zip(&totals).enumerate() {
        let top = n - r as f64;
        let (y0, y1) = (top - 0.2, top - 0.8);
        let mut x = 0.0;
        for (s, v) in bar.parts.iter().flatten().enumerate() {
            let Some(v) = v.filter(|v| v.is_finite() && *v > 0.0) else {
                continue;
            };
            let color = PALETTE[s % PALETTE.len()];
            chart.draw_series([Rectangle::new([(x, y0), (x + v, y1)], color.filled())])?;
            x += v;
        }
        let label = total.map_or_else(|| "not measured".to_string(), format::num);
        let (px, py) = chart.backend_coord(&(x, top - 0.5));
        root.draw(&Text::new(label, (px + 6, py), muted.clone()))?;
        root.draw(&Text::new(
            bar.name.to_string(),
            (name_w as i32 - 8, py),
            name_style.clone(),
        ))?;
    }
    Ok(())
}
