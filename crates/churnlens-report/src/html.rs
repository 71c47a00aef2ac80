//! The self-contained HTML report: one file with the front end's bundle
//! (`web/dist/report.js`, ECharts inside), its stylesheet and the
//! [`ReportData`] inlined as JSON. It loads nothing from anywhere, so it
//! opens offline and can be mailed as it is. The bundle is committed, so a
//! machine without node still builds the program.

use std::path::Path;

use crate::data::ReportData;
use crate::error::ReportError;

/// The front end, built from `web/src` by `npm run build` in `web/`.
pub const REPORT_JS: &str = include_str!("../../../web/dist/report.js");

/// The report's stylesheet (screen and print).
pub const REPORT_CSS: &str = include_str!("../../../web/src/report.css");

/// The id of the `<script type="application/json">` element holding the data.
pub const DATA_ELEMENT_ID: &str = "churnlens-data";

/// JSON made safe inside a `<script>` element: `<` is escaped, so no value
/// (a customer attribute, say) can close the element early.
fn script_safe_json(data: &ReportData) -> Result<String, ReportError> {
    Ok(serde_json::to_string(data)?.replace('<', "\\u003c"))
}

/// The report as one HTML document.
pub fn render(data: &ReportData) -> Result<String, ReportError> {
    let (lang, title) = if data.lang == "zh" { ("zh-CN", "客户流失分析报告") } else { ("en", "Churn report") };
    let json = script_safe_json(data)?;
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{title} · {workspace}</title>\n<style>\n{REPORT_CSS}\n</style>\n</head>\n<body>\n<main id=\"app\"></main>\n\
         <script type=\"application/json\" id=\"{DATA_ELEMENT_ID}\">{json}</script>\n<script>\n{REPORT_JS}\n</script>\n</body>\n</html>\n",
        workspace = html_escape(&data.workspace),
    ))
}

/// Writes the report to `path`.
pub fn write(data: &ReportData, path: &Path) -> Result<(), ReportError> {
    let html = render(data)?;
    std::fs::write(path, html).map_err(|source| ReportError::Write { path: path.to_path_buf(), source })
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_cannot_close_its_script_element_early() {
        assert!(!REPORT_JS.to_ascii_lowercase().contains("</script"), "the bundle holds </script");
    }

    #[test]
    fn markup_in_data_is_escaped() {
        assert_eq!(html_escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
