"""Logistic GLMMs fitted by Laplace maximum likelihood, the way lme4 and glmmTMB fit them.

Random effects live at the level of the tumour evaluation. Three structures:
- `patient`: one intercept per patient (lme4 `(1 | patient_id)`);
- `nested`: a patient intercept plus an evaluation intercept nested in it
  (lme4 `(1 | patient_id/evaluation_id)`);
- `ar1`: one effect per evaluation, AR(1)-correlated over the position of the evaluation
  among the data's evaluation numbers (glmmTMB `ar1(factor(eval_num) + 0 | patient_id)`;
  evaluation numbers a patient lacks are integrated out exactly).

Every random-effect Hessian is block diagonal per patient with an arrow (nested) or
tridiagonal (ar1) block, so the conditional modes, log-determinants and the exact
gradient of the Laplace deviance are computed for all patients at once with vector
operations. The outer optimiser warm-starts each inner Newton solve from the previous
modes. Standard errors come from the Hessian of the Laplace objective in all parameters
(as lme4's `use.hessian` and glmmTMB's `sdreport`), by central differences of the exact
gradient.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

INNER_TOL = 1e-10  # largest Newton step of the conditional modes at convergence
ROUNDING_TOL = 1e-6  # below this, a Newton step that no longer halves is rounding noise: converged too
GRADIENT_TOL = 1e-6  # largest gradient of the Laplace objective accepted as converged
LOG_SD_BOUNDS = (-8.0, 5.0)  # random-effect SDs between 3e-4 and 150
RHO_BOUND = 7.0  # |atanh(rho)| bound: |rho| < 0.999998


@dataclass(frozen=True)
class GlmmData:
    """Binary outcome, fixed-effect design and the evaluation/patient grouping codes."""

    y: np.ndarray
    X: np.ndarray  # Fortran order makes X @ beta fast
    evaluation: np.ndarray  # observation -> evaluation code 0..E-1
    eval_patient: np.ndarray  # evaluation -> patient code 0..P-1
    eval_position: np.ndarray  # evaluation -> 0-based position among its patient's evaluations
    eval_gap: np.ndarray  # evaluation -> distance in levels to the patient's previous one (0: first)

    @property
    def n_evaluations(self) -> int:
        return len(self.eval_patient)

    @property
    def n_patients(self) -> int:
        return int(self.eval_patient.max()) + 1


@dataclass(frozen=True)
class GlmmResult:
    """Fixed effects, their covariance, variance parameters and convergence facts."""

    beta: np.ndarray
    vcov: np.ndarray
    theta: dict[str, float]
    deviance: float
    converged: bool
    message: str
    singular: bool  # a variance parameter (or the AR(1) correlation) at its bound


class _Terms:
    """Observation-level quantities at a given linear predictor, summed per evaluation."""

    def __init__(self, data: GlmmData, beta: np.ndarray, eval_effect: np.ndarray):
        # in place where possible: each temporary is one float per reading (6M at 1M patients)
        linear = data.X @ beta
        linear += eval_effect[data.evaluation]
        self.mu = expit(linear, out=linear)
        likelihood = 1 - self.mu
        self.w = self.mu * likelihood
        self.r = data.y - self.mu
        np.copyto(likelihood, self.mu, where=data.y == 1)
        with np.errstate(divide="ignore"):  # a probability rounded to 0: -inf, which the line search rejects
            self.loglik = float(np.log(likelihood, out=likelihood).sum())
        n_eval = data.n_evaluations
        self.we = np.bincount(data.evaluation, self.w, n_eval)
        self.re = np.bincount(data.evaluation, self.r, n_eval)


def _newton_modes(structure, beta, theta, b):
    """Conditional modes of the random effects by safeguarded Newton steps."""
    data = structure.data
    terms = _Terms(data, beta, structure.effects(b))
    penalised = terms.loglik - structure.penalty(theta, b)
    previous = np.inf
    for _ in range(100):
        step = structure.newton_step(theta, b, terms)
        for _ in range(40):
            trial = [x + s for x, s in zip(b, step)]
            trial_terms = _Terms(data, beta, structure.effects(trial))
            trial_value = trial_terms.loglik - structure.penalty(theta, trial)
            if trial_value >= penalised - 1e-12 * (1 + abs(penalised)):
                break
            step = [s / 2 for s in step]
        b, terms, penalised = trial, trial_terms, trial_value
        size = max(np.max(np.abs(s), initial=0.0) for s in step)
        if size < INNER_TOL or previous / 2 < size < ROUNDING_TOL:
            return b, terms, True
        previous = size
    return b, terms, False


class _Nested:
    """Patient intercepts u (P) and, optionally, evaluation intercepts v (E) nested in them."""

    def __init__(self, data: GlmmData, with_evaluation: bool):
        self.data = data
        self.with_evaluation = with_evaluation
        self.ep = data.eval_patient
        self.P = data.n_patients
        self.E = data.n_evaluations
        self.theta_names = ["sd_patient", "sd_evaluation"][: 1 + with_evaluation]

    def start(self):
        return [np.zeros(self.P), np.zeros(self.E if self.with_evaluation else 0)]

    def bounds(self):
        return [LOG_SD_BOUNDS] * len(self.theta_names)

    def theta_values(self, theta):
        return dict(zip(self.theta_names, np.exp(theta)))

    def effects(self, b):
        u, v = b
        return u[self.ep] + v if self.with_evaluation else u[self.ep]

    def _variances(self, theta):
        return np.exp(2 * theta[0]), (np.exp(2 * theta[1]) if self.with_evaluation else None)

    def penalty(self, theta, b):
        sp2, se2 = self._variances(theta)
        u, v = b
        return 0.5 * ((u * u).sum() / sp2 + ((v * v).sum() / se2 if self.with_evaluation else 0.0))

    def _factor(self, theta, terms):
        """Per-evaluation pivots d_e and per-patient Schur complements S_p of the arrow blocks."""
        sp2, se2 = self._variances(theta)
        wp = np.bincount(self.ep, terms.we, self.P)
        if not self.with_evaluation:
            return None, wp + 1 / sp2
        de = terms.we + 1 / se2
        return de, wp + 1 / sp2 - np.bincount(self.ep, terms.we**2 / de, self.P)

    def _solve(self, factor, we, gp, ge):
        de, Sp = factor
        if not self.with_evaluation:
            return gp / Sp, ge
        dp = (gp - np.bincount(self.ep, we * ge / de, self.P)) / Sp
        return dp, (ge - we * dp[self.ep]) / de

    def newton_step(self, theta, b, terms):
        sp2, se2 = self._variances(theta)
        u, v = b
        gp = np.bincount(self.ep, terms.re, self.P) - u / sp2
        ge = terms.re - v / se2 if self.with_evaluation else v
        return list(self._solve(self._factor(theta, terms), terms.we, gp, ge))

    def objective(self, theta, b, terms):
        """Laplace objective (half the deviance) and its exact gradient in (beta, theta)."""
        data = self.data
        sp2, se2 = self._variances(theta)
        u, v = b
        de, Sp = self._factor(theta, terms)
        if self.with_evaluation:
            h = 1 / de + (1 - terms.we / de) ** 2 / Sp[self.ep]
            logdet = np.log(de).sum() + np.log(Sp).sum()
        else:
            h = 1 / Sp[self.ep]
            logdet = np.log(Sp).sum()
        c = 0.5 * terms.w * (1 - 2 * terms.mu) * h[data.evaluation]
        ce = np.bincount(data.evaluation, c, self.E)
        ap, ae = self._solve((de, Sp), terms.we, np.bincount(self.ep, ce, self.P), ce)
        a_eval = ap[self.ep] + ae if self.with_evaluation else ap[self.ep]
        value = -terms.loglik + self.penalty(theta, b) + self.P * theta[0] + 0.5 * logdet
        grad_beta = data.X.T @ (c - terms.w * a_eval[data.evaluation] - terms.r)
        grad_theta = [self.P - (u * u).sum() / sp2 - (1 / Sp).sum() / sp2 + 2 * (ap * u).sum() / sp2]
        if self.with_evaluation:
            value += self.E * theta[1]
            h_ee = 1 / de + (terms.we / de) ** 2 / Sp[self.ep]
            grad_theta.append(self.E - (v * v).sum() / se2 - h_ee.sum() / se2 + 2 * (ae * v).sum() / se2)
        return value, np.concatenate([grad_beta, grad_theta])


class _Chains:
    """The AR(1) chains laid out for vector operations: evaluations ordered by their position
    within the patient, and at each position by patient, patients with more evaluations first.
    The evaluations at position k then form one slice whose i-th entry follows the i-th entry
    of the slice of position k - 1, so a recursion along every chain at once is one loop over
    positions, on contiguous memory and without padding."""

    def __init__(self, data: GlmmData):
        counts = np.bincount(data.eval_patient)
        rank = np.empty_like(counts)
        rank[np.argsort(-counts, kind="stable")] = np.arange(len(counts))
        width = np.bincount(data.eval_position)  # evaluations at each position
        starts = np.concatenate([[0], np.cumsum(width)])
        self.slot = starts[data.eval_position] + rank[data.eval_patient]  # evaluation code -> slot
        self.links = [(slice(starts[k], starts[k] + width[k]), slice(starts[k - 1], starts[k - 1] + width[k]))
                      for k in range(1, len(width))]  # (slots at position k, the slots they follow)
        self.head = width[0]  # slots from here on follow another
        self.prev = np.concatenate([np.arange(0)] + [np.arange(prev.start, prev.stop) for _, prev in self.links])


class _Tridiagonal:
    """Per-patient tridiagonal matrices over the slots of `_Chains`: the diagonal and, on each slot,
    the entry coupling it with the slot it follows (0 at a patient's first evaluation)."""

    def __init__(self, chains: _Chains, diag: np.ndarray, off: np.ndarray):
        self.chains, self.diag, self.off = chains, diag, off

    def ldl(self):
        """Unit lower bidiagonal factor l (l[j] couples slot j with the one it follows) and pivots D."""
        D, l = self.diag.copy(), np.zeros_like(self.off)
        for cur, prev in self.chains.links:
            l[cur] = self.off[cur] / D[prev]
            D[cur] -= l[cur] * self.off[cur]
        return l, D

    def solve(self, factor, g):
        l, D = factor
        z = g.copy()
        for cur, prev in self.chains.links:
            z[cur] -= l[cur] * z[prev]
        x = np.divide(z, D, out=z)
        for cur, prev in reversed(self.chains.links):
            x[prev] -= l[cur] * x[cur]
        return x

    def inverse_band(self, factor):
        """Diagonal and coupling entries of the inverse (Takahashi recursion)."""
        l, D = factor
        sd, so = 1 / D, np.zeros_like(D)
        for cur, prev in reversed(self.chains.links):
            so[cur] = -l[cur] * sd[cur]
            sd[prev] -= l[cur] * so[cur]
        return sd, so

    def trace_product(self, sd, so):
        return float(sd @ self.diag + 2 * (so @ self.off))


@dataclass(frozen=True)
class _Prior:
    """The AR(1) prior at one theta: variance s2 and, on each slot's link with the slot it follows,
    the lag correlation r = rho^gap (0: no link), q = 1/(1 - r^2) and the derivatives dr, dq in
    atanh(rho); Q the precision and dQ its derivative in atanh(rho), as tridiagonals."""

    s2: float
    r: np.ndarray
    q: np.ndarray
    dr: np.ndarray
    dq: np.ndarray
    Q: _Tridiagonal
    dQ: _Tridiagonal


class _AR1:
    """Evaluation effects with AR(1) correlation sigma^2 rho^|i-j| within a patient; the effects
    (and the evaluation codes of `self.data`) are in the slot order of `_Chains`.

    Quadratic forms in the precision are sums over innovations e = x - r x_prev,
    x'Qx = sum(q e^2) / sigma^2: Q's entries grow as 1/(1 - rho), and summed entry by entry
    they cancel to rounding noise larger than the gradient tolerance when rho is near 1."""

    theta_names = ["sd_ar1", "rho"]

    def __init__(self, data: GlmmData):
        self.chains = _Chains(data)
        slot = self.chains.slot
        order = np.argsort(slot)
        self.data = replace(data, evaluation=slot[data.evaluation], eval_patient=data.eval_patient[order],
                            eval_position=data.eval_position[order], eval_gap=data.eval_gap[order])
        self.E = data.n_evaluations
        self.has_prev = self.data.eval_gap > 0
        self.gap = np.where(self.has_prev, self.data.eval_gap, 1.0)
        self._cache_key, self._cache = None, None

    def start(self):
        return [np.zeros(self.E)]

    def bounds(self):
        return [LOG_SD_BOUNDS, (-RHO_BOUND, RHO_BOUND)]

    def theta_values(self, theta):
        return {"sd_ar1": float(np.exp(theta[0])), "rho": float(np.tanh(theta[1]))}

    def effects(self, b):
        return b[0]

    def _from_next(self, x):
        """Each slot's value of x at the slot that follows it (0 at a patient's last)."""
        out = np.zeros_like(x)
        out[self.chains.prev] = x[self.chains.head:]
        return out

    def _prior(self, theta) -> _Prior:
        key = tuple(theta)
        if self._cache_key != key:
            self._cache_key, self._cache = key, self._compute_prior(theta)
        return self._cache

    def _compute_prior(self, theta):
        s2, rho = np.exp(2 * theta[0]), np.tanh(theta[1])
        r = np.where(self.has_prev, rho**self.gap, 0.0)
        dr = np.where(self.has_prev, self.gap * rho ** (self.gap - 1), 0.0) * (1 - rho**2)
        q = 1 / (1 - r**2)
        dq = 2 * r * dr * q**2  # also the derivative of r^2 q
        Q = _Tridiagonal(self.chains, (q + self._from_next(r**2 * q)) / s2, -r * q / s2)
        dQ = _Tridiagonal(self.chains, (dq + self._from_next(dq)) / s2, -dr * (q + 2 * r**2 * q**2) / s2)
        return _Prior(s2, r, q, dr, dq, Q, dQ)

    def _innovations(self, prior, x):
        e = x.copy()
        e[self.chains.head:] -= prior.r[self.chains.head:] * x[self.chains.prev]
        return e

    def _previous(self, x):
        """Each slot's value of x at the slot it follows (0 at a patient's first)."""
        out = np.zeros_like(x)
        out[self.chains.head:] = x[self.chains.prev]
        return out

    def _precision_times(self, prior, x):
        """Q x = B' (q e) / s2, B the map from x to its innovations e."""
        y = prior.q * self._innovations(prior, x) / prior.s2
        y[self.chains.prev] -= prior.r[self.chains.head:] * y[self.chains.head:]
        return y

    def _d_form(self, prior, y, ey, z, ez):
        """y' dQ z from the innovations ey, ez of y and z."""
        cross = self._previous(y) * ez + ey * self._previous(z)
        return float(prior.dq @ (ey * ez) - (prior.q * prior.dr) @ cross) / prior.s2

    def penalty(self, theta, b):
        prior = self._prior(theta)
        e = self._innovations(prior, b[0])
        return 0.5 * float(prior.q @ (e * e)) / prior.s2

    def _factor(self, prior, terms):
        H = _Tridiagonal(self.chains, prior.Q.diag + terms.we, prior.Q.off)
        return H, H.ldl()

    def newton_step(self, theta, b, terms):
        prior = self._prior(theta)
        H, factor = self._factor(prior, terms)
        return [H.solve(factor, terms.re - self._precision_times(prior, b[0]))]

    def objective(self, theta, b, terms):
        data, x, prior = self.data, b[0], self._prior(theta)
        H, factor = self._factor(prior, terms)
        sd, so = H.inverse_band(factor)
        c = 0.5 * terms.w * (1 - 2 * terms.mu) * sd[data.evaluation]
        a = H.solve(factor, np.bincount(data.evaluation, c, self.E))
        ex, ea = self._innovations(prior, x), self._innovations(prior, a)
        xQx, aQx = float(prior.q @ (ex * ex)) / prior.s2, float(prior.q @ (ea * ex)) / prior.s2
        logdet_q = -2 * theta[0] * self.E + np.log(prior.q).sum()
        value = -terms.loglik + 0.5 * xQx - 0.5 * logdet_q + 0.5 * np.log(factor[1]).sum()
        grad_beta = data.X.T @ (c - terms.w * a[data.evaluation] - terms.r)
        # each: x'dQx / 2 - d log|Q| / 2 + tr(H^-1 dQ) / 2 - a'dQx; for the sd, dQ = -2 Q and
        # tr(H^-1 Q) = E - tr(H^-1 W)
        grad_sd = -xQx + float(sd @ terms.we) + 2 * aQx
        grad_rho = (0.5 * self._d_form(prior, x, ex, x, ex) - float(prior.r * prior.dr @ prior.q)
                    + 0.5 * prior.dQ.trace_product(sd, so) - self._d_form(prior, a, ea, x, ex))
        return value, np.concatenate([grad_beta, [grad_sd, grad_rho]])


def _structure(data: GlmmData, structure: str):
    if structure == "ar1":
        return _AR1(data)
    if structure in ("nested", "patient"):
        return _Nested(data, with_evaluation=structure == "nested")
    raise ValueError(f"unknown GLMM structure {structure!r}")


def _hessian(fun, x, free, step=1e-4):
    """Symmetrised central-difference Jacobian of the gradient `fun` at x, in the free parameters."""
    cols = []
    for j in np.flatnonzero(free):
        e = np.zeros_like(x)
        e[j] = step
        cols.append((fun(x + e) - fun(x - e))[free] / (2 * step))
    H = np.array(cols).T
    return (H + H.T) / 2


def fit_glmm(data: GlmmData, structure: str, beta_start: np.ndarray) -> GlmmResult:
    """Laplace maximum-likelihood fit of a logistic GLMM with the given random-effect structure."""
    model = _structure(data, structure)
    p = data.X.shape[1]
    cache = {"b": model.start(), "inner_ok": True}

    def value_and_grad(x):
        b, terms, ok = _newton_modes(model, x[:p], x[p:], cache["b"])
        cache.update(b=b, inner_ok=ok)
        return model.objective(x[p:], b, terms)

    def grad(x):
        return value_and_grad(x)[1]

    x0 = np.concatenate([beta_start, np.zeros(len(model.theta_names))])
    bounds = [(None, None)] * p + model.bounds()
    res = minimize(value_and_grad, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-6})
    x = res.x
    lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds])
    hi = np.array([np.inf if b[1] is None else b[1] for b in bounds])
    free = (x > lo + 1e-6) & (x < hi - 1e-6)  # parameters pinned at a bound are held fixed
    H = _hessian(grad, x, free)
    positive = bool(np.all(np.linalg.eigvalsh(H) > 0))
    value, g = value_and_grad(x)
    previous = np.inf
    for _ in range(8 if positive else 0):  # Newton polish of L-BFGS-B's stopping point, down to rounding noise
        size = np.max(np.abs(g[free]))
        if size < 1e-9 or size >= previous:
            break
        x[free] -= np.linalg.solve(H, g[free])
        value, g = value_and_grad(x)
        previous = size
    converged = positive and cache["inner_ok"] and np.max(np.abs(g[free])) < GRADIENT_TOL
    pinned = [name for name, f in zip(model.theta_names, free[p:]) if not f]
    message = ("converged" + (f"; singular fit: {', '.join(pinned)} at its bound" if pinned else "")
               if converged else "Hessian not positive definite" if not positive else "gradient not zero")
    vcov = np.linalg.inv(H)[:p, :p] if positive else np.full((p, p), np.nan)
    return GlmmResult(beta=x[:p], vcov=vcov, theta=model.theta_values(x[p:]), deviance=2 * value,
                      converged=converged, message=message, singular=bool(pinned))
