"""Cross-entropy losses that own their link.

A loss speaks of *raw scores* ``z``, the output of the last dense block: the
link (sigmoid or softmax) turns them into probabilities, and the loss's
gradient with respect to ``z`` is the famous "prediction minus target",
``p - y``. Fusing link and loss this way is both the simplest derivative and
the numerically stable one: no ``log(0)``, no ``exp`` of a large number.

Losses return *sums* weighted by the sample weights; the objective divides
them by the total weight (see :func:`skneural._network.Network.objective`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax


def sigmoid(z):
    """Probability of the positive class, ``1 / (1 + exp(-z))``."""
    return expit(z)


def sigmoid_cross_entropy(z, y):
    """Per-entry cross-entropy ``-[y log s(z) + (1 - y) log(1 - s(z))]``.

    Written as ``log(1 + exp(z)) - y z``, which never takes ``log(0)``.
    """
    return -log_expit(-z) - y * z


def sigmoid_cross_entropy_gradient(z, y, out=None):
    """Derivative of :func:`sigmoid_cross_entropy` in ``z``: ``s(z) - y``.

    ``out`` may be ``z`` itself, to compute the gradient in place.
    """
    out = expit(z, out=out)
    out -= y
    return out


def softmax_cross_entropy(z, y):
    """Per-row cross-entropy ``-sum_k y_k log softmax(z)_k``.

    Written as ``logsumexp(z) - sum_k y_k z_k``, the log-sum-exp taken after
    subtracting the row's maximum so that ``exp`` never overflows. (Spelled
    out rather than calling ``scipy.special.logsumexp``, whose per-call cost
    would dominate a small minibatch.)
    """
    top = z.max(axis=1)
    log_normaliser = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return log_normaliser - np.einsum("ij,ij->i", y, z)


def softmax_cross_entropy_gradient(z, y, out=None):
    """Derivative of :func:`softmax_cross_entropy` in ``z``: ``softmax(z) - y``.

    The softmax is computed after subtracting each row's maximum, so ``exp``
    never overflows; ``out`` may be ``z`` itself, to work in place.
    """
    out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    out -= y
    return out


def _finite(z):
    """Clip raw scores to a range where the links give exact 0/1, not inf - inf."""
    limit = np.finfo(z.dtype).max / 4
    return np.clip(z, -limit, limit)


def _weighted_sum(values, sample_weight):
    if sample_weight is None:
        return float(values.sum())
    if values.ndim == 2:
        values = values.sum(axis=1)
    return float(values @ sample_weight)


def _weighted(grad, sample_weight):
    if sample_weight is not None:
        grad *= sample_weight[:, None]
    return grad


class SigmoidCrossEntropy:
    """Binary (one output column) and multilabel (one column per label) loss.

    Each output column is an independent sigmoid unit; the loss of a sample
    is the sum of its columns' binary cross-entropies.
    """

    out_activation = "logistic"

    def predict_proba(self, z):
        """Probabilities of each output column being 1."""
        return sigmoid(_finite(z))

    def predict_log_proba(self, z):
        """Logarithm of :meth:`predict_proba`, computed without ``log(0)``."""
        return log_expit(_finite(z))

    def loss(self, z, y, sample_weight=None):
        """Weighted sum of the per-sample losses."""
        return _weighted_sum(sigmoid_cross_entropy(z, y), sample_weight)

    def gradient(self, z, y, sample_weight=None, out=None):
        """Gradient of :meth:`loss` with respect to ``z`` (``out=z`` works in place)."""
        return _weighted(sigmoid_cross_entropy_gradient(z, y, out), sample_weight)

    def uniform_loss(self, n_outputs):
        """Per-sample loss of predicting 1/2 everywhere (used to spot divergence)."""
        return n_outputs * np.log(2.0)


class SoftmaxCrossEntropy:
    """Multinomial loss: one output column per class, softmax link."""

    out_activation = "softmax"

    def predict_proba(self, z):
        """Class probabilities, rows summing to one."""
        return softmax(_finite(z), axis=1)

    def predict_log_proba(self, z):
        """Logarithm of :meth:`predict_proba`, computed by log-sum-exp."""
        return log_softmax(_finite(z), axis=1)

    def loss(self, z, y, sample_weight=None):
        """Weighted sum of the per-sample losses."""
        return _weighted_sum(softmax_cross_entropy(z, y), sample_weight)

    def gradient(self, z, y, sample_weight=None, out=None):
        """Gradient of :meth:`loss` with respect to ``z`` (``out=z`` works in place)."""
        return _weighted(softmax_cross_entropy_gradient(z, y, out), sample_weight)

    def uniform_loss(self, n_outputs):
        """Per-sample loss of predicting 1/K for every class."""
        return np.log(n_outputs)
