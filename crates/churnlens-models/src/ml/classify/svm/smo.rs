//! The SVM dual solved by sequential minimal optimisation with libsvm's
//! second-order working-set selection (Fan, Chen and Lin, "Working set
//! selection using second order information for training SVM", JMLR 6,
//! 2005, "WSS 2"), and the kernel-row cache that makes it fast.
//!
//! The problem: minimise ½ αᵀQα − eᵀα subject to yᵀα = 0 and
//! 0 ≤ αᵢ ≤ Cᵢ, where Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ). It follows libsvm's `Solver`
//! step by step (selection, the two-variable update with clipping, the
//! gradient update, ρ from the free variables) but without shrinking: the
//! kernel cache already removes most of the cost at churn-table sizes, and
//! shrinking's reconstruction step is where solvers get subtle.

use std::rc::Rc;

use crate::ml::MlError;

/// libsvm's τ: the curvature used when a pair's is not positive.
const TAU: f64 = 1e-12;

/// The kernel function on row-major training rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum KernelFn {
    Linear,
    Rbf(f64),
}

impl KernelFn {
    /// K(a, b) given both rows and their squared norms.
    pub(super) fn eval(self, a: &[f64], b: &[f64], norm_a: f64, norm_b: f64) -> f64 {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        match self {
            KernelFn::Linear => dot,
            KernelFn::Rbf(gamma) => (-gamma * (norm_a + norm_b - 2.0 * dot)).exp(),
        }
    }
}

/// Kernel rows computed on demand and kept, least recently used evicted
/// first, up to a byte budget.
struct KernelCache<'a> {
    rows: &'a [f64],
    width: usize,
    norms: Vec<f64>,
    kernel: KernelFn,
    slots: Vec<Option<Rc<Vec<f64>>>>,
    last_used: Vec<u64>,
    cached: Vec<usize>,
    capacity: usize,
    clock: u64,
}

impl<'a> KernelCache<'a> {
    fn new(rows: &'a [f64], width: usize, kernel: KernelFn, cache_bytes: usize) -> Self {
        let n = rows.len() / width;
        let norms = rows.chunks_exact(width).map(|r| r.iter().map(|x| x * x).sum()).collect();
        let capacity = (cache_bytes / (8 * n.max(1))).max(2);
        KernelCache { rows, width, norms, kernel, slots: vec![None; n], last_used: vec![0; n], cached: Vec::new(), capacity, clock: 0 }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.rows[i * self.width..(i + 1) * self.width]
    }

    /// K(xᵢ, xⱼ) for every j.
    fn get(&mut self, i: usize) -> Rc<Vec<f64>> {
        self.clock += 1;
        self.last_used[i] = self.clock;
        if let Some(row) = &self.slots[i] {
            return Rc::clone(row);
        }
        if self.cached.len() >= self.capacity {
            let (position, _) = self.cached.iter().enumerate().min_by_key(|&(_, &k)| self.last_used[k]).expect("a full cache is not empty");
            let evicted = self.cached.swap_remove(position);
            self.slots[evicted] = None;
        }
        let xi = self.row(i);
        let values: Vec<f64> = (0..self.norms.len()).map(|j| self.kernel.eval(xi, self.row(j), self.norms[i], self.norms[j])).collect();
        let values = Rc::new(values);
        self.slots[i] = Some(Rc::clone(&values));
        self.cached.push(i);
        values
    }
}

/// The solved dual: αᵢ per row and the offset ρ (decision = Σ αᵢyᵢK(xᵢ, x) − ρ).
pub(super) struct Dual {
    pub(super) alpha: Vec<f64>,
    pub(super) rho: f64,
}

/// Solves the dual for rows (row-major, `width` features), labels ±1 in
/// `y` and per-row bounds `cost`, to libsvm's stopping rule
/// m(α) − M(α) < `tolerance`.
pub(super) fn solve(rows: &[f64], width: usize, y: &[f64], cost: &[f64], kernel: KernelFn, tolerance: f64, cache_bytes: usize) -> Result<Dual, MlError> {
    let n = y.len();
    let mut cache = KernelCache::new(rows, width, kernel, cache_bytes);
    let diagonal: Vec<f64> = (0..n).map(|i| kernel.eval(cache.row(i), cache.row(i), cache.norms[i], cache.norms[i])).collect();
    let mut alpha = vec![0.0; n];
    let mut gradient = vec![-1.0; n];
    let max_iterations = 10_000_000usize.max(100 * n);
    let is_upper = |alpha: &[f64], t: usize| alpha[t] >= cost[t];
    let is_lower = |alpha: &[f64], t: usize| alpha[t] <= 0.0;
    let mut iterations = 0;
    loop {
        // WSS 2: i maximises −yᵢ∇ᵢ over the "up" set; j minimises the
        // second-order decrease among the "low" set.
        let mut gmax = f64::NEG_INFINITY;
        let mut i = usize::MAX;
        for t in 0..n {
            if y[t] > 0.0 {
                if !is_upper(&alpha, t) && -gradient[t] >= gmax {
                    gmax = -gradient[t];
                    i = t;
                }
            } else if !is_lower(&alpha, t) && gradient[t] >= gmax {
                gmax = gradient[t];
                i = t;
            }
        }
        if i == usize::MAX {
            break;
        }
        let ki = cache.get(i);
        let mut gmax2 = f64::NEG_INFINITY;
        let mut j = usize::MAX;
        let mut best = f64::INFINITY;
        for t in 0..n {
            // yᵢ·Qᵢₜ = yₜ·Kᵢₜ; either way the curvature is Kᵢᵢ + Kₜₜ − 2Kᵢₜ.
            let yk = y[t] * ki[t];
            let (grad_diff, quad) = if y[t] > 0.0 {
                if is_lower(&alpha, t) {
                    continue;
                }
                gmax2 = gmax2.max(gradient[t]);
                (gmax + gradient[t], diagonal[i] + diagonal[t] - 2.0 * yk)
            } else {
                if is_upper(&alpha, t) {
                    continue;
                }
                gmax2 = gmax2.max(-gradient[t]);
                (gmax - gradient[t], diagonal[i] + diagonal[t] + 2.0 * yk)
            };
            if grad_diff > 0.0 {
                let decrease = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                if decrease <= best {
                    best = decrease;
                    j = t;
                }
            }
        }
        if gmax + gmax2 < tolerance || j == usize::MAX {
            break;
        }
        iterations += 1;
        if iterations > max_iterations {
            return Err(MlError::NotConverged { what: "the SVM solver", iterations: max_iterations });
        }
        let kj = cache.get(j);
        let q_ij = y[i] * y[j] * ki[j];
        let (old_i, old_j) = (alpha[i], alpha[j]);
        let (ci, cj) = (cost[i], cost[j]);
        if y[i] != y[j] {
            let quad = positive_or_tau(diagonal[i] + diagonal[j] + 2.0 * q_ij);
            let delta = (-gradient[i] - gradient[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > ci - cj {
                if alpha[i] > ci {
                    alpha[i] = ci;
                    alpha[j] = ci - diff;
                }
            } else if alpha[j] > cj {
                alpha[j] = cj;
                alpha[i] = cj + diff;
            }
        } else {
            let quad = positive_or_tau(diagonal[i] + diagonal[j] - 2.0 * q_ij);
            let delta = (gradient[i] - gradient[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > ci {
                if alpha[i] > ci {
                    alpha[i] = ci;
                    alpha[j] = sum - ci;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > cj {
                if alpha[j] > cj {
                    alpha[j] = cj;
                    alpha[i] = sum - cj;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let (delta_i, delta_j) = (alpha[i] - old_i, alpha[j] - old_j);
        for t in 0..n {
            gradient[t] += y[i] * y[t] * ki[t] * delta_i + y[j] * y[t] * kj[t] * delta_j;
        }
    }
    Ok(Dual { rho: offset(&alpha, &gradient, y, cost), alpha })
}

fn positive_or_tau(quad: f64) -> f64 {
    if quad > 0.0 { quad } else { TAU }
}

/// ρ as libsvm's `calculate_rho`: the mean of yᵢ∇ᵢ over free variables,
/// or the midpoint of the feasible interval when none is free.
fn offset(alpha: &[f64], gradient: &[f64], y: &[f64], cost: &[f64]) -> f64 {
    let (mut upper, mut lower) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut free, mut sum_free) = (0usize, 0.0);
    for t in 0..alpha.len() {
        let yg = y[t] * gradient[t];
        if alpha[t] >= cost[t] {
            if y[t] < 0.0 { upper = upper.min(yg) } else { lower = lower.max(yg) }
        } else if alpha[t] <= 0.0 {
            if y[t] > 0.0 { upper = upper.min(yg) } else { lower = lower.max(yg) }
        } else {
            free += 1;
            sum_free += yg;
        }
    }
    if free > 0 { sum_free / free as f64 } else { (upper + lower) / 2.0 }
}
