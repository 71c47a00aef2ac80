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
//!   an `unimplemented` panic, "seasonal component not implemented yet") and the
//!   intervals of multiplicative-error seasonal models are a `todo` panic, so it
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
//! * Period: given by the calendar (12 for months …) or found from the
//!   data's autocorrelation ([`detect_period`]).
//! * Choice: AICc by default (AIC on request) over every model the series
//!   allows: error A, or M too when every value is positive; trend N, A or
//!   Ad; season N, or A and M (M only for a positive series) when the period
//!   is 2 or more and the series has at least max(2m, 10 + 2⌊m/2⌋) values.
//!   ETS(A,·,M) is left out, as in R's `ets`, because its likelihood is
//!   unstable; so is any model with k + 1 ≥ n. k counts the smoothing
//!   parameters, ℓ₀, b₀, m − 1 seasonal states and σ², as R does, although
//!   the initial states come from the heuristic. A model that cannot be
//!   fitted (its predictions leave the positive range) does not compete.
//! * Long seasons: for weekly data (m = 52) a season adds 51 initial states
//!   to k, and the likelihood rewards only one-step fit, which a damped
//!   trend achieves on a smooth, slow yearly pattern almost as well; so such
//!   series may get a non-seasonal model whose far-ahead forecasts miss the
//!   season (R's `ets` refuses m > 24 outright). An irregular weekly pattern
//!   (holidays, promotions) is picked up (see the tests).
//!
//! # Prediction intervals
//!
//! With c_j = α + β φ_j + γ[j mod m = 0] (Hyndman et al. 2008, §6.3):
//!
//! * class 1, the linear models ETS(A,N|A|Ad,N|A): ŷ ± z √v_h with
//!   v_h = σ̂²(1 + Σ_{j<h} c_j²), exactly as statsmodels' `get_prediction`
//!   (same σ̂² = SSE/n; R divides by n − k and is a little wider);
//! * class 2, ETS(M,N|A|Ad,N|A): ŷ ± z √v_h with v_h = (1 + σ̂²)θ_h − ŷ_h²,
//!   θ_1 = ŷ_1², θ_h = ŷ_h² + σ̂² Σ_{j<h} c_j² θ_{h−j}, as R and
//!   statsforecast (statsmodels simulates these); the normal shape ignores
//!   the skew of a multiplicative error, which
//!   [`FittedEts::forecast_simulated`] keeps;
//! * everything with a multiplicative season (class 3, and ETS(A,·,M)):
//!   quantiles of simulated future paths (5,000 by default, seeded, so
//!   repeatable), as statsmodels does; the approximate class-3 formulas are
//!   not used.
//!
//! These take the model and its parameters as known and run narrow on short,
//! smooth series; [`OriginFits`] and [`Calibration`] widen them to the errors
//! the same procedure made on the series' own past (empirical intervals,
//! Williams and Goodman 1971; formula and measurements in that module).
//!
//! # Checking
//!
//! `tests/forecast.rs`, against `tests/fixtures/forecast_airpassengers.json`
//! (written by `reference/forecast_reference.py`, statsmodels 0.15.0 and
//! statsforecast 2.1.1, fixed parameters and initial states on AirPassengers):
//!
//! * one-step predictions, log-likelihood, AIC, AICc and 24 point forecasts
//!   of all 18 models within 1e-6 relative (seen: 3e-15);
//! * the 80% and 95% closed-form intervals of the twelve class-1 and class-2
//!   models within 1e-4 relative (seen: 7e-13);
//! * statsmodels' heuristic initial states within 1e-9 (seen: 1e-13);
//! * the estimated smoothing parameters of six models within 0.02 of
//!   statsmodels' fit, with a log-likelihood never below it;
//! * simulated intervals against the class-2 variance of ETS(M,N,N) and the
//!   closed-form intervals of ETS(A,A,A);
//! * interval coverage on simulated ETS(A,N,A) data, and a trend + season
//!   series whose chosen model must beat seasonal naive in a backtest.

mod backtest;
mod empirical;
mod error;
mod fit;
mod hyperparams;
mod init;
mod model;
mod nelder_mead;
mod period;

pub use backtest::{Accuracy, AnomalyCheck, BacktestParams, BacktestReport, flag_anomalies, rolling_origin, seasonal_naive};
pub use empirical::{Calibration, IntervalSource, MIN_ERRORS, MIN_TRAIN, OriginFits};
pub use error::ForecastError;
pub use hyperparams::{Criterion, ErrorKind, EtsParams, EtsSpec, SeasonKind, TrendKind, ValidEtsParams};
pub use model::{FittedEts, Forecast, InitialState, IntervalMethod, PredictionInterval, Smoothing};
pub use period::detect_period;
