//! Line charts against a parameter: its values along x (as categories, in the order given), one
//! line with point markers per series, and one panel per assignment of the other parameters, in
//! a grid sharing one y scale. Two kinds of y axis ([`YAxis`]): a ratio (ticks `2×`, a dashed
//! line at 1×, parity) or absolute values (cycles, ticks `10k`). Where a point has a band (the
//! ratio's range over the profile's estimated parameters), an error bar spans it. The legend is
//! drawn once above the panels.

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{
    CAPTION_SIZE, DrawResult, FONT, GRID, LABEL_SIZE, LegendItem, MUTED, WIDTH, legend,
    legend_height, render,
};
use crate::report::format;

/// One panel: its caption and, per series, the value at each x (`None` where not measured).
pub struct LinePanel {
    /// The caption (`asid=on`), may be empty.
    pub title: String,
    /// Per series (in the chart's series order), per x value.
    pub series: Vec<Vec<Option<f64>>>,
    /// Per series, per x value, the band `(low, high)` around the value, if any (may be
    /// shorter than `series`: missing bands are not drawn).
    pub bands: Vec<Vec<Option<(f64, f64)>>>,
}

/// Height of one panel.
const PANEL_H: u32 = 320;

/// Panels per grid row.
const COLUMNS: usize = 2;

/// The colour of series `i`.
fn color(i: usize) -> RGBColor {
    super::PALETTE[i % super::PALETTE.len()]
}

/// What the y axis shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YAxis {
    /// A ratio: ticks `N×` and a dashed line at 1× (parity); the axis reaches 1× at least.
    Ratio,
    /// Absolute values from 0 (cycles per operation): ticks as numbers, no parity line.
    Absolute,
}

/// The ratio chart: `x_labels` are the parameter's values, `names` the series, `panels` the
/// panels; `x_desc` and `y_desc` label the axes.
pub fn ratio_lines(
    x_labels: &[String],
    names: &[String],
    panels: &[LinePanel],
    x_desc: &str,
    y_desc: &str,
) -> String {
    lines(x_labels, names, panels, (x_desc, y_desc), YAxis::Ratio)
}

/// The chart with a y axis of kind `y`: `x_labels` are the parameter's values, `names` the
/// series, `panels` the panels; `descs` label the x and y axes.
pub fn lines(
    x_labels: &[String],
    names: &[String],
    panels: &[LinePanel],
    (x_desc, y_desc): (&str, &str),
    y: YAxis,
) -> String {
    let items: Vec<LegendItem<'_>> = names
        .iter()
        .enumerate()
        .map(|(i, label)| LegendItem {
            label,
            color: color(i),
        })
        .collect();
    let legend_w = WIDTH - 80;
    let legend_h = legend_height(&items, legend_w);
    let columns = panels.len().clamp(1, COLUMNS);
    let grid_rows = panels.len().div_ceil(columns).max(1);
    let height = legend_h + grid_rows as u32 * PANEL_H;
    render(WIDTH, height, |root| {
        legend(root, (70, 4), legend_w, &items)?;
        let (_, body) = root.split_vertically(legend_h);
        let areas = body.split_evenly((grid_rows, columns));
        // One y scale for all panels, so they compare at a glance.
        let max = panels
            .iter()
            .flat_map(|p| {
                let highs = p.bands.iter().flatten().flatten().map(|b| b.1);
                p.series.iter().flatten().flatten().copied().chain(highs)
            })
            .filter(|v| v.is_finite())
            .fold(if y == YAxis::Ratio { 1f64 } else { 0f64 }, f64::max);
        let max = if max > 0.0 { max } else { 1.0 };
        for (panel, area) in panels.iter().zip(&areas) {
            draw_panel(area, x_labels, panel, (max * 1.15, y), (x_desc, y_desc))?;
        }
        Ok(())
    })
}

/// Draws one panel, its y axis of kind `y` from 0 to `y_hi`.
fn draw_panel(
    area: &super::Area<'_>,
    x_labels: &[String],
    panel: &LinePanel,
    (y_hi, y): (f64, YAxis),
    (x_desc, y_desc): (&str, &str),
) -> DrawResult {
    let k = x_labels.len().max(1);
    let last = i32::try_from(k).unwrap_or(i32::MAX) - 1;
    let x_range = (0..last).into_segmented();
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, (FONT, CAPTION_SIZE))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range, 0f64..y_hi)?;
    let label_of = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => usize::try_from(*i)
            .ok()
            .and_then(|i| x_labels.get(i))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(k)
        .x_label_formatter(&label_of)
        .y_label_formatter(&|v| match y {
            YAxis::Ratio => format!("{}×", format::tick(*v)),
            YAxis::Absolute => format::tick(*v),
        })
        .label_style((FONT, LABEL_SIZE))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style((FONT, LABEL_SIZE))
        .draw()?;
    if y == YAxis::Ratio {
        chart.draw_series([DashedPathElement::new(
            [(SegmentValue::Exact(0), 1.0), (SegmentValue::Last, 1.0)],
            6,
            4,
            MUTED.stroke_width(1),
        )])?;
    }
    for (s, values) in panel.series.iter().enumerate() {
        let style = color(s).stroke_width(2);
        // A missing point breaks the line.
        let mut run: Vec<(SegmentValue<i32>, f64)> = Vec::new();
        for (x, v) in (0..).zip(values) {
            match v.filter(|v| v.is_finite()) {
                Some(v) => run.push((SegmentValue::CenterOf(x), v)),
                None => {
                    chart.draw_series(LineSeries::new(run.drain(..), style))?;
                }
            }
        }
        chart.draw_series(LineSeries::new(run, style))?;
        chart.draw_series((0..).zip(values).filter_map(|(x, v)| {
            v.filter(|v| v.is_finite())
                .map(|v| Circle::new((SegmentValue::CenterOf(x), v), 4, color(s).filled()))
        }))?;
        let bands = panel.bands.get(s).map_or(&[][..], Vec::as_slice);
        chart.draw_series((0..).zip(bands).filter_map(|(x, b)| {
            let (l, h) = b.filter(|(l, h)| l.is_finite() && h.is_finite() && l < h)?;
            let at = |y| (SegmentValue::CenterOf(x), y);
            Some(PathElement::new([at(l), at(h)], color(s).stroke_width(2)))
        }))?;
    }
    Ok(())
}
