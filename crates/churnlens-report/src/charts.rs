//! `churnlens report --charts DIR`: each chart of the report as an SVG and a
//! PNG file, for slides and documents where the interactive HTML cannot go.
//!
//! The charts are drawn from the same [`ReportData`] the HTML report inlines,
//! with the same series, labels and language, by `plotters` (SVG backend, and
//! its bitmap backend with `ab_glyph` text). They are static: no tooltips or
//! zoom; the Sankey of lifecycle flows has no static counterpart and is left
//! out (its counts are in the report's JSON).
//!
//! PNG text needs a font file: `CHURNLENS_FONT` names one, else the usual CJK
//! fonts of Linux, macOS and Windows are tried (a zh chart needs Chinese
//! glyphs), then common Latin ones for an en chart. Without any, the SVGs are
//! written and the PNGs are skipped with the reason ([`ChartFiles::png_skipped`]).
//! The PNG encoder is our own ([`png`]): the `png`/`image` crates turn on
//! flate2 features that rebuild Parquet and DataFusion and add a second
//! deflate implementation; an RGB PNG is a header, one zlib stream (flate2,
//! already linked) and three CRCs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::data::{FeatureImportance, ReportData};
use crate::error::ReportError;

/// Width and height of every chart in pixels (16:9, sharp on a slide).
pub const SIZE: (u32, u32) = (1280, 720);

/// ECharts' default palette, so the static charts look like the report's.
const PALETTE: [RGBColor; 9] = [
    RGBColor(0x54, 0x70, 0xc6),
    RGBColor(0x91, 0xcc, 0x75),
    RGBColor(0xfa, 0xc8, 0x58),
    RGBColor(0xee, 0x66, 0x66),
    RGBColor(0x73, 0xc0, 0xde),
    RGBColor(0x3b, 0xa2, 0x72),
    RGBColor(0xfc, 0x84, 0x52),
    RGBColor(0x9a, 0x60, 0xb4),
    RGBColor(0xea, 0x7c, 0xcc),
];

/// The font family name the charts ask for; PNG text registers the found font under it.
const FAMILY: &str = "sans-serif";

/// What [`write_charts`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    /// Every file written, SVG and PNG, in chart order.
    pub files: Vec<PathBuf>,
    /// Why no PNG was written (no usable font), when none was.
    pub png_skipped: Option<String>,
}

/// One static chart: a name (the file stem, as the HTML report's chart id), a
/// title and what to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem, e.g. `trend`.
    pub name: &'static str,
    /// Title drawn above the plot.
    pub title: String,
    /// The plot.
    pub plot: Plot,
}

/// A series over the categories of a [`Plot::Categories`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// How it is drawn.
    pub mark: Mark,
    /// Drawn against the right-hand axis.
    pub secondary: bool,
}

/// How a series is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A line; gaps where a value is missing.
    Line(Vec<Option<f64>>),
    /// A dashed line.
    Dashed(Vec<Option<f64>>),
    /// Bars (stacked with the other `Stacked` series of the plot).
    Bars(Vec<f64>),
    /// Bars stacked on each other.
    Stacked(Vec<f64>),
    /// A shaded band between two lines, e.g. a prediction interval.
    Band(Vec<Option<(f64, f64)>>),
}

/// What a chart plots.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Series over named categories (months, segments, deciles).
    Categories {
        /// The x-axis categories.
        categories: Vec<String>,
        /// The left axis' name.
        y_name: String,
        /// The right axis' name, when a series is secondary.
        y2_name: Option<String>,
        /// The series.
        series: Vec<Series>,
    },
    /// Horizontal bars, one per named row, top to bottom.
    HorizontalBars {
        /// Row names.
        rows: Vec<String>,
        /// One value each.
        values: Vec<f64>,
        /// The value axis' name.
        x_name: String,
    },
    /// Lines over a numeric x-axis (step lines for survival, ROC).
    Curves {
        /// x-axis name.
        x_name: String,
        /// y-axis name.
        y_name: String,
        /// x-axis range.
        x_range: (f64, f64),
        /// y-axis range.
        y_range: (f64, f64),
        /// Legend name and points of each curve.
        curves: Vec<(String, Vec<(f64, f64)>)>,
        /// Draw each curve as a right-continuous step function.
        steps: bool,
        /// Draw the diagonal y = x (a ROC's chance line).
        diagonal: bool,
    },
    /// Cohort retention: rows of cohorts, columns of months since the start.
    Heatmap {
        /// Row names (cohorts).
        rows: Vec<String>,
        /// Number of columns.
        columns: u32,
        /// (column, row, percent) cells.
        cells: Vec<(u32, usize, f64)>,
        /// The x-axis' name.
        x_name: String,
    },
}

/// The report's labels, shared with the front end (web/src/i18n.ts imports
/// the same file), so a static chart says the same words as its interactive
/// twin in the HTML report.
const REPORT_LABELS: &str = include_str!("../../../web/src/report-labels.json");

/// One language's part of [`REPORT_LABELS`] that the static charts read.
#[derive(serde::Deserialize)]
struct LabelGroups {
    sections: HashMap<String, String>,
    series: HashMap<String, String>,
}

#[derive(serde::Deserialize)]
struct LabelFile {
    en: LabelGroups,
    zh: LabelGroups,
}

/// Labels the static charts need, in the report's language.
struct Labels {
    trend: &'static str,
    revenue_lost: &'static str,
    cohorts: &'static str,
    lifecycle: &'static str,
    nps: &'static str,
    segments: &'static str,
    drivers: &'static str,
    survival: &'static str,
    forecast: &'static str,
    clv: &'static str,
    model_comparison: &'static str,
    roc: &'static str,
    lift: &'static str,
    churn: &'static str,
    retention: &'static str,
    active: &'static str,
    lost: &'static str,
    churned: &'static str,
    months_since: &'static str,
    customers: &'static str,
    churn_rate: &'static str,
    cramers_v: &'static str,
    not_churned: &'static str,
    observed: &'static str,
    predicted: &'static str,
    i80: &'static str,
    i95: &'static str,
    clv_axis: &'static str,
    answers: &'static str,
    fpr: &'static str,
    tpr: &'static str,
    gain: &'static str,
    cumulative_lift: &'static str,
    importance: &'static str,
    auc_drop: &'static str,
    lift_axis: &'static str,
}

impl Labels {
    /// `None` when the file lacks a label (a test checks both languages).
    fn of(groups: &'static LabelGroups) -> Option<Labels> {
        Some(Labels {
            trend: groups.sections.get("trend")?.as_str(),
            revenue_lost: groups.sections.get("revenue_lost")?.as_str(),
            cohorts: groups.sections.get("cohorts")?.as_str(),
            lifecycle: groups.sections.get("lifecycle")?.as_str(),
            nps: groups.sections.get("nps")?.as_str(),
            segments: groups.sections.get("segments")?.as_str(),
            drivers: groups.sections.get("drivers")?.as_str(),
            survival: groups.sections.get("survival")?.as_str(),
            forecast: groups.sections.get("forecast")?.as_str(),
            clv: groups.sections.get("clv")?.as_str(),
            model_comparison: groups.sections.get("model_comparison")?.as_str(),
            roc: groups.sections.get("roc")?.as_str(),
            lift: groups.sections.get("lift")?.as_str(),
            churn: groups.series.get("churn")?.as_str(),
            retention: groups.series.get("retention")?.as_str(),
            active: groups.series.get("active")?.as_str(),
            lost: groups.series.get("revenueLost")?.as_str(),
            churned: groups.series.get("churned")?.as_str(),
            months_since: groups.series.get("monthsSince")?.as_str(),
            customers: groups.series.get("customers")?.as_str(),
            churn_rate: groups.series.get("churnRate")?.as_str(),
            cramers_v: groups.series.get("cramersV")?.as_str(),
            not_churned: groups.series.get("survival")?.as_str(),
            observed: groups.series.get("history")?.as_str(),
            predicted: groups.series.get("forecast")?.as_str(),
            i80: groups.series.get("i80")?.as_str(),
            i95: groups.series.get("i95")?.as_str(),
            clv_axis: groups.series.get("clv")?.as_str(),
            answers: groups.series.get("responses")?.as_str(),
            fpr: groups.series.get("fpr")?.as_str(),
            tpr: groups.series.get("tpr")?.as_str(),
            gain: groups.series.get("gain")?.as_str(),
            cumulative_lift: groups.series.get("cumulativeLift")?.as_str(),
            importance: groups.sections.get("importance")?.as_str(),
            auc_drop: groups.series.get("aucDrop")?.as_str(),
            lift_axis: groups.series.get("lift")?.as_str(),
        })
    }
}

fn label_file() -> Option<&'static LabelFile> {
    static FILE: OnceLock<Option<LabelFile>> = OnceLock::new();
    FILE.get_or_init(|| serde_json::from_str(REPORT_LABELS).ok()).as_ref()
}

/// The labels in `lang` (zh, else en), from the compiled-in file; a test
/// checks it parses and holds every label, so the `expect` cannot fire in a
/// build that passed its tests.
fn labels(lang: &str) -> &'static Labels {
    static LABELS: OnceLock<[Labels; 2]> = OnceLock::new();
    let [en, zh] = LABELS.get_or_init(|| {
        let file = label_file().expect("web/src/report-labels.json parses (tested)");
        [Labels::of(&file.en), Labels::of(&file.zh)].map(|labels| labels.expect("web/src/report-labels.json holds every label (tested)"))
    });
    if lang == "zh" { zh } else { en }
}

fn line(name: &str, values: Vec<Option<f64>>) -> Series {
    Series { name: name.to_owned(), mark: Mark::Line(values), secondary: false }
}

fn bars(name: &str, values: Vec<f64>, secondary: bool) -> Series {
    Series { name: name.to_owned(), mark: Mark::Bars(values), secondary }
}

/// The static charts of a report, in the HTML report's order; sections
/// absent from the data give no chart.
pub fn charts(data: &ReportData) -> Vec<Chart> {
    let t = labels(&data.lang);
    let mut out = Vec::new();
    if let Some(d) = &data.trend {
        out.push(Chart {
            name: "trend",
            title: t.trend.into(),
            plot: Plot::Categories {
                categories: d.periods.clone(),
                y_name: "%".into(),
                y2_name: Some(t.active.into()),
                series: vec![
                    bars(t.active, d.active.iter().map(|&v| v as f64).collect(), true),
                    line(t.churn, d.churn_rate.clone()),
                    line(t.retention, d.retention_rate.clone()),
                ],
            },
        });
    }
    if let Some(d) = &data.revenue_lost {
        out.push(Chart {
            name: "revenue_lost",
            title: t.revenue_lost.into(),
            plot: Plot::Categories {
                categories: d.periods.clone(),
                y_name: t.lost.into(),
                y2_name: Some(t.churned.into()),
                series: vec![
                    bars(t.lost, d.revenue_lost.clone(), false),
                    Series { name: t.churned.into(), mark: Mark::Line(d.churned.iter().map(|&v| Some(v as f64)).collect()), secondary: true },
                ],
            },
        });
    }
    if let Some(d) = &data.cohorts {
        out.push(Chart {
            name: "cohorts",
            title: t.cohorts.into(),
            plot: Plot::Heatmap { rows: d.cohorts.clone(), columns: d.max_offset + 1, cells: d.cells.clone(), x_name: t.months_since.into() },
        });
    }
    if let Some(d) = &data.lifecycle {
        let series = d
            .stages
            .iter()
            .zip(&d.counts)
            .map(|(stage, counts)| Series { name: stage.clone(), mark: Mark::Stacked(counts.iter().map(|&v| v as f64).collect()), secondary: false })
            .collect();
        out.push(Chart {
            name: "lifecycle",
            title: t.lifecycle.into(),
            plot: Plot::Categories { categories: d.periods.clone(), y_name: t.customers.into(), y2_name: None, series },
        });
    }
    if let Some(d) = &data.nps {
        out.push(Chart {
            name: "nps",
            title: t.nps.into(),
            plot: Plot::Categories {
                categories: d.periods.clone(),
                y_name: "NPS".into(),
                y2_name: Some(t.answers.into()),
                series: vec![bars(t.answers, d.responses.iter().map(|&v| v as f64).collect(), true), line("NPS", d.nps.clone())],
            },
        });
    }
    if let Some(d) = &data.segments {
        out.push(Chart {
            name: "segments",
            title: t.segments.into(),
            plot: Plot::Categories {
                categories: d.segments.iter().map(|s| s.name.clone()).collect(),
                y_name: t.customers.into(),
                y2_name: Some(t.churn_rate.into()),
                series: vec![
                    bars(t.customers, d.segments.iter().map(|s| s.customers as f64).collect(), false),
                    Series { name: t.churn_rate.into(), mark: Mark::Line(d.segments.iter().map(|s| Some(s.churn_rate)).collect()), secondary: true },
                ],
            },
        });
    }
    if let Some(d) = &data.drivers {
        out.push(Chart {
            name: "drivers",
            title: t.drivers.into(),
            plot: Plot::HorizontalBars {
                rows: d.drivers.iter().map(|x| x.attribute.clone()).collect(),
                values: d.drivers.iter().map(|x| x.cramers_v.unwrap_or(0.0)).collect(),
                x_name: t.cramers_v.into(),
            },
        });
    }
    if let Some(d) = &data.survival {
        let last = d.months.last().copied().unwrap_or(1.0).max(1.0);
        out.push(Chart {
            name: "survival",
            title: t.survival.into(),
            plot: Plot::Curves {
                x_name: t.months_since.into(),
                y_name: t.not_churned.into(),
                x_range: (0.0, last),
                y_range: (0.0, 100.0),
                curves: d
                    .curves
                    .iter()
                    .map(|c| (format!("{} ({})", c.group, c.customers), d.months.iter().copied().zip(c.survival.iter().copied()).collect()))
                    .collect(),
                steps: true,
                diagonal: false,
            },
        });
    }
    if let Some(d) = &data.forecast {
        let n = d.history.len();
        let pad = |values: &[f64]| -> Vec<Option<f64>> { std::iter::repeat_n(None, n).chain(values.iter().map(|&v| Some(v))).collect() };
        let band = |low: &[f64], high: &[f64]| -> Vec<Option<(f64, f64)>> {
            std::iter::repeat_n(None, n).chain(low.iter().zip(high).map(|(&l, &h)| Some((l, h)))).collect()
        };
        out.push(Chart {
            name: "forecast",
            title: t.forecast.into(),
            plot: Plot::Categories {
                categories: d.history_periods.iter().chain(&d.periods).cloned().collect(),
                y_name: t.active.into(),
                y2_name: None,
                series: vec![
                    Series { name: t.i95.into(), mark: Mark::Band(band(&d.lower_95, &d.upper_95)), secondary: false },
                    Series { name: t.i80.into(), mark: Mark::Band(band(&d.lower_80, &d.upper_80)), secondary: false },
                    line(t.observed, d.history.iter().map(|&v| Some(v)).collect()),
                    Series { name: t.predicted.into(), mark: Mark::Dashed(pad(&d.point)), secondary: false },
                ],
            },
        });
    }
    if let Some(d) = &data.clv {
        let last = d.bins.len().saturating_sub(1);
        let categories =
            d.bins.iter().enumerate().map(|(i, b)| if i == last { format!("≥ {:.0}", b.lower) } else { format!("{:.0}–{:.0}", b.lower, b.upper) }).collect();
        out.push(Chart {
            name: "clv",
            title: t.clv.into(),
            plot: Plot::Categories {
                categories,
                y_name: t.customers.into(),
                y2_name: None,
                series: vec![bars(t.clv_axis, d.bins.iter().map(|b| b.customers as f64).collect(), false)],
            },
        });
    }
    if let Some(d) = &data.churn_model {
        out.push(Chart {
            name: "model_comparison",
            title: t.model_comparison.into(),
            plot: Plot::HorizontalBars {
                rows: d.models.iter().map(|m| if m.default { format!("{} ★", m.name) } else { m.name.clone() }).collect(),
                values: d.models.iter().map(|m| m.auc).collect(),
                x_name: "ROC AUC".into(),
            },
        });
        if !d.roc.is_empty() {
            out.push(Chart {
                name: "roc",
                title: t.roc.into(),
                plot: Plot::Curves {
                    x_name: t.fpr.into(),
                    y_name: t.tpr.into(),
                    x_range: (0.0, 1.0),
                    y_range: (0.0, 1.0),
                    curves: vec![(format!("{} (AUC {:.3})", d.model, d.curve_auc), d.roc.clone())],
                    steps: false,
                    diagonal: true,
                },
            });
        }
        if !d.gains.is_empty() {
            out.push(Chart {
                name: "gains",
                title: t.lift.into(),
                plot: Plot::Categories {
                    categories: d.gains.iter().map(|g| g.decile.to_string()).collect(),
                    y_name: t.gain.into(),
                    y2_name: Some(t.lift_axis.into()),
                    series: vec![
                        bars(t.lift_axis, d.gains.iter().map(|g| g.lift).collect(), true),
                        line(t.gain, d.gains.iter().map(|g| Some(g.cumulative_gain)).collect()),
                        Series {
                            name: t.cumulative_lift.into(),
                            mark: Mark::Dashed(d.gains.iter().map(|g| Some(g.cumulative_lift)).collect()),
                            secondary: true,
                        },
                    ],
                },
            });
        }
        if !d.importance.is_empty() {
            out.push(Chart {
                name: "importance",
                title: t.importance.into(),
                plot: Plot::HorizontalBars {
                    rows: d.importance.iter().map(importance_row).collect(),
                    values: d.importance.iter().map(|f| f.auc_drop).collect(),
                    x_name: t.auc_drop.into(),
                },
            });
        }
    }
    out
}

/// Writes every chart of `data` to `dir` as `NAME.svg` and `NAME.png`
/// (creating `dir`). Each file is written whole to a temporary name and
/// renamed, so a failure leaves no half-written chart.
pub fn write_charts(data: &ReportData, dir: &Path) -> Result<ChartFiles, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write { path: dir.to_owned(), source })?;
    let font = fonts::register(data.lang == "zh");
    let mut files = Vec::new();
    for chart in charts(data) {
        let mut svg = String::new();
        draw(SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(), &chart).map_err(|e| ReportError::Chart { chart: chart.name, reason: e })?;
        files.push(write_atomically(&dir.join(format!("{}.svg", chart.name)), svg.as_bytes())?);
        if font.is_ok() {
            let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
            draw(BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(), &chart).map_err(|e| ReportError::Chart { chart: chart.name, reason: e })?;
            files.push(write_atomically(&dir.join(format!("{}.png", chart.name)), &png::encode_rgb(SIZE.0, SIZE.1, &rgb))?);
        }
    }
    Ok(ChartFiles { files, png_skipped: font.err() })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<PathBuf, ReportError> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path)).map_err(|source| ReportError::Write { path: path.to_owned(), source })?;
    Ok(path.to_owned())
}

/// Draws `chart` on `root`; the error is the backend's, as text.
pub fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    draw_inner(&root, chart).map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_inner<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let title = (FAMILY, 30).into_font();
    match &chart.plot {
        Plot::Categories { categories, y_name, y2_name, series } => draw_categories(root, &chart.title, title, categories, y_name, y2_name.as_deref(), series),
        Plot::HorizontalBars { rows, values, x_name } => draw_horizontal_bars(root, &chart.title, title, rows, values, x_name),
        Plot::Curves { x_name, y_name, x_range, y_range, curves, steps, diagonal } => {
            draw_curves(root, &chart.title, title, (x_name, y_name), (*x_range, *y_range), curves, *steps, *diagonal)
        }
        Plot::Heatmap { rows, columns, cells, x_name } => draw_heatmap(root, &chart.title, title, rows, *columns, cells, x_name),
    }
}

fn label_font() -> FontDesc<'static> {
    (FAMILY, 18).into_font()
}

/// The faint grid between labelled lines.
const LIGHT_GRID: RGBColor = RGBColor(0xf4, 0xf4, 0xf4);

/// Axis numbers with as many decimals as the axis' span needs (none above 20: "800", not "800.0").
fn axis_number(span: f64) -> impl Fn(&f64) -> String {
    let decimals = if span > 20.0 {
        0
    } else if span > 2.0 {
        1
    } else {
        2
    };
    move |v: &f64| format!("{v:.decimals$}")
}

/// The category at an axis position, for positions on a category's centre.
fn category_label(categories: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    categories.get(i as usize).cloned().unwrap_or_default()
}

/// (least, greatest) of the values, widened to include 0 and padded by 8% so
/// the tallest bar and labels are not cut.
fn value_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut low, mut high) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        low = low.min(v);
        high = high.max(v);
    }
    if high <= low {
        high = low + 1.0;
    }
    let pad = (high - low) * 0.08;
    (if low < 0.0 { low - pad } else { low }, high + pad)
}

fn series_values(series: &Series) -> Vec<f64> {
    match &series.mark {
        Mark::Line(v) | Mark::Dashed(v) => v.iter().flatten().copied().collect(),
        Mark::Bars(v) | Mark::Stacked(v) => v.clone(),
        Mark::Band(v) => v.iter().flatten().flat_map(|&(l, h)| [l, h]).collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_categories<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    title_font: FontDesc,
    categories: &[String],
    y_name: &str,
    y2_name: Option<&str>,
    series: &[Series],
) -> DrawResult<DB> {
    let n = categories.len().max(1);
    let stacked_totals: Vec<f64> =
        (0..n).map(|i| series.iter().filter_map(|s| if let Mark::Stacked(v) = &s.mark { v.get(i).copied() } else { None }).sum()).collect();
    let primary = value_range(series.iter().filter(|s| !s.secondary).flat_map(series_values).chain(stacked_totals.iter().copied()));
    let secondary = value_range(series.iter().filter(|s| s.secondary).flat_map(series_values));
    let x_range = -0.5..(n as f64 - 0.5);
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_font)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .right_y_label_area_size(if y2_name.is_some() { 90 } else { 10 })
        .build_cartesian_2d(x_range.clone(), primary.0..primary.1)?
        .set_secondary_coord(x_range, secondary.0..secondary.1);
    let formatter = |x: &f64| category_label(categories, *x);
    let y_formatter = axis_number(primary.1 - primary.0);
    let y2_formatter = axis_number(secondary.1 - secondary.0);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(LIGHT_GRID)
        .x_labels(n.min(12))
        .x_label_formatter(&formatter)
        .x_label_style(label_font())
        .y_label_style(label_font())
        .y_label_formatter(&y_formatter)
        .y_desc(y_name)
        .axis_desc_style(label_font())
        .draw()?;
    if let Some(name) = y2_name {
        chart.configure_secondary_axes().y_desc(name).y_label_formatter(&y2_formatter).label_style(label_font()).axis_desc_style(label_font()).draw()?;
    }
    let bar_series = series.iter().filter(|s| matches!(s.mark, Mark::Bars(_))).count().max(1);
    let mut bar_index = 0;
    let mut stack_base = vec![0.0; n];
    for (k, s) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        match &s.mark {
            Mark::Bars(values) => {
                // Side by side when there are several bar series on one axis, as ECharts does.
                let width = 0.7 / bar_series as f64;
                let left = -0.35 + width * bar_index as f64;
                bar_index += 1;
                let rects =
                    values.iter().enumerate().map(|(i, &v)| Rectangle::new([(i as f64 + left, 0.0), (i as f64 + left + width, v)], color.mix(0.8).filled()));
                let drawn = if s.secondary { chart.draw_secondary_series(rects)? } else { chart.draw_series(rects)? };
                drawn.label(&s.name).legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
            }
            Mark::Stacked(values) => {
                let rects: Vec<_> = values
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| {
                        let base = stack_base[i];
                        stack_base[i] += v;
                        Rectangle::new([(i as f64 - 0.35, base), (i as f64 + 0.35, base + v)], color.filled())
                    })
                    .collect();
                chart.draw_series(rects)?.label(&s.name).legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
            }
            Mark::Line(values) | Mark::Dashed(values) => {
                let dashed = matches!(s.mark, Mark::Dashed(_));
                let style = ShapeStyle::from(&color).stroke_width(3);
                for run in runs(values) {
                    let points: Vec<(f64, f64)> = run.into_iter().map(|(i, v)| (i as f64, v)).collect();
                    let drawn = match (dashed, s.secondary) {
                        (true, _) => chart.draw_series(DashedLineSeries::new(points, 10, 6, style))?,
                        (false, true) => chart.draw_secondary_series(LineSeries::new(points, style))?,
                        (false, false) => chart.draw_series(LineSeries::new(points, style))?,
                    };
                    drawn.label(&s.name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
                }
            }
            Mark::Band(values) => {
                let alpha = if k == 0 { 0.15 } else { 0.3 };
                let band_color = PALETTE[0].mix(alpha);
                for run in band_runs(values) {
                    let upper = run.iter().map(|&(i, (_, h))| (i as f64, h));
                    let lower = run.iter().rev().map(|&(i, (l, _))| (i as f64, l));
                    chart
                        .draw_series(std::iter::once(Polygon::new(upper.chain(lower).collect::<Vec<_>>(), band_color.filled())))?
                        .label(&s.name)
                        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], band_color.filled()));
                }
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(label_font())
        .draw()?;
    Ok(())
}

/// The runs of consecutive present values, so a line breaks where data is missing.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v.filter(|v| v.is_finite()) {
            Some(v) => current.push((i, v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn band_runs(values: &[Option<(f64, f64)>]) -> Vec<Vec<(usize, (f64, f64))>> {
    let mut out: Vec<Vec<(usize, (f64, f64))>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(pair) => current.push((i, *pair)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A row of the importance chart: the feature, how many correlated features
/// share its entry, and its kind — "orders_30d (+5) · warning sign"; the
/// text above the chart says what the count means.
fn importance_row(f: &FeatureImportance) -> String {
    match f.correlated.len() {
        0 => format!("{} · {}", f.feature, f.kind),
        n => format!("{} (+{n}) · {}", f.feature, f.kind),
    }
}

fn draw_horizontal_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    title_font: FontDesc,
    rows: &[String],
    values: &[f64],
    x_name: &str,
) -> DrawResult<DB> {
    let n = rows.len().max(1);
    let range = value_range(values.iter().copied());
    // Row 0 at the top: the y axis runs from n − 0.5 down to −0.5.
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_font)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(260)
        .build_cartesian_2d(range.0..range.1, (n as f64 - 0.5)..-0.5)?;
    let formatter = |y: &f64| category_label(rows, *y);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(LIGHT_GRID)
        .y_labels(n)
        .y_label_formatter(&formatter)
        .x_desc(x_name)
        .label_style(label_font())
        .axis_desc_style(label_font())
        .draw()?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, &v)| Rectangle::new([(0.0, i as f64 - 0.35), (v, i as f64 + 0.35)], PALETTE[0].mix(0.85).filled())))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    title_font: FontDesc,
    (x_name, y_name): (&str, &str),
    (x_range, y_range): ((f64, f64), (f64, f64)),
    curves: &[(String, Vec<(f64, f64)>)],
    steps: bool,
    diagonal: bool,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_font)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
    chart.configure_mesh().light_line_style(LIGHT_GRID).x_desc(x_name).y_desc(y_name).label_style(label_font()).axis_desc_style(label_font()).draw()?;
    if diagonal {
        chart.draw_series(DashedLineSeries::new(vec![(x_range.0, y_range.0), (x_range.1, y_range.1)], 8, 6, ShapeStyle::from(&BLACK.mix(0.4))))?;
    }
    for (k, (name, points)) in curves.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let style = ShapeStyle::from(&color).stroke_width(if k == 0 { 4 } else { 2 });
        let path: Vec<(f64, f64)> = if steps {
            // A survival curve holds its value until the next time point.
            points.iter().enumerate().flat_map(|(i, &(x, y))| if i == 0 { vec![(x, y)] } else { vec![(x, points[i - 1].1), (x, y)] }).collect()
        } else {
            points.clone()
        };
        chart.draw_series(LineSeries::new(path, style))?.label(name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(label_font())
        .draw()?;
    Ok(())
}

/// A retention percentage as a colour from pale (0%) to the palette's blue (100%).
fn heat(percent: f64) -> RGBColor {
    let t = (percent / 100.0).clamp(0.0, 1.0);
    let mix = |pale: u8, full: u8| (f64::from(pale) + (f64::from(full) - f64::from(pale)) * t).round() as u8;
    RGBColor(mix(0xf0, 0x31), mix(0xf4, 0x4a), mix(0xfb, 0xa6))
}

fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    title_font: FontDesc,
    rows: &[String],
    columns: u32,
    cells: &[(u32, usize, f64)],
    x_name: &str,
) -> DrawResult<DB> {
    let n = rows.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_font)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5..(f64::from(columns.max(1)) - 0.5), (n as f64 - 0.5)..-0.5)?;
    let formatter = |y: &f64| category_label(rows, *y);
    let columns_formatter = |x: &f64| if (x - x.round()).abs() < 1e-6 && *x >= 0.0 { format!("{}", x.round()) } else { String::new() };
    chart
        .configure_mesh()
        .disable_mesh()
        .y_labels(n.min(40))
        .y_label_formatter(&formatter)
        .x_labels(columns.min(40) as usize)
        .x_label_formatter(&columns_formatter)
        .x_desc(x_name)
        .label_style(label_font())
        .axis_desc_style(label_font())
        .draw()?;
    // Month 0 is 100% by definition and would flatten the colour scale, as in the HTML report.
    chart.draw_series(cells.iter().filter(|c| c.0 > 0).map(|&(column, row, percent)| {
        let (x, y) = (f64::from(column), row as f64);
        Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], heat(percent).filled())
    }))?;
    Ok(())
}

mod fonts {
    //! The font file for PNG text (see the module docs of [`super`]).

    use std::path::PathBuf;
    use std::sync::OnceLock;

    /// CJK fonts first (a zh chart needs them; they have Latin glyphs too).
    const CJK: [&str; 9] = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/System/Library/Fonts/PingFang.ttc",
        "/System/Library/Fonts/STHeiti Light.ttc",
        "C:\\Windows\\Fonts\\msyh.ttc",
    ];
    const LATIN: [&str; 4] = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        "C:\\Windows\\Fonts\\arial.ttf",
    ];

    /// The font registered for the process (plotters keeps fonts in a global
    /// table, so it is found once) and whether it has Chinese glyphs.
    static REGISTERED: OnceLock<Result<(PathBuf, bool), String>> = OnceLock::new();

    /// Registers a font for PNG text; `Err` says why there is none (for a zh
    /// chart a Latin-only font is not enough).
    pub fn register(needs_cjk: bool) -> Result<(), String> {
        let found = REGISTERED.get_or_init(|| {
            let chosen = std::env::var_os("CHURNLENS_FONT").map(|f| (PathBuf::from(f), true)).into_iter();
            let candidates = chosen.chain(CJK.iter().map(|p| (PathBuf::from(p), true))).chain(LATIN.iter().map(|p| (PathBuf::from(p), false)));
            for (path, cjk) in candidates {
                let Ok(bytes) = std::fs::read(&path) else { continue };
                // plotters wants the font for the whole process ('static); one file, read once.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font(super::FAMILY, plotters::style::FontStyle::Normal, bytes).is_ok() {
                    return Ok((path, cjk));
                }
            }
            Err("no font file found for PNG text; set CHURNLENS_FONT to a .ttf/.ttc/.otf file (for zh charts one with Chinese glyphs, e.g. WenQuanYi Micro Hei or Noto Sans CJK) / 未找到用于 PNG 文字的字体文件：请用 CHURNLENS_FONT 指定（中文图表需含中文字形的字体，如文泉驿微米黑或 Noto Sans CJK）".to_owned())
        });
        match found {
            Ok((_, true)) => Ok(()),
            Ok((_, false)) if !needs_cjk => Ok(()),
            Ok((path, false)) => Err(format!(
                "{} has no Chinese glyphs; set CHURNLENS_FONT to a CJK font for zh PNG charts / 该字体不含中文字形：请用 CHURNLENS_FONT 指定中文字体",
                path.display()
            )),
            Err(reason) => Err(reason.clone()),
        }
    }
}

pub mod png {
    //! A minimal PNG encoder for 8-bit RGB images (see the module docs of
    //! [`super`] for why it is ours): signature, IHDR, one IDAT holding the
    //! zlib stream of the rows (filter type 0), IEND.

    use std::io::Write;

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }

    /// The PNG file of a `width` × `height` image whose pixels are `rgb`
    /// (row-major, 3 bytes each).
    ///
    /// # Panics
    /// When `rgb` does not hold exactly `width × height × 3` bytes.
    pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
        let row = width as usize * 3;
        assert_eq!(rgb.len(), row * height as usize, "an RGB buffer of width × height × 3 bytes");
        let mut header = Vec::with_capacity(13);
        header.extend_from_slice(&width.to_be_bytes());
        header.extend_from_slice(&height.to_be_bytes());
        // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        for line in rgb.chunks_exact(row) {
            // Filter type 0 (none) before every row; writing to a Vec cannot fail.
            zlib.write_all(&[0]).and_then(|()| zlib.write_all(line)).expect("writing to memory");
        }
        let data = zlib.finish().expect("writing to memory");
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &header);
        chunk(&mut out, b"IDAT", &data);
        chunk(&mut out, b"IEND", &[]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared label file parses and holds every label the static charts
    /// read, in both languages, with the words the report has always used.
    #[test]
    fn the_shared_label_file_holds_every_static_chart_label() {
        let file = label_file().expect("web/src/report-labels.json parses");
        let (en, zh) = (Labels::of(&file.en).expect("every en label"), Labels::of(&file.zh).expect("every zh label"));
        assert_eq!(
            (en.trend, en.lost, en.not_churned, en.answers, en.model_comparison),
            ("Churn and retention", "Revenue lost", "Not churned %", "Answers", "Churn models: ROC AUC")
        );
        assert_eq!(
            (zh.trend, zh.lost, zh.not_churned, zh.answers, zh.model_comparison),
            ("流失与留存趋势", "损失收入", "未流失 %", "答卷数", "流失模型：ROC AUC")
        );
        assert_eq!(labels("zh").cumulative_lift, "累计提升度");
        assert_eq!(labels("fr").cumulative_lift, "Cumulative lift");
    }

    #[test]
    fn png_of_a_two_by_one_image_decodes_to_its_pixels() {
        // Red and blue pixels. The chunk CRCs are checked against the IEND
        // chunk's well-known CRC (AE 42 60 82) and the zlib stream by inflating it.
        let file = png::encode_rgb(2, 1, &[255, 0, 0, 0, 0, 255]);
        assert_eq!(&file[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&file[file.len() - 12..], &[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
        assert_eq!(&file[8..16], &[0, 0, 0, 13, b'I', b'H', b'D', b'R']);
        assert_eq!(&file[16..29], &[0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        let idat_len = u32::from_be_bytes(file[33..37].try_into().unwrap()) as usize;
        assert_eq!(&file[37..41], b"IDAT");
        let mut pixels = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&file[41..41 + idat_len]), &mut pixels).unwrap();
        assert_eq!(pixels, [0, 255, 0, 0, 0, 0, 255]);
        // IHDR's CRC, computed independently over "IHDR" + the 13 header bytes.
        let mut crc = crc32fast::Hasher::new();
        crc.update(&file[12..29]);
        assert_eq!(file[29..33], crc.finalize().to_be_bytes());
    }

    #[test]
    fn category_labels_sit_on_whole_positions_only() {
        let names = vec!["2025-01".to_owned(), "2025-02".to_owned()];
        assert_eq!(category_label(&names, 1.0), "2025-02");
        assert_eq!(category_label(&names, 0.5), "");
        assert_eq!(category_label(&names, -1.0), "");
        assert_eq!(category_label(&names, 2.0), "");
    }

    #[test]
    fn lines_break_where_values_are_missing() {
        assert_eq!(runs(&[None, Some(1.0), Some(2.0), None, Some(f64::NAN), Some(3.0)]), vec![vec![(1, 1.0), (2, 2.0)], vec![(5, 3.0)]]);
    }

    #[test]
    fn value_ranges_include_zero_and_leave_headroom() {
        assert_eq!(value_range([10.0, 40.0].into_iter()), (0.0, 40.0 * 1.08));
        let (low, high) = value_range([-10.0, 10.0].into_iter());
        assert!((low + 11.6).abs() < 1e-12 && (high - 11.6).abs() < 1e-12);
        assert_eq!(value_range(std::iter::empty()), (0.0, 1.08));
    }
}
