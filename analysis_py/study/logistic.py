"""Plain logistic regression by IRLS: the starting values of the GEE and GLMM fits."""
from __future__ import annotations

import numpy as np
from scipy.special import expit


def fit_logistic(y: np.ndarray, X: np.ndarray, tol: float = 1e-10, maxiter: int = 100) -> np.ndarray:
    """Maximum-likelihood coefficients of logit P(y = 1) = X @ beta (Newton-Raphson)."""
    beta = np.zeros(X.shape[1])
    for _ in range(maxiter):
        mu = expit(X @ beta)
        w = mu * (1 - mu)
        step = np.linalg.solve(X.T @ (X * w[:, None]), X.T @ (y - mu))
        beta += step
        if np.max(np.abs(step)) < tol:
            break
    return beta
