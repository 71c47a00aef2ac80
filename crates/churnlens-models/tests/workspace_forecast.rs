//! Forecasts through a workspace (issue #7): the demo business's monthly
//! active customers (orders imported in Beijing time, 90-day window), the
//! series `churnlens forecast active` reads. The last months are held out
//! at rolling origins and the 80% and 95% prediction intervals are checked
//! against what happened: the issue asks that they cover about their
//! nominal share, and that the rate measured be stated (the test prints it
//! for the model's own and the calibrated intervals; the calibrated ones,
//! the default, cover about nominal, see the test).

use churnlens_core::Table;
use churnlens_ingest::{ImportOptions, Workspace, import_file};
use churnlens_metrics::calendar::{Calendar, Period};
use churnlens_metrics::{Engine, MetricsOptions};
use churnlens_models::forecasting::{self, Intervals, Measure, Series};
use churnlens_models::stats::forecast::EtsParams;

const HORIZON: usize = 6;

/// The demo business's calendar: Beijing time.
fn beijing() -> Calendar {
    Calendar::in_zone(churnlens_ingest::parse_tz("Asia/Shanghai").unwrap())
}

/// Monthly active customers of a 2,000-customer demo (three years: 36 months).
fn demo_active() -> Series {
    let dir = tempfile::tempdir().unwrap();
    let params = churnlens_demo::DemoParams { seed: 42, customers: 2000, ..churnlens_demo::DemoParams::default() };
    let demo = churnlens_demo::generate(&params, &dir.path().join("data"), &|_, _, _| {}).unwrap();
    let ws = Workspace::open_or_create(dir.path().join("ws")).unwrap();
    let orders = demo.files.iter().find(|f| f.table == Table::Orders).unwrap();
    let mut options = ImportOptions::new(Table::Orders);
    options.tz = beijing().tz;
    import_file(&ws, &orders.path, &options, &|_, _, _| {}).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let engine = Engine::open(&ws).await.unwrap();
        let options = MetricsOptions { calendar: beijing(), ..MetricsOptions::default() };
        let mut series = forecasting::load_series(&engine, &options, Measure::Active).await.unwrap();
        assert_eq!(series.len(), 1);
        series.remove(0)
    })
}

#[test]
fn demo_active_customer_calibrated_intervals_cover_held_out_months_at_about_nominal() {
    let series = demo_active();
    assert_eq!(series.values.len(), 36, "2023-01 … 2025-12");
    let params = EtsParams::new(forecasting::season_length(Period::Month));
    let settings = forecasting::backtest_settings(series.values.len(), HORIZON);
    let measure = |intervals: Intervals| {
        let coverage = forecasting::interval_coverage(&series.values, &params, &settings, &[0.8, 0.95], intervals).unwrap();
        for c in &coverage {
            eprintln!("{}: {:.0}% intervals held {} of {} held-out months ({:.1}%)", intervals.name(), c.level * 100.0, c.covered, c.total, 100.0 * c.rate());
        }
        assert_eq!(coverage[0].total, 72, "12 origins × 6 months");
        coverage
    };
    let analytic = measure(Intervals::Analytic);
    let empirical = measure(Intervals::Empirical);
    // Measured (seed 42, 2,000 customers, 72 held-out months):
    // * the model's own intervals: 80% held 29 (40.3%), 95% held 47
    //   (65.3%). They grow from the one-step error of a very smooth series
    //   and miss the changes of trend that dominate the 1–6 month errors
    //   (2025-12, the last month, drops by 7%).
    // * calibrated (the default; each origin calibrated on the months
    //   before it only): 80% held 58 (80.6%), 95% held 68 (94.4%).
    // The standard error of a coverage proportion at n = 72 is 4.7 points
    // at 80% and 2.6 at 95%, and the 72 checks overlap (six horizons per
    // origin), so the bands are about three standard errors: 80% → 65–95%,
    // 95% → 85–100%. The model's intervals fail both bands.
    assert!((0.65..=0.95).contains(&empirical[0].rate()), "calibrated 80% intervals covered {:.1}%", 100.0 * empirical[0].rate());
    assert!((0.85..=1.0).contains(&empirical[1].rate()), "calibrated 95% intervals covered {:.1}%", 100.0 * empirical[1].rate());
    assert!(empirical[1].covered >= empirical[0].covered, "a 95% interval holds an 80% one");
    assert!(analytic[0].rate() < 0.65 && analytic[1].rate() < 0.85, "the model's own intervals ran narrow on this series");
}

#[test]
fn demo_active_customer_forecast_and_backtest_tables() {
    let series = demo_active();
    let options = MetricsOptions { calendar: beijing(), ..MetricsOptions::default() };
    let batch = forecasting::forecast_batch(std::slice::from_ref(&series), &options, HORIZON, Intervals::Empirical).unwrap();
    assert_eq!(batch.num_rows(), 36 + HORIZON);
    let text = arrow::util::pretty::pretty_format_batches(&[batch.slice(30, 12)]).unwrap().to_string();
    eprintln!("{text}");
    assert!(text.contains("2026-06") && text.contains("forecast"));
    let backtest = forecasting::backtest_batch(std::slice::from_ref(&series), Period::Month, HORIZON, Intervals::Empirical).unwrap();
    eprintln!("{}", arrow::util::pretty::pretty_format_batches(&[backtest]).unwrap());
}
