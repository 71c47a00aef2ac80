//! Times the BTYD fits and predictions on synthetic customers (issue #5):
//! `cargo run --release -p churnlens-bench-btyd -- 1000000`
//! simulates that many BG/NBD and Pareto/NBD customers with the CDNOW
//! estimates, fits BG/NBD, MBG/NBD and Pareto/NBD, and predicts P(alive) and
//! the next 52 weeks' purchases for every customer, printing each step's wall time.
//!
//! With a directory as second argument it also writes the simulated customers
//! there (bgnbd_customers.csv: frequency,recency,T,monetary_value;
//! pareto_customers.csv: frequency,recency,T) so bench/btyd_lifetimes.py can
//! time lifetimes on the same data, and its figures as churnlens.json.
//! `--only-bgnbd-gg` runs the acceptance benchmark only: read the customers
//! back from that CSV, BG/NBD + Gamma-Gamma fit, then P(alive), 52 weeks'
//! purchases, expected average value and 12-month CLV for every customer,
//! and write those four columns as churnlens_predictions.csv
//! (bench/run_btyd.sh), timing each step.

use churnlens_models::stats::btyd::simulate::{SplitMix64, simulate_bgnbd, simulate_pareto_nbd};
use churnlens_models::stats::btyd::validation::{WEEKS_PER_MONTH, clv_horizons, discounted_value};
use churnlens_models::stats::btyd::{BetaGeoParams, BetaGeoVariant, GammaGammaParams, ParetoNbdParams, PurchaseModel, Rfm};
use rayon::prelude::*;
use std::time::Instant;

/// Mean spend of each repeat customer from the Gamma-Gamma process with the
/// CDNOW estimates (p = 6.25, q = 3.74, γ = 15.44): ν ~ Gamma(q, rate γ), the
/// sum of x spends ~ Gamma(px, rate ν); 0 for customers without repeat purchases.
fn simulate_spend(customers: &[Rfm], seed: u64) -> Vec<f64> {
    let (p, q, v) = (6.25, 3.74, 15.44);
    let mut rng = SplitMix64::new(seed);
    customers
        .iter()
        .map(|c| {
            if c.frequency == 0.0 {
                return 0.0;
            }
            let nu = rng.gamma(q) / v;
            rng.gamma(p * c.frequency) / nu / c.frequency
        })
        .collect()
}

/// The customers and mean spends of bgnbd_customers.csv (frequency,recency,T,monetary_value).
fn read_customers(path: &std::path::Path) -> (Vec<Rfm>, Vec<f64>) {
    let mut reader = csv::Reader::from_path(path).expect("readable customers");
    let mut record = csv::ByteRecord::new();
    let (mut customers, mut spend) = (Vec::new(), Vec::new());
    let field = |record: &csv::ByteRecord, i: usize| -> f64 { std::str::from_utf8(&record[i]).expect("utf-8").parse().expect("a number") };
    while reader.read_byte_record(&mut record).expect("a csv record") {
        customers.push(Rfm::new(field(&record, 0), field(&record, 1), field(&record, 2)));
        spend.push(field(&record, 3));
    }
    (customers, spend)
}

/// Every customer's predictions as CSV (p_alive,purchases_52,average_value,clv_12).
fn write_predictions(path: &std::path::Path, columns: &[&Vec<f64>; 4]) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("writable directory"));
    writeln!(out, "p_alive,purchases_52,average_value,clv_12").expect("write");
    for (((p_alive, purchases), value), clv) in columns[0].iter().zip(columns[1].iter()).zip(columns[2].iter()).zip(columns[3].iter()) {
        writeln!(out, "{p_alive},{purchases},{value},{clv}").expect("write");
    }
    out.flush().expect("write");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only_bgnbd_gg = args.iter().any(|a| a == "--only-bgnbd-gg");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let n: usize = positional.first().map_or(1_000_000, |a| a.parse().expect("a customer count"));
    let dir = positional.get(1).map(std::path::Path::new);
    let started = Instant::now();
    let bg_customers = simulate_bgnbd(n, [0.243, 4.414, 0.793, 2.426], 27.0, 39.0, 1);
    let spend = simulate_spend(&bg_customers, 2);
    let pareto_customers = if only_bgnbd_gg { Vec::new() } else { simulate_pareto_nbd(n, [0.55, 10.58, 0.61, 11.67], 27.0, 39.0, 1) };
    println!("simulate {n} customers: {:.2?}", started.elapsed());
    if let Some(dir) = dir {
        let mut text = String::from("frequency,recency,T,monetary_value\n");
        for (c, m) in bg_customers.iter().zip(&spend) {
            text.push_str(&format!("{},{},{},{}\n", c.frequency, c.recency, c.age, m));
        }
        std::fs::write(dir.join("bgnbd_customers.csv"), text).expect("writable directory");
        if !only_bgnbd_gg {
            let mut text = String::from("frequency,recency,T\n");
            for c in &pareto_customers {
                text.push_str(&format!("{},{},{}\n", c.frequency, c.recency, c.age));
            }
            std::fs::write(dir.join("pareto_customers.csv"), text).expect("writable directory");
        }
    }

    // The acceptance run: BG/NBD + Gamma-Gamma; with a directory, from
    // reading the customers to writing every customer's predictions.
    let end_to_end_started = Instant::now();
    let (bg_customers, spend, read) = match dir {
        Some(dir) => {
            let started = Instant::now();
            let (customers, spend) = read_customers(&dir.join("bgnbd_customers.csv"));
            let read = started.elapsed().as_secs_f64();
            println!("read {} customers: {read:.2}s", customers.len());
            (customers, spend, read)
        }
        None => (bg_customers, spend, 0.0),
    };
    let total_started = Instant::now();
    let started = Instant::now();
    let model = BetaGeoParams::new().fit(&bg_customers).expect("fit");
    let fit_bgnbd = started.elapsed().as_secs_f64();
    println!("fit BG/NBD: {fit_bgnbd:.2}s r={:.6} alpha={:.6} a={:.6} b={:.6} {:?}", model.r, model.alpha, model.a, model.b, model.report);
    let started = Instant::now();
    let frequency: Vec<f64> = bg_customers.iter().map(|c| c.frequency).collect();
    let spend_model = GammaGammaParams::new().fit(&frequency, &spend).expect("fit");
    let fit_gg = started.elapsed().as_secs_f64();
    println!("fit Gamma-Gamma: {fit_gg:.2}s p={:.6} q={:.6} v={:.6}", spend_model.p, spend_model.q, spend_model.v);
    // Every customer's four figures, kept as columns like lifetimes' arrays.
    let started = Instant::now();
    let p_alive: Vec<f64> = bg_customers.par_iter().map(|c| model.p_alive(c)).collect();
    // The 52 weeks and the 12 month ends of the CLV in one evaluation.
    let mut horizons = vec![52.0];
    horizons.extend(clv_horizons(12, WEEKS_PER_MONTH));
    let cumulative = model.conditional_expected_purchases_many(&horizons, &bg_customers);
    let average_value: Vec<f64> = frequency.par_iter().zip(spend.par_iter()).map(|(&x, &m)| spend_model.conditional_expected_average_value(x, m)).collect();
    let (purchases_52, clv_12): (Vec<f64>, Vec<f64>) =
        cumulative.par_chunks(horizons.len()).zip(average_value.par_iter()).map(|(c, &value)| (c[0], discounted_value(&c[1..], value, 0.01))).unzip();
    let predict = started.elapsed().as_secs_f64();
    let total = total_started.elapsed().as_secs_f64();
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let sums = [sum(&p_alive), sum(&purchases_52), sum(&average_value), sum(&clv_12)];
    println!(
        "predict BG/NBD + Gamma-Gamma (p_alive, 52 weeks, average value, 12-month CLV): {predict:.2}s sums {:.6} {:.6} {:.6} {:.6}",
        sums[0], sums[1], sums[2], sums[3]
    );
    println!("total BG/NBD + Gamma-Gamma fit and predict: {total:.2}s");
    if let Some(dir) = dir {
        let started = Instant::now();
        write_predictions(&dir.join("churnlens_predictions.csv"), &[&p_alive, &purchases_52, &average_value, &clv_12]);
        let write = started.elapsed().as_secs_f64();
        let end_to_end = end_to_end_started.elapsed().as_secs_f64();
        println!("write predictions: {write:.2}s; read, fit, predict and write: {end_to_end:.2}s");
        let figures = serde_json::json!({
            "customers": bg_customers.len(),
            "seconds": { "read": read, "fit_bgnbd": fit_bgnbd, "fit_gamma_gamma": fit_gg, "predict": predict, "total": total, "write": write, "end_to_end": end_to_end },
            "bgnbd": { "r": model.r, "alpha": model.alpha, "a": model.a, "b": model.b },
            "gamma_gamma": { "p": spend_model.p, "q": spend_model.q, "v": spend_model.v },
            "sums": { "p_alive": sums[0], "purchases_52": sums[1], "average_value": sums[2], "clv_12": sums[3] },
        });
        std::fs::write(dir.join("churnlens.json"), serde_json::to_string_pretty(&figures).expect("json")).expect("writable directory");
    }
    if only_bgnbd_gg {
        return;
    }

    let started = Instant::now();
    let model = BetaGeoParams::new().variant(BetaGeoVariant::Modified).fit(&bg_customers).expect("fit");
    println!("fit MBG/NBD: {:.2?} r={:.4} alpha={:.4} a={:.4} b={:.4} {:?}", started.elapsed(), model.r, model.alpha, model.a, model.b, model.report);
    let started = Instant::now();
    let total: f64 = bg_customers.iter().map(|c| model.p_alive(c) + model.conditional_expected_purchases(52.0, c)).sum();
    println!("predict MBG/NBD (p_alive + 52 weeks): {:.2?} (checksum {total:.6})", started.elapsed());
    let started = Instant::now();
    let model = ParetoNbdParams::new().fit(&pareto_customers).expect("fit");
    println!("fit Pareto/NBD: {:.2?} r={:.4} alpha={:.4} s={:.4} beta={:.4} {:?}", started.elapsed(), model.r, model.alpha, model.s, model.beta, model.report);
    let started = Instant::now();
    let total: f64 = pareto_customers.iter().map(|c| model.p_alive(c) + model.conditional_expected_purchases(52.0, c)).sum();
    println!("predict Pareto/NBD (p_alive + 52 weeks): {:.2?} (checksum {total:.6})", started.elapsed());
}
