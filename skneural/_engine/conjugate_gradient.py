"""Nonlinear conjugate gradients for a model linear in its parameters.

Conjugate gradients are gradient descent with a chosen step and momentum:
each iteration moves along ``d = -grad + beta * d_prev`` by the step ``t``
that minimises the objective along ``d``. Both are picked from the data:
``beta`` by the Polak-Ribiere+ rule, ``t`` by an exact line search.

For a linear model the scores move along a line too:
``z(theta + t d) = z + t (X d)``. So once ``X d`` is known, the search along
``d`` is a one-dimensional problem on the scores alone, with no further
product with ``X``: each trial step costs one evaluation of the loss's
gradient in the scores (elementwise work), and an iteration costs one
product with ``X`` (the direction's scores) and one with ``X^T`` (the
gradient at the new point), one pass over the data.
"""

from __future__ import annotations

import math

import numpy as np

# The line search stops when the slope along the line has fallen to this
# fraction of its value at the start (the strong Wolfe condition with the
# constant 0.1 advised for conjugate gradients): exact enough for conjugacy,
# at one or two loss gradients a search.
_SLOPE_RTOL = 0.1
_MAX_TRIALS = 30
# The objective is known to about this many units of its dtype's rounding.
_ROUNDING = 16
# Growth of the trial step while the minimum is not yet bracketed.
_EXPAND = 4.0


def polak_ribiere_plus(grad, previous_grad):
    """Momentum ``beta = max(0, g . (g - g_prev) / (g_prev . g_prev))``.

    Clipping at zero restarts the method with a steepest-descent step when
    the new gradient says little new about the curvature.
    """
    denominator = float(previous_grad @ previous_grad)
    if denominator <= 0:
        return 0.0
    return max(0.0, float(grad @ (grad - previous_grad)) / denominator)


def conjugate_direction(grad, previous_direction, beta):
    """The direction ``d = -grad + beta * d_prev`` (a new array)."""
    direction = np.multiply(grad, -1)
    if beta:
        direction += beta * previous_direction
    return direction


def score_line(loss, y, sample_weight, l2, total_weight, z, z_rate, w, w_rate):
    """The slope of the objective along a line, ``phi'(t)``, on the scores.

    For ``phi(t) = (loss(z + t z_rate) + l2 / 2 ||w + t w_rate||^2) /
    total_weight``, ``phi'(t) = (grad_z loss(z + t z_rate) . z_rate +
    l2 (w + t w_rate) . w_rate) / total_weight``. Any loss with
    ``gradient(z, y, sample_weight, out)`` (its gradient in the scores)
    plugs in; ``phi`` is convex for a convex loss, so its minimum is where
    the slope crosses zero and the search needs no value of the loss.
    """
    # the penalty's slope along the line is linear in t, known from two dots
    wr, rr = float(w @ w_rate), float(w_rate @ w_rate)
    buffer = np.empty_like(z, order="K")
    scale = 1.0 / total_weight

    def slope(t):
        np.multiply(z_rate, t, out=buffer)
        np.add(buffer, z, out=buffer)
        grad_z = loss.gradient(buffer, y, sample_weight, out=buffer)
        return (float(np.vdot(grad_z, z_rate)) + l2 * (wr + t * rr)) * scale

    return slope


def _next_trial(t, slope, t_prev, slope_prev, low, high):
    """Secant step on the slope, kept inside the bracket ``(low, high)``."""
    trial = math.nan
    if slope != slope_prev:
        trial = t - slope * (t - t_prev) / (slope - slope_prev)
    if math.isinf(high):
        # not bracketed yet: grow, at most by _EXPAND
        if not trial > t:
            return _EXPAND * t
        return min(trial, _EXPAND * t)
    if not low < trial < high:
        return 0.5 * (low + high)
    return trial


def line_minimum(slope_at, slope0, t):
    """The step minimising a convex function along a descent line.

    A safeguarded secant method on the slope ``slope_at(t)``, which is
    ``slope0 < 0`` at 0: from ``t``, secant steps through the two latest
    trials, kept inside the bracket ``[low, high]`` of steps whose slope is
    negative and positive (bisection where the secant leaves it), until the
    slope has fallen to ``_SLOPE_RTOL`` of ``|slope0|``.
    """
    low, high = 0.0, math.inf
    t_prev, slope_prev = 0.0, slope0
    for _ in range(_MAX_TRIALS):
        slope = slope_at(t)
        if not math.isfinite(slope):
            high, t = t, 0.5 * (low + t)  # overflow: far past the minimum
            continue
        if abs(slope) <= _SLOPE_RTOL * abs(slope0) or high - low <= 1e-12 * t:
            break
        if slope < 0:
            low = t
        else:
            high = t
        t, t_prev, slope_prev = (
            _next_trial(t, slope, t_prev, slope_prev, low, high),
            t,
            slope,
        )
    return t


class ConjugateGradientLinearModel:
    """Nonlinear conjugate gradients (Polak-Ribiere+) with an exact line search.

    The full-batch solver protocol of the training loop: :meth:`iterate`
    takes one step in place and returns the objective, ``optimality`` is the
    largest entry of the gradient, ``step_size`` the latest step.

    Parameters
    ----------
    smooth : callable
        ``smooth(theta, z) -> (f, grad)`` from the scores ``z`` (overwritten).
    scores : callable
        ``scores(theta) -> z``, linear in ``theta`` (so ``scores(d)`` is the
        rate at which the scores move along ``d``).
    line : callable
        ``line(z, z_rate, theta, d) -> slope``, the objective's slope along
        the line (see :func:`score_line`).
    step : float
        The first iteration's trial step.
    """

    def __init__(self, smooth, scores, line, step):
        self.smooth, self.scores, self.line = smooth, scores, line
        self.step_size = step
        self.optimality = np.inf
        self._state = None  # (f, grad, direction, scores) at the current point

    def _start(self, theta):
        z = self.scores(theta)
        f, grad = self.smooth(theta, z.copy(order="K"))
        return f, grad, -grad, z

    def iterate(self, theta):
        """One conjugate-gradient iteration in place; returns the objective."""
        f, grad, direction, z = self._state or self._start(theta)
        slope0 = float(grad @ direction)
        if not slope0 < 0:  # not a descent direction: restart downhill
            direction = -grad
            slope0 = -float(grad @ grad)
        if slope0 == 0:  # a stationary point
            self.optimality = 0.0
            return f
        z_rate = self.scores(direction)
        t = line_minimum(self.line(z, z_rate, theta, direction), slope0, self.step_size)
        new, z_new = theta + t * direction, z + t * z_rate
        f_new, new_grad = self.smooth(new, z_new.copy(order="K"))
        # near the optimum the values differ by less than their rounding
        if f_new <= f + _ROUNDING * np.finfo(theta.dtype).eps * abs(f):
            theta[...], z = new, z_new
            beta = polak_ribiere_plus(new_grad, grad)
            f, grad = f_new, new_grad
            direction = conjugate_direction(grad, direction, beta)
            # the next first trial: this step scaled by the ratio of the
            # slopes (Nocedal and Wright's initial step for line searches)
            next_slope = float(grad @ direction)
            if not next_slope < 0:
                next_slope = -float(grad @ grad)
            self.step_size = t * slope0 / min(next_slope, -1e-300)
        else:  # the search overshot (rounding): steepest descent, shorter
            direction = -grad
            self.step_size = 0.5 * t
        self.optimality = float(np.abs(grad).max())
        self._state = (f, grad, direction, z)
        return f
