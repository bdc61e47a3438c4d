"""Logistic GEE with geepack's estimators (`geeglm`/`geese`), vectorised over clusters.

geepack alternates one Fisher-scoring step in beta, the scale phi = mean squared Pearson
residual (no degrees-of-freedom correction) and one Gauss-Newton step of the moment
equations of the working correlation (identity link, every pair of a cluster weighted 1),
until the largest change is below `tol`. The robust (sandwich) covariance is the usual one.

Working correlations:
- `exchangeable`: one correlation within a cluster;
- `nested`: one correlation for two readings of the same evaluation and one for readings
  of different evaluations of the cluster (geepack `userdefined`, columns diff/same);
- `ar1`: rho^|wave_j - wave_k| within a sequence (a lesion, or the patient's series of
  evaluations), none between sequences; the cluster for the sandwich may be larger than the
  sequence (geepack `geese(..., corp = lesion_time)`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from analysis_py.study.logistic import fit_logistic


class InvalidCorrelation(Exception):
    """The estimated working correlation is not a correlation matrix."""


@dataclass(frozen=True)
class GeeResult:
    beta: np.ndarray
    vcov: np.ndarray
    alpha: np.ndarray
    scale: float
    converged: bool
    iterations: int


def _group_sum(codes, values, n):
    """Sums of the rows of `values` (1-D or 2-D) within each code."""
    if values.ndim == 1:
        return np.bincount(codes, values, n)
    return np.stack([np.bincount(codes, col, n) for col in values.T], axis=1)


def _pair_sums(codes, x, n):
    """Per group: sum over pairs j < k of x_j x_k, and the number of pairs."""
    s = np.bincount(codes, x, n)
    ss = np.bincount(codes, x * x, n)
    m = np.bincount(codes, minlength=n)
    return (s * s - ss) / 2, m * (m - 1) / 2


class Exchangeable:
    n_alpha = 1

    def __init__(self, cluster: np.ndarray):
        self.cluster = cluster
        self.n = int(cluster.max()) + 1
        self.size = np.bincount(cluster, minlength=self.n)

    def check(self, alpha):
        a = alpha[0]
        if not (a < 1 and 1 + (self.size.max() - 1) * a > 0):
            raise InvalidCorrelation(f"exchangeable correlation {a:.4f} is not positive definite")

    def solve(self, alpha, v):
        """R^-1 v within each cluster."""
        a = alpha[0]
        c = a / (1 + (self.size - 1) * a)
        return (v - (c[self.cluster] * _group_sum(self.cluster, v, self.n)[self.cluster].T).T) / (1 - a)

    def alpha_step(self, alpha, z):
        s, npairs = _pair_sums(self.cluster, z, self.n)
        return np.array([s.sum() / npairs.sum()]) - alpha


class Nested:
    n_alpha = 2  # (different evaluations, same evaluation), geepack's zcor column order

    def __init__(self, cluster: np.ndarray, evaluation: np.ndarray):
        self.cluster, self.evaluation = cluster, evaluation
        self.n = int(cluster.max()) + 1
        self.E = int(evaluation.max()) + 1
        self.eval_cluster = np.zeros(self.E, int)
        self.eval_cluster[evaluation] = cluster
        self.eval_size = np.bincount(evaluation, minlength=self.E)

    def _parts(self, alpha):
        a0, a1 = alpha
        c = (a1 - a0) / ((1 - a1) + self.eval_size * (a1 - a0))
        dinv_one = (1 - c * self.eval_size) / (1 - a1)  # D^-1 1 per evaluation
        t = 1 + a0 * np.bincount(self.eval_cluster, dinv_one * self.eval_size, self.n)
        return c, dinv_one, t

    def check(self, alpha):
        a0, a1 = alpha
        c, dinv_one, t = self._parts(alpha)
        if not (a1 < 1 and np.all((1 - a1) + self.eval_size * (a1 - a0) > 0) and np.all(t > 0)):
            raise InvalidCorrelation(
                f"nested correlations ({a0:.4f} between, {a1:.4f} within evaluations) are not positive definite")

    def solve(self, alpha, v):
        a0, a1 = alpha
        c, dinv_one, t = self._parts(alpha)
        v2 = v if v.ndim == 2 else v[:, None]
        dinv_v = (v2 - c[self.evaluation, None] * _group_sum(self.evaluation, v2, self.E)[self.evaluation]) / (1 - a1)
        total = _group_sum(self.cluster, dinv_v, self.n)
        out = dinv_v - dinv_one[self.evaluation, None] * (a0 * total / t[:, None])[self.cluster]
        return out if v.ndim == 2 else out[:, 0]

    def alpha_step(self, alpha, z):
        same, n_same = _pair_sums(self.evaluation, z, self.E)
        total, n_total = _pair_sums(self.cluster, z, self.n)
        n_diff = n_total.sum() - n_same.sum()
        return np.array([(total.sum() - same.sum()) / n_diff, same.sum() / n_same.sum()]) - alpha


class AR1:
    """Rows must be sorted by sequence, then wave."""

    n_alpha = 1

    def __init__(self, sequence: np.ndarray, wave: np.ndarray):
        same = np.r_[False, sequence[1:] == sequence[:-1]]
        self.gap = np.where(same, np.r_[0, np.diff(wave)], 0).astype(float)
        self.linked = same  # row k is linked to row k-1
        # lag counts for the moment equation: pairs within a sequence at each distance
        seq_codes = np.unique(sequence, return_inverse=True)[1]
        self.grid = np.zeros((seq_codes.max() + 1, int(wave.max()) + 1))
        self.mask = np.zeros(self.grid.shape, bool)
        self.cells = (seq_codes, wave.astype(int))
        self.mask[self.cells] = True
        self.lags = np.arange(1, self.grid.shape[1])
        self.lag_pairs = np.array([(self.mask[:, d:] & self.mask[:, :-d]).sum() for d in self.lags], float)
        self.lags, self.lag_pairs = self.lags[self.lag_pairs > 0], self.lag_pairs[self.lag_pairs > 0]

    def check(self, alpha):
        if not abs(alpha[0]) < 1:
            raise InvalidCorrelation(f"AR(1) correlation {alpha[0]:.4f} is not below 1 in absolute value")

    def solve(self, alpha, v):
        """Tridiagonal AR(1) precision (Markov at irregular waves) times v."""
        r = np.where(self.linked, alpha[0] ** self.gap, 0.0)
        q = 1 / (1 - r**2)
        r_next, q_next = np.r_[r[1:], 0.0], np.r_[q[1:], 1.0]
        diag = q + r_next**2 * q_next
        off = -r * q  # couples row k with row k-1
        off_next = np.r_[off[1:], 0.0]
        v2 = v if v.ndim == 2 else v[:, None]
        out = diag[:, None] * v2
        out[1:] += off[1:, None] * v2[:-1]
        out[:-1] += off_next[:-1, None] * v2[1:]
        return out if v.ndim == 2 else out[:, 0]

    def alpha_step(self, alpha, z):
        self.grid[self.cells] = z
        sums = np.array([(self.grid[:, d:] * self.grid[:, :-d]).sum() for d in self.lags])
        a = alpha[0]
        e = self.lags * a ** (self.lags - 1)
        return np.array([(e * (sums - self.lag_pairs * a**self.lags)).sum() / (self.lag_pairs * e**2).sum()])


def fit_gee(y: np.ndarray, X: np.ndarray, cluster: np.ndarray, correlation,
            tol: float = 1e-10, maxiter: int = 200) -> GeeResult:
    """geepack's GEE fit of logit P(y = 1) = X beta; `cluster` codes 0..n-1 for the sandwich.

    Raises InvalidCorrelation when the working correlation leaves the valid range."""
    beta = fit_logistic(y, X)
    alpha = np.zeros(correlation.n_alpha)
    scale = 1.0
    converged = False
    for iteration in range(1, maxiter + 1):
        mu = expit(X @ beta)
        sd = np.sqrt(mu * (1 - mu))
        D = X * sd[:, None]
        rinv_d = correlation.solve(alpha, D)
        step_beta = np.linalg.solve(D.T @ rinv_d, rinv_d.T @ ((y - mu) / sd))
        beta = beta + step_beta
        mu = expit(X @ beta)
        pearson = (y - mu) / np.sqrt(mu * (1 - mu))
        new_scale = float(np.mean(pearson**2))
        step_scale, scale = new_scale - scale, new_scale
        step_alpha = correlation.alpha_step(alpha, pearson / np.sqrt(scale))
        alpha = alpha + step_alpha
        correlation.check(alpha)
        if max(np.max(np.abs(step_beta)), abs(step_scale), np.max(np.abs(step_alpha))) <= tol:
            converged = True
            break
    mu = expit(X @ beta)
    sd = np.sqrt(mu * (1 - mu))
    D = X * sd[:, None]
    rinv_d = correlation.solve(alpha, D)
    bread = np.linalg.inv(D.T @ rinv_d)
    scores = _group_sum(cluster, rinv_d * ((y - mu) / sd)[:, None], int(cluster.max()) + 1)
    vcov = bread @ (scores.T @ scores) @ bread
    return GeeResult(beta=beta, vcov=vcov, alpha=alpha, scale=scale, converged=converged,
                     iterations=iteration)
