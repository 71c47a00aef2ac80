//! The SVM dual solved by sequential minimal optimisation with libsvm's
//! second-order working-set selection (Fan, Chen and Lin, "Working set
//! selection using second order information for training SVM", JMLR 6,
//! 2005, "WSS 2"), libsvm's shrinking, and a kernel-row cache.
//!
//! The problem: minimise ½ αᵀQα − eᵀα subject to yᵀα = 0 and
//! 0 ≤ αᵢ ≤ Cᵢ, where Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ). It follows libsvm's `Solver`
//! step by step: selection, the two-variable update with clipping, the
//! gradient update, ρ from the free variables.
//!
//! **Shrinking** (libsvm's `do_shrinking`, every min(n, 1000) iterations):
//! a variable at a bound whose gradient says it would only move further
//! out is set aside, so selection and the gradient update — and the kernel
//! rows — cover only the remaining *active* rows. Ḡ, the gradient's part
//! from variables at their upper bound, is kept for every row so that the
//! full gradient can be rebuilt when the active set is restored: once when
//! the violation first falls below 10 × the tolerance, and again whenever
//! the active rows look optimal, so the stopping rule is always checked on
//! all rows and the solution is the one without shrinking.
//!
//! **Kernel cache**: rows of K computed on demand, least recently used
//! evicted first, at most `cache_bytes` in all (each row holds n values of
//! 8 bytes, so the cache keeps ⌊cache_bytes ÷ 8n⌋ rows, at least two). A
//! row computed while the active set was shrunk holds only the active
//! columns; it stays valid while the active set only shrinks, and is
//! completed on demand after the active set grows again. Rows are computed
//! in parallel (rayon) once they are long enough to pay for it.

use std::rc::Rc;

use rayon::prelude::*;

use crate::ml::MlError;

/// libsvm's τ: the curvature used when a pair's is not positive.
const TAU: f64 = 1e-12;

/// Kernel values per parallel task: below this a row is computed on one
/// thread, since splitting costs more than it saves.
const PARALLEL_MIN_VALUES: usize = 512;

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
    /// Whether a cached row holds every column, not only the active ones.
    complete: Vec<bool>,
    /// The active-set epoch a partial row was computed in.
    epoch_of: Vec<u64>,
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
        KernelCache {
            rows,
            width,
            norms,
            kernel,
            slots: vec![None; n],
            complete: vec![false; n],
            epoch_of: vec![0; n],
            last_used: vec![0; n],
            cached: Vec::new(),
            capacity,
            clock: 0,
        }
    }

    fn n(&self) -> usize {
        self.norms.len()
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.rows[i * self.width..(i + 1) * self.width]
    }

    /// K(xᵢ, xᵢ).
    fn diagonal(&self, i: usize) -> f64 {
        self.kernel.eval(self.row(i), self.row(i), self.norms[i], self.norms[i])
    }

    /// K(xᵢ, xⱼ) for every j of `active` (all rows when `active` has all
    /// of them), valid for as long as the active set only shrinks: the
    /// caller passes the epoch that changes whenever it grows.
    fn get(&mut self, i: usize, active: &[usize], epoch: u64) -> Rc<Vec<f64>> {
        self.touch(i);
        if let Some(row) = &self.slots[i]
            && (self.complete[i] || self.epoch_of[i] == epoch)
        {
            return Rc::clone(row);
        }
        let all = active.len() == self.n();
        self.compute(i, if all { None } else { Some(active) }, epoch)
    }

    /// K(xᵢ, xⱼ) for every j.
    fn get_full(&mut self, i: usize) -> Rc<Vec<f64>> {
        self.touch(i);
        if let Some(row) = &self.slots[i]
            && self.complete[i]
        {
            return Rc::clone(row);
        }
        self.compute(i, None, 0)
    }

    fn touch(&mut self, i: usize) {
        self.clock += 1;
        self.last_used[i] = self.clock;
    }

    /// Computes row i over `columns` (every column when `None`) and caches it.
    fn compute(&mut self, i: usize, columns: Option<&[usize]>, epoch: u64) -> Rc<Vec<f64>> {
        let mut values = match self.slots[i].take() {
            // A stale row of this index: reuse its allocation when no one else holds it.
            Some(old) => Rc::try_unwrap(old).unwrap_or_else(|shared| vec![0.0; shared.len()]),
            None => {
                if self.cached.len() >= self.capacity {
                    let (position, _) = self.cached.iter().enumerate().min_by_key(|&(_, &k)| self.last_used[k]).expect("a full cache is not empty");
                    let evicted = self.cached.swap_remove(position);
                    self.slots[evicted] = None;
                }
                self.cached.push(i);
                vec![0.0; self.n()]
            }
        };
        let (rows, width, norms, kernel) = (self.rows, self.width, &self.norms, self.kernel);
        let xi = self.row(i);
        let value = |j: usize| kernel.eval(xi, &rows[j * width..(j + 1) * width], norms[i], norms[j]);
        let chunk = (PARALLEL_MIN_VALUES / width.max(1)).max(16);
        match columns {
            None => values.par_iter_mut().enumerate().with_min_len(chunk).for_each(|(j, v)| *v = value(j)),
            Some(columns) => {
                let computed: Vec<f64> = columns.par_iter().with_min_len(chunk).map(|&j| value(j)).collect();
                columns.iter().zip(computed).for_each(|(&j, v)| values[j] = v);
            }
        }
        self.complete[i] = columns.is_none();
        self.epoch_of[i] = epoch;
        let values = Rc::new(values);
        self.slots[i] = Some(Rc::clone(&values));
        values
    }
}

/// The training problem: rows (row-major, `width` features), labels ±1
/// in `y` and per-row bounds `cost`.
pub(super) struct Problem<'a> {
    pub(super) rows: &'a [f64],
    pub(super) width: usize,
    pub(super) y: &'a [f64],
    pub(super) cost: &'a [f64],
}

/// How the solver runs.
#[derive(Debug, Clone, Copy)]
pub(super) struct SolverSettings {
    pub(super) kernel: KernelFn,
    /// libsvm's stopping rule: m(α) − M(α) < tolerance.
    pub(super) tolerance: f64,
    pub(super) cache_bytes: usize,
    pub(super) shrinking: bool,
}

/// The solved dual: αᵢ per row and the offset ρ (decision = Σ αᵢyᵢK(xᵢ, x) − ρ).
pub(super) struct Dual {
    pub(super) alpha: Vec<f64>,
    pub(super) rho: f64,
    /// The fewest rows active at once (n when nothing was shrunk); the
    /// tests check with it that shrinking happened.
    #[cfg(test)]
    smallest_active: usize,
}

/// The solver's state: α, the gradient ∇ = Qα − e (exact on active rows),
/// Ḡ = Σ over upper-bounded j of Cⱼ Q·ⱼ, and the active rows in index order.
struct State<'p> {
    y: &'p [f64],
    cost: &'p [f64],
    alpha: Vec<f64>,
    gradient: Vec<f64>,
    gradient_bar: Vec<f64>,
    active: Vec<usize>,
    /// Changes whenever the active set grows, invalidating partial kernel rows.
    epoch: u64,
}

impl State<'_> {
    fn is_upper(&self, t: usize) -> bool {
        self.alpha[t] >= self.cost[t]
    }

    fn is_lower(&self, t: usize) -> bool {
        self.alpha[t] <= 0.0
    }

    fn is_free(&self, t: usize) -> bool {
        !self.is_upper(t) && !self.is_lower(t)
    }

    /// WSS 2 over the active rows: i maximises −yᵢ∇ᵢ over the "up" set; j
    /// minimises the second-order decrease among the "low" set. `None`
    /// when the active rows satisfy the stopping rule.
    fn select(&self, cache: &mut KernelCache, diagonal: &[f64], tolerance: f64) -> Option<(usize, usize)> {
        let (y, gradient) = (self.y, &self.gradient);
        let mut gmax = f64::NEG_INFINITY;
        let mut i = usize::MAX;
        for &t in &self.active {
            if y[t] > 0.0 {
                if !self.is_upper(t) && -gradient[t] >= gmax {
                    gmax = -gradient[t];
                    i = t;
                }
            } else if !self.is_lower(t) && gradient[t] >= gmax {
                gmax = gradient[t];
                i = t;
            }
        }
        if i == usize::MAX {
            return None;
        }
        let ki = cache.get(i, &self.active, self.epoch);
        let mut gmax2 = f64::NEG_INFINITY;
        let mut j = usize::MAX;
        let mut best = f64::INFINITY;
        for &t in &self.active {
            // yᵢ·Qᵢₜ = yₜ·Kᵢₜ; either way the curvature is Kᵢᵢ + Kₜₜ − 2Kᵢₜ.
            let yk = y[t] * ki[t];
            let (grad_diff, quad) = if y[t] > 0.0 {
                if self.is_lower(t) {
                    continue;
                }
                gmax2 = gmax2.max(gradient[t]);
                (gmax + gradient[t], diagonal[i] + diagonal[t] - 2.0 * yk)
            } else {
                if self.is_upper(t) {
                    continue;
                }
                gmax2 = gmax2.max(-gradient[t]);
                (gmax - gradient[t], diagonal[i] + diagonal[t] + 2.0 * yk)
            };
            if grad_diff > 0.0 {
                let decrease = -(grad_diff * grad_diff) / positive_or_tau(quad);
                if decrease <= best {
                    best = decrease;
                    j = t;
                }
            }
        }
        if gmax + gmax2 < tolerance || j == usize::MAX { None } else { Some((i, j)) }
    }

    /// libsvm's Gmax1 = max of −yₜ∇ₜ over the "up" set and Gmax2 = max of
    /// yₜ∇ₜ over the "low" set, among the active rows; their sum is the
    /// violation the stopping rule bounds.
    fn violations(&self) -> (f64, f64) {
        let (mut up, mut low) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &t in &self.active {
            let g = self.gradient[t];
            if self.y[t] > 0.0 {
                if !self.is_upper(t) {
                    up = up.max(-g);
                }
                if !self.is_lower(t) {
                    low = low.max(g);
                }
            } else {
                if !self.is_upper(t) {
                    low = low.max(-g);
                }
                if !self.is_lower(t) {
                    up = up.max(g);
                }
            }
        }
        (up, low)
    }

    /// Whether row t sits at a bound it would only be pushed further into
    /// (libsvm's `be_shrunk`).
    fn can_shrink(&self, t: usize, up: f64, low: f64) -> bool {
        let g = self.gradient[t];
        let positive = self.y[t] > 0.0;
        if self.is_upper(t) {
            -g > if positive { up } else { low }
        } else if self.is_lower(t) {
            g > if positive { low } else { up }
        } else {
            false
        }
    }

    /// libsvm's `do_shrinking`; the first time the violation is within
    /// 10 × tolerance the full gradient is rebuilt and every row made active
    /// again, so rows set aside early, when the gradient was still far from
    /// its final value, get a second look.
    fn shrink(&mut self, cache: &mut KernelCache, tolerance: f64, unshrunk: &mut bool) {
        let (up, low) = self.violations();
        if !*unshrunk && up + low <= 10.0 * tolerance {
            *unshrunk = true;
            self.reconstruct_gradient(cache);
        }
        let keep: Vec<usize> = self.active.iter().copied().filter(|&t| !self.can_shrink(t, up, low)).collect();
        self.active = keep;
    }

    /// Rebuilds ∇ of the inactive rows from Ḡ and the free variables
    /// (libsvm's `reconstruct_gradient`, the cheaper of its two orders),
    /// then makes every row active.
    fn reconstruct_gradient(&mut self, cache: &mut KernelCache) {
        let n = self.alpha.len();
        if self.active.len() == n {
            return;
        }
        let mut is_active = vec![false; n];
        self.active.iter().for_each(|&t| is_active[t] = true);
        let inactive: Vec<usize> = (0..n).filter(|&t| !is_active[t]).collect();
        for &t in &inactive {
            self.gradient[t] = self.gradient_bar[t] - 1.0;
        }
        let free: Vec<usize> = self.active.iter().copied().filter(|&t| self.is_free(t)).collect();
        if free.len() * n > 2 * self.active.len() * inactive.len() {
            for &t in &inactive {
                let kt = cache.get(t, &self.active, self.epoch);
                let sum: f64 = free.iter().map(|&s| self.alpha[s] * self.y[s] * kt[s]).sum();
                self.gradient[t] += self.y[t] * sum;
            }
        } else {
            for &s in &free {
                let ks = cache.get_full(s);
                let coefficient = self.alpha[s] * self.y[s];
                for &t in &inactive {
                    self.gradient[t] += coefficient * self.y[t] * ks[t];
                }
            }
        }
        self.active = (0..n).collect();
        self.epoch += 1;
    }
}

/// Solves the dual to libsvm's stopping rule; the solution with shrinking
/// equals the one without to within the tolerance.
pub(super) fn solve(problem: &Problem, settings: &SolverSettings) -> Result<Dual, MlError> {
    let Problem { rows, width, y, cost } = *problem;
    let n = y.len();
    let tolerance = settings.tolerance;
    let mut cache = KernelCache::new(rows, width, settings.kernel, settings.cache_bytes);
    let diagonal: Vec<f64> = (0..n).map(|i| cache.diagonal(i)).collect();
    let mut state = State { y, cost, alpha: vec![0.0; n], gradient: vec![-1.0; n], gradient_bar: vec![0.0; n], active: (0..n).collect(), epoch: 1 };
    let max_iterations = 10_000_000usize.max(100 * n);
    let shrink_every = n.min(1000);
    let mut countdown = shrink_every + 1;
    let mut unshrunk = false;
    let mut iterations = 0;
    #[cfg(test)]
    let mut smallest_active = n;
    loop {
        countdown -= 1;
        if countdown == 0 {
            countdown = shrink_every;
            if settings.shrinking {
                state.shrink(&mut cache, tolerance, &mut unshrunk);
                #[cfg(test)]
                {
                    smallest_active = smallest_active.min(state.active.len());
                }
            }
        }
        let (i, j) = match state.select(&mut cache, &diagonal, tolerance) {
            Some(pair) => pair,
            None if state.active.len() == n => break,
            None => {
                // Optimal on the active rows: check all of them before stopping.
                state.reconstruct_gradient(&mut cache);
                match state.select(&mut cache, &diagonal, tolerance) {
                    Some(pair) => {
                        countdown = 1;
                        pair
                    }
                    None => break,
                }
            }
        };
        iterations += 1;
        if iterations > max_iterations {
            return Err(MlError::NotConverged { what: "the SVM solver", iterations: max_iterations });
        }
        let ki = cache.get(i, &state.active, state.epoch);
        let kj = cache.get(j, &state.active, state.epoch);
        let alpha = &mut state.alpha;
        let q_ij = y[i] * y[j] * ki[j];
        let (old_i, old_j) = (alpha[i], alpha[j]);
        let (ci, cj) = (cost[i], cost[j]);
        if y[i] != y[j] {
            let quad = positive_or_tau(diagonal[i] + diagonal[j] + 2.0 * q_ij);
            let delta = (-state.gradient[i] - state.gradient[j]) / quad;
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
            let delta = (state.gradient[i] - state.gradient[j]) / quad;
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
        for &t in &state.active {
            state.gradient[t] += y[i] * y[t] * ki[t] * delta_i + y[j] * y[t] * kj[t] * delta_j;
        }
        // Ḡ follows every variable that reaches or leaves its upper bound.
        for (index, old) in [(i, old_i), (j, old_j)] {
            let (was_upper, is_upper) = (old >= cost[index], state.alpha[index] >= cost[index]);
            if was_upper != is_upper {
                let row = cache.get_full(index);
                let coefficient = if is_upper { cost[index] } else { -cost[index] } * y[index];
                state.gradient_bar.iter_mut().zip(row.iter()).zip(y).for_each(|((g, k), yt)| *g += coefficient * yt * k);
            }
        }
    }
    Ok(Dual {
        rho: offset(&state.alpha, &state.gradient, y, cost),
        alpha: state.alpha,
        #[cfg(test)]
        smallest_active,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::rng::SplitMix64;

    /// 600 noisy points in 3-D, the label a noisy function of the first two
    /// coordinates, so many multipliers end at C and shrinking has work.
    fn noisy_problem() -> (Vec<f64>, Vec<f64>) {
        let mut random = SplitMix64::new(11);
        let (mut rows, mut y) = (Vec::new(), Vec::new());
        for _ in 0..600 {
            let x: Vec<f64> = (0..3).map(|_| random.next_f64() * 4.0 - 2.0).collect();
            let noise = random.next_f64() - 0.5;
            y.push(if x[0] * x[0] + x[1] - 1.0 + 1.5 * noise > 0.0 { 1.0 } else { -1.0 });
            rows.extend(x);
        }
        (rows, y)
    }

    /// Σ αᵢyᵢK(xᵢ, xₜ) − ρ on every training row.
    fn decision_values(rows: &[f64], y: &[f64], kernel: KernelFn, dual: &Dual) -> Vec<f64> {
        let mut cache = KernelCache::new(rows, 3, kernel, 0);
        (0..y.len())
            .map(|t| {
                let kt = cache.get_full(t);
                (0..y.len()).map(|s| dual.alpha[s] * y[s] * kt[s]).sum::<f64>() - dual.rho
            })
            .collect()
    }

    #[test]
    fn shrinking_finds_the_solution_without_shrinking() {
        let (rows, y) = noisy_problem();
        let cost = vec![2.0; y.len()];
        let problem = Problem { rows: &rows, width: 3, y: &y, cost: &cost };
        for kernel in [KernelFn::Linear, KernelFn::Rbf(0.5)] {
            // A cache of a few rows: eviction and rows of a shrunk active set are exercised too.
            let settings = SolverSettings { kernel, tolerance: 1e-9, cache_bytes: 8 * 600 * 20, shrinking: false };
            let plain = solve(&problem, &settings).unwrap();
            let shrunk = solve(&problem, &SolverSettings { shrinking: true, ..settings }).unwrap();
            assert_eq!(plain.smallest_active, 600);
            assert!(shrunk.smallest_active < 300, "{kernel:?}: shrinking set aside too little ({} rows active)", shrunk.smallest_active);
            // Both meet the KKT conditions to 1e-9; the decision values of the
            // two solutions of one convex problem differ by the same order.
            let (f_plain, f_shrunk) = (decision_values(&rows, &y, kernel, &plain), decision_values(&rows, &y, kernel, &shrunk));
            let worst = f_plain.iter().zip(&f_shrunk).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-7, "{kernel:?}: decision values differ by {worst:e}");
            assert!((plain.rho - shrunk.rho).abs() < 1e-7, "{kernel:?}: rho {} vs {}", plain.rho, shrunk.rho);
        }
    }
}
