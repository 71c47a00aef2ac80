//! Synthetic customers drawn from the BG/NBD and Pareto/NBD processes, for
//! parameter-recovery tests and for benchmarks on millions of customers.
//!
//! The generator is SplitMix64 (Steele, Lea & Flood 2014): a few lines,
//! reproducible from a seed on every platform, and good enough for
//! simulation; it keeps the crate free of a random-number dependency.

use super::Rfm;

/// A seeded SplitMix64 generator with the draws the simulations need.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1): 53 random bits, never 0.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Exponential with rate 1.
    pub fn exponential(&mut self) -> f64 {
        -self.uniform().ln()
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }

    /// Gamma with this shape and scale 1 (Marsaglia & Tsang 2000; shapes
    /// below 1 through Gamma(k+1) · U^(1/k)).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = (1.0 + c * z).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Beta(a, b).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// `n` BG/NBD customers with parameters (r, α, a, b) and ages uniform on
/// [`min_age`, `max_age`]: purchase rate λ ~ Gamma(r, scale 1/α), drop-out
/// probability p ~ Beta(a, b) after each repeat purchase.
pub fn simulate_bgnbd(n: usize, [r, alpha, a, b]: [f64; 4], min_age: f64, max_age: f64, seed: u64) -> Vec<Rfm> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let age = min_age + (max_age - min_age) * rng.uniform();
            let rate = rng.gamma(r) / alpha;
            let p = rng.beta(a, b);
            let (mut t, mut x, mut last) = (0.0, 0.0, 0.0);
            loop {
                t += rng.exponential() / rate;
                if t > age {
                    break;
                }
                x += 1.0;
                last = t;
                if rng.uniform() < p {
                    break;
                }
            }
            Rfm::new(x, last, age)
        })
        .collect()
}

/// `n` Pareto/NBD customers with parameters (r, α, s, β) and ages uniform on
/// [`min_age`, `max_age`]: purchase rate λ ~ Gamma(r, scale 1/α), lifetime
/// exponential with rate μ ~ Gamma(s, scale 1/β).
pub fn simulate_pareto_nbd(n: usize, [r, alpha, s, beta]: [f64; 4], min_age: f64, max_age: f64, seed: u64) -> Vec<Rfm> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let age = min_age + (max_age - min_age) * rng.uniform();
            let rate = rng.gamma(r) / alpha;
            let lifetime = rng.exponential() / (rng.gamma(s) / beta);
            let end = age.min(lifetime);
            let (mut t, mut x, mut last) = (0.0, 0.0, 0.0);
            loop {
                t += rng.exponential() / rate;
                if t > end {
                    break;
                }
                x += 1.0;
                last = t;
            }
            Rfm::new(x, last, age)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_have_the_right_moments() {
        // Gamma(k): mean k, variance k; Beta(a, b): mean a/(a+b). With 200,000
        // draws the standard error of a mean is ≈ sd/447, so 5 of them is a tolerance that does not fail by chance.
        let mut rng = SplitMix64::new(7);
        let n = 200_000;
        for k in [0.243, 2.5] {
            let draws: Vec<f64> = (0..n).map(|_| rng.gamma(k)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
            assert!((mean - k).abs() < 5.0 * (k / n as f64).sqrt(), "Gamma({k}) mean {mean}");
            assert!((var - k).abs() < 0.05 * k, "Gamma({k}) variance {var}");
        }
        let mean = (0..n).map(|_| rng.beta(0.793, 2.426)).sum::<f64>() / n as f64;
        assert!((mean - 0.793 / 3.219).abs() < 5.0 * 0.25 / (n as f64).sqrt(), "Beta mean {mean}");
    }

    #[test]
    fn simulated_customers_are_valid() {
        for c in simulate_bgnbd(1000, [0.243, 4.414, 0.793, 2.426], 27.0, 39.0, 1).iter().chain(&simulate_pareto_nbd(
            1000,
            [0.55, 10.58, 0.61, 11.67],
            27.0,
            39.0,
            1,
        )) {
            assert!(c.frequency >= 0.0 && c.recency <= c.age && (27.0..=39.0).contains(&c.age));
            assert!(c.frequency > 0.0 || c.recency == 0.0);
        }
    }
}
