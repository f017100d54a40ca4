"""Update rules, simplest first.

Every rule updates the flat parameter vector ``theta`` in place from its
gradient. They only update: the learning rate comes from the schedule,
stopping and messages from the training loop.

Minibatch rules take ``step(theta, grad, learning_rate)``; they may use
``grad`` as scratch space, so it is not to be read after the step. The full-batch
rules of logistic regression (:class:`ProximalGradient`,
:class:`AcceleratedProximalGradient`) evaluate the objective themselves, since
a line search has to look at the loss before accepting a step.
"""

from __future__ import annotations

import math

import numpy as np

from ._inplace import add_scaled
from ._penalties import soft_threshold


def gradient_step(theta, grad, learning_rate, work=None):
    """The update of the course: ``w := w - learning_rate * grad``, in place.

    ``work`` (``grad`` itself will do) saves a temporary.
    """
    return add_scaled(theta, grad, -learning_rate, work)


class _InPlaceRule:
    """Base of Adagrad and RMSprop: a scratch array so that no step allocates."""

    _scratch = None

    def scratch(self, like):
        if self._scratch is None or self._scratch.shape != like.shape:
            self._scratch = np.empty_like(like)
        return self._scratch


class SGD:
    """Gradient descent, optionally with (Nesterov) momentum.

    Momentum keeps a running ``velocity = momentum * velocity - lr * grad``
    and moves by it, so steps along a consistent direction add up.
    Nesterov's variant moves by ``momentum * velocity - lr * grad``: it looks
    one step ahead before correcting.

    The state (here the velocity) is a dict of arrays, kept by the estimator
    between ``partial_fit`` calls.
    """

    def __init__(self, n_params, dtype, momentum=0.0, nesterov=False, state=None):
        self.momentum = momentum
        self.nesterov = nesterov
        self.state = state or {"velocity": np.zeros(n_params if momentum else 0, dtype)}

    def step(self, theta, grad, learning_rate):
        """One update; ``grad`` is overwritten (it serves as scratch space)."""
        if not self.momentum:
            return gradient_step(theta, grad, learning_rate, work=grad)
        v = self.state["velocity"]
        v *= self.momentum
        step = np.multiply(grad, -learning_rate, out=grad)  # -lr * g, once
        v += step
        if self.nesterov:
            theta += step
            return add_scaled(theta, v, self.momentum, work=grad)
        theta += v
        return theta


class Adagrad(_InPlaceRule):
    """Per-parameter steps ``lr * g / (sqrt(sum of past g^2) + eps)``.

    Parameters with large past gradients take smaller steps.
    """

    def __init__(self, n_params, dtype, epsilon=1e-8, state=None):
        self.epsilon = epsilon
        self.state = state or {"sum_sq": np.zeros(n_params, dtype)}

    def step(self, theta, grad, learning_rate):
        sum_sq, work = self.state["sum_sq"], self.scratch(grad)
        sum_sq += np.multiply(grad, grad, out=work)
        _scaled_step(theta, grad, sum_sq, learning_rate, self.epsilon, work)
        return theta


class RMSprop(_InPlaceRule):
    """Adagrad with a forgetting average: ``v := rho v + (1 - rho) g^2``."""

    def __init__(self, n_params, dtype, rho=0.9, epsilon=1e-8, state=None):
        self.rho = rho
        self.epsilon = epsilon
        self.state = state or {"mean_sq": np.zeros(n_params, dtype)}

    def step(self, theta, grad, learning_rate):
        mean_sq, work = self.state["mean_sq"], self.scratch(grad)
        g_squared = np.multiply(grad, grad, out=work)
        _moving_average(mean_sq, g_squared, self.rho, work=g_squared)
        _scaled_step(theta, grad, mean_sq, learning_rate, self.epsilon, work)
        return theta


class Adam:
    """Momentum on the gradient and RMSprop's scaling, both bias-corrected.

    ``m := b1 m + (1 - b1) g``, ``v := b2 v + (1 - b2) g^2``,
    ``w := w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``.
    With ``weight_decay`` (AdamW), the first ``n_decayed`` parameters (the
    weights, not the intercepts) also shrink by ``lr * weight_decay * w`` at
    each step, outside the adaptive scaling.
    """

    def __init__(
        self,
        n_params,
        dtype,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.0,
        n_decayed=0,
        state=None,
    ):
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.state = state or {
            "t": 0,
            "m": np.zeros(n_params, dtype),
            "v": np.zeros(n_params, dtype),
        }
        self.weight_decay, self.n_decayed = weight_decay, n_decayed

    def step(self, theta, grad, learning_rate):
        """One update; ``grad`` is overwritten (it serves as scratch space)."""
        state = self.state
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        _moving_average(m, grad, self.beta_1)
        # g is not needed past this point: square it in place, then reuse it
        # as the scratch array of the step (one parameter-sized array less)
        g_squared = np.multiply(grad, grad, out=grad)
        _moving_average(v, g_squared, self.beta_2, work=g_squared)
        if self.weight_decay:
            decayed = theta[: self.n_decayed]
            decayed *= 1 - learning_rate * self.weight_decay
        corrected = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        _scaled_step(theta, m, v, corrected, self.epsilon, work=grad)
        return theta


def _moving_average(average, value, decay, work=None):
    """``average := decay * average + (1 - decay) * value``, in place.

    ``work`` (``value`` itself when it may be overwritten) saves a temporary.
    """
    average *= decay
    add_scaled(average, value, 1 - decay, work)


def _scaled_step(theta, direction, sq_average, learning_rate, epsilon, work):
    """``theta -= lr * direction / (sqrt(sq_average) + eps)``, in place via ``work``."""
    np.sqrt(sq_average, out=work)
    work += epsilon
    np.divide(direction, work, out=work)
    add_scaled(theta, work, -learning_rate, work)


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
        ``smooth(theta, z) -> (f, grad)`` (may overwrite ``z``) and
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
        return self.smooth(y, z_y.copy(order="K"))

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
