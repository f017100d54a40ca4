"""The automatic step size: a learning rate no one has to tune.

Too small a learning rate crawls, too big a one diverges. For a smooth loss
the boundary is known: gradient descent with step ``1 / L`` always decreases
an objective whose gradient is ``L``-Lipschitz. For the cross-entropy of a
linear model, ``L <= c * lambda_max(X^T S X) / sum(s) + l2 / sum(s)``, where
``c`` bounds the link's curvature (1/4 for the sigmoid, 1/2 for softmax).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .losses import SigmoidCrossEntropy, total_weight

# Rows used to estimate the largest eigenvalue: enough for a stable estimate,
# few enough that it costs far less than one pass over a large data set.
_SMOOTHNESS_ROWS = 2000
_POWER_ITERATIONS = 15
# Relative change of the estimate at which the iteration stops early.
_SETTLED = 1e-4


def largest_eigenvalue(x, sample_weight=None, fit_intercept=True, rng=None):
    """Power-iteration estimate of ``lambda_max(X~^T S X~) / sum(s)``.

    ``X~`` is ``X`` with a column of ones when ``fit_intercept``. Computed on
    evenly spaced rows when there are many (the estimate is a mean over
    samples, so a subset estimates it well; the line search corrects the rest).
    """
    n = x.shape[0]
    rows = slice(None, None, max(1, n // _SMOOTHNESS_ROWS))
    x = x[rows]
    s = (
        np.ones(x.shape[0])
        if sample_weight is None
        else np.asarray(sample_weight[rows], float)
    )
    s_sum = s.sum()
    if s_sum <= 0:
        return 1.0
    x = x.astype(np.float64) if sp.issparse(x) else np.asarray(x, np.float64)
    # iterate on A = sqrt(S) X~ / m (m the largest entry of X~) so that
    # features near the float limit (1e300) cannot overflow A^T A; the result
    # scales back by m**2
    m = max(float(abs(x).max()) if x.size else 0.0, 1.0)
    root_s = np.sqrt(s) / m
    if sp.issparse(x):
        a = sp.diags(root_s) @ x
        if fit_intercept:
            a = sp.hstack([a, root_s[:, None]], format="csr")
    else:
        a = x * root_s[:, None]
        if fit_intercept:
            a = np.hstack([a, root_s[:, None]])
    # a Generator starts in a fifth of the time a RandomState takes
    rng = np.random.default_rng(0) if rng is None else rng
    v = rng.normal(size=a.shape[1])
    value = previous = 0.0
    for _ in range(_POWER_ITERATIONS):
        # scale by the largest entry first: the norm itself must not overflow
        v /= np.abs(v).max() or 1.0
        norm = np.linalg.norm(v)
        if norm == 0:
            # A^T A is zero (all-zero features, no intercept): any step is safe
            return 1.0
        v /= norm
        new_v = a.T @ (a @ v)
        value, previous = float(v @ new_v), value
        v = new_v
        if value - previous <= _SETTLED * value:
            break
    with np.errstate(over="ignore"):
        value = value / s_sum * m * m
    # the largest float stands for a curvature beyond it (a step of ~1e-308);
    # the floor keeps the step 1 / (c * value) finite for subnormal features
    return min(max(value, 1e-300), np.finfo(float).max)


def largest_row_norm(x, fit_intercept=True):
    """``max_i ||x~_i||^2``, ``x~_i`` a row with a 1 appended when ``fit_intercept``.

    It bounds the curvature of a single sample's loss (times the link's
    curvature), hence of any minibatch's: the step that is safe for the
    noisiest minibatch.
    """
    # scaled by the largest entry, like largest_eigenvalue, so that features
    # near the float limit do not overflow the squares
    m = max(float(abs(x).max()) if x.shape[0] * x.shape[1] else 0.0, 1.0)
    if sp.issparse(x):
        squares = np.asarray((x / m).power(2).sum(axis=1)).ravel()
    else:
        scaled = x / m
        squares = np.einsum("ij,ij->i", scaled, scaled)
    norm = float(squares.max()) if squares.size else 0.0
    with np.errstate(over="ignore"):
        norm = (norm + (fit_intercept / (m * m))) * m * m
    return min(max(norm, 1e-300), np.finfo(float).max)


def minibatch_smoothness(full, single, batch_size, n_samples):
    """Expected smoothness of a minibatch of ``b`` of ``n`` samples.

    For batches drawn without replacement it interpolates between one
    sample's smoothness ``single`` (``b = 1``) and the full objective's
    ``full`` (``b = n``):
    ``L_b = n (b - 1) / (b (n - 1)) full + (n - b) / (b (n - 1)) single``
    (Gower et al., 2019, "SGD: general analysis and improved rates"). A step
    ``1 / L_b`` keeps small batches from overshooting where ``1 / full``
    would.
    """
    n, b = n_samples, min(batch_size, n_samples)
    if n <= 1:
        return single
    # weights first, then the (possibly huge) curvatures: no overflow
    w_full, w_single = n * (b - 1) / (b * (n - 1)), (n - b) / (b * (n - 1))
    value = w_full * float(full) + w_single * float(single)
    return min(value, np.finfo(float).max)


def link_curvature(loss, n_outputs, at_start=False):
    """Largest eigenvalue of the link's Hessian in the scores.

    Anywhere, it is at most 1/4 for the sigmoid (``s'(z) <= 1/4``) and 1/2 for
    the softmax. ``at_start`` gives instead its value at zero scores, where
    a fit from zero weights starts: still 1/4 for the sigmoid, but ``1 / K``
    for a softmax over ``K`` classes (its Hessian there is
    ``(I - 1 1^T / K) / K``). A step sized for that curvature is five times
    longer on ten classes; the line search shortens it where the curvature
    grows.
    """
    if isinstance(loss, SigmoidCrossEntropy):
        return 0.25
    return 1.0 / n_outputs if at_start else 0.5


def automatic_step(curvature, eigenvalue, l2_per_weight):
    """Step size ``1 / L`` with ``L = curvature * eigenvalue + l2_per_weight``."""
    return 1.0 / (curvature * eigenvalue + l2_per_weight)


def automatic_learning_rate(
    loss, n_outputs, x, sample_weight, l2, fit_intercept, batch_size=None
):
    """The step ``1 / L`` of a linear model, for full-batch or minibatch descent.

    Parameters
    ----------
    loss : SigmoidCrossEntropy or SoftmaxCrossEntropy
    n_outputs : int
        Number of output scores.
    x, sample_weight : arrays
        The training data and its weights.
    l2 : float
        The L2 strength per unit of sample weight.
    fit_intercept : bool
    batch_size : int, default=None
        None for a full-batch solver, whose line search corrects the step
        as the curvature changes: it may then start from the curvature
        where a fit from zero weights starts. A minibatch solver has no line
        search: its step bounds the curvature anywhere, for the expected
        minibatch of ``batch_size`` samples (a small batch curves more than
        the whole).

    Returns
    -------
    step : float
    """
    eigenvalue = largest_eigenvalue(x, sample_weight, fit_intercept)
    l2_per_weight = l2 / total_weight(x.shape[0], sample_weight)
    if batch_size is None:
        curvature = link_curvature(loss, n_outputs, at_start=True)
        return automatic_step(curvature, eigenvalue, l2_per_weight)
    smoothness = minibatch_smoothness(
        eigenvalue, largest_row_norm(x, fit_intercept), batch_size, x.shape[0]
    )
    curvature = link_curvature(loss, n_outputs)
    return automatic_step(curvature, smoothness, l2_per_weight)
