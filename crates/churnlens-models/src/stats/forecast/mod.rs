//! Forecasting of monthly or weekly series (churn rate, active and new
//! customers, revenue) by exponential smoothing in the state-space form of
//! Hyndman, Koehler, Ord and Snyder, *Forecasting with Exponential Smoothing*
//! (Springer 2008) — issue #7.
//!
//! # Why not a crate
//!
//! The issue prefers a well-kept crate. Checked (Nov 2026):
//!
//! * `augurs-ets` 0.10.3 (Grafana, the maintained Rust port of statsforecast):
//!   seasonal models are not implemented (`initial_state` reaches
//!   `unimplemented!("seasonal component not implemented yet")`) and the
//!   intervals of multiplicative-error seasonal models are `todo!()`, so it
//!   panics on exactly the monthly series we forecast. It would also add 22
//!   crates to Cargo.lock (nalgebra, simba, lstsq, …) and nine duplicate
//!   versions (rand 0.8 beside our 0.9, rand_core, rand_chacha, rand_distr
//!   0.4 beside 0.5, getrandom 0.2), per `cargo tree --workspace -d`.
//! * `anofox-forecast` 0.19 (full ETS family): even without default features
//!   it turns on chrono's `serde`, `oldtime` and `wasmbind` features, which
//!   the workspace would unify into Arrow/DataFusion's chrono (a full
//!   rebuild), and brings rand 0.8, statrs and its SIMD stack.
//!
//! So the models are written here, on plain slices, with no dependency.
//!
//! # The models
//!
//! ETS(E,T,S) with error E ∈ {A, M}, trend T ∈ {N, A, Ad} and season
//! S ∈ {N, A, M} of period m. With q_t = ℓ_{t−1} + φ b_{t−1} (φ = 1 for an
//! undamped trend, b = 0 without one), the one-step prediction is
//! μ_t = q_t, q_t + s_{t−m} or q_t · s_{t−m}, and y_t = μ_t + ε_t (A) or
//! y_t = μ_t(1 + ε_t) (M), ε_t ~ N(0, σ²). With e_t = y_t − μ_t and
//! r_t = s_{t−m} for a multiplicative season (1 otherwise):
//!
//! * ℓ_t = q_t + α e_t / r_t
//! * b_t = φ b_{t−1} + β e_t / r_t
//! * s_t = s_{t−m} + γ e_t (additive season), s_{t−m} + γ e_t / q_t (multiplicative)
//!
//! These are Table 2.3 of the book (and R's `forecast::ets`); they do not
//! depend on the error type. statsmodels' `ETSModel` uses the same updates
//! except for a multiplicative season, where it updates s_t from y_t/ℓ_t
//! (the Holt–Winters form) instead of y_t/q_t; we follow the book there.
//!
//! Forecasts: ŷ_{n+h} = (ℓ_n + φ_h b_n) ⊕ s_{n+h−m(k+1)}, φ_h = φ + … + φʰ,
//! k = ⌊(h − 1)/m⌋.
//!
//! # Estimation and choice
//!
//! * Initial states: the heuristic of the book's §2.6.1 as statsmodels
//!   implements it (moving-average decomposition of the first cycles, then a
//!   regression on the first 10 values); they are not re-estimated.
//! * Smoothing parameters: maximum of the concentrated log-likelihood
//!   log L = −(n/2)(ln(2πσ̂²) + 1) − Σ ln|μ_t| [M error only], σ̂² = mean of
//!   the squared residuals (e_t, or e_t/μ_t for M error), by Nelder–Mead as R's
//!   `ets` does (statsmodels uses L-BFGS-B), inside α ∈ (10⁻⁴, 0.9999),
//!   0 < β < α, 0 < γ < 1 − α, φ ∈ (0.8, 0.98).
//! * Choice: AICc by default (AIC on request) over every model the series
//!   allows (see [`EtsParams`]); k counts the smoothing parameters, ℓ₀, b₀,
//!   m − 1 seasonal states and σ², as R does, although the initial states
//!   come from the heuristic.
//!
//! # Prediction intervals
//!
//! * Linear models (class 1: ETS(A,N,N), (A,A,N), (A,Ad,N), (A,N,A), (A,A,A),
//!   (A,Ad,A)): ŷ ± z σ̂ √(1 + Σ_{j<h} c_j²), c_j = α + β φ_j + γ[j mod m = 0],
//!   exactly as statsmodels' `get_prediction` (which uses the same σ̂² = SSE/n).
//! * All others (multiplicative error or season): quantiles of simulated
//!   future paths (5,000 by default, seeded, so repeatable), as statsmodels
//!   and R do for their class 3 models; class 2 closed forms are not used.
//!
//! # Checking
//!
//! `tests/forecast.rs` compares the filter, the likelihood, point forecasts
//! and class-1 intervals with statsmodels (fixture written by
//! `reference/forecast_reference.py`), measures interval coverage on
//! simulated ETS(A,N,A) data, and backtests a trend + season series against
//! seasonal naive.

mod backtest;
mod error;
mod fit;
mod hyperparams;
mod init;
mod model;
mod nelder_mead;

pub use backtest::{Accuracy, AnomalyCheck, BacktestParams, BacktestReport, flag_anomalies, rolling_origin, seasonal_naive};
pub use error::ForecastError;
pub use hyperparams::{Criterion, ErrorKind, EtsParams, EtsSpec, SeasonKind, TrendKind, ValidEtsParams};
pub use model::{FittedEts, Forecast, InitialState, IntervalMethod, PredictionInterval, Smoothing};
