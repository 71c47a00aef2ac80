//! Churn, retention, cohorts and lifecycle on a four-customer data set whose
//! answers are worked out by hand below. W = 90 days, monthly periods,
//! observation until 2024-06-30.
//!
//! Orders (amounts in ¥):
//!
//! | customer | orders |
//! |---|---|
//! | A | 01-10 100 (one order) |
//! | B | 01-15 50 and 30 (same day), 02-20 40, 02-25 refund −20 |
//! | C | 02-01 60, 06-15 70 (gap 135 > 90: churned, then back) |
//! | D | 03-31 25 (one order, on a month's last day) |
//!
//! Churn dates (last purchase + 90 days): A 01-10 → 04-09 (21 + 29 + 31 + 9);
//! B 02-20 → 05-20 (9 + 31 + 30 + 20); C 02-01 → 05-01 (28 + 31 + 30 + 1),
//! then C's second spell 06-15 → 09-13 (after observation); D 03-31 → 06-29
//! (30 + 31 + 29).
//!
//! Active spells: A [01-10, 04-09), B [01-15, 05-20), C [02-01, 05-01) and
//! [06-15, …), D [03-31, 06-29).

use arrow::array::AsArray;
use churnlens_metrics::activity::Activity;
use churnlens_metrics::calendar::{Period, parse_day};
use churnlens_metrics::grouping::Grouping;
use churnlens_metrics::lifecycle::Stage;
use churnlens_metrics::{Metrics, MetricsOptions};

fn data() -> Activity {
    Activity::from_rows(&[
        ("A", "2024-01-10", 100.0),
        ("B", "2024-01-15", 50.0),
        ("B", "2024-01-15", 30.0),
        ("B", "2024-02-20", 40.0),
        ("B", "2024-02-25", -20.0),
        ("C", "2024-02-01", 60.0),
        ("C", "2024-06-15", 70.0),
        ("D", "2024-03-31", 25.0),
    ])
}

fn metrics(grouping: Grouping) -> Metrics {
    let options = MetricsOptions { as_of: parse_day("2024-06-30"), ..MetricsOptions::default() };
    Metrics::from_activity(data(), grouping, options)
}

#[test]
fn churn_and_retention_per_month() {
    let rows = metrics(Grouping::all()).period_rows();
    let labels: Vec<&str> = rows.iter().map(|r| r.span.label.as_str()).collect();
    assert_eq!(labels, ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]);
    // (active_start, new, reactivated, churned, active_end, retained):
    // Jan: nobody before; A and B new; both active on 01-31.
    // Feb: base A, B; C new; A, B, C active on 02-29.
    // Mar: base 3; D new on 03-31 and active that day → 4.
    // Apr: base 4; A churns 04-09; B, C, D active on 04-30 (C's churn is 05-01).
    // May: base B, C, D; C (05-01) and B (05-20) churn; D alone on 05-31.
    // Jun: base D; D churns 06-29; C returns 06-15 and is the only one active.
    let counts: Vec<(u64, u64, u64, u64, u64, u64)> =
        rows.iter().map(|r| (r.active_start, r.new, r.reactivated, r.churned, r.active_end, r.retained)).collect();
    assert_eq!(counts, [(0, 2, 0, 0, 2, 0), (2, 1, 0, 0, 3, 2), (3, 1, 0, 0, 4, 3), (4, 0, 0, 1, 3, 3), (3, 0, 0, 2, 1, 1), (1, 0, 1, 1, 1, 0)]);
    assert_eq!(rows[0].churn_rate(), None, "no starting base in January");
    assert_eq!(rows[1].churn_rate(), Some(0.0));
    // April: 1 / 4 = 25%; average base (4 + 3) / 2 = 3.5 → 1 / 3.5 = 28.5714…%;
    // April has 30 days, so the 30-day rate equals the rate. Retention 3 / 4.
    let april = &rows[3];
    assert_eq!(april.churn_rate(), Some(25.0));
    assert!((april.churn_rate_average_base().unwrap() - 100.0 / 3.5).abs() < 1e-12);
    assert!((april.churn_rate_30d().unwrap() - 25.0).abs() < 1e-12);
    assert_eq!(april.retention_rate(), Some(75.0));
    // May: 2 / 3; 31 days → 1 − (1/3)^(30/31); retention 1 / 3.
    let may = &rows[4];
    assert!((may.churn_rate().unwrap() - 200.0 / 3.0).abs() < 1e-12);
    assert!((may.churn_rate_30d().unwrap() - (1.0 - (1.0f64 / 3.0).powf(30.0 / 31.0)) * 100.0).abs() < 1e-12);
    assert!((may.retention_rate().unwrap() - 100.0 / 3.0).abs() < 1e-12);
    // June: everyone in the base churned: 100%, no 30-day equivalent;
    // retention (end 1 − joined-and-active 1) / 1 = 0.
    assert_eq!(rows[5].churn_rate(), Some(100.0));
    assert_eq!(rows[5].churn_rate_30d(), None);
    assert_eq!(rows[5].retention_rate(), Some(0.0));
}

#[test]
fn the_window_example_from_the_definition() {
    // Last purchase 2024-01-10, W = 90 → churn date 2024-04-09, counted in
    // April's churn and in April's starting base.
    let rows = Metrics::from_activity(
        Activity::from_rows(&[("X", "2024-01-10", 1.0)]),
        Grouping::all(),
        MetricsOptions { as_of: parse_day("2024-04-30"), ..MetricsOptions::default() },
    )
    .period_rows();
    let april = rows.iter().find(|r| r.span.label == "2024-04").unwrap();
    assert_eq!((april.active_start, april.churned, april.active_end), (1, 1, 0));
    // A customer new on a period's first day is new in that period.
    let rows = Metrics::from_activity(
        Activity::from_rows(&[("Y", "2024-01-01", 1.0), ("Z", "2024-02-01", 1.0)]),
        Grouping::all(),
        MetricsOptions { as_of: parse_day("2024-02-29"), ..MetricsOptions::default() },
    )
    .period_rows();
    assert_eq!((rows[1].active_start, rows[1].new), (1, 1));
}

#[test]
fn breakdown_by_group_splits_the_counts() {
    let grouping = Grouping::from_labels(&["north".into(), "south".into(), "north".into(), "south".into()]);
    let rows = metrics(grouping).period_rows();
    assert_eq!(rows.len(), 12);
    // north = A and C; May: base A? no — A churned in April; base C; C churns 05-01.
    let north_may = rows.iter().find(|r| r.group == "north" && r.span.label == "2024-05").unwrap();
    assert_eq!((north_may.active_start, north_may.churned, north_may.active_end), (1, 1, 0));
    // south = B and D; May: base B, D; B churns 05-20; D active on 05-31.
    let south_may = rows.iter().find(|r| r.group == "south" && r.span.label == "2024-05").unwrap();
    assert_eq!((south_may.active_start, south_may.churned, south_may.active_end), (2, 1, 1));
    // Groups add up to the total.
    let total = metrics(Grouping::all()).period_rows();
    for t in &total {
        let sum: u64 = rows.iter().filter(|r| r.span == t.span).map(|r| r.churned).sum();
        assert_eq!(sum, t.churned);
    }
    // Cohorts and lifecycle split the same way, over the same six months.
    let grouped = metrics(Grouping::from_labels(&["north".into(), "south".into(), "north".into(), "south".into()]));
    let cohorts = grouped.cohorts().unwrap();
    let rows: Vec<(&str, &str, u64)> = (0..cohorts.num_rows())
        .map(|i| {
            let text = |name: &str| cohorts.column_by_name(name).unwrap().as_string::<i32>().value(i);
            (text("group"), text("cohort"), cohorts.column_by_name("cohort_size").unwrap().as_primitive::<arrow::datatypes::UInt64Type>().value(i))
        })
        .collect();
    // north: A (January cohort, 6 cells), C (February, 5); south: B
    // (January, 6), D (March, 4).
    assert_eq!(rows.iter().filter(|r| r.0 == "north").count(), 11);
    assert_eq!(rows.iter().filter(|r| r.0 == "south").count(), 10);
    assert!(rows.contains(&("south", "2024-03", 1)));
    let lifecycle = grouped.lifecycle_counts().unwrap();
    assert_eq!(lifecycle.num_rows(), 12);
    // June: north has C back (reactivated) and A lost; south has D churned and B lost.
    let june: Vec<(String, u64, u64, u64)> = (0..12)
        .filter(|&i| lifecycle.column_by_name("period").unwrap().as_string::<i32>().value(i) == "2024-06")
        .map(|i| {
            let count = |name: &str| lifecycle.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().value(i);
            (lifecycle.column_by_name("group").unwrap().as_string::<i32>().value(i).to_string(), count("reactivated"), count("churned"), count("lost"))
        })
        .collect();
    assert_eq!(june, [("north".to_string(), 1, 0, 1), ("south".to_string(), 0, 1, 1)]);
    // Retention on or after day 30 per group: north = A (never back), C
    // (back on day 135); south = B (back on day 36), D (not back).
    let days = grouped.day_retention(&[churnlens_metrics::day_retention::DayMeasure::OnOrAfter(30)]).unwrap();
    let text = |batch: &arrow::array::RecordBatch, name: &str| -> Vec<String> {
        batch.column_by_name(name).unwrap().as_string::<i32>().iter().map(|v| v.unwrap().to_string()).collect()
    };
    assert_eq!(text(&days, "group"), ["north", "north", "north", "south", "south", "south"]);
    assert_eq!(text(&days, "cohort"), ["2024-01", "2024-02", "all", "2024-01", "2024-03", "all"]);
    let retained = days.column_by_name("retained").unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    assert_eq!(retained, [0, 1, 1, 1, 0, 1]);
    // Intervals: one row per customer under its group.
    let intervals = grouped.intervals().unwrap();
    assert_eq!(text(&intervals, "group"), ["north", "north", "south", "south"]);
    assert_eq!(text(&intervals, "customer_id"), ["A", "C", "B", "D"]);
    // Engagement per group is scored against everyone, so the groups' band
    // counts add up to the whole's in every month.
    use churnlens_metrics::engagement::{Scoring, Weights, engagement_rows, engagement_rows_of};
    let activity = data();
    let scoring = Scoring { window: 90, weights: Weights::default() };
    let (first, end) = (parse_day("2024-01-01").unwrap(), parse_day("2024-06-30").unwrap());
    let calendar = churnlens_metrics::calendar::Calendar::default();
    let whole = engagement_rows(&activity, None, scoring, &calendar, Period::Month, first, end);
    let north = engagement_rows_of(&activity, None, scoring, &calendar, Period::Month, (first, end), Some(&[0, 2]));
    let south = engagement_rows_of(&activity, None, scoring, &calendar, Period::Month, (first, end), Some(&[1, 3]));
    for ((w, n), s) in whole.iter().zip(&north).zip(&south) {
        assert_eq!(w.customers, n.customers + s.customers, "{}", w.span.label);
        assert_eq!(w.bands.iter().zip(n.bands.iter().zip(&s.bands)).filter(|(a, (b, c))| **a != **b + **c).count(), 0, "{}", w.span.label);
    }
    // June: north holds A and C, south B and D.
    assert_eq!((north[5].customers, south[5].customers), (2, 2));
}

#[test]
fn cohort_matrix_with_revenue_and_a_return() {
    use arrow::array::{AsArray, Float64Array};
    let batch = metrics(Grouping::all()).cohorts().unwrap();
    let cohort = batch.column(0).as_string::<i32>();
    let offset = batch.column(2).as_primitive::<arrow::datatypes::UInt32Type>();
    let active = batch.column(4).as_primitive::<arrow::datatypes::UInt64Type>();
    let revenue = batch.column(6).as_primitive::<arrow::datatypes::Float64Type>();
    let revenue_retention = batch.column(7).as_any().downcast_ref::<Float64Array>().unwrap();
    let cell = |c: &str, k: u32| (0..batch.num_rows()).find(|&i| cohort.value(i) == c && offset.value(i) == k).unwrap();
    // Cohorts Jan (A, B; 6 periods to June), Feb (C; 5), Mar (D; 4) = 15 cells.
    assert_eq!(batch.num_rows(), 15);
    // Jan cohort: both buy in Jan; only B in Feb; nobody after.
    assert_eq!(active.value(cell("2024-01", 0)), 2);
    assert_eq!(active.value(cell("2024-01", 1)), 1);
    assert_eq!(active.value(cell("2024-01", 2)), 0);
    // Revenue Jan 100 + 50 + 30 = 180; Feb 40 − 20 (refund) = 20 → 11.11%.
    assert_eq!(revenue.value(cell("2024-01", 0)), 180.0);
    assert_eq!(revenue.value(cell("2024-01", 1)), 20.0);
    assert!((revenue_retention.value(cell("2024-01", 1)) - 20.0 / 180.0 * 100.0).abs() < 1e-12);
    // Feb cohort (C): back in June, offset 4, spending 70 vs 60 → 116.67%.
    assert_eq!(active.value(cell("2024-02", 3)), 0);
    assert_eq!(active.value(cell("2024-02", 4)), 1);
    assert!((revenue_retention.value(cell("2024-02", 4)) - 70.0 / 60.0 * 100.0).abs() < 1e-12);
}

#[test]
fn lifecycle_stages_and_flows() {
    // Usual gap: B's only interval is 36 days (01-15 → 02-20); A, C (before
    // June) and D have one purchase, so half the window, 45 days.
    // A: Jan new; Feb gap 50 > 45 dormant; Mar 81 dormant; Apr churned; May, Jun lost.
    // B: Jan new; Feb gap 9 ≤ 36 retained; Mar 40 > 36 dormant; Apr 70 dormant; May churned; Jun lost.
    // C: Feb new; Mar 59 dormant; Apr 89 dormant; May churned (05-01); Jun reactivated.
    // D: Mar new; Apr 30 ≤ 45 retained; May 61 dormant; Jun churned (06-29).
    let life = metrics(Grouping::all()).lifecycle();
    let count = |p: usize, s: Stage| life.counts[p][s as usize];
    use Stage::*;
    let table: Vec<[u64; 6]> =
        (0..6).map(|p| [count(p, New), count(p, Retained), count(p, Reactivated), count(p, Dormant), count(p, Churned), count(p, Lost)]).collect();
    assert_eq!(table, [[2, 0, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0], [1, 0, 0, 3, 0, 0], [0, 1, 0, 2, 1, 0], [0, 0, 0, 1, 2, 1], [0, 0, 1, 0, 1, 2]]);
    // Feb flows: A new → dormant, B new → retained.
    assert_eq!(life.flows[1][New as usize][Dormant as usize], 1);
    assert_eq!(life.flows[1][New as usize][Retained as usize], 1);
    // Jun: C churned → reactivated; D dormant → churned; A, B → lost.
    assert_eq!(life.flows[5][Churned as usize][Reactivated as usize], 1);
    assert_eq!(life.flows[5][Dormant as usize][Churned as usize], 1);
    assert_eq!(life.flows[5][Lost as usize][Lost as usize], 1);
    assert_eq!(life.flows[5][Churned as usize][Lost as usize], 1);
}

#[test]
fn periods_with_no_customers_and_other_period_lengths() {
    // One order in January, W = 30, observed to the end of May: Feb churn
    // (01-10 + 30 = 02-09), then empty months with no base and no rate.
    let options = MetricsOptions { window: 30, as_of: parse_day("2024-05-31"), ..MetricsOptions::default() };
    let rows = Metrics::from_activity(Activity::from_rows(&[("A", "2024-01-10", 1.0)]), Grouping::all(), options.clone()).period_rows();
    assert_eq!(rows.len(), 5);
    assert_eq!((rows[1].active_start, rows[1].churned), (1, 1));
    for r in &rows[2..] {
        assert_eq!((r.active_start, r.churned, r.active_end, r.churn_rate()), (0, 0, 0, None));
    }
    // Quarterly: Q1 has the churn with no starting base (the customer was
    // new in Q1): 1 churn, base 0, so no rate.
    let quarterly = MetricsOptions { period: Period::Quarter, ..options };
    let rows = Metrics::from_activity(Activity::from_rows(&[("A", "2024-01-10", 1.0)]), Grouping::all(), quarterly).period_rows();
    assert_eq!(rows.len(), 1, "Q2 ends after the observation and is left out");
    assert_eq!((rows[0].span.label.as_str(), rows[0].new, rows[0].churned, rows[0].churn_rate()), ("2024-Q1", 1, 1, None));
}

#[test]
fn window_sweep_false_churn_and_recommendation() {
    // Repeat gaps: B 01-15 → 02-20 = 36 days (16 + 20); C 02-01 → 06-15 =
    // 135 days (28 + 31 + 30 + 31 + 15). Last purchases: A 01-10, B 02-20,
    // C 06-15, D 03-31.
    // Recommendation at most 10% false churn: with at most six churn labels
    // any reversal is over 10%, so no gap may exceed W → W ≥ 135; at 135 A's
    // churn stands (01-10 ≤ 06-30 − 135 = 02-16): 0 of 1 → W = 135, added
    // to the windows asked for.
    let sweep = metrics(Grouping::all()).window_sweep(&[30, 90], 0.1).unwrap();
    assert_eq!(sweep.gaps, 2);
    assert_eq!(sweep.recommended, Some(135));
    // Nearest rank of [36, 135]: ⌈0.5 × 2⌉ = 1st, ⌈0.75 × 2⌉ = 2nd, …
    assert_eq!(sweep.quantiles, vec![(0.5, 36), (0.75, 135), (0.9, 135), (0.95, 135), (0.99, 135)]);
    let windows: Vec<i32> = sweep.rows.iter().map(|r| r.window).collect();
    assert_eq!(windows, [30, 90, 135]);
    let counts: Vec<(u64, u64, u64, bool)> = sweep.rows.iter().map(|r| (r.churned, r.came_back, r.gaps_over, r.recommended)).collect();
    // W = 30: A churns 02-09; B splits (gap 36 > 30): churns 02-14, returns
    // 02-20, churns 03-21; C churns 03-02, returns 06-15 (churn 07-15 is
    // after 06-30); D churns 04-30. Five churns, two came back; both gaps > 30.
    // W = 90: A 04-09, B 05-20, C 05-01 (came back), D 06-29: four, one back;
    // only the 135-day gap is over 90.
    // W = 135: only A (05-24); B's churn 07-04 and D's 08-13 are after 06-30,
    // C's gap of exactly 135 days continues its spell.
    assert_eq!(counts, [(5, 2, 2, false), (4, 1, 1, false), (1, 0, 0, true)]);
    let false_churn: Vec<Option<f64>> = sweep.rows.iter().map(|r| r.false_churn_pct()).collect();
    assert_eq!(false_churn, [Some(40.0), Some(25.0), Some(0.0)]);
    let gaps_over: Vec<Option<f64>> = sweep.rows.iter().map(|r| r.gaps_over_pct()).collect();
    assert_eq!(gaps_over, [Some(100.0), Some(50.0), Some(0.0)]);
    // Mean monthly churn rate over months with a base (January has none):
    // W = 30: Feb 2/2 (A, B), Mar 2/2 (B, C), Apr 1/1 (D); May and June have
    // no base → 100%.
    // W = 90: Feb 0, Mar 0, Apr 1/4, May 2/3, Jun 1/1 → (25 + 66.67 + 100) / 5.
    // W = 135: Feb 0/2, Mar 0/3, Apr 0/4, May 1/4 (A), Jun 0/3 → 25 / 5 = 5%.
    let means: Vec<f64> = sweep.rows.iter().map(|r| r.mean_churn_rate.unwrap()).collect();
    let expected = [100.0, (25.0 + 200.0 / 3.0 + 100.0) / 5.0, 5.0];
    for (got, want) in means.iter().zip(expected) {
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
    // At most 30%: W = 35 has both gaps reversed and A, B, D standing (last
    // ≤ 05-26): 2 of 5 = 40%; W = 36 leaves one reversal of 1 + 3 = 25%.
    assert_eq!(metrics(Grouping::all()).window_sweep(&[90], 0.3).unwrap().recommended, Some(36));
    assert!(metrics(Grouping::all()).window_sweep(&[90], 1.5).is_err());
    assert!(metrics(Grouping::all()).window_sweep(&[0], 0.1).is_err());
}

#[test]
fn winback_counts_only_churns_whose_horizon_has_passed() {
    let m = metrics(Grouping::all());
    let batch = m.winback(60).unwrap();
    let column = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    // Churn dates (W = 90): A 04-09, C 05-01, B 05-20, D 06-29; C returns 06-15.
    // Within 60 days: A's chance ended 06-08 (not won back); C's ends 06-30
    // = the end of observation, and 06-15 is inside it (won back); B's
    // (07-19) and D's (08-28) have not ended, so they are not in the base.
    assert_eq!(column("churned"), [0, 0, 0, 1, 2, 1]);
    assert_eq!(column("observable"), [0, 0, 0, 1, 1, 0]);
    assert_eq!(column("won_back"), [0, 0, 0, 0, 1, 0]);
    let rates: Vec<Option<f64>> = batch.column_by_name("winback_rate_pct").unwrap().as_primitive::<arrow::datatypes::Float64Type>().iter().collect();
    assert_eq!(rates, [None, None, None, Some(0.0), Some(100.0), None]);
    // Within 30 days C's return (45 days after 05-01) is too late; B's
    // 30 days (to 06-19) have passed without a purchase.
    let batch = m.winback(30).unwrap();
    let column = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    assert_eq!(column("observable"), [0, 0, 0, 1, 2, 0]);
    assert_eq!(column("won_back"), [0, 0, 0, 0, 0, 0]);
    assert!(m.winback(0).is_err());
}

#[test]
fn stickiness_counts_distinct_purchase_days_per_month() {
    // January: E on 01-02 (twice: one day), 01-05, 01-09 → 3 days; F 01-03,
    // 01-04 → 2; G 01-31 → 1; H 01-10 … 01-13 → 4. February: G 02-01 → 1.
    let activity = Activity::from_rows(&[
        ("E", "2024-01-02", 5.0),
        ("E", "2024-01-02", 5.0),
        ("E", "2024-01-05", 5.0),
        ("E", "2024-01-09", 5.0),
        ("F", "2024-01-03", 5.0),
        ("F", "2024-01-04", 5.0),
        ("G", "2024-01-31", 5.0),
        ("G", "2024-02-01", 5.0),
        ("H", "2024-01-10", 5.0),
        ("H", "2024-01-11", 5.0),
        ("H", "2024-01-12", 5.0),
        ("H", "2024-01-13", 5.0),
    ]);
    let options = MetricsOptions { as_of: parse_day("2024-02-29"), ..MetricsOptions::default() };
    let batch = Metrics::from_activity(activity, Grouping::all(), options).stickiness();
    let column = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    assert_eq!(column("customers"), [4, 1]);
    assert_eq!(column("days_1"), [1, 1]);
    assert_eq!(column("days_2"), [1, 0]);
    assert_eq!(column("days_3"), [1, 0]);
    assert_eq!(column("days_4_5"), [1, 0]);
    assert_eq!(column("days_11_plus"), [0, 0]);
    let floats = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::Float64Type>().values().to_vec();
    // January: days 1, 2, 3, 4 → mean 10 / 4 = 2.5, median (2 + 3) / 2 = 2.5.
    assert_eq!(floats("mean_days"), [2.5, 1.0]);
    assert_eq!(floats("median_days"), [2.5, 1.0]);
}

#[test]
fn purchase_intervals_trend_and_lengthening_flag() {
    // L: gaps 10, 12, 11, 30 (days 01-01, 01-11, 01-23, 02-03, 03-04).
    // S: gaps 30, 20, 10 (01-01, 01-31, 02-20, 03-01). One: a single purchase.
    let activity = Activity::from_rows(&[
        ("L", "2024-01-01", 1.0),
        ("L", "2024-01-11", 1.0),
        ("L", "2024-01-23", 1.0),
        ("L", "2024-02-03", 1.0),
        ("L", "2024-03-04", 1.0),
        ("S", "2024-01-01", 1.0),
        ("S", "2024-01-31", 1.0),
        ("S", "2024-02-20", 1.0),
        ("S", "2024-03-01", 1.0),
        ("One", "2024-02-01", 1.0),
    ]);
    let options = MetricsOptions { as_of: parse_day("2024-03-31"), ..MetricsOptions::default() };
    let batch = Metrics::from_activity(activity, Grouping::all(), options).intervals().unwrap();
    let ids: Vec<&str> = batch.column_by_name("customer_id").unwrap().as_string::<i32>().iter().flatten().collect();
    assert_eq!(ids, ["L", "S", "One"]);
    let floats = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::Float64Type>().iter().collect::<Vec<_>>();
    let ints = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::Int32Type>().iter().collect::<Vec<_>>();
    // L: sorted 10, 11, 12, 30 → median 11.5; last 30 → 30 / 11.5; 27 days
    // since 03-04 → 27 / 11.5. Slope: x̄ = 1.5, ȳ = 15.75, Σdx·dy = 29.5,
    // Σdx² = 5 → 5.9 days longer per purchase.
    // S: median 20, last 10 → 0.5; 30 days since 03-01 → 1.5; slope −10.
    assert_eq!(floats("median_gap_days"), [Some(11.5), Some(20.0), None]);
    assert_eq!(ints("last_gap_days"), [Some(30), Some(10), None]);
    assert_eq!(ints("days_since_last"), [Some(27), Some(30), Some(59)]);
    let ratio = floats("last_vs_median");
    assert!((ratio[0].unwrap() - 30.0 / 11.5).abs() < 1e-12);
    assert_eq!(ratio[1..], [Some(0.5), None]);
    let overdue = floats("overdue_ratio");
    assert!((overdue[0].unwrap() - 27.0 / 11.5).abs() < 1e-12);
    assert_eq!(overdue[1..], [Some(1.5), None]);
    let trend = floats("gap_trend_days");
    assert!((trend[0].unwrap() - 5.9).abs() < 1e-12);
    assert!((trend[1].unwrap() + 10.0).abs() < 1e-12);
    assert_eq!(trend[2], None);
    let flags: Vec<Option<bool>> = batch.column_by_name("lengthening").unwrap().as_boolean().iter().collect();
    assert_eq!(flags, [Some(true), Some(false), Some(false)]);
}

#[test]
fn nps_and_csi_per_month() {
    use churnlens_metrics::calendar::Calendar;
    use churnlens_metrics::nps::{Answer, NpsCategory, Surveys, nps_batch};
    let answer = |customer: &str, day: &str, score: i64, items: [Option<f64>; 2]| Answer {
        customer: customer.to_string(),
        day: parse_day(day).unwrap(),
        score,
        items: items.to_vec(),
    };
    let surveys = Surveys {
        answers: vec![
            answer("A", "2024-01-05", 10, [Some(5.0), Some(5.0)]),
            answer("B", "2024-01-06", 9, [Some(4.0), None]),
            answer("C", "2024-01-07", 7, [Some(3.0), Some(3.0)]),
            answer("D", "2024-01-08", 3, [Some(1.0), Some(2.0)]),
            answer("E", "2024-01-31", 0, [None, None]),
            answer("A", "2024-02-01", 6, [Some(2.0), Some(2.0)]),
            answer("B", "2024-02-10", 10, [Some(5.0), Some(4.0)]),
            answer("C", "2024-02-20", 10, [Some(3.0), Some(4.0)]),
        ],
        item_names: vec!["sat_goods".into(), "sat_delivery".into()],
    };
    let rows = surveys.rows(&Calendar::default(), Period::Month, None);
    // January: promoters A, B; passive C; detractors D, E → (2 − 2) / 5 = 0.
    // February: promoters B, C; detractor A → (2 − 1) / 3 = 33.33.
    let counts: Vec<(u64, u64, u64, u64)> = rows.iter().map(|r| (r.responses, r.promoters, r.passives, r.detractors)).collect();
    assert_eq!(counts, [(5, 2, 1, 2), (3, 2, 0, 1)]);
    assert_eq!(rows[0].nps(), Some(0.0));
    assert!((rows[1].nps().unwrap() - 100.0 / 3.0).abs() < 1e-12);
    // Items top out at 5 → a 1–5 scale, (x − 1) / 4 × 100. January: A 5 →
    // 100, B 4 → 75, C 3 → 50, D 1.5 → 12.5, E has none → (237.5) / 4.
    // February: A 2 → 25, B 4.5 → 87.5, C 3.5 → 62.5 → 175 / 3.
    assert!((rows[0].csi.unwrap() - 59.375).abs() < 1e-12);
    assert!((rows[1].csi.unwrap() - 175.0 / 3.0).abs() < 1e-12);
    let batch = nps_batch(&rows, surveys.item_scale());
    assert_eq!(batch.column_by_name("csi_scale").unwrap().as_string::<i32>().value(0), "1-5");
    // Latest answer by 01-31: A promoter, D detractor; by 02-29 A is a detractor.
    assert_eq!(surveys.latest_categories(parse_day("2024-01-31").unwrap())["A"], NpsCategory::Promoter);
    assert_eq!(surveys.latest_categories(parse_day("2024-02-29").unwrap())["A"], NpsCategory::Detractor);
    assert_eq!(surveys.latest_categories(parse_day("2024-02-29").unwrap())["D"], NpsCategory::Detractor);
}

#[test]
fn retention_on_day_n_on_or_after_and_in_brackets() {
    use churnlens_metrics::day_retention::DayMeasure;
    // Day 0 = first purchase: A 01-10, B 01-15 (again on day 36, 02-20),
    // C 02-01 (again on day 135, 06-15), D 03-31. Observation ends 06-30.
    let measures = [DayMeasure::On(36), DayMeasure::OnOrAfter(30), DayMeasure::Bracket(1, 30), DayMeasure::Bracket(31, 150)];
    let batch = metrics(Grouping::all()).day_retention(&measures).unwrap();
    let cohorts: Vec<&str> = batch.column_by_name("cohort").unwrap().as_string::<i32>().iter().flatten().collect();
    // Cohorts with customers only (April–June have none), then all.
    assert_eq!(cohorts.iter().step_by(4).copied().collect::<Vec<_>>(), ["2024-01", "2024-02", "2024-03", "all"]);
    let column = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    // Every customer's day 36 and day 30 have come (D's 30th day is 04-30).
    // Days 31–150 need day 150 to have passed: A 06-08, B 06-13, C 06-30
    // yes; D 08-28 no. Day 36: only B. Day 30 or later: B (36), C (135).
    // Days 1–30: nobody. Days 31–150: B and C of A, B, C.
    assert_eq!(column("base"), [2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 4, 4, 4, 3]);
    assert_eq!(column("retained"), [1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 2, 0, 2]);
    let rates: Vec<Option<f64>> = batch.column_by_name("retention_pct").unwrap().as_primitive::<arrow::datatypes::Float64Type>().iter().collect();
    assert_eq!(rates[11], None);
    assert_eq!(rates[12..15], [Some(25.0), Some(50.0), Some(0.0)]);
    assert!((rates[15].unwrap() - 200.0 / 3.0).abs() < 1e-12);
}

#[test]
fn adaptive_rule_churns_a_regular_buyer_sooner() {
    // A buys every 10 days, then waits 40: with k = 3 the window after the
    // third purchase is 3 × median(10, 10) = 30 days, so A churns 02-20
    // and comes back 03-01; after that the median of (10, 10, 40) is still
    // 10, so A churns again 03-31. Under the fixed 90 days A never churns
    // before 05-30.
    let activity = Activity::from_rows(&[("A", "2024-01-01", 1.0), ("A", "2024-01-11", 1.0), ("A", "2024-01-21", 1.0), ("A", "2024-03-01", 1.0)]);
    let options = MetricsOptions { as_of: parse_day("2024-04-30"), adaptive_k: Some(3.0), ..MetricsOptions::default() };
    let m = Metrics::from_activity(activity.clone(), Grouping::all(), options.clone());
    // (active_start, new, reactivated, churned, active_end): Jan new; Feb
    // churn of a base of one; March back and churned on its last day (so
    // not active on 03-31); April nobody.
    let rows: Vec<(u64, u64, u64, u64, u64)> = m.period_rows().iter().map(|r| (r.active_start, r.new, r.reactivated, r.churned, r.active_end)).collect();
    assert_eq!(rows, [(0, 1, 0, 0, 1), (1, 0, 0, 1, 0), (0, 0, 1, 1, 0), (0, 0, 0, 0, 0)]);
    let stages: Vec<Stage> = (0..4).map(|p| single_stage(&m.lifecycle().counts[p])).collect();
    assert_eq!(stages, [Stage::New, Stage::Churned, Stage::Reactivated, Stage::Lost]);
    let fixed = Metrics::from_activity(activity, Grouping::all(), MetricsOptions { adaptive_k: None, ..options });
    assert!(fixed.period_rows().iter().all(|r| r.churned == 0));
}

/// The one stage a single customer is in, from a period's counts.
fn single_stage(counts: &[u64; 6]) -> Stage {
    let at = counts.iter().position(|&c| c == 1).expect("one customer in one stage");
    Stage::ALL[at]
}

#[test]
fn historical_and_textbook_clv_and_revenue_lost() {
    let m = metrics(Grouping::all());
    let batch = m.clv();
    let float = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::Float64Type>().value(0);
    let count = |name: &str| batch.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().value(0);
    // Net revenue to date: A 100, B 50 + 30 + 40 − 20 = 100, C 60 + 70 =
    // 130, D 25 → mean 355 / 4 = 88.75, median (100 + 100) / 2.
    assert_eq!(count("customers"), 4);
    assert_eq!(float("historical_clv_mean"), 88.75);
    assert_eq!(float("historical_clv_median"), 100.0);
    // Last year = January–June (all six months). Orders: A 1, B 3 (two on
    // 01-15), C 2, D 1 = 7; revenue 355 → AOV 355 / 7; 7 orders ÷ 4 buyers
    // ÷ 6 months = 7 / 24; churn rates Feb 0, Mar 0, Apr 25, May 66.67,
    // Jun 100 → mean 115 / 3 % → lifespan 300 / 115 months.
    // CLV = 355/7 × 7/24 × 300/115 = 106500 / 2760.
    assert_eq!(count("orders_last_year"), 7);
    assert!((float("average_order_value") - 355.0 / 7.0).abs() < 1e-12);
    assert!((float("orders_per_customer_per_period") - 7.0 / 24.0).abs() < 1e-12);
    assert!((float("churn_rate_pct") - 115.0 / 3.0).abs() < 1e-12);
    assert!((float("expected_lifespan_periods") - 300.0 / 115.0).abs() < 1e-12);
    assert!((float("textbook_clv") - 106_500.0 / 2_760.0).abs() < 1e-9);

    // Revenue that left: A (churn April) 100 in the year to 01-10; May: C
    // 60 (to 02-01) and B 80 + 40 = 120 (to 02-20; the refund on 02-25 is
    // after the last purchase); June: D 25.
    let impact = m.revenue_impact();
    let churned = impact.column_by_name("churned").unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    let lost = impact.column_by_name("revenue_lost_12m").unwrap().as_primitive::<arrow::datatypes::Float64Type>().values().to_vec();
    assert_eq!(churned, [0, 0, 0, 1, 2, 1]);
    assert_eq!(lost, [0.0, 0.0, 0.0, 100.0, 180.0, 25.0]);
    let per: Vec<Option<f64>> = impact.column_by_name("revenue_lost_per_churned").unwrap().as_primitive::<arrow::datatypes::Float64Type>().iter().collect();
    assert_eq!(per[3..], [Some(100.0), Some(90.0), Some(25.0)]);
}

#[test]
fn lead_conversion_per_source_and_cac_per_channel() {
    use churnlens_metrics::acquisition::{Lead, cac_rows, conversion_rows};
    use churnlens_metrics::calendar::Calendar;
    let d = |s: &str| parse_day(s).unwrap();
    let lead = |created: &str, source: &str, converted: bool, on: Option<&str>| Lead {
        created: d(created),
        source: source.to_string(),
        converted,
        converted_on: on.map(&d),
    };
    let leads = [
        lead("2024-01-05", "搜索", true, Some("2024-01-15")),
        lead("2024-01-10", "搜索", false, None),
        lead("2024-01-20", "推荐", true, Some("2024-02-10")),
        lead("2024-02-03", "推荐", true, None),
        lead("2024-02-28", "(blank)", false, None),
    ];
    let rows = conversion_rows(&leads, &Calendar::default(), Period::Month, None);
    let got: Vec<(&str, &str, u64, u64, Option<f64>)> =
        rows.iter().map(|r| (r.span.label.as_str(), r.source.as_str(), r.leads, r.converted, r.median_days)).collect();
    // January: 搜索 1 of 2 (10 days), 推荐 1 of 1 (21 days, 01-20 → 02-10),
    // all 2 of 3 with median (10 + 21) / 2. February: the 推荐 lead
    // converted without a time; the blank-source lead did not.
    assert_eq!(
        got,
        [
            ("2024-01", "推荐", 1, 1, Some(21.0)),
            ("2024-01", "搜索", 2, 1, Some(10.0)),
            ("2024-01", "all", 3, 2, Some(15.5)),
            ("2024-02", "(blank)", 1, 0, None),
            ("2024-02", "推荐", 1, 1, None),
            ("2024-02", "all", 2, 1, None),
        ]
    );

    let spend = [
        (d("2024-01-01"), "APP".to_string(), 300.0),
        (d("2024-01-01"), "门店".to_string(), 100.0),
        (d("2024-02-01"), "APP".to_string(), 200.0),
        (d("2024-02-01"), "官网".to_string(), 50.0),
    ];
    let new = [
        (d("2024-01-03"), "APP".to_string()),
        (d("2024-01-20"), "APP".to_string()),
        (d("2024-01-25"), "门店".to_string()),
        (d("2024-02-02"), "门店".to_string()),
        (d("2024-02-10"), "(unknown)".to_string()),
    ];
    // Textbook CLV known for APP (600) and overall (500), not for the others.
    let clv = std::collections::BTreeMap::from([("APP".to_string(), 600.0), ("all".to_string(), 500.0)]);
    let rows = cac_rows(&spend, &new, &clv, &Calendar::default(), Period::Month, d("2024-01-01"), d("2024-02-29"));
    let got: Vec<(&str, &str, f64, u64, Option<f64>)> =
        rows.iter().map(|r| (r.span.label.as_str(), r.channel.as_str(), r.spend, r.new_customers, r.cac())).collect();
    // January: APP 300 / 2, 门店 100 / 1, all 400 / 3. February: APP and 官网
    // spent with no new customers (no CAC); 门店 and the unknown channel won
    // customers with no spend (CAC 0); all 250 / 2.
    assert_eq!(got[0..2], [("2024-01", "APP", 300.0, 2, Some(150.0)), ("2024-01", "门店", 100.0, 1, Some(100.0))]);
    assert_eq!((got[2].1, got[2].3), ("all", 3));
    assert!((got[2].4.unwrap() - 400.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        got[3..],
        [
            ("2024-02", "(unknown)", 0.0, 1, Some(0.0)),
            ("2024-02", "APP", 200.0, 0, None),
            ("2024-02", "官网", 50.0, 0, None),
            ("2024-02", "门店", 0.0, 1, Some(0.0)),
            ("2024-02", "all", 250.0, 2, Some(125.0)),
        ]
    );
    // CLV/CAC: January APP 600 / 150 = 4, all 500 / (400 / 3) = 3.75; 门店
    // has no CLV; February APP has no CAC and the unknown channel a CAC of 0.
    let ratios: Vec<Option<f64>> = rows.iter().map(|r| r.clv_to_cac()).collect();
    assert_eq!(ratios[..2], [Some(4.0), None]);
    assert!((ratios[2].unwrap() - 3.75).abs() < 1e-12);
    assert_eq!(ratios[3..7], [None, None, None, None]);
    assert_eq!(ratios[7], Some(4.0));
}

#[test]
fn engagement_scores_are_weighted_percentiles() {
    use churnlens_metrics::calendar::Calendar;
    use churnlens_metrics::engagement::{Events, Scoring, Weights, engagement_rows, scores_at};
    let scoring = Scoring { window: 90, weights: Weights::default() };
    let d = |s: &str| parse_day(s).unwrap();
    // Scored on 03-31 with a 90-day window (01-02 … 03-31):
    // A bought 01-10 and 03-30 (1 day ago, 2 days in the window), 2 events of 60 s;
    // B bought 03-01 (30 days ago, 1 day), 1 event of 600 s;
    // C bought 2023-12-01 and 12-15 (107 days ago, none in the window), no events.
    let activity = Activity::from_rows(&[
        ("A", "2024-01-10", 1.0),
        ("A", "2024-03-30", 1.0),
        ("B", "2024-03-01", 1.0),
        ("C", "2023-12-01", 1.0),
        ("C", "2023-12-15", 1.0),
    ]);
    let events =
        Events { per_customer: vec![vec![(d("2024-03-01"), 60.0), (d("2024-03-02"), 60.0)], vec![(d("2024-03-05"), 600.0)], vec![]], has_duration: true };
    let scores = scores_at(&activity, Some(&events), scoring, d("2024-03-31"));
    // Percentiles (rank ÷ 3 × 100): recency, frequency and events rank
    // C < B < A; duration C < A < B.
    // A = 0.35·100 + 0.35·100 + 0.15·100 + 0.15·66.67 = 95;
    // B = 0.85 · 66.67 + 0.15 · 100 = 71.67; C = 33.33.
    let expected = [95.0, 0.85 * 200.0 / 3.0 + 15.0, 100.0 / 3.0];
    for ((customer, score), want) in scores.iter().zip(expected) {
        assert!((score - want).abs() < 1e-9, "customer {customer}: {score} vs {want}");
    }
    // Without events the purchase components carry all the weight.
    let scores = scores_at(&activity, None, scoring, d("2024-03-31"));
    let plain: Vec<f64> = scores.iter().map(|s| s.1).collect();
    assert!((plain[0] - 100.0).abs() < 1e-9 && (plain[1] - 200.0 / 3.0).abs() < 1e-9 && (plain[2] - 100.0 / 3.0).abs() < 1e-9);
    // Per month: December C alone; January A and C; February the same two;
    // March all three → bands from the scores above.
    let rows = engagement_rows(&activity, Some(&events), scoring, &Calendar::default(), Period::Month, d("2023-12-01"), d("2024-03-31"));
    let customers: Vec<u64> = rows.iter().map(|r| r.customers).collect();
    assert_eq!(customers, [1, 2, 2, 3]);
    assert_eq!(rows[3].bands, [0, 1, 0, 1, 1]);
    // Periods are scored against the customers on 03-31. December: C alone,
    // 16 days since 12-15 (above B's 30, below A's 1 → (2 + ½) / 3), two
    // purchase days in the window (ties A's top value → (2 + ½ + ½) / 3),
    // no events and no duration ((0 + ½ + ½) / 3 each):
    // 0.35 · 83.33 + 0.35 · 100 + 0.15 · 33.33 + 0.15 · 33.33 = 74.17.
    assert!((rows[0].mean.unwrap() - (0.35 * 250.0 / 3.0 + 35.0 + 0.3 * 100.0 / 3.0)).abs() < 1e-9);
    assert_eq!(rows[0].bands, [0, 0, 0, 1, 0]);
    assert!((rows[3].mean.unwrap() - (expected.iter().sum::<f64>() / 3.0)).abs() < 1e-9);
    assert!((rows[3].median.unwrap() - expected[1]).abs() < 1e-9);
}

/// Subscriptions (monthly amounts), observed to 2024-04-30:
///
/// | customer | rows |
/// |---|---|
/// | P | 01-10 → (open), 10 |
/// | Q | 01-20 → 03-05, 20 (cancels in March) |
/// | R | 02-01 → 02-15, 30 (in and out within February); 04-01 → (open), 30 |
/// | S | 01-05 → 02-10, 15; upgrade 02-10 → 04-10, 25; downgrade 04-10 → (open), 5 |
/// | U | 03-01 → (open), no amount (subscribed, not paying) |
fn subscriptions() -> churnlens_metrics::ContractMetrics {
    let subscriptions = churnlens_metrics::subscriptions::Subscriptions::from_rows(&[
        ("P", "2024-01-10", None, 10.0),
        ("Q", "2024-01-20", Some("2024-03-05"), 20.0),
        ("R", "2024-02-01", Some("2024-02-15"), 30.0),
        ("R", "2024-04-01", None, 30.0),
        ("S", "2024-01-05", Some("2024-02-10"), 15.0),
        ("S", "2024-02-10", Some("2024-04-10"), 25.0),
        ("S", "2024-04-10", None, 5.0),
        ("U", "2024-03-01", None, 0.0),
    ]);
    let options = MetricsOptions { as_of: parse_day("2024-04-30"), ..MetricsOptions::default() };
    churnlens_metrics::ContractMetrics::from_subscriptions(subscriptions, Grouping::all(), options, parse_day("2024-04-30").unwrap())
}

#[test]
fn contractual_churn_from_subscription_end_dates() {
    let metrics = subscriptions();
    let rows = metrics.period_rows();
    let labels: Vec<&str> = rows.iter().map(|r| r.span.label.as_str()).collect();
    // From the first start (S, 01-05) to the end of observation.
    assert_eq!(labels, ["2024-01", "2024-02", "2024-03", "2024-04"]);
    // Spells: P [01-10, open); Q [01-20, 03-05); R [02-01, 02-15) and
    // [04-01, open); S's three rows touch, so one spell [01-05, open);
    // U [03-01, open).
    // (active_start, new, reactivated, churned, active_end, retained):
    // Jan: P, Q, S new, all subscribed on 01-31.
    // Feb: base 3; R new and gone (02-15); end 3; the base all stays.
    // Mar: base 3; U new; Q churns 03-05; end P, S, U.
    // Apr: base 3; R back; nobody churns; end 4.
    let counts: Vec<(u64, u64, u64, u64, u64, u64)> =
        rows.iter().map(|r| (r.active_start, r.new, r.reactivated, r.churned, r.active_end, r.retained)).collect();
    assert_eq!(counts, [(0, 3, 0, 0, 3, 0), (3, 1, 0, 1, 3, 3), (3, 1, 0, 1, 3, 2), (3, 0, 1, 0, 4, 3)]);
    // Churn rates: Feb 1/3 (R churned though not in the base — the same
    // definition as for orders), Mar 1/3, Apr 0; retention Mar 2/3.
    assert!((rows[1].churn_rate().unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert!((rows[2].retention_rate().unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(rows[3].churn_rate(), Some(0.0));
    // Win-back within 60 days: R's churn 02-15 + 60 = 04-15 ≤ 04-30 is
    // observable and R restarted 04-01; Q's 03-05 + 60 = 05-04 is not yet.
    let winback = metrics.winback(60).unwrap();
    let column = |name: &str| winback.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec();
    assert_eq!(column("churned"), [0, 1, 1, 0]);
    assert_eq!(column("observable"), [0, 1, 0, 0]);
    assert_eq!(column("won_back"), [0, 1, 0, 0]);
}

#[test]
fn mrr_movements_and_revenue_retention() {
    let rows = subscriptions().mrr_rows();
    // MRR on the boundaries 12-31, 01-31, 02-29, 03-31, 04-30:
    // P 0, 10, 10, 10, 10; Q 0, 20, 20, 0, 0; R 0, 0, 0, 0, 30 (its
    // February row runs on no boundary); S 0, 15, 25, 25, 5; U always 0.
    // (start, new, reactivation, expansion, contraction, churned, end):
    // Jan: P, Q, S new: 10 + 20 + 15 = 45.
    // Feb: S 15 → 25, expansion 10; end 55.
    // Mar: Q 20 → 0 churned; end 35.
    // Apr: R 0 → 30 after paying in February: reactivation, not new;
    //      S 25 → 5, contraction 20; end 35 + 30 − 20 = 45.
    let movements: Vec<[f64; 7]> = rows.iter().map(|r| [r.mrr_start, r.new, r.reactivation, r.expansion, r.contraction, r.churned, r.mrr_end]).collect();
    assert_eq!(
        movements,
        [
            [0.0, 45.0, 0.0, 0.0, 0.0, 0.0, 45.0],
            [45.0, 0.0, 0.0, 10.0, 0.0, 0.0, 55.0],
            [55.0, 0.0, 0.0, 0.0, 0.0, 20.0, 35.0],
            [35.0, 0.0, 30.0, 0.0, 20.0, 0.0, 45.0]
        ]
    );
    // Paying customers (start, new, churned, end): U never pays.
    let customers: Vec<[u64; 4]> = rows.iter().map(|r| [r.customers_start, r.customers_new, r.customers_churned, r.customers_end]).collect();
    assert_eq!(customers, [[0, 3, 0, 3], [3, 0, 0, 3], [3, 0, 1, 2], [2, 0, 0, 3]]);
    let close = |a: Option<f64>, b: f64| assert!(a.is_some_and(|a| (a - b).abs() < 1e-9), "{a:?} vs {b}");
    // Feb: NRR (45 + 10) / 45 = 122.2%; net revenue churn −10/45; no losses → no quick ratio.
    close(rows[1].net_revenue_retention(), 5500.0 / 45.0);
    close(rows[1].net_revenue_churn_rate(), -1000.0 / 45.0);
    close(rows[1].gross_revenue_retention(), 100.0);
    assert_eq!(rows[1].quick_ratio(), None);
    // Mar: logo churn 1/3; revenue churn 20/55 = 36.4%; NRR 35/55; ARPA 35/2.
    close(rows[2].logo_churn_rate(), 100.0 / 3.0);
    close(rows[2].gross_revenue_churn_rate(), 2000.0 / 55.0);
    close(rows[2].net_revenue_retention(), 3500.0 / 55.0);
    close(rows[2].arpa(), 17.5);
    close(rows[2].quick_ratio(), 0.0);
    // Apr: no logo lost but 20/35 = 57.1% of revenue; GRR 15/35; quick ratio 30/20; ARPA 45/3.
    close(rows[3].logo_churn_rate(), 0.0);
    close(rows[3].gross_revenue_churn_rate(), 2000.0 / 35.0);
    close(rows[3].gross_revenue_retention(), 1500.0 / 35.0);
    close(rows[3].quick_ratio(), 1.5);
    close(rows[3].arpa(), 15.0);
    // Jan: no starting revenue → no ratios.
    assert_eq!((rows[0].net_revenue_retention(), rows[0].logo_churn_rate()), (None, None));
}
