//! The JSON Schemas of what klab writes for scripts — `report.json` (`klab bench`, `sweep`,
//! `report`) and `klab run --stats-json` — generated from the serialized Rust types with
//! `schemars`, so they cannot say other than what klab writes. `klab readme` keeps them in
//! `docs/schema/`; a test validates real output against the committed files.

use schemars::JsonSchema;

/// Each schema: (file name, pretty JSON with a final newline).
pub fn schemas() -> Vec<(&'static str, String)> {
    vec![
        (
            "report.schema.json",
            render::<crate::bench::model::Report>(),
        ),
        ("stats.schema.json", render::<emu::report::RunReport>()),
    ]
}

/// The schema of `T` as pretty JSON.
fn render<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}
