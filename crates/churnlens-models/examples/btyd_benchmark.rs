//! Times the BTYD fits and predictions on synthetic customers (issue #5):
//! `cargo run --release -p churnlens-models --example btyd_benchmark -- 1000000`
//! simulates that many BG/NBD and Pareto/NBD customers with the CDNOW
//! estimates, fits BG/NBD, MBG/NBD and Pareto/NBD, and predicts P(alive) and
//! the next 52 weeks' purchases for every customer, printing each step's wall time.
//! With a directory as second argument it also writes the simulated customers
//! there (bgnbd_customers.csv, pareto_customers.csv: frequency,recency,T) so
//! bench/btyd_lifetimes.py can time lifetimes on the same data.

use churnlens_models::stats::btyd::simulate::{simulate_bgnbd, simulate_pareto_nbd};
use churnlens_models::stats::btyd::{BetaGeoParams, BetaGeoVariant, ParetoNbdParams, PurchaseModel};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1_000_000, |a| a.parse().expect("a customer count"));
    let started = Instant::now();
    let bg_customers = simulate_bgnbd(n, [0.243, 4.414, 0.793, 2.426], 27.0, 39.0, 1);
    let pareto_customers = simulate_pareto_nbd(n, [0.55, 10.58, 0.61, 11.67], 27.0, 39.0, 1);
    println!("simulate {n} + {n} customers: {:.2?}", started.elapsed());
    if let Some(dir) = std::env::args().nth(2) {
        for (name, customers) in [("bgnbd_customers.csv", &bg_customers), ("pareto_customers.csv", &pareto_customers)] {
            let mut text = String::from("frequency,recency,T\n");
            for c in customers.iter() {
                text.push_str(&format!("{},{},{}\n", c.frequency, c.recency, c.age));
            }
            std::fs::write(std::path::Path::new(&dir).join(name), text).expect("writable directory");
        }
    }

    for variant in [BetaGeoVariant::Standard, BetaGeoVariant::Modified] {
        let started = Instant::now();
        let model = BetaGeoParams::new().variant(variant).fit(&bg_customers).expect("fit");
        println!("fit {variant:?}: {:.2?} r={:.4} alpha={:.4} a={:.4} b={:.4} {:?}", started.elapsed(), model.r, model.alpha, model.a, model.b, model.report);
        let started = Instant::now();
        let total: f64 = bg_customers.iter().map(|c| model.p_alive(c) + model.conditional_expected_purchases(52.0, c)).sum();
        println!("predict {variant:?} (p_alive + 52 weeks): {:.2?} (checksum {total:.6})", started.elapsed());
    }
    let started = Instant::now();
    let model = ParetoNbdParams::new().fit(&pareto_customers).expect("fit");
    println!("fit Pareto/NBD: {:.2?} r={:.4} alpha={:.4} s={:.4} beta={:.4} {:?}", started.elapsed(), model.r, model.alpha, model.s, model.beta, model.report);
    let started = Instant::now();
    let total: f64 = pareto_customers.iter().map(|c| model.p_alive(c) + model.conditional_expected_purchases(52.0, c)).sum();
    println!("predict Pareto/NBD (p_alive + 52 weeks): {:.2?} (checksum {total:.6})", started.elapsed());
}
