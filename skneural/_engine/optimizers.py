"""Minibatch update rules, simplest first.

Every rule updates the flat parameter vector ``theta`` in place from its
gradient. They only update: the learning rate comes from the schedule,
stopping and messages from the training loop. A rule takes
``step(theta, grad, learning_rate)`` and may use ``grad`` as scratch space,
so it is not to be read after the step. The full-batch rules of logistic
regression live in ``full_batch.py`` and ``conjugate_gradient.py``.
"""

from __future__ import annotations

import math

import numpy as np

from .kernels import add_scaled


def gradient_step(theta, grad, learning_rate):
    """The update of the course: ``w := w - learning_rate * grad``, in place."""
    theta -= learning_rate * grad
    return theta


def continued(state, fresh):
    """The state a previous call left, if it is this rule's; else ``fresh``.

    A ``partial_fit`` after ``set_params(solver=...)`` (or another momentum)
    finds another rule's state: the new rule starts afresh, as it would in
    a new fit.
    """
    if state is None or state.keys() != fresh.keys():
        return fresh
    if any(np.shape(state[key]) != np.shape(fresh[key]) for key in fresh):
        return fresh
    return state


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
        fresh = {"velocity": np.zeros(n_params if momentum else 0, dtype)}
        self.state = continued(state, fresh)

    def step(self, theta, grad, learning_rate):
        """One update; ``grad`` is overwritten (it serves as scratch space)."""
        if not self.momentum:
            return gradient_step(theta, grad, learning_rate)
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
        self.state = continued(state, {"sum_sq": np.zeros(n_params, dtype)})

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
        self.state = continued(state, {"mean_sq": np.zeros(n_params, dtype)})
        self._decay = decay_weights(rho, dtype)

    def step(self, theta, grad, learning_rate):
        mean_sq, work = self.state["mean_sq"], self.scratch(grad)
        g_squared = np.multiply(grad, grad, out=work)
        _moving_average(mean_sq, g_squared, self._decay, work=g_squared)
        _scaled_step(theta, grad, mean_sq, learning_rate, self.epsilon, work)
        return theta


class Adam:
    """Momentum on the gradient and RMSprop's scaling, both bias-corrected.

    ``m := b1 m + (1 - b1) g``, ``v := b2 v + (1 - b2) g^2``,
    ``w := w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``.
    With ``weight_decay`` (AdamW), the first ``n_decayed`` parameters (the
    weights, not the intercepts) also shrink by ``lr * weight_decay * w`` at
    each step, outside the adaptive scaling.

    The two averages are kept without their ``1 - b`` factors, as the
    discounted sums ``M := b1 M + g`` and ``V := b2 V + g^2`` (so that
    ``m = (1 - b1) M`` and ``v = (1 - b2) V``); the factors join the step's
    two numbers: ``w := w - c_t M / (sqrt(V) + eps / sqrt(1 - b2))`` with
    ``c_t = lr sqrt(1 - b2^t) / (1 - b1^t) * (1 - b1) / sqrt(1 - b2)``. The
    same step, with two passes over the parameters fewer and no temporary.
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
        fresh = {
            "t": 0,
            "gradient_sum": np.zeros(n_params, dtype),
            "square_sum": np.zeros(n_params, dtype),
        }
        self.state = continued(_sums_of(state, beta_1, beta_2), fresh)
        self.weight_decay, self.n_decayed = weight_decay, n_decayed
        # 0-d arrays of the parameters' dtype: numpy converts a Python float
        # anew at every call (about half a microsecond, several per batch)
        self._beta_1, self._beta_2 = np.array(beta_1, dtype), np.array(beta_2, dtype)
        root = math.sqrt(1 - beta_2)
        self._sum_epsilon = np.array(epsilon / root, dtype)
        self._sum_factor = (1 - beta_1) / root

    def step(self, theta, grad, learning_rate):
        """One update; ``grad`` is overwritten (it serves as scratch space)."""
        state = self.state
        state["t"] += 1
        m_sum, v_sum, t = state["gradient_sum"], state["square_sum"], state["t"]
        _discounted_sum(m_sum, grad, self._beta_1)
        # g is not needed past this point: square it in place, then reuse it
        # as the scratch array of the step (one parameter-sized array less)
        _discounted_sum(v_sum, np.multiply(grad, grad, out=grad), self._beta_2)
        if self.weight_decay:
            decayed = theta[: self.n_decayed]
            decayed *= 1 - learning_rate * self.weight_decay
        corrected = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        step = corrected * self._sum_factor
        _scaled_step(theta, m_sum, v_sum, step, self._sum_epsilon, work=grad)
        return theta


def _sums_of(state, beta_1, beta_2):
    """An Adam state of earlier versions (the averages ``m`` and ``v``) as sums.

    A model saved by them continues its training where it stopped.
    """
    if state is None or state.keys() != {"t", "m", "v"}:
        return state
    return {
        "t": state["t"],
        "gradient_sum": state["m"] / (1 - beta_1),
        "square_sum": state["v"] / (1 - beta_2),
    }


def _discounted_sum(total, value, decay):
    """``total := decay * total + value``, in place."""
    total *= decay
    total += value


def decay_weights(decay, dtype):
    """``(decay, 1 - decay)`` as 0-d arrays of ``dtype``, made once per rule.

    The same numbers as the Python floats, which numpy converts again at
    every call (about half a microsecond each, several times per batch).
    """
    return np.array(decay, dtype), np.array(1 - decay, dtype)


def _moving_average(average, value, decay_weights, work=None):
    """``average := decay * average + (1 - decay) * value``, in place.

    ``decay_weights`` is ``(decay, 1 - decay)``; ``work`` (``value`` itself
    when it may be overwritten) saves a temporary.
    """
    decay, complement = decay_weights
    average *= decay
    add_scaled(average, value, complement, work)


def _scaled_step(theta, direction, sq_average, learning_rate, epsilon, work):
    """``theta -= lr * direction / (sqrt(sq_average) + eps)``, in place via ``work``."""
    np.sqrt(sq_average, out=work)
    work += epsilon
    np.divide(direction, work, out=work)
    add_scaled(theta, work, -learning_rate, work)
