//! Rendering a benchmark [`Report`](crate::bench::model::Report): the terminal table, `report.md`
//! and the self-contained `report.html` with SVG charts (plotters).
//!
//! The renderings share one view of the report ([`data`], [`sweep`]) and one number format
//! ([`format`]); they read results only and never fail: a missing result prints `–`, and a chart
//! that cannot be drawn becomes a message in its place.

mod bands;
pub(crate) mod charts;
mod data;
mod flame;
pub(crate) mod format;
mod html;
mod markdown;
mod moved;
mod questions;
mod sections;
mod sweep;
pub(crate) mod table;
#[cfg(test)]
mod tests;
mod timeline;

use crate::bench::model::Report;

/// The terminal table: one row per benchmark, mono and micro side by side with their ratio.
pub fn table(report: &Report) -> String {
    table::render(report)
}

/// `report.md`.
pub fn markdown(report: &Report) -> String {
    markdown::render(report)
}

/// `report.html`.
pub fn html(report: &Report) -> String {
    html::render(report)
}
