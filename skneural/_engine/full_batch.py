"""Full-batch rules of logistic regression: (accelerated) proximal gradient.

They evaluate the objective themselves, since a line search has to look at
the loss before accepting a step: ``iterate(theta)`` takes one iteration in
place and returns the smooth objective at the new point.
"""

from __future__ import annotations

import math

import numpy as np

from .penalties import soft_threshold

# The objective is only known to the rounding of its dtype: a line search
# stricter than that would halve the step until updates vanish.
_ROUNDING = {
    np.dtype(dtype): max(1e-12, 16 * np.finfo(dtype).eps)
    for dtype in (np.float32, np.float64)
}


class ProximalGradient:
    """Full-batch (proximal) gradient descent, with an optional line search.

    Each iteration takes ``w := prox(w - step * grad)``, the prox being the
    L1 soft-threshold (the identity without L1). With ``line_search`` the
    step halves until the sufficient-decrease condition
    ``f(w_new) <= f(w) + grad . d + ||d||^2 / (2 step)`` holds, and is tried
    a little larger at the next iteration.

    Parameters
    ----------
    smooth : callable
        ``smooth(theta) -> (f, grad)``, the differentiable part of the objective.
    step : float
        Initial (or fixed) step size.
    l1 : float
        Strength of the L1 term, already divided by the total sample weight.
    n_coef : int
        Number of leading entries of ``theta`` that L1 acts on.
    line_search : bool
    value : callable, default=None
        ``value(theta) -> f`` alone, cheaper than ``smooth`` (half a pass over
        the data): used to test trial points whose gradient is not needed.
        Without it, trial points get ``smooth``'s full evaluation.
    """

    grow = 1.25

    def __init__(self, smooth, step, l1=0.0, n_coef=0, line_search=True, value=None):
        self.smooth, self.step_size, self.l1, self.n_coef = smooth, step, l1, n_coef
        self.line_search = line_search
        self.value = value
        self._current = None  # (f, grad) at the current point, carried over
        self.optimality = np.inf

    def _value_at(self, point):
        return self.value(point)

    def _prox_step(self, point, grad, step):
        new = point - step * grad
        soft_threshold(new[: self.n_coef], step * self.l1)
        return new

    def _try(self, point, f, grad, with_gradient=True):
        """Accepted ``(new point, f_new, grad_new or None)`` from ``point``."""
        while True:
            new = self._prox_step(point, grad, self.step_size)
            if with_gradient or self.value is None:
                f_new, grad_new = self.smooth(new)
            else:
                f_new, grad_new = self._value_at(new), None
            d = new - point
            bound = f + grad @ d + (d @ d) / (2 * self.step_size)
            slack = _ROUNDING[point.dtype] * abs(f)
            if not self.line_search or f_new <= bound + slack or self.step_size < 1e-30:
                # the largest entry of the gradient mapping (w - w_new) / step
                self.optimality = np.abs(d).max() / self.step_size
                return new, f_new, grad_new
            self.step_size *= 0.5

    def iterate(self, theta):
        """One iteration in place; returns the smooth objective at the new point."""
        f, grad = self._current if self._current is not None else self.smooth(theta)
        new, f_new, grad_new = self._try(theta, f, grad)
        theta[...] = new
        self._current = (f_new, grad_new)
        if self.line_search:
            self.step_size *= self.grow
        return f_new


class AcceleratedProximalGradient(ProximalGradient):
    """Nesterov-accelerated proximal gradient (FISTA) with adaptive restart.

    The gradient step is taken from an extrapolated point
    ``y = w + (t_old - 1) / t * (w - w_prev)`` that carries momentum; when
    the momentum points uphill (``(y - w_new) . (w_new - w) > 0``) it is
    reset, which keeps the method monotone in practice and fast on strongly
    convex problems.
    """

    def __init__(self, smooth, step, l1=0.0, n_coef=0, line_search=True, value=None):
        super().__init__(smooth, step, l1, n_coef, line_search, value)
        self.momentum_t = 1.0
        self._extrapolated = None  # (y, f(y), grad(y))

    def iterate(self, theta):
        if self._extrapolated is None:
            self._extrapolated = (theta.copy(), *self._smooth_at_start(theta))
        y, f_y, grad_y = self._extrapolated
        # the gradient at the new point is needed only after a restart
        new, f_new, grad_new = self._try(y, f_y, grad_y, with_gradient=False)
        if (y - new) @ (new - theta) > 0:  # momentum points uphill: restart
            self.momentum_t = 1.0
        t_next = 0.5 * (1 + math.sqrt(1 + 4 * self.momentum_t**2))
        beta = (self.momentum_t - 1) / t_next
        self.momentum_t = t_next
        self._extrapolated = self._extrapolate(new, theta, beta, f_new, grad_new)
        theta[...] = new
        if self.line_search:
            self.step_size *= self.grow
        return f_new

    def _smooth_at_start(self, theta):
        return self.smooth(theta)

    def _extrapolate(self, new, previous, beta, f_new, grad_new):
        """``(y, f(y), grad(y))`` at ``y = new + beta (new - previous)``.

        ``f_new`` and ``grad_new`` (None when not computed) are known at
        ``new``, which ``y`` is after a restart (``beta = 0``).
        """
        if beta <= 0 and grad_new is not None:
            return new.copy(), f_new, grad_new
        y = new + beta * (new - previous) if beta > 0 else new.copy()
        return (y, *self.smooth(y))


class AcceleratedLinearModel(AcceleratedProximalGradient):
    """:class:`AcceleratedProximalGradient` for a model linear in its parameters.

    The scores ``z = X w`` of the extrapolated point are the same combination
    of the scores of the two points it comes from,
    ``z_y = z_new + beta (z_new - z_prev)``. So an iteration needs one product
    with ``X`` (the trial point's scores, for the line search) and one with
    ``X^T`` (the gradient at the extrapolated point): one pass over the data
    instead of one and a half. Without L1 the trial points lie on the line
    ``y - step * grad``, whose scores are ``z_y - step * (X grad)``: a step
    the line search shortens costs no product with ``X`` at all.

    Parameters
    ----------
    scores : callable
        ``scores(theta) -> z``, the model's output scores.
    smooth, value : callable
        ``smooth(theta, z) -> (f, grad)`` (reads ``z`` only) and
        ``value(theta, z) -> f``, from known scores.
    """

    def __init__(
        self, smooth, step, l1=0.0, n_coef=0, line_search=True, *, value, scores
    ):
        super().__init__(smooth, step, l1, n_coef, line_search, value)
        self.scores = scores
        self._scores_now = None  # scores at the current point
        self._scores_trial = None  # scores at the last trial point
        self._scores_y = None  # scores at the extrapolated point
        self._scores_grad = None  # X grad(y): the scores' rate along the step

    def _value_at(self, point):
        if self.l1:  # the soft-threshold bends the path: compute the scores
            self._scores_trial = self.scores(point)
        else:
            if self._scores_grad is None:
                _, _, grad_y = self._extrapolated
                self._scores_grad = self.scores(grad_y)
            self._scores_trial = self._scores_y - self.step_size * self._scores_grad
        return self.value(point, self._scores_trial)

    def _smooth_at(self, y, z_y):
        """``smooth`` at the new extrapolated point, keeping its scores."""
        self._scores_y, self._scores_grad = z_y, None
        return self.smooth(y, z_y)

    def _smooth_at_start(self, theta):
        self._scores_now = self.scores(theta)
        return self._smooth_at(theta, self._scores_now)

    def _extrapolate(self, new, previous, beta, f_new, grad_new):
        z_new = self._scores_trial
        if beta > 0:
            y = new + beta * (new - previous)
            z_y = z_new + beta * (z_new - self._scores_now)
        else:
            y, z_y = new.copy(), z_new
        self._scores_now = z_new
        return (y, *self._smooth_at(y, z_y))
