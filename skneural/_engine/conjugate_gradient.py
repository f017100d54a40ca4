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
gradient at the new point), one pass over the data. The search ends on a
trial, whose loss gradient in the scores is the new point's: the loss is
not evaluated there again.
"""

from __future__ import annotations

import math

import numpy as np

from .kernels import entrywise_dot
from .losses import SoftmaxCrossEntropy
from .penalties import add_l2_gradient, l2_penalty

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
    if not beta:
        return np.negative(grad)
    # beta * d_prev - grad: the same sum in two passes, no temporary
    direction = np.multiply(previous_direction, beta)
    return np.subtract(direction, grad, out=direction)


class ScoreLine:
    """The objective along a line, on the scores; called at ``t``, its slope.

    For ``phi(t) = (loss(z + t z_rate) + l2 / 2 ||w + t w_rate||^2) /
    total_weight``, ``phi'(t) = (grad_z loss(z + t z_rate) . z_rate +
    l2 (w + t w_rate) . w_rate) / total_weight``. Any loss with
    ``gradient(z, y, sample_weight, out)`` (its gradient in the scores),
    ``loss`` and ``loss_and_gradient`` plugs in; ``phi`` is convex for a
    convex loss, so its minimum is where the slope crosses zero and the
    search needs no value of the loss.

    The last trial's step ``t``, scores and loss gradient are kept: the
    search ends on a trial, so :meth:`objective_gradient` has the objective
    and its gradient there for the price of one product with ``X^T``.

    Parameters
    ----------
    loss : loss object
        The loss of the scores (see ``losses.py``).
    y, sample_weight : ndarray
        Targets laid out like the scores, and sample weights or None.
    l2 : float
        The L2 strength (a sum's, not divided by ``total_weight``).
    total_weight : float
        The sum of the sample weights: the objective is per unit of it.
    z, z_rate : ndarray
        The scores at the line's start and their rate along it.
    w, w_rate : ndarray
        The penalised leading entries of the parameters and of the
        direction.
    """

    def __init__(self, loss, y, sample_weight, l2, total_weight, z, z_rate, w, w_rate):
        self.loss, self.y, self.sample_weight, self.l2 = loss, y, sample_weight, l2
        self.z, self.z_rate, self.w = z, z_rate, w
        # the penalty's slope along the line is linear in t, known from two dots
        self._wr, self._rr = float(w @ w_rate), float(w_rate @ w_rate)
        self.scale = 1.0 / total_weight
        # the softmax's value comes with its gradient (the log of the same
        # exponentials' row sums): take it at every trial; other losses pay
        # a pass of their own (the sigmoid's log_expit, several times its
        # gradient's cost), taken at the accepted trial only
        # the softmax gives its loss with its probabilities, from one exp
        self._with_value = isinstance(loss, SoftmaxCrossEntropy)
        self.t = None  # the last trial's step, its scores, value and gradient
        self.scores = np.empty_like(z_rate)
        self.value = None
        self.grad_z = np.empty_like(z_rate)
        # and the link's prediction there, for a loss that gives its
        # curvature from it: the next line's Newton step (:meth:`newton_step`)
        self.probabilities = (
            np.empty_like(z_rate) if hasattr(loss, "curvature_along") else None
        )
        self._kept = (
            {} if self.probabilities is None else {"probabilities": self.probabilities}
        )

    def __call__(self, t):
        """The slope ``phi'(t)``; evaluating it makes ``t`` the last trial."""
        scores = np.multiply(self.z_rate, t, out=self.scores)
        scores += self.z
        kept = self._kept
        if self._with_value:
            self.value, grad_z = self.loss.loss_and_gradient(
                scores, self.y, self.sample_weight, out=self.grad_z, **kept
            )
        else:
            self.value = None
            grad_z = self.loss.gradient(
                scores, self.y, self.sample_weight, out=self.grad_z, **kept
            )
        self.t = t
        penalty_slope = self.l2 * (self._wr + t * self._rr)
        return (entrywise_dot(grad_z, self.z_rate) + penalty_slope) * self.scale

    def bounded_step(self, slope0, curvature):
        """The Newton-like step ``-phi'(0) / c`` from the link's curvature.

        ``c = (curvature sum_i s_i |r_i|^2 + l2 |w_rate|^2) / total_weight``
        with ``r_i`` the rate of sample ``i``'s scores: ``phi''(0)`` with the
        link's curvature replaced by ``curvature``. With the link's curvature
        at zero scores (1/4 for the sigmoid, 1/K for the softmax of K
        classes), ``c >= phi''(0)`` from zero weights, so the step is at most
        the Newton step there (for the sigmoid exactly it, and since 1/4
        bounds the sigmoid's curvature everywhere, a step that lowers the
        objective); elsewhere it is a first guess that the line search
        corrects. It needs the scores' rate only, known already: a first
        trial at no pass over the data.
        """
        rate, weights = self.z_rate, self.sample_weight
        if weights is not None:  # rows that weigh nothing bound nothing
            weighing = weights > 0
            rate, weights = rate[weighing], weights[weighing]
        # in units of the largest rate, so that the squares of large scores
        # do not overflow (the step is a ratio: the unit cancels)
        top = float(np.abs(rate).max()) if rate.size else 0.0
        if not 0 < top < np.inf:
            return 1.0
        rate = rate / top
        if weights is None:
            spread = entrywise_dot(rate, rate)
        else:
            spread = float(np.square(rate).sum(axis=1) @ weights)
        bound = (curvature * spread * top + self.l2 * self._rr / top) * self.scale
        step = float(-slope0 / top / bound)
        return step if 0 < step < np.inf else 1.0

    def newton_step(self, slope0, probabilities):
        """The Newton step ``-phi'(0) / phi''(0)`` along the line, or None.

        ``phi''(0) = (loss'' along z_rate + l2 |w_rate|^2) / total_weight``,
        the loss's curvature from the link's prediction at the line's start
        (``probabilities``, which the previous line's last trial kept). For
        a nearly quadratic ``phi`` this is nearly its minimum: most searches
        then end at their first trial. None where it is no positive finite
        step (a curvature lost to rounding or overflow).
        """
        # an overflow (rates of ~1e160) leaves no step: the caller's fallback
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            curvature = self.loss.curvature_along(
                probabilities, self.z_rate, self.sample_weight
            )
            curvature = (curvature + self.l2 * self._rr) * self.scale
        if not 0 < curvature < np.inf:  # also NaN: no curvature to divide by
            return None
        step = -slope0 / curvature
        return step if 0 < step < np.inf else None

    def objective_gradient(self, theta, backward, out):
        """The objective and its gradient (into ``out``) at the last trial's point.

        ``theta`` is that point; ``backward(theta, grad_z, out)`` writes into
        ``out`` the gradient in ``theta`` of ``grad_z . scores(theta)`` (the
        product with ``X^T``). The loss's gradient is divided by the total
        weight before it, as ``Network.objective_gradient`` does: the same
        numbers as it gives from these scores.
        """
        total = self.value
        if total is None:
            total = self.loss.loss(self.scores, self.y, self.sample_weight)
        weights = theta[: self.w.size]
        total += l2_penalty(weights, self.l2)
        grad_z = self.grad_z
        grad_z *= self.scale
        grad = backward(theta, grad_z, out)
        add_l2_gradient(grad[: self.w.size], weights, self.l2 * self.scale)
        return total * self.scale, grad


def score_line(loss, y, sample_weight, l2, total_weight, z, z_rate, w, w_rate):
    """The objective's slope along a line, ``phi'(t)``: a :class:`ScoreLine`."""
    return ScoreLine(loss, y, sample_weight, l2, total_weight, z, z_rate, w, w_rate)


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
        ``smooth(theta, z) -> (f, grad)`` from the scores ``z`` (read only).
    scores : callable
        ``scores(theta) -> z``, linear in ``theta`` (so ``scores(d)`` is the
        rate at which the scores move along ``d``).
    line : callable
        ``line(z, z_rate, theta, d) -> ScoreLine``, the objective along the
        line (see :class:`ScoreLine`).
    step : float or None
        The first iteration's trial step; None for the step from the link's
        ``curvature`` along the first direction
        (:meth:`ScoreLine.bounded_step`), which needs no estimate of the
        data's largest eigenvalue.
    backward : callable
        ``backward(theta, grad_z, out) -> out``, the gradient in ``theta``
        of ``grad_z . scores(theta)``: the product with ``X^T``.
    curvature : float, default=None
        The link's curvature at zero scores, for a first step of None
        (:meth:`ScoreLine.bounded_step`).
    """

    def __init__(self, smooth, scores, line, step, backward, curvature=None):
        self.smooth, self.scores, self.line = smooth, scores, line
        self.backward, self.curvature = backward, curvature
        # the gradients alternate between two arrays: no allocation, and the
        # network's views into them stay cached
        self._gradients = None
        self.step_size = step
        self.optimality = np.inf
        # (f, grad, direction, scores, the link's prediction or None) at the
        # current point
        self._state = None

    def _start(self, theta):
        self._gradients = (np.empty_like(theta), np.empty_like(theta))
        self._rounding = _ROUNDING * np.finfo(theta.dtype).eps
        z = self.scores(theta)
        f, grad = self.smooth(theta, z)
        return f, grad, -grad, z, None

    def iterate(self, theta):
        """One conjugate-gradient iteration in place; returns the objective."""
        f, grad, direction, z, probabilities = self._state or self._start(theta)
        slope0 = float(grad @ direction)
        if not slope0 < 0:  # not a descent direction: restart downhill
            direction = -grad
            slope0 = -float(grad @ grad)
        if slope0 == 0:  # a stationary point
            self.optimality = 0.0
            return f
        line = self.line(z, self.scores(direction), theta, direction)
        # the first trial: the Newton step where the link's prediction at z is
        # known (every iteration but the first), else the step carried over
        newton = (
            None if probabilities is None else line.newton_step(slope0, probabilities)
        )
        if newton is not None:
            self.step_size = newton
        elif self.step_size is None:
            self.step_size = line.bounded_step(slope0, self.curvature)
        t = line_minimum(line, slope0, self.step_size)
        if line.t != t:  # out of trials, the search stopped at an untried step
            line(t)
        new = theta + t * direction
        # the last trial left the scores and the loss's gradient at the new
        # point: no second evaluation of the loss, one product with X^T
        spare = self._gradients[grad is self._gradients[0]]  # not the current one
        f_new, new_grad = line.objective_gradient(new, self.backward, spare)
        # near the optimum the values differ by less than their rounding
        if f_new <= f + self._rounding * abs(f):
            theta[...], z, probabilities = new, line.scores, line.probabilities
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
            probabilities = None  # so that the halved step is the next trial
        self.optimality = float(np.abs(grad).max())
        self._state = (f, grad, direction, z, probabilities)
        return f
