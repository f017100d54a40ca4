"""Losses that own their link: cross-entropies, and the regression losses.

A loss speaks of *raw scores* ``z``, the output of the last dense block: the
link (sigmoid or softmax) turns them into probabilities, and the loss's
gradient with respect to ``z`` is the famous "prediction minus target",
``p - y``. Fusing link and loss this way is both the simplest derivative and
the numerically stable one: no ``log(0)``, no ``exp`` of a large number.

The regression losses follow the same pattern with the identity link
(squared error, Huber, absolute error: the gradient is a function of the
residual ``z - y``) or the log link (Poisson: the prediction is ``exp(z)``
and the gradient is again prediction minus target, ``exp(z) - y``).

Losses return *sums* weighted by the sample weights; the objective divides
them by the total weight (see :func:`skneural._engine.network.Network.objective`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp, softmax, xlogy

from .kernels import softmax_cross_entropy_with_probabilities


def sigmoid(z, out=None):
    """Probability of the positive class, ``1 / (1 + exp(-z))``."""
    return expit(z, out=out)


def sigmoid_cross_entropy(z, y):
    """Per-entry cross-entropy ``-[y log s(z) + (1 - y) log(1 - s(z))]``.

    Written as ``log(1 + exp(z)) - y z``, which never takes ``log(0)``.
    """
    return -log_expit(-z) - y * z


def softmax_cross_entropy(z, y):
    """Per-row cross-entropy ``-sum_k y_k log softmax(z)_k``.

    Written as ``log sum_k exp(z_k) - sum_k y_k z_k``; ``logsumexp``
    subtracts the row's maximum before ``exp`` so that it never overflows.
    (``kernels.softmax_cross_entropy_with_probabilities`` is the fused form
    training runs: the loss and the softmax from one ``exp``.)
    """
    return logsumexp(z, axis=1) - np.sum(y * z, axis=1)


def cross_entropy_gradient(probabilities, y, out=None):
    """Derivative of either cross-entropy in the raw scores: ``p - y``.

    Prediction minus target, for the sigmoid and the softmax alike: the
    link's derivative cancels the logarithm's. ``out`` (``probabilities``
    itself will do) receives it.
    """
    return np.subtract(probabilities, y, out=out)


def sigmoid_curvature(probabilities, rate):
    """Per-entry second derivative of the sigmoid cross-entropy along ``rate``.

    ``p (1 - p) r^2``: the link's derivative ``s'(z) = p (1 - p)`` times the
    square of the rate at which the score moves.
    """
    return probabilities * (1 - probabilities) * np.square(rate)


def softmax_curvature(probabilities, rate):
    """Per-row second derivative of the softmax cross-entropy along ``rate``.

    ``r^T (diag(p) - p p^T) r = sum_k p_k (r_k - m)^2`` with ``m = sum_k p_k
    r_k``: the variance of the rates under the predicted class
    probabilities, summed about its mean (the form ``sum p r^2 - m^2``
    cancels to nothing where a row's prediction is nearly certain).
    """
    mean = np.add.reduce(probabilities * rate, 1)
    return np.add.reduce(probabilities * np.square(rate - mean[:, None]), 1)


def total_weight(n_samples, sample_weight=None):
    """The total sample weight ``sum_i s_i`` (``n_samples`` without weights).

    Every objective of the package is a weighted sum divided by it, so that
    the numbers read per sample whatever the weights' scale.
    """
    return float(n_samples) if sample_weight is None else float(sample_weight.sum())


def _finite(z):
    """Clip raw scores to a range where the links give exact 0/1, not inf - inf."""
    limit = np.finfo(z.dtype).max / 4
    return np.clip(z, -limit, limit)


def _weighted_sum(values, sample_weight):
    if sample_weight is None:
        return float(np.add.reduce(values, None))
    if values.ndim == 2:
        values = values.sum(axis=1)
    return float(values @ sample_weight)


def _weighted(grad, sample_weight):
    if sample_weight is not None:
        grad *= sample_weight[:, None]
    return grad


class _CrossEntropy:
    """What both losses share: weighted sums, and the fused loss and gradient."""

    def loss(self, z, y, sample_weight=None):
        """Weighted sum of the per-sample losses."""
        return _weighted_sum(self.per_sample(z, y), sample_weight)

    def loss_and_gradient(self, z, y, sample_weight=None, out=None, probabilities=None):
        """:meth:`loss` and its gradient in ``z``, sharing the link's ``exp``.

        ``out`` receives the gradient; ``out=z`` works in place.
        ``probabilities``, an array shaped like ``z``, keeps the link's
        prediction (else it is written over by the gradient).
        """
        out = np.empty_like(z) if out is None else out
        p = out if probabilities is None else probabilities
        losses = self._losses_and_probabilities(z, y, p)
        grad = _weighted(cross_entropy_gradient(p, y, out=out), sample_weight)
        return _weighted_sum(losses, sample_weight), grad

    def gradient(self, z, y, sample_weight=None, out=None, probabilities=None):
        """The gradient of :meth:`loss` in ``z`` alone, ``s * (p - y)``.

        Cheaper than :meth:`loss_and_gradient` (no logarithm); ``out``
        receives it, ``out=z`` works in place; ``probabilities`` as there.
        """
        out = np.empty_like(z) if out is None else out
        p = out if probabilities is None else probabilities
        self._probabilities(z, y, p)
        return _weighted(cross_entropy_gradient(p, y, out=out), sample_weight)

    def curvature_along(self, probabilities, rate, sample_weight=None):
        """Second derivative of :meth:`loss` along scores moving at ``rate``.

        ``d^2/dt^2 loss(z + t rate)`` at ``t = 0``, from the link's
        prediction at ``z``: what a Newton step along a line divides by.
        """
        return _weighted_sum(self.curvature(probabilities, rate), sample_weight)


class SigmoidCrossEntropy(_CrossEntropy):
    """Binary (one output column) and multilabel (one column per label) loss.

    Each output column is an independent sigmoid unit; the loss of a sample
    is the sum of its columns' binary cross-entropies.
    """

    out_activation = "logistic"
    per_sample = staticmethod(sigmoid_cross_entropy)
    curvature = staticmethod(sigmoid_curvature)

    def _probabilities(self, z, y, out):
        return sigmoid(z, out=out)

    def _losses_and_probabilities(self, z, y, out):
        losses = sigmoid_cross_entropy(z, y)  # before ``out`` may overwrite z
        sigmoid(z, out=out)
        return losses

    def predict_proba(self, z):
        """Probabilities of each output column being 1."""
        return sigmoid(_finite(z))

    def predict_log_proba(self, z):
        """Logarithm of :meth:`predict_proba`, computed without ``log(0)``."""
        return log_expit(_finite(z))

    def uniform_loss(self, n_outputs):
        """Per-sample loss of predicting 1/2 everywhere (used to spot divergence)."""
        return n_outputs * np.log(2.0)


class SoftmaxCrossEntropy(_CrossEntropy):
    """Multinomial loss: one output column per class, softmax link."""

    out_activation = "softmax"
    # the fused kernel, checked against softmax_cross_entropy in the tests
    per_sample = staticmethod(softmax_cross_entropy_with_probabilities)
    curvature = staticmethod(softmax_curvature)

    def _probabilities(self, z, y, out):
        # the softmax's shift and row sums are the loss's: one exp for both
        softmax_cross_entropy_with_probabilities(z, y, out)
        return out

    def _losses_and_probabilities(self, z, y, out):
        return softmax_cross_entropy_with_probabilities(z, y, out)

    def predict_proba(self, z):
        """Class probabilities, rows summing to one."""
        return softmax(_finite(z), axis=1)

    def predict_log_proba(self, z):
        """Logarithm of :meth:`predict_proba`, computed by log-sum-exp."""
        return log_softmax(_finite(z), axis=1)

    def uniform_loss(self, n_outputs):
        """Per-sample loss of predicting 1/K for every class."""
        return np.log(n_outputs)


# -- regression -------------------------------------------------------------------
def squared_error(z, y):
    """Per-entry half squared error ``(z - y)^2 / 2``."""
    return 0.5 * np.square(z - y)


def squared_error_gradient(z, y, out=None):
    """Derivative of :func:`squared_error` in ``z``: the residual ``z - y``."""
    return np.subtract(z, y, out=out)


def poisson_deviance(z, y):
    """Per-entry half Poisson deviance of the prediction ``exp(z)``.

    ``y log(y / exp(z)) - y + exp(z)``, written ``y log y - y z - y +
    exp(z)`` so that no ``log`` of a prediction is taken; ``0 log 0 = 0``.
    """
    return xlogy(y, y) - y * z - y + np.exp(z)


def poisson_gradient(z, y, out=None):
    """Derivative of :func:`poisson_deviance` in ``z``: ``exp(z) - y``."""
    out = np.exp(z, out=out)
    out -= y
    return out


def huber(z, y, delta):
    """Per-entry Huber loss: ``r^2 / 2`` for ``|r| <= delta``, else linear.

    ``r = z - y``; past the threshold the loss is ``delta (|r| - delta / 2)``,
    which joins the quadratic with the same value and slope.
    """
    r = np.abs(z - y)
    return np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta))


def huber_gradient(z, y, delta, out=None):
    """Derivative of :func:`huber` in ``z``: the residual clipped to ``delta``."""
    out = np.subtract(z, y, out=out)
    return np.clip(out, -delta, delta, out=out)


def absolute_error(z, y):
    """Per-entry absolute error ``|z - y|``."""
    return np.abs(z - y)


def absolute_error_gradient(z, y, out=None):
    """Derivative of :func:`absolute_error` in ``z``: ``sign(z - y)`` (0 at 0)."""
    out = np.subtract(z, y, out=out)
    return np.sign(out, out=out)


class RegressionLoss:
    """A regression loss: per-entry value and gradient, and its link.

    The loss of a sample is the sum over its outputs. ``baseline`` is the
    per-sample loss of an uninformed model, against which the training loop
    spots divergence (:meth:`for_targets` reads it from the targets).

    Parameters
    ----------
    name : {'squared_error', 'poisson', 'huber', 'absolute_error'}
    delta : float, default=1.0
        Huber's threshold.
    baseline : float, default=1.0
        The per-sample loss of an uninformed model.
    """

    def __init__(self, name, delta=1.0, baseline=1.0):
        self.name = name
        self.delta = delta
        self.out_activation = "exp" if name == "poisson" else "identity"
        self.baseline = baseline

    def per_entry(self, z, y):
        """The loss of every entry of ``z``."""
        if self.name == "huber":
            return huber(z, y, self.delta)
        return _REGRESSION_LOSSES[self.name][0](z, y)

    def _derivative(self, z, y, out):
        if self.name == "huber":
            return huber_gradient(z, y, self.delta, out=out)
        return _REGRESSION_LOSSES[self.name][1](z, y, out=out)

    def loss(self, z, y, sample_weight=None):
        """Weighted sum of the per-sample losses."""
        return _weighted_sum(self.per_entry(z, y), sample_weight)

    def loss_and_gradient(self, z, y, sample_weight=None, out=None):
        """:meth:`loss` and its gradient in ``z``; ``out=z`` works in place."""
        total = self.loss(z, y, sample_weight)  # before ``out`` may overwrite z
        return total, self.gradient(z, y, sample_weight, out=out)

    def gradient(self, z, y, sample_weight=None, out=None):
        """The gradient of :meth:`loss` in ``z``; ``out`` receives it."""
        out = np.empty_like(z) if out is None else out
        return _weighted(self._derivative(z, y, out), sample_weight)

    def predict(self, z):
        """Predictions from raw scores: ``z``, or ``exp(z)`` for 'poisson'."""
        if self.out_activation == "exp":
            with np.errstate(over="ignore"):
                return np.exp(z)
        return z

    @classmethod
    def for_targets(cls, name, y, sample_weight=None, delta=1.0):
        """The loss ``name``, its baseline read from the training targets.

        The baseline is the larger per-sample loss of two constant models,
        the (weighted) mean target and a raw score of zero, and at least
        1: a trained model that loses a hundred times more has diverged.
        """
        loss = cls(name, delta)
        total = total_weight(y.shape[0], sample_weight)
        mean = np.average(y, axis=0, weights=sample_weight)
        if loss.out_activation == "exp":
            mean = np.log(np.maximum(mean, np.finfo(y.dtype).tiny))
        constants = [np.broadcast_to(c, y.shape) for c in (mean, 0.0)]
        with np.errstate(over="ignore", invalid="ignore"):
            losses = [loss.loss(c, y, sample_weight) / total for c in constants]
        return cls(name, delta, baseline=float(np.nanmax([*losses, 1.0])))

    def uniform_loss(self, n_outputs):
        """Per-sample loss of the uninformed model (used to spot divergence)."""
        return self.baseline


_REGRESSION_LOSSES = {
    "squared_error": (squared_error, squared_error_gradient),
    "poisson": (poisson_deviance, poisson_gradient),
    "absolute_error": (absolute_error, absolute_error_gradient),
}
