"""Reference values for churnlens's exponential smoothing (issue #7), computed
with statsmodels' ETSModel and statsforecast's ETS core on the classic
AirPassengers series (Box & Jenkins, monthly totals 1949-1960, typed in below).

    python3.11 -m venv ~/.cache/churnlens/ref-venv-forecast
    ~/.cache/churnlens/ref-venv-forecast/bin/pip install -r reference/requirements-forecast.txt
    ~/.cache/churnlens/ref-venv-forecast/bin/python reference/forecast_reference.py \
        crates/churnlens-models/tests/fixtures/forecast_airpassengers.json

Pinned versions: statsmodels 0.15.0, statsforecast 2.1.1, numpy 2.4.6,
pandas 2.3.3, scipy 1.17.1 (reference/requirements-forecast.txt), Python 3.11.

Every model is run with FIXED smoothing parameters and FIXED initial states
(below), so the comparison checks the recursions, the likelihood, the point
forecasts and the intervals, not an optimiser:

* Models without a multiplicative season (ETS(A|M, N|A|Ad, N|A), 12 models):
  statsmodels `ETSModel(..., initialization_method="known").smooth(params)`:
  one-step predictions, log-likelihood, point forecasts; for the six
  linear models (additive error) the exact 80% and 95% prediction intervals
  of `get_prediction`; for the six multiplicative-error ones (statsmodels
  only simulates those) the normal intervals from the class-2 variance of
  Hyndman et al. (2008), by statsforecast's recursion (`class2_variance`)
  with statsmodels' sigma^2 = SSE/n and forecasts. statsforecast's ETS core (`pegelsresid_C`, a port of R's
  `etscalc`) is run on the same models and the script asserts that both
  libraries agree, which pins the conventions (state order, likelihood).
* Models with a multiplicative season (ETS(A|M, N|A|Ad, M), 6 models):
  statsmodels updates the seasonal state in the Holt-Winters form (from
  y/level) rather than the state-space form of Hyndman et al. (2008, Table
  2.3) that R's forecast::ets and statsforecast use, and that churnlens
  follows; so these come from statsforecast only: one-step predictions,
  -2 log L (from statsforecast's `lik`) and point forecasts computed here
  by the book's formula from statsforecast's final states (its own
  `etsforecast` agrees except for a damped trend beyond one step, where it
  sums the damping factors differently; see `statsforecast_run`).
* The heuristic initial states of statsmodels (`_initialization_heuristic`)
  for no season, an additive and a multiplicative season.
* Estimated models: statsmodels' `fit()` (L-BFGS-B) with
  `initialization_method="heuristic"`, which keeps the heuristic initial
  states and estimates only the smoothing parameters, as churnlens does:
  the maximised log-likelihood and the parameters, to check churnlens's
  Nelder-Mead reaches the same optimum. Only models without a
  multiplicative season (see above).

AIC and AICc are computed here with statsmodels' formulas
(`statsmodels.tools.eval_measures`) from the log-likelihood and the
parameter count k of R's forecast::ets (smoothing parameters, l0, b0, m - 1
seasonal states, sigma^2), which churnlens uses.

Writes one JSON file; Python is never a runtime or test dependency of
churnlens: the output is committed as a fixture.
"""
import json
import sys

import numpy as np
import pandas as pd
import statsforecast
import statsmodels
from scipy.stats import norm
from statsforecast import ets as sf_ets
from statsmodels.tools.eval_measures import aic, aicc
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.exponential_smoothing.initialization import _initialization_heuristic

AIR_PASSENGERS = [
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
    115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140,
    145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166,
    171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194,
    196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201,
    204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229,
    242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278,
    284, 277, 317, 313, 318, 374, 413, 405, 355, 306, 271, 306,
    315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336,
    340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337,
    360, 342, 406, 396, 420, 472, 548, 559, 463, 407, 362, 405,
    417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432,
]
PERIOD = 12
HORIZON = 24
LEVELS = [0.8, 0.95]
SMOOTHING = {"alpha": 0.35, "beta": 0.05, "gamma": 0.2, "phi": 0.92}
INITIAL_LEVEL = 120.0
INITIAL_TREND = 1.5
# Element j applies to observation j (January 1949 first), as statsmodels'
# `initial_seasonal`; the additive effects sum to 0, the factors to 12.
SEASONAL_ADDITIVE = [-10.0, -15.0, 5.0, 0.0, -5.0, 15.0, 35.0, 35.0, 10.0, -15.0, -35.0, -20.0]
SEASONAL_MULTIPLICATIVE = [0.91, 0.88, 1.02, 0.98, 0.98, 1.11, 1.22, 1.21, 1.06, 0.92, 0.80, 0.91]


def spec_name(error, trend, season):
    return f"ETS({error},{trend},{season})"


def parameter_count(trend, season):
    has_trend = trend != "N"
    has_season = season != "N"
    smoothing = 1 + has_trend + has_season + (trend == "Ad")
    states = 1 + has_trend + (PERIOD - 1) * has_season
    return smoothing + states + 1


def seasonal_for(season):
    return SEASONAL_ADDITIVE if season == "A" else SEASONAL_MULTIPLICATIVE


def statsmodels_model(y, error, trend, season):
    kwargs = {
        "error": {"A": "add", "M": "mul"}[error],
        "trend": None if trend == "N" else "add",
        "damped_trend": trend == "Ad",
        "seasonal": None if season == "N" else {"A": "add", "M": "mul"}[season],
        "initialization_method": "known",
        "initial_level": INITIAL_LEVEL,
    }
    params = [SMOOTHING["alpha"]]
    if trend != "N":
        kwargs["initial_trend"] = INITIAL_TREND
        params.append(SMOOTHING["beta"])
    if season != "N":
        kwargs["seasonal_periods"] = PERIOD
        kwargs["initial_seasonal"] = seasonal_for(season)
        params.append(SMOOTHING["gamma"])
    if trend == "Ad":
        params.append(SMOOTHING["phi"])
    # A dated pandas Series: statsmodels 0.15.0's get_prediction fails on a
    # bare ndarray (it reads `.index` of the predicted mean).
    series = pd.Series(np.asarray(y, dtype=float), index=pd.date_range("1949-01-01", periods=len(y), freq="MS"))
    model = ETSModel(series, **kwargs)
    return model.smooth(params)


def statsforecast_run(y, error, trend, season):
    """R's etscalc as ported by statsforecast: fitted values, -2 log L, forecasts.

    Its `lik` is n log(SSE) (+ 2 sum log|mu| for a multiplicative error), which
    drops the constant n (log(2 pi / n) + 1) of -2 log L; it is added back.
    """
    y = np.asarray(y, dtype=float)
    m = PERIOD if season != "N" else 1
    state = [INITIAL_LEVEL]
    if trend != "N":
        state.append(INITIAL_TREND)
    if season != "N":
        # R orders the seasonal states newest first: s_0, s_-1, ..., s_{1-m}.
        state.extend(reversed(seasonal_for(season)))
    trend_type = "N" if trend == "N" else "A"
    phi = SMOOTHING["phi"] if trend == "Ad" else 1.0
    _, e, states, lik = sf_ets.pegelsresid_C(
        y, m, np.asarray(state), error, trend_type, season, trend == "Ad",
        SMOOTHING["alpha"], SMOOTHING["beta"], SMOOTHING["gamma"], phi, 3,
    )
    f = np.zeros(HORIZON)
    sf_ets.etsforecast(states[-1], m, sf_ets.switch(trend_type), sf_ets.switch(season), phi, HORIZON, f)
    book = book_forecast(states[-1], trend, season, phi, len(y))
    if trend == "Ad":
        # statsforecast 2.1.1 damps the h-step trend by 2φ + φ² + … + φ^(h-1)
        # instead of φ + φ² + … + φʰ (Hyndman et al. 2008, eq. 2.7, and
        # statsmodels): only the first step agrees.
        assert abs(f[0] - book[0]) < 1e-10 * abs(book[0])
    else:
        assert np.allclose(f, book, rtol=1e-12)
    fitted = y - e if error == "A" else y / (1 + e)
    n = len(y)
    return fitted, e, lik + n * (np.log(2 * np.pi / n) + 1), book


def class2_variance(forecast, sigma2, trend, season):
    """Forecast variance of a class-2 model (multiplicative error, no
    multiplicative season; Hyndman et al. 2008, sec. 6.3) by statsforecast's
    theta recursion `_compute_sigmah`, with c_j = alpha + beta phi_j +
    gamma [j mod m == 0] written out here: statsforecast's own ETS(M,A,A)
    branch multiplies alpha by beta instead of adding, and its damped
    forecasts differ (above), so its `_compute_pred_intervals` is not used.
    """
    j = np.arange(1, HORIZON + 1)
    c = np.full(HORIZON, SMOOTHING["alpha"])
    if trend != "N":
        phi = SMOOTHING["phi"] if trend == "Ad" else 1.0
        c = c + SMOOTHING["beta"] * np.array([sum(phi**i for i in range(1, k + 1)) for k in j])
    if season != "N":
        c = c + SMOOTHING["gamma"] * (j % PERIOD == 0)
    return sf_ets._compute_sigmah(np.asarray(forecast, dtype=float), HORIZON, sigma2, c)


def book_forecast(state, trend, season, phi, n):
    """Point forecasts from a final state (l, b, s_0, s_-1, ...) by the book's
    formula: (l + φ_h b) ⊕ s_{n+h-m(k+1)}, φ_h = φ + … + φʰ."""
    level = state[0]
    slope = state[1] if trend != "N" else 0.0
    seasonal = list(reversed(state[(1 + (trend != "N")):])) if season != "N" else []
    out = []
    for h in range(1, HORIZON + 1):
        phi_h = sum(phi**i for i in range(1, h + 1)) if trend != "N" else 0.0
        base = level + phi_h * slope
        if season == "N":
            out.append(base)
        else:
            # seasonal[j] is s_{j+1-m}, the state for the j-th of the next m periods.
            s = seasonal[(h - 1) % PERIOD]
            out.append(base + s if season == "A" else base * s)
    return np.asarray(out)


def main(out_path):
    y = AIR_PASSENGERS
    n = len(y)
    models = []
    for error in ["A", "M"]:
        for trend in ["N", "A", "Ad"]:
            for season in ["N", "A", "M"]:
                k = parameter_count(trend, season)
                sf_fitted, sf_e, sf_lik, sf_forecast = statsforecast_run(y, error, trend, season)
                entry = {"spec": spec_name(error, trend, season), "error": error, "trend": trend, "season": season, "n_params": k}
                if season != "M":
                    res = statsmodels_model(y, error, trend, season)
                    fitted = np.asarray(res.fittedvalues)
                    llf = float(res.llf)
                    forecast = np.asarray(res.forecast(HORIZON))
                    # The two references agree before either is used.
                    assert np.allclose(fitted, sf_fitted, rtol=1e-10), entry["spec"]
                    assert np.allclose(forecast, sf_forecast, rtol=1e-10), entry["spec"]
                    assert abs(-2 * llf - sf_lik) < 1e-8 * abs(sf_lik), (entry["spec"], -2 * llf, sf_lik)
                    entry["reference"] = f"statsmodels {statsmodels.__version__} (checked against statsforecast {statsforecast.__version__})"
                    intervals = {}
                    if error == "A":
                        prediction = res.get_prediction(start=n, end=n + HORIZON - 1)
                        assert prediction.method == "exact"
                        for level in LEVELS:
                            bounds = np.asarray(prediction.pred_int(alpha=1 - level))
                            intervals[str(level)] = {"lower": bounds[:, 0].tolist(), "upper": bounds[:, 1].tolist()}
                        entry["interval_reference"] = "statsmodels get_prediction, exact"
                    else:
                        variance = class2_variance(forecast, float(res.mse), trend, season)
                        for level in LEVELS:
                            half = norm.ppf(0.5 + level / 2) * np.sqrt(variance)
                            intervals[str(level)] = {"lower": (forecast - half).tolist(), "upper": (forecast + half).tolist()}
                        entry["interval_reference"] = "statsforecast _compute_sigmah (class 2) with statsmodels' sigma^2 and forecasts"
                    entry["intervals"] = intervals
                else:
                    fitted, llf, forecast = sf_fitted, -0.5 * sf_lik, sf_forecast
                    entry["reference"] = f"statsforecast {statsforecast.__version__}"
                    entry["intervals"] = None
                entry["fitted"] = np.asarray(fitted).tolist()
                entry["log_likelihood"] = llf
                entry["aic"] = float(aic(llf, n, k))
                entry["aicc"] = float(aicc(llf, n, k))
                entry["forecast"] = np.asarray(forecast).tolist()
                models.append(entry)
    heuristics = []
    for trend, season in [("A", None), ("A", "add"), ("A", "mul")]:
        level, slope, seasonal = _initialization_heuristic(np.asarray(y, dtype=float), trend="add", seasonal=season, seasonal_periods=PERIOD)
        heuristics.append({
            "season": {None: "N", "add": "A", "mul": "M"}[season],
            "level": float(level),
            "trend": float(slope),
            "seasonal": [] if seasonal is None else np.asarray(seasonal).tolist(),
        })
    estimated = []
    for error, trend, season in [("A", "N", "N"), ("A", "A", "A"), ("A", "Ad", "A"), ("M", "A", "A"), ("M", "Ad", "A"), ("M", "Ad", "N")]:
        model = ETSModel(
            pd.Series(np.asarray(y, dtype=float), index=pd.date_range("1949-01-01", periods=n, freq="MS")),
            error={"A": "add", "M": "mul"}[error],
            trend=None if trend == "N" else "add",
            damped_trend=trend == "Ad",
            seasonal=None if season == "N" else "add",
            seasonal_periods=PERIOD if season != "N" else None,
            initialization_method="heuristic",
        )
        res = model.fit(disp=False)
        params = dict(zip(res.param_names, (float(p) for p in res.params)))
        estimated.append({
            "spec": spec_name(error, trend, season), "error": error, "trend": trend, "season": season,
            "log_likelihood": float(res.llf),
            "alpha": params["smoothing_level"],
            "beta": params.get("smoothing_trend", 0.0),
            "gamma": params.get("smoothing_seasonal", 0.0),
            "phi": params.get("damping_trend", 1.0),
        })
    out = {
        "source": "reference/forecast_reference.py",
        "series": y,
        "period": PERIOD,
        "horizon": HORIZON,
        "levels": LEVELS,
        "smoothing": SMOOTHING,
        "initial_level": INITIAL_LEVEL,
        "initial_trend": INITIAL_TREND,
        "seasonal_additive": SEASONAL_ADDITIVE,
        "seasonal_multiplicative": SEASONAL_MULTIPLICATIVE,
        "models": models,
        "heuristic_initial_states": heuristics,
        "estimated": estimated,
    }
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
