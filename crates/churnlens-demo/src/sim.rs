//! Simulates one customer's life from a seed of its own, so output does not
//! depend on generation order. Times are wall-clock seconds since 1970-01-01
//! (Beijing time; the files write them without an offset except events).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal};

use crate::names::*;

const DAY: i64 = 86_400;
/// Wall-clock seconds of 2024-01-01 00:00: the price rise in 华东.
pub const PRICE_RISE: i64 = 19_723 * DAY;

/// Base hazard of deciding to leave, per month. With the factors below it
/// keeps about 19 orders a customer, the volume the benchmark sizes assume.
const MONTHLY_CHURN_HAZARD: f64 = 0.025;
// The planted drivers' factors: strong enough that gradient boosting on a
// 3,000-customer demo ranks each among its five most important features
// (crates/churnlens-models/tests/prediction.rs; at × 2.5 for complaints
// and × 2 for a price rise a year later, the region ranked 13th).
const LATE_FACTOR: f64 = 1.8;
const COMPLAINT_FACTOR: f64 = 3.5;
const PRICE_RISE_FACTOR: f64 = 3.5;
const SUBSCRIBER_FACTOR: f64 = 0.5;
/// Mixed into a customer's seed for the stream of their logins.
const LOGIN_STREAM: u64 = 0x6C6F_6769_6E73;
/// Mixed into a customer's seed for the stream of their surveys.
const SURVEY_STREAM: u64 = 0x7375_7276_6579;
/// Share of buyers invited to satisfaction surveys.
const SURVEYED_SHARE: f64 = 0.25;
/// A customer answers a survey only with an order in this many days before it.
const SURVEY_ACTIVE_DAYS: i64 = 60;

/// A customer's profile.
pub struct Profile {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub male: bool,
    pub birth: (i32, u32, u32),
    pub city: usize,
    pub channel: usize,
    pub level: usize,
    pub signup: i64,
    pub subscriber: bool,
}

/// One order (or refund row).
pub struct Order {
    pub time: i64,
    pub amount: f64,
    pub quantity: u32,
    pub refund: bool,
    pub delivery_days: u32,
    pub items: Vec<(String, &'static str, u32, f64)>,
}

/// Everything simulated for one customer.
pub struct CustomerSim {
    pub profile: Profile,
    pub orders: Vec<Order>,
    pub events: Vec<(i64, &'static str, u32)>,
    pub feedback: Vec<(i64, &'static str, &'static str, &'static str, u32)>,
    pub surveys: Vec<(i64, u32, u32, u32, u32)>,
    pub subscription: Option<(usize, i64, Option<i64>)>,
    pub lead: Option<(i64, usize)>,
    pub churned: bool,
    pub last_order: Option<i64>,
    pub late_deliveries: u32,
    pub complained: bool,
    /// When the first complaint was made.
    pub first_complaint: Option<i64>,
    pub price_rise_exposed: bool,
    pub rate_per_month: f64,
}

fn customer_seed(seed: u64, index: usize) -> u64 {
    // SplitMix64 over (seed, index): independent streams per customer.
    let mut z = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn season(time: i64) -> f64 {
    let (_, month, _) = churnlens_core::values::civil_from_days(time.div_euclid(DAY));
    match month {
        11 => 1.6,
        12 => 1.3,
        2 => 0.7,
        _ => 1.0,
    }
}

/// Simulates customer `index` between `start` and `end` (wall-clock seconds).
pub fn simulate(seed: u64, index: usize, start: i64, end: i64) -> CustomerSim {
    let mut rng = ChaCha8Rng::seed_from_u64(customer_seed(seed, index));
    let span = (end - start - 30 * DAY).max(DAY) as f64;
    // Growth: later signups are likelier (density rising over the period).
    let signup = start + (span * rng.random::<f64>().powf(0.8)) as i64 + rng.random_range(8 * 3600..22 * 3600);
    let city = pick_weighted(&mut rng, &CITY_WEIGHTS);
    let channel = pick_weighted(&mut rng, &[30, 25, 15, 10, 20]);
    let level = pick_weighted(&mut rng, &[70, 22, 8]);
    let male = rng.random_bool(0.48);
    let birth = (rng.random_range(1960..2005), rng.random_range(1..=12), rng.random_range(1..=28));
    let name = format!(
        "{}{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())],
        if rng.random_bool(0.6) { GIVEN[rng.random_range(0..GIVEN.len())] } else { "" }
    );
    let phone = format!("1{}{:09}", rng.random_range(3..10), rng.random_range(0..1_000_000_000u64));
    let subscriber = rng.random_bool(0.2);
    let profile = Profile { id: format!("C{:06}", index + 1), name, phone, male, birth, city, channel, level, signup, subscriber };

    let rate_per_month: f64 = Gamma::new(1.2, 2.1).map(|g| g.sample(&mut rng)).unwrap_or(1.0) + 0.05;
    let aov = LogNormal::new((150.0f64).ln() - 0.08, 0.4).map(|d| d.sample(&mut rng)).unwrap_or(150.0);
    let order_value = LogNormal::new(0.0, 0.35).ok();
    let remote = CITIES[city].2;
    let late_rate = if remote { 0.14 } else { 0.06 };
    let region_east = CITIES[city].1 == "华东";
    let favourite = rng.random_range(0..CATEGORIES.len());

    let mut sim = CustomerSim {
        profile,
        orders: Vec::new(),
        events: Vec::new(),
        feedback: Vec::new(),
        surveys: Vec::new(),
        subscription: None,
        lead: None,
        churned: false,
        last_order: None,
        late_deliveries: 0,
        complained: false,
        first_complaint: None,
        price_rise_exposed: false,
        rate_per_month,
    };
    if rng.random_bool(0.6) {
        let created = signup - rng.random_range(DAY..30 * DAY);
        sim.lead = Some((created, rng.random_range(0..LEAD_SOURCES.len())));
    }
    let buyer = rng.random_bool(0.92);
    let mut t = signup + (Exp::new(1.0 / 3.0).map(|e| e.sample(&mut rng)).unwrap_or(1.0) * DAY as f64) as i64;
    let mut final_orders: Option<u32> = None;
    let mut usual_gap = 30.0 / rate_per_month;
    let mut final_step = 0u32;
    // When the customer decided to leave: engagement thins from here on.
    let mut decided_at: Option<i64> = None;
    while buyer && t < end {
        let delivery_days = if rng.random_bool(late_rate) { rng.random_range(6..=11) } else { rng.random_range(1..=4) };
        let value = aov * order_value.as_ref().map(|d| d.sample(&mut rng)).unwrap_or(1.0);
        let amount = (value * 10.0).round() / 10.0;
        let lines = rng.random_range(1..=3u32);
        let mut items = Vec::with_capacity(lines as usize);
        let mut left = amount;
        for line in 0..lines {
            let category = if rng.random_bool(0.6) { favourite } else { rng.random_range(0..CATEGORIES.len()) };
            let quantity = rng.random_range(1..=2u32);
            let line_total = if line + 1 == lines { left } else { (left * rng.random_range(0.2..0.6) * 10.0).round() / 10.0 };
            left -= line_total;
            let price = (line_total / f64::from(quantity) * 100.0).round() / 100.0;
            items.push((format!("SKU{}{:04}", category, rng.random_range(0..2000)), CATEGORIES[category], quantity, price));
        }
        let quantity = items.iter().map(|i| i.2).sum();
        sim.orders.push(Order { time: t, amount, quantity, refund: false, delivery_days, items });
        sim.last_order = Some(t);
        // Browsing before the order; thinner once the customer is leaving.
        let browse = if final_orders.is_some() { 0 } else { rng.random_range(0..=2) };
        for _ in 0..browse {
            let when = t - rng.random_range(600..3 * DAY);
            sim.events.push((when, EVENT_TYPES[rng.random_range(1..EVENT_TYPES.len())], rng.random_range(20..900)));
        }
        sim.events.push((t - rng.random_range(60..600), "add_to_cart", rng.random_range(10..120)));
        if rng.random_bool(0.03) {
            let when = t + rng.random_range(2 * DAY..10 * DAY);
            if when < end {
                sim.orders.push(Order { time: when, amount: -amount, quantity, refund: true, delivery_days: 0, items: Vec::new() });
            }
        }
        if delivery_days > 5 {
            sim.late_deliveries += 1;
            if rng.random_bool(0.35) {
                let when = t + rng.random_range(DAY..4 * DAY);
                complain(&mut sim, &mut rng, when, end);
            }
        } else if rng.random_bool(0.004) {
            let when = t + rng.random_range(DAY..4 * DAY);
            complain(&mut sim, &mut rng, when, end);
        } else if rng.random_bool(0.01) {
            let (kind, text) = OTHER_FEEDBACK[rng.random_range(0..OTHER_FEEDBACK.len())];
            let when = t + rng.random_range(DAY..5 * DAY);
            if when < end {
                sim.feedback.push((when, "APP", kind, text, if kind == "praise" { 5 } else { 4 }));
            }
        }
        if region_east && t >= PRICE_RISE {
            sim.price_rise_exposed = true;
        }
        let next_gap_days = match final_orders {
            Some(left) => {
                if left == 0 {
                    sim.churned = true;
                    break;
                }
                final_orders = Some(left - 1);
                final_step += 1;
                usual_gap * if final_step == 1 { 1.8 } else { 2.6 }
            }
            None => {
                let rate = rate_per_month * season(t) / 30.0;
                let gap = Exp::new(rate).map(|e| e.sample(&mut rng)).unwrap_or(30.0);
                // A monthly hazard, so frequent buyers are not more likely to
                // leave just because they decide more often.
                let mut hazard = MONTHLY_CHURN_HAZARD * LATE_FACTOR.powi(sim.late_deliveries.min(3) as i32) * CHANNELS[channel].1;
                if sim.complained {
                    hazard *= COMPLAINT_FACTOR;
                }
                if sim.price_rise_exposed {
                    hazard *= PRICE_RISE_FACTOR;
                }
                if subscriber {
                    hazard *= SUBSCRIBER_FACTOR;
                }
                let leave = 1.0 - (-hazard * gap.max(1.0) / 30.0).exp();
                if rng.random_bool(leave.min(0.9)) {
                    decided_at = Some(t);
                    final_orders = Some(rng.random_range(0..=1));
                    final_step = 1;
                    usual_gap * 1.8
                } else {
                    usual_gap = 0.8 * usual_gap + 0.2 * gap.max(1.0);
                    gap
                }
            }
        };
        t += ((next_gap_days.max(0.05)) * DAY as f64) as i64;
        t = t - t.rem_euclid(DAY) + rng.random_range(8 * 3600..23 * 3600);
    }
    if !buyer || sim.orders.is_empty() {
        // Never bought: a few app visits after signing up.
        for _ in 0..rng.random_range(0..4) {
            let when = signup + rng.random_range(0..20 * DAY);
            if when < end {
                sim.events.push((when, EVENT_TYPES[rng.random_range(0..2)], rng.random_range(5..300)));
            }
        }
    }
    // Logins: one every 12 days (at most 40) until the customer decides to
    // leave, then one every 40 days until they stop opening the app, up to
    // 45 days after their last order (a customer who stays logs in until
    // the end of the data). So engagement thins in the final phase only, and
    // logins before a cutoff say nothing about orders after it. They draw
    // from a stream of their own, so they can change without changing any
    // other table.
    if let Some(last) = sim.last_order {
        let mut logins_rng = ChaCha8Rng::seed_from_u64(customer_seed(seed, index) ^ LOGIN_STREAM);
        let gone = if sim.churned { (last + logins_rng.random_range(0..45 * DAY)).min(end) } else { end };
        let decided = decided_at.unwrap_or(gone).clamp(signup, gone);
        for (from, to, days_per_login) in [(signup, decided, 12), (decided, gone, 40)] {
            let logins = ((to - from) / DAY / days_per_login).min(40);
            for _ in 0..logins {
                let when = from + logins_rng.random_range(0..(to - from).max(1));
                sim.events.push((when, "login", logins_rng.random_range(5..600)));
            }
        }
    }
    if subscriber {
        let plan = rng.random_range(0..PLANS.len());
        let start_at = signup + rng.random_range(0..60 * DAY);
        let ended = if sim.churned {
            sim.last_order.map(|l| l + rng.random_range(5 * DAY..40 * DAY))
        } else if rng.random_bool(0.1) {
            Some(start_at + rng.random_range(60 * DAY..400 * DAY))
        } else {
            None
        };
        if start_at < end {
            sim.subscription = Some((plan, start_at, ended.filter(|e| *e < end)));
        }
    }
    // Surveys: a quarter of buyers are invited once or twice, at times that
    // do not depend on their future (any day from their first order to the
    // end of the data); a customer with no order in the 60 days before an
    // invitation no longer answers. The score reflects only what happened
    // before the answer — late deliveries so far, a complaint already made,
    // a decision to leave already taken — so a survey before a cutoff
    // cannot know what comes after it.
    let mut surveys_rng = ChaCha8Rng::seed_from_u64(customer_seed(seed, index) ^ SURVEY_STREAM);
    if let Some(first) = sim.orders.first().map(|o| o.time)
        && surveys_rng.random_bool(SURVEYED_SHARE)
    {
        for _ in 0..surveys_rng.random_range(1..=2) {
            let when = first + DAY + surveys_rng.random_range(0..(end - first).max(DAY));
            let before: Vec<&Order> = sim.orders.iter().filter(|o| !o.refund && o.time < when).collect();
            if when >= end || before.last().is_none_or(|o| when - o.time > SURVEY_ACTIVE_DAYS * DAY) {
                continue;
            }
            let late_so_far = before.iter().filter(|o| o.delivery_days > 5).count().min(3) as u32;
            let mut nps = Normal::new(8.2, 1.6).map(|d| d.sample(&mut surveys_rng)).unwrap_or(8.0);
            nps -= 1.2 * f64::from(late_so_far);
            if sim.first_complaint.is_some_and(|complained| complained < when) {
                nps -= 2.0;
            }
            if decided_at.is_some_and(|decided| decided <= when) {
                nps -= 1.5;
            }
            let nps = nps.round().clamp(0.0, 10.0) as u32;
            let item = |rng: &mut ChaCha8Rng, shift: f64| ((f64::from(nps) / 2.2 + shift + rng.random_range(-0.8..0.8)).round().clamp(1.0, 5.0)) as u32;
            let logistics_shift = if late_so_far > 0 { -1.0 } else { 0.3 };
            let answers = (item(&mut surveys_rng, 0.5), item(&mut surveys_rng, logistics_shift), item(&mut surveys_rng, 0.3));
            sim.surveys.push((when, nps, answers.0, answers.1, answers.2));
        }
        sim.surveys.sort_by_key(|s| s.0);
    }
    sim
}

fn complain(sim: &mut CustomerSim, rng: &mut ChaCha8Rng, when: i64, end: i64) {
    if when >= end {
        return;
    }
    sim.complained = true;
    sim.first_complaint = Some(sim.first_complaint.map_or(when, |first| first.min(when)));
    let (kind, text) = COMPLAINTS[rng.random_range(0..COMPLAINTS.len())];
    let channel = ["APP", "电话", "在线客服", "邮件"][rng.random_range(0..4)];
    sim.feedback.push((when, channel, kind, text, rng.random_range(1..=2)));
}
