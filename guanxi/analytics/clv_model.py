"""The mathematics of lifetime value and churn (ANA-4), vectorized with numpy and scipy.

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a
customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase he drops
out with probability p ~ Beta(a, b). Per customer: ``x`` repeat purchases, ``t_x`` the time
of the last one and ``T`` the time since the first, all measured from the first purchase.

Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): the value of
a purchase is Gamma(p, ν) with ν ~ Gamma(q, γ) across customers; fitted on the customers
with repeat purchases, from their number ``x`` and their mean value ``m``.

Both are fitted by maximum likelihood (scipy.optimize.minimize, L-BFGS-B on the logs of
the parameters). Customers with the same (x, t_x, T) share one likelihood term, so the
fit weighs unique rows by their count: a million customers are a few hundred thousand
rows at most, and the fit takes seconds. (Sums are plain numpy reductions, not ``np.dot``:
BLAS threads on a busy machine made each evaluation ten times slower.)
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float  # γ in the paper


# --- BG/NBD --------------------------------------------------------------------------------------
def bgnbd_loglik(params, x, t_x, T, groups=None):
    """Each customer's log-likelihood, eq. (6) of the paper:
    ln[A1·A2·(A3 + δ(x>0)·A4)] with
    A1 = Γ(r+x)α^r/Γ(r), A2 = B(a, b+x)/B(a, b), A3 = (α+T)^-(r+x),
    A4 = a/(b+x−1)·(α+t_x)^-(r+x).
    ``groups`` = (distinct x, index of each x among them): the Γ and B terms are computed once
    per distinct x (a few dozen) instead of once per customer."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    values, index = groups if groups is not None else (x, slice(None))
    ln_a1_a2 = gammaln(r + values) - gammaln(r) + r * np.log(alpha) + betaln(a, b + values) - betaln(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_a4_head = np.where(values > 0, np.log(a) - np.log(np.maximum(b + values - 1, 1e-300)), -np.inf)
    ln_a3 = -(r + x) * np.log(alpha + T)
    ln_a4 = ln_a4_head[index] - (r + x) * np.log(alpha + t_x)
    return ln_a1_a2[index] + np.logaddexp(ln_a3, ln_a4)


def _compress(*columns):
    """Unique rows of the columns and how often each occurs."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


def _fit(negative_loglik, start):
    result = minimize(negative_loglik, np.log(start), method="L-BFGS-B", bounds=[(-20.0, 20.0)] * len(start))
    return np.exp(result.x)


def fit_bgnbd(x, t_x, T):
    """Maximum-likelihood BG/NBD parameters for customers (x, t_x, T)."""
    (ux, ut, uT), weights = _compress(x, t_x, T)
    total = weights.sum()
    scale = max(float(np.mean(T)), 1e-9) if len(T) else 1.0

    groups = np.unique(ux, return_inverse=True)

    def negative(log_params):
        return -float((weights * bgnbd_loglik(np.exp(log_params), ux, ut, uT, groups)).sum()) / total

    r, alpha, a, b = _fit(negative, np.array([1.0, scale, 1.0, 1.0]))
    return BgNbd(float(r), float(alpha), float(a), float(b))


def p_alive(params, x, t_x, T):
    """P(alive | x, t_x, T) = 1 / (1 + δ(x>0)·a/(b+x−1)·((α+T)/(α+t_x))^(r+x)), eq. (A2)."""
    x = np.asarray(x, dtype=float)
    ratio = _dropout_ratio(params, x, np.asarray(t_x, dtype=float), np.asarray(T, dtype=float))
    return 1.0 / (1.0 + ratio)


def _dropout_ratio(params, x, t_x, T):
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (
            np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x > 0, np.exp(np.minimum(log_ratio, 700.0)), 0.0)


def expected_purchases(params, t, x, t_x, T):
    """E[Y(t) | x, t_x, T]: purchases expected in the next ``t``, eq. (10)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    z = t / (alpha + T + t)
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, z)
    a_minus_1 = a - 1 if abs(a - 1) > 1e-9 else 1e-9  # eq. (10) holds on both sides of a = 1
    head = (a + b + x - 1) / a_minus_1
    body = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyper
    return np.maximum(head * body / (1.0 + _dropout_ratio(params, x, t_x, T)), 0.0)


# --- Gamma-Gamma ---------------------------------------------------------------------------------
def gamma_gamma_loglik(params, x, m, groups=None):
    """Each customer's log-likelihood of his mean value m over x purchases (Fader & Hardie 2013, eq. 3):
    ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x).
    ``groups`` as for :func:`bgnbd_loglik`."""
    p, q, v = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    values, index = groups if groups is not None else (x, slice(None))
    per_x = gammaln(p * values + q) - gammaln(p * values) - gammaln(q) + q * np.log(v) + p * values * np.log(values)
    return per_x[index] + (p * x - 1) * np.log(m) - (p * x + q) * np.log(v + m * x)


def fit_gamma_gamma(x, m):
    """Maximum-likelihood Gamma-Gamma parameters (customers with x ≥ 1 and m > 0). The values
    are divided by their mean for the fit (γ scales with them, p and q do not), so the
    optimizer works near 1 whatever the currency amounts."""
    scale = float(np.mean(m)) if len(m) else 1.0
    (ux, um), weights = _compress(x, np.asarray(m, dtype=float) / scale)
    total = weights.sum()
    groups = np.unique(ux, return_inverse=True)

    def negative(log_params):
        return -float((weights * gamma_gamma_loglik(np.exp(log_params), ux, um, groups)).sum()) / total

    p, q, v = _fit(negative, np.array([2.0, 3.0, 2.0]))
    return GammaGamma(float(p), float(q), float(v) * scale)


def expected_value(params, x, m, fallback):
    """E[M | x, m] = p(γ + x m)/(px + q − 1), eq. (5); the population mean pγ/(q−1) for x = 0
    (``fallback`` when q ≤ 1, where the population mean does not exist)."""
    p, q, v = params.p, params.q, params.v
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    population = p * v / (q - 1) if q > 1 else fallback
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = p * (v + x * m) / (p * x + q - 1)
    return np.where(x > 0, conditional, population)


def lifetime_value(bgnbd, x, t_x, T, value, months, monthly_discount, days_per_unit):
    """Σ over the next ``months`` of the purchases expected in month k, times the expected
    value, discounted by (1 + d)^k; time in the model's unit (``days_per_unit`` days)."""
    total = np.zeros(len(np.asarray(x)))
    previous = np.zeros_like(total)
    for k in range(1, months + 1):
        cumulative = expected_purchases(bgnbd, k * 30.4375 / days_per_unit, x, t_x, T)
        total += (cumulative - previous) / (1 + monthly_discount) ** k
        previous = cumulative
    return total * value
