//! The report's numbers (issue #8): the report of a small deterministic demo
//! workspace (2,000 customers, seed 42, Beijing time) holds exactly the values
//! the metrics and models crates give when called directly, its headline
//! figures equal a committed golden file, and the HTML is one self-contained
//! file whose inlined JSON is the report data.
//!
//! The golden file `tests/fixtures/report_headline.json` was written by this
//! test with `CHURNLENS_UPDATE_GOLDEN=1` after the library checks below
//! passed; it guards the headline against silent change.

use std::sync::OnceLock;

use approx::assert_abs_diff_eq;
use arrow::array::{Array, AsArray};
use churnlens_core::{Lang, Table};
use churnlens_ingest::{ImportOptions, Workspace, import_file};
use churnlens_metrics::calendar::{Calendar, Period};
use churnlens_metrics::{Engine, Metrics, MetricsOptions};
use churnlens_models::forecasting::{self, Intervals, Measure};
use churnlens_models::segment::base::{BaseOptions, CustomerBase};
use churnlens_models::segment::rfm::{Rfm, Scheme};
use churnlens_models::stats::forecast::EtsParams;
use churnlens_models::stats::rfm::Threshold;
use churnlens_report::data::KpiKey;
use churnlens_report::{ReportData, ReportOptions, build, html};

/// Library and report values are the same computation: only float summation order may differ.
const SAME: f64 = 1e-9;

fn beijing() -> Calendar {
    Calendar::in_zone(churnlens_ingest::parse_tz("Asia/Shanghai").unwrap())
}

struct Demo {
    _dir: tempfile::TempDir,
    ws: Workspace,
    en: ReportData,
    zh: ReportData,
}

/// The demo workspace and its report in both languages, made once.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let params = churnlens_demo::DemoParams { seed: 42, customers: 2000, ..churnlens_demo::DemoParams::default() };
        let demo = churnlens_demo::generate(&params, &dir.path().join("data"), &|_, _, _| {}).unwrap();
        let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
        for table in [Table::Customers, Table::Orders, Table::Surveys] {
            let file = demo.files.iter().find(|f| f.table == table).unwrap();
            let mut options = ImportOptions::new(table);
            options.tz = beijing().tz;
            options.read.sheet = file.sheet.clone();
            options.read.source_table = file.source_table.clone();
            import_file(&ws, &file.path, &options, &|_, _, _| {}).unwrap();
        }
        let runtime = runtime();
        let report = |lang| runtime.block_on(build(&ws, &ReportOptions { calendar: beijing(), lang, ..ReportOptions::default() })).unwrap();
        let (en, zh) = (report(Lang::En), report(Lang::Zh));
        Demo { _dir: dir, ws, en, zh }
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn metrics(ws: &Workspace) -> Metrics {
    runtime().block_on(async {
        let engine = Engine::open(ws).await.unwrap();
        Metrics::load(&engine, MetricsOptions { calendar: beijing(), period: Period::Month, ..MetricsOptions::default() }).await.unwrap()
    })
}

fn float_column(batch: &arrow::record_batch::RecordBatch, name: &str) -> Vec<Option<f64>> {
    let column = arrow::compute::cast(batch.column_by_name(name).unwrap(), &arrow::datatypes::DataType::Float64).unwrap();
    let column = column.as_primitive::<arrow::datatypes::Float64Type>();
    (0..column.len()).map(|i| (!column.is_null(i)).then(|| column.value(i))).collect()
}

fn assert_close(report: &[Option<f64>], library: &[Option<f64>], what: &str) {
    assert_eq!(report.len(), library.len(), "{what}: lengths");
    for (i, (a, b)) in report.iter().zip(library).enumerate() {
        match (a, b) {
            (Some(a), Some(b)) => assert_abs_diff_eq!(*a, *b, epsilon = SAME),
            (None, None) => {}
            _ => panic!("{what}[{i}]: report {a:?}, library {b:?}"),
        }
    }
}

#[test]
fn trend_and_headline_cards_are_the_metrics_crates_period_rows() {
    let demo = demo();
    let rows = metrics(&demo.ws).period_rows();
    let trend = demo.en.trend.as_ref().unwrap();
    assert_eq!(trend.periods, rows.iter().map(|r| r.span.label.clone()).collect::<Vec<_>>());
    assert_eq!(trend.periods.len(), 36, "2023-01 … 2025-12");
    assert_close(&trend.churn_rate, &rows.iter().map(|r| r.churn_rate()).collect::<Vec<_>>(), "churn");
    assert_close(&trend.retention_rate, &rows.iter().map(|r| r.retention_rate()).collect::<Vec<_>>(), "retention");
    assert_eq!(trend.active, rows.iter().map(|r| r.active_end).collect::<Vec<_>>());
    let (last, previous) = (&rows[rows.len() - 1], &rows[rows.len() - 2]);
    assert_eq!(demo.en.period.as_deref(), Some(last.span.label.as_str()));
    let kpi = |key| demo.en.kpis.iter().find(|k| k.key == key).unwrap();
    let churn = kpi(KpiKey::ChurnRate);
    assert_abs_diff_eq!(churn.value.unwrap(), last.churn_rate().unwrap(), epsilon = SAME);
    assert_abs_diff_eq!(churn.previous.unwrap(), previous.churn_rate().unwrap(), epsilon = SAME);
    assert_abs_diff_eq!(churn.change.unwrap(), last.churn_rate().unwrap() - previous.churn_rate().unwrap(), epsilon = SAME);
    // The churn rate by hand from the row's counts: churned ÷ active at the start, in percent.
    assert_abs_diff_eq!(churn.value.unwrap(), last.churned as f64 / last.active_start as f64 * 100.0, epsilon = SAME);
    assert_eq!(kpi(KpiKey::ActiveCustomers).value, Some(last.active_end as f64));
    assert_abs_diff_eq!(kpi(KpiKey::RetentionRate).value.unwrap(), last.retention_rate().unwrap(), epsilon = SAME);
}

#[test]
fn revenue_lost_cohorts_and_nps_are_the_metrics_crates_tables() {
    let demo = demo();
    let metrics = metrics(&demo.ws);
    let impact = metrics.revenue_impact();
    let lost = demo.en.revenue_lost.as_ref().unwrap();
    assert_close(&lost.revenue_lost.iter().map(|v| Some(*v)).collect::<Vec<_>>(), &float_column(&impact, "revenue_lost_12m"), "revenue lost");
    let kpi = demo.en.kpis.iter().find(|k| k.key == KpiKey::RevenueLost).unwrap();
    assert_abs_diff_eq!(kpi.value.unwrap(), *lost.revenue_lost.last().unwrap(), epsilon = SAME);

    let cohorts = metrics.cohorts().unwrap();
    let section = demo.en.cohorts.as_ref().unwrap();
    let retention = float_column(&cohorts, "retention_pct");
    assert_eq!(section.cells.len(), retention.len());
    assert_close(&section.cells.iter().map(|c| Some(c.2)).collect::<Vec<_>>(), &retention, "cohort retention");

    let nps = runtime().block_on(async {
        let engine = Engine::open(&demo.ws).await.unwrap();
        churnlens_metrics::nps_by_period(&engine, &MetricsOptions { calendar: beijing(), period: Period::Month, ..MetricsOptions::default() }).await.unwrap()
    });
    assert_close(&demo.en.nps.as_ref().unwrap().nps, &float_column(&nps, "nps"), "nps");
}

#[test]
fn segments_and_forecast_are_the_models_crates_results() {
    let demo = demo();
    let runtime = runtime();
    let (rfm, series) = runtime.block_on(async {
        let engine = Engine::open(&demo.ws).await.unwrap();
        let base = CustomerBase::load(&engine, &BaseOptions { calendar: beijing(), ..BaseOptions::default() }).await.unwrap();
        let options = MetricsOptions { calendar: beijing(), period: Period::Month, ..MetricsOptions::default() };
        (Rfm::compute(&base, Threshold::Mean).unwrap(), forecasting::load_series(&engine, &options, Measure::Active).await.unwrap())
    });
    let rows: Vec<_> = rfm.summary(Scheme::Eight, Lang::En).into_iter().filter(|r| r.customers > 0).collect();
    let segments = &demo.en.segments.as_ref().unwrap().segments;
    assert_eq!(segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), rows.iter().map(|r| r.segment.as_str()).collect::<Vec<_>>());
    for (s, r) in segments.iter().zip(&rows) {
        assert_eq!(s.customers, r.customers);
        assert_abs_diff_eq!(s.churn_rate, r.churn_rate() * 100.0, epsilon = SAME);
        assert_abs_diff_eq!(s.average_clv, r.average_clv(), epsilon = SAME);
    }
    // Every customer who bought is in one segment, in the drivers' labelled base and in the CLV predictions.
    let bought = segments.iter().map(|s| s.customers).sum::<u64>();
    assert_eq!(bought, demo.en.drivers.as_ref().unwrap().customers);
    assert_eq!(bought as usize, demo.en.clv.as_ref().unwrap().customers);

    let params = EtsParams::new(forecasting::season_length(Period::Month));
    let expected = forecasting::forecast_intervals(&series[0].values, &params, 6, &[0.8, 0.95], Intervals::Empirical).unwrap();
    let forecast = demo.en.forecast.as_ref().unwrap();
    assert_eq!(forecast.history, series[0].values);
    assert_eq!(forecast.periods, ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]);
    assert_close(&forecast.point.iter().map(|v| Some(*v)).collect::<Vec<_>>(), &expected.forecast.point.iter().map(|v| Some(*v)).collect::<Vec<_>>(), "point");
    assert_close(
        &forecast.upper_95.iter().map(|v| Some(*v)).collect::<Vec<_>>(),
        &expected.forecast.intervals[1].upper.iter().map(|v| Some(*v)).collect::<Vec<_>>(),
        "upper 95",
    );
}

#[test]
fn every_section_is_present_and_speaks_the_reports_language() {
    let demo = demo();
    for report in [&demo.en, &demo.zh] {
        assert!(report.trend.is_some() && report.revenue_lost.is_some() && report.cohorts.is_some() && report.lifecycle.is_some());
        assert!(report.nps.is_some() && report.segments.is_some() && report.drivers.is_some() && report.survival.is_some());
        assert!(report.forecast.is_some() && report.clv.is_some(), "notes: {:?}", report.notes);
        // No churn model is saved in this workspace: the section is absent and a note says why.
        assert!(report.churn_model.is_none());
        assert_eq!(report.notes.iter().map(|n| n.section.as_str()).collect::<Vec<_>>(), ["churn_model"]);
    }
    let zh = demo.zh.trend.as_ref().unwrap();
    assert!(zh.summary.contains("流失率较上月"), "{}", zh.summary);
    assert!(demo.en.trend.as_ref().unwrap().summary.contains("vs the month before"));
    // The same numbers whatever the language (up to the order revenue is summed in).
    for (en, zh) in demo.en.kpis.iter().zip(&demo.zh.kpis) {
        assert_eq!(en.key, zh.key);
        assert_abs_diff_eq!(en.value.unwrap(), zh.value.unwrap(), epsilon = 1e-6);
    }
    let survival = demo.en.survival.as_ref().unwrap();
    assert_eq!(survival.by, "channel");
    assert!(survival.curves.len() > 2, "overall and per channel");
    let clv = demo.en.clv.as_ref().unwrap();
    assert_eq!(clv.bins.iter().map(|b| b.customers).sum::<u64>() as usize, clv.customers, "every customer in one bar");
    eprintln!("{}\n{}", demo.en.trend.as_ref().unwrap().summary, zh.summary);
}

/// The headline: period, then each card's value, previous and change, rounded to 6 decimals.
fn headline(report: &ReportData) -> serde_json::Value {
    let round = |v: Option<f64>| v.map(|v| (v * 1e6).round() / 1e6);
    serde_json::json!({
        "period": report.period,
        "previous_period": report.previous_period,
        "kpis": report.kpis.iter().map(|k| serde_json::json!({
            "key": k.key, "value": round(k.value), "previous": round(k.previous), "change": round(k.change),
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn headline_numbers_equal_the_golden_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report_headline.json");
    let actual = headline(&demo().en);
    if std::env::var_os("CHURNLENS_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
    }
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(actual, golden, "headline changed; if on purpose, rerun with CHURNLENS_UPDATE_GOLDEN=1 and say why in the commit");
}

#[test]
fn html_is_self_contained_and_carries_the_report_data() {
    let demo = demo();
    for report in [&demo.en, &demo.zh] {
        let page = html::render(report).unwrap();
        let lower = page.to_ascii_lowercase();
        for remote in ["src=\"http", "src='http", "href=\"http", "href='http", "url(http", "@import", "<link", "src=\"//", "href=\"//"] {
            assert!(!lower.contains(remote), "the report refers to a remote resource: {remote}");
        }
        // The only addresses in the page are in the bundled libraries' licence comments.
        assert!(lower.matches("https://").count() + lower.matches("http://").count() <= 2, "addresses beyond the licence comments");
        assert_eq!(lower.matches("<script").count(), 2, "the data and the bundle, both inline");
        let start = page.find("id=\"churnlens-data\">").unwrap() + "id=\"churnlens-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        // Compared as text: serde_json's float parsing need not give back the last bit.
        assert_eq!(page[start..end].replace("\\u003c", "<"), serde_json::to_string(report).unwrap());
        let inlined: ReportData = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(inlined.kpis.len(), report.kpis.len());
    }
}

#[test]
fn static_charts_draw_the_report_data_as_svg_and_png() {
    use churnlens_report::charts::{Mark, Plot, SIZE, charts, write_charts};
    let demo = demo();
    // The chart model carries the report's numbers unchanged.
    let all = charts(&demo.en);
    let trend = all.iter().find(|c| c.name == "trend").expect("a trend chart");
    let Plot::Categories { categories, series, .. } = &trend.plot else { panic!("trend is a category chart") };
    let t = demo.en.trend.as_ref().unwrap();
    assert_eq!(categories, &t.periods);
    assert!(series.iter().any(|s| s.mark == Mark::Line(t.churn_rate.clone())));
    assert!(series.iter().any(|s| s.secondary && s.mark == Mark::Bars(t.active.iter().map(|&v| v as f64).collect())));
    let segments = all.iter().find(|c| c.name == "segments").expect("a segment chart");
    let Plot::Categories { series, .. } = &segments.plot else { panic!("segments is a category chart") };
    assert_eq!(series[0].mark, Mark::Bars(demo.en.segments.as_ref().unwrap().segments.iter().map(|s| s.customers as f64).collect()));
    // One chart per present section (lifecycle flows have no static chart), named like the HTML report's.
    let names: Vec<&str> = all.iter().map(|c| c.name).collect();
    assert_eq!(names, ["trend", "revenue_lost", "cohorts", "lifecycle", "nps", "segments", "drivers", "survival", "forecast", "clv"]);

    let dir = tempfile::tempdir().unwrap();
    let written = write_charts(&demo.zh, dir.path()).unwrap();
    let pngs = written.files.iter().filter(|f| f.extension().is_some_and(|e| e == "png")).count();
    let svgs = written.files.iter().filter(|f| f.extension().is_some_and(|e| e == "svg")).count();
    assert_eq!(svgs, names.len());
    match &written.png_skipped {
        None => assert_eq!(pngs, names.len()),
        Some(reason) => {
            assert_eq!(pngs, 0);
            eprintln!("SKIPPED PNG checks: {reason}");
        }
    }
    for file in &written.files {
        let bytes = std::fs::read(file).unwrap();
        if file.extension().is_some_and(|e| e == "svg") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "{}", file.display());
            assert!(text.contains(&format!("width=\"{}\"", SIZE.0)), "{}", file.display());
        } else {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), SIZE.0);
            assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), SIZE.1);
        }
    }
    // The zh charts speak Chinese: titles and series names.
    let trend_svg = std::fs::read_to_string(dir.path().join("trend.svg")).unwrap();
    assert!(trend_svg.contains("流失与留存趋势") && trend_svg.contains("留存率 %"));
    let no_partial = std::fs::read_dir(dir.path()).unwrap().all(|e| e.unwrap().path().extension().is_none_or(|x| x != "partial"));
    assert!(no_partial, "no temporary files left behind");
}

/// A smaller demo workspace (800 customers) with two churn models saved
/// through the library as `churnlens model train` saves them — gradient
/// boosting (`gbdt`, the default) and logistic regression — and its
/// report in both languages.
struct Modelled {
    _dir: tempfile::TempDir,
    ws: Workspace,
    en: ReportData,
    zh: ReportData,
}

fn modelled() -> &'static Modelled {
    use churnlens_models::prediction::activity::{ActivityData, ActivityOptions, DEFAULT_CUTOFF_COUNT};
    use churnlens_models::prediction::saved::TrainingSource;
    use churnlens_models::prediction::train::{Algorithm, TrainOptions, train};
    static MODELLED: OnceLock<Modelled> = OnceLock::new();
    MODELLED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let params = churnlens_demo::DemoParams { seed: 7, customers: 800, ..churnlens_demo::DemoParams::default() };
        let demo = churnlens_demo::generate(&params, &dir.path().join("data"), &|_, _, _| {}).unwrap();
        let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
        for table in [Table::Customers, Table::Orders] {
            let file = demo.files.iter().find(|f| f.table == table).unwrap();
            let mut options = ImportOptions::new(table);
            options.tz = beijing().tz;
            options.read.sheet = file.sheet.clone();
            options.read.source_table = file.source_table.clone();
            import_file(&ws, &file.path, &options, &|_, _, _| {}).unwrap();
        }
        let runtime = runtime();
        let engine = runtime.block_on(Engine::open(&ws)).unwrap();
        let activity = runtime.block_on(ActivityData::load(&engine, &beijing(), Lang::En)).unwrap();
        let options = ActivityOptions::default();
        let cutoffs = activity.default_cutoffs(options.horizon, DEFAULT_CUTOFF_COUNT);
        let frame = activity.training_frame(&cutoffs, &options).unwrap();
        let source = TrainingSource::Activity {
            cutoffs: cutoffs.iter().map(|&c| churnlens_metrics::calendar::format_day(c)).collect(),
            horizon_days: options.horizon,
            window_days: options.window,
            tz: "Asia/Shanghai".into(),
        };
        for algorithm in [Algorithm::Gbdt, Algorithm::Logistic] {
            let (saved, _) = train(&frame, algorithm, source.clone(), algorithm.name(), "2026-11-26T10:00:00Z", &TrainOptions::default(), "none").unwrap();
            saved.save(ws.root()).unwrap();
        }
        let report = |lang| runtime.block_on(build(&ws, &ReportOptions { calendar: beijing(), lang, ..ReportOptions::default() })).unwrap();
        let (en, zh) = (report(Lang::En), report(Lang::Zh));
        Modelled { _dir: dir, ws, en, zh }
    })
}

#[test]
fn the_churn_model_section_holds_the_librarys_scores_metrics_and_curves() {
    use churnlens_models::ml::classify::Classifier;
    use churnlens_models::ml::evaluate::{gains_by_decile, roc_auc};
    use churnlens_models::prediction::activity::{ActivityData, ActivityOptions};
    use churnlens_models::prediction::reasons::TierThresholds;
    use churnlens_models::prediction::saved::{SavedModel, TrainingSource};
    use churnlens_models::prediction::train::{Algorithm, TrainOptions, evaluation_report, fitted_model, score};
    let modelled = modelled();
    let section = modelled.en.churn_model.as_ref().unwrap_or_else(|| panic!("no churn model section; notes {:?}", modelled.en.notes));
    assert!(!modelled.en.notes.iter().any(|n| n.section == "churn_model"), "{:?}", modelled.en.notes);
    let saved = SavedModel::list(modelled.ws.root()).unwrap();
    assert_eq!(section.model, "gbdt", "the CLI's default model");

    // The comparison: every saved model with its saved held-out metrics, unchanged.
    assert_eq!(section.models.len(), 2);
    for row in &section.models {
        let model = saved.iter().find(|m| m.name == row.name).unwrap();
        assert_eq!(row.auc, model.metrics["roc_auc"]);
        assert_eq!(row.pr_auc, Some(model.metrics["pr_auc"]));
        assert_eq!(row.baseline_auc, model.metrics.get("recency_baseline_roc_auc").copied());
        assert_eq!(row.rows, model.training.rows);
        assert_eq!(row.default, row.name == "gbdt");
    }

    // Today's scores: the library's `score`, the top 50 in its order, probability in percent.
    let gbdt = saved.iter().find(|m| m.name == "gbdt").unwrap();
    let runtime = runtime();
    let engine = runtime.block_on(Engine::open(&modelled.ws)).unwrap();
    let activity = runtime.block_on(ActivityData::load(&engine, &beijing(), Lang::En)).unwrap();
    let scoring = activity.scoring_frame(activity.last_day, 90, Lang::En);
    let scored = score(gbdt, &scoring, &TierThresholds::default(), 3, Lang::En).unwrap();
    assert_eq!(section.scored, scored.len());
    assert_eq!(section.at_risk.len(), 50.min(scored.len()));
    for (row, library) in section.at_risk.iter().zip(&scored) {
        assert_eq!(row.customer_id, library.customer_id);
        assert_abs_diff_eq!(row.probability, library.probability * 100.0, epsilon = SAME);
        assert_eq!(row.tier, library.tier.label(Lang::En));
        assert_eq!(row.reasons, library.reasons.iter().map(|r| r.text.clone()).collect::<Vec<_>>());
        assert_eq!(row.drivers, library.drivers.iter().map(|r| r.text.clone()).collect::<Vec<_>>());
    }
    let high = scored.iter().filter(|s| s.probability >= 0.5).count();
    assert_eq!(section.high_risk, high);
    assert!(section.at_risk_summary.contains(&format!("puts {high} at high risk (churn probability within 180 days")), "{}", section.at_risk_summary);

    // The curves: the held-out evaluation saved with the model, equal to a fresh
    // evaluation of the same rows (the time split: fitted on the earlier cutoffs,
    // scored on the last) and to the library's ROC AUC and gains on those predictions.
    let held_out = gbdt.held_out.as_ref().expect("train keeps the held-out curves");
    assert!(section.curves_held_out);
    assert_eq!((section.curve_rows, section.curve_auc), (held_out.rows, held_out.roc_auc));
    assert_eq!(section.roc, held_out.roc);
    let TrainingSource::Activity { cutoffs, .. } = &gbdt.training.data else { panic!("an activity model") };
    let cutoffs: Vec<i32> = cutoffs.iter().map(|c| churnlens_metrics::calendar::parse_day(c).unwrap()).collect();
    let training = activity.training_frame(&cutoffs, &ActivityOptions::default()).unwrap();
    let fresh = evaluation_report(&training, &[Algorithm::Gbdt], Algorithm::Gbdt, &TrainOptions::default(), "none").unwrap();
    let (labels, probabilities) = &fresh.evaluation.results[0].held_out;
    assert_eq!(held_out.rows, labels.len());
    assert!(held_out.rows < gbdt.training.rows, "held-out rows are a part of the training rows");
    assert_abs_diff_eq!(section.curve_auc, roc_auc(labels, probabilities).unwrap(), epsilon = SAME);
    let deciles = gains_by_decile(labels, probabilities).unwrap();
    assert_eq!(section.gains.len(), 10);
    for (row, library) in section.gains.iter().zip(&deciles) {
        assert_abs_diff_eq!(row.cumulative_gain, library.cumulative_gain * 100.0, epsilon = SAME);
        assert_abs_diff_eq!(row.lift, library.lift, epsilon = SAME);
        assert_abs_diff_eq!(row.cumulative_lift, library.cumulative_lift, epsilon = SAME);
    }
    assert_eq!((section.roc.first(), section.roc.last()), (Some(&(0.0, 0.0)), Some(&(1.0, 1.0))));
    assert!(section.roc.len() <= churnlens_report::data::ROC_POINTS);
    assert!(section.roc.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "a ROC curve only rises");
    assert!(section.curves_summary.contains("held-out"), "{}", section.curves_summary);

    // A model saved without its curves (before they were kept): the training rows
    // rebuilt from the saved cutoffs and scored by the model, said to be in-sample.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(modelled.ws.root(), copy.path());
    let old = Workspace::open(copy.path()).unwrap();
    SavedModel { held_out: None, ..gbdt.clone() }.save(old.root()).unwrap();
    let report = runtime.block_on(build(&old, &ReportOptions { calendar: beijing(), lang: Lang::En, ..ReportOptions::default() })).unwrap();
    let in_sample = report.churn_model.as_ref().unwrap();
    assert!(!in_sample.curves_held_out);
    assert_eq!(in_sample.curve_rows, gbdt.training.rows, "the same rows the model was trained on");
    let probabilities = fitted_model(gbdt).unwrap().predict_proba(&gbdt.encoder.transform(&training).unwrap());
    assert_abs_diff_eq!(in_sample.curve_auc, roc_auc(&training.labels, &probabilities).unwrap(), epsilon = SAME);
    let deciles = gains_by_decile(&training.labels, &probabilities).unwrap();
    for (row, library) in in_sample.gains.iter().zip(&deciles) {
        assert_abs_diff_eq!(row.cumulative_gain, library.cumulative_gain * 100.0, epsilon = SAME);
    }
    assert!(in_sample.curves_summary.contains("in-sample"), "{}", in_sample.curves_summary);

    // Importance: the saved importance's top 10 and its top 5 drivers (not
    // warning signs) wherever they rank, in the saved order.
    let drivers: Vec<&str> = gbdt.importance.iter().filter(|i| i.kind.is_driver()).take(5).map(|i| i.feature.as_str()).collect();
    let expected: Vec<_> = gbdt.importance.iter().enumerate().filter(|(rank, i)| *rank < 10 || drivers.contains(&i.feature.as_str())).map(|(_, i)| i).collect();
    assert_eq!(section.importance.len(), expected.len());
    for (row, library) in section.importance.iter().zip(&expected) {
        assert_eq!((row.feature.as_str(), row.auc_drop, row.driver), (library.feature.as_str(), library.auc_drop, library.kind.is_driver()));
        assert_eq!(row.correlated, library.correlated);
    }
    // The summary names each entry with the features correlated with it.
    let driver_labels: Vec<String> = gbdt.importance.iter().filter(|i| i.kind.is_driver()).take(3).map(|i| i.label(Lang::En)).collect();
    assert!(gbdt.importance[..10].iter().any(|i| !i.correlated.is_empty()), "the demo has correlated features");
    assert!(section.importance_summary.contains("shuffled together and shown as one entry"), "{}", section.importance_summary);
    assert!(
        section.importance_summary.contains(&format!(
            "the strongest drivers — what customers experienced and who they are, what a save campaign can act on — are: {}.",
            driver_labels.join(", ")
        )),
        "{}",
        section.importance_summary
    );
    let zh = modelled.zh.churn_model.as_ref().unwrap();
    assert_eq!(zh.importance.first().map(|f| f.feature.clone()), gbdt.importance.first().map(|i| i.feature_zh.clone()));
    assert!(zh.at_risk_summary.contains("模型预计") && zh.at_risk_summary.contains("位客户为高风险（180 天内流失概率"), "{}", zh.at_risk_summary);
    assert_eq!(zh.at_risk.iter().map(|r| &r.customer_id).collect::<Vec<_>>(), section.at_risk.iter().map(|r| &r.customer_id).collect::<Vec<_>>());
    eprintln!("{}\n{}\n{}\n{}", section.summary, section.curves_summary, section.importance_summary, section.at_risk_summary);
    eprintln!("{}\n{}", zh.summary, zh.at_risk_summary);
}

#[test]
fn static_charts_of_the_churn_model_section_carry_its_numbers() {
    use churnlens_report::charts::{Mark, Plot, charts};
    let modelled = modelled();
    let section = modelled.en.churn_model.as_ref().expect("a churn-model section");
    let all = charts(&modelled.en);
    let find = |name: &str| &all.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("a {name} chart")).plot;
    let Plot::HorizontalBars { values, .. } = find("model_comparison") else { panic!("comparison is a bar chart") };
    assert_eq!(values, &section.models.iter().map(|m| m.auc).collect::<Vec<_>>());
    let Plot::Curves { curves, .. } = find("roc") else { panic!("ROC is a curve") };
    assert_eq!(curves[0].1, section.roc);
    let Plot::Categories { series, .. } = find("gains") else { panic!("gains is a category chart") };
    assert!(series.iter().any(|s| s.mark == Mark::Line(section.gains.iter().map(|g| Some(g.cumulative_gain)).collect())));
    let Plot::HorizontalBars { rows, .. } = find("importance") else { panic!("importance is a bar chart") };
    // Each row: the feature, "(+N)" for the N correlated features sharing its entry, and its kind.
    assert_eq!(rows.len(), section.importance.len());
    for (row, f) in rows.iter().zip(&section.importance) {
        let count = if f.correlated.is_empty() { String::new() } else { format!(" (+{})", f.correlated.len()) };
        assert_eq!(row, &format!("{}{count} · {}", f.feature, f.kind));
    }
    assert!(rows.iter().any(|r| r.contains(" (+")), "{rows:?}");
}

/// Copies a directory tree (a workspace) into `to`.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
