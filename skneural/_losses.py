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


def sigmoid(z, out=None):
    """Probability of the positive class, ``1 / (1 + exp(-z))``."""
    return expit(z, out=out)


def sigmoid_cross_entropy(z, y, probabilities_out=None):
    """Per-entry cross-entropy ``-[y log s(z) + (1 - y) log(1 - s(z))]``.

    Written as ``log(1 + exp(z)) - y z``, which never takes ``log(0)``.
    When ``probabilities_out`` is given (it may be ``z`` itself, which is
    then overwritten), the probabilities ``s(z)`` are written there too.
    """
    losses = -log_expit(-z) - y * z
    if probabilities_out is not None:
        sigmoid(z, out=probabilities_out)
    return losses


def softmax_cross_entropy(z, y, probabilities_out=None):
    """Per-row cross-entropy ``-sum_k y_k log softmax(z)_k``.

    Written as ``log sum_k exp(z_k) - sum_k y_k z_k``, with the row's
    maximum subtracted before ``exp`` (and added back after ``log``) so that
    ``exp`` never overflows. When ``probabilities_out`` is given (it may be
    ``z`` itself, which is then overwritten), the softmax is written there
    too, from the same ``exp``: the shifted exponentials over their row sum.
    """
    target_scores = np.einsum("ij,ij->i", y, z)
    # the ufuncs' reduce straight away: ndarray.max and .sum go through a
    # Python wrapper, a fixed cost paid at every minibatch
    top = np.maximum.reduce(z, 1)
    shifted_exp = np.subtract(z, top[:, None], out=probabilities_out)
    np.exp(shifted_exp, out=shifted_exp)
    row_sums = np.add.reduce(shifted_exp, 1)
    if probabilities_out is not None:
        shifted_exp /= row_sums[:, None]
    losses = np.log(row_sums, out=row_sums)
    losses += top
    losses -= target_scores
    return losses


def cross_entropy_gradient(probabilities, y):
    """Derivative of either cross-entropy in the raw scores: ``p - y``, in place.

    Prediction minus target, for the sigmoid and the softmax alike: the
    link's derivative cancels the logarithm's. ``probabilities`` is
    overwritten with the gradient.
    """
    probabilities -= y
    return probabilities


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

    def loss_and_gradient(self, z, y, sample_weight=None, out=None):
        """:meth:`loss` and its gradient in ``z``, sharing the link's ``exp``.

        ``out`` receives the gradient; ``out=z`` works in place.
        """
        out = np.empty_like(z) if out is None else out
        losses = self.per_sample(z, y, probabilities_out=out)
        grad = _weighted(cross_entropy_gradient(out, y), sample_weight)
        return _weighted_sum(losses, sample_weight), grad

    def gradient(self, z, y, sample_weight=None, out=None):
        """The gradient of :meth:`loss` in ``z`` alone, ``s * (p - y)``.

        Cheaper than :meth:`loss_and_gradient` (no logarithm); ``out``
        receives it, ``out=z`` works in place.
        """
        out = np.empty_like(z) if out is None else out
        self._probabilities(z, y, out)
        return _weighted(cross_entropy_gradient(out, y), sample_weight)


class SigmoidCrossEntropy(_CrossEntropy):
    """Binary (one output column) and multilabel (one column per label) loss.

    Each output column is an independent sigmoid unit; the loss of a sample
    is the sum of its columns' binary cross-entropies.
    """

    out_activation = "logistic"
    per_sample = staticmethod(sigmoid_cross_entropy)

    def _probabilities(self, z, y, out):
        return sigmoid(z, out=out)

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
    per_sample = staticmethod(softmax_cross_entropy)

    def _probabilities(self, z, y, out):
        # the softmax's shift and row sums are the loss's: one exp for both
        softmax_cross_entropy(z, y, probabilities_out=out)
        return out

    def predict_proba(self, z):
        """Class probabilities, rows summing to one."""
        return softmax(_finite(z), axis=1)

    def predict_log_proba(self, z):
        """Logarithm of :meth:`predict_proba`, computed by log-sum-exp."""
        return log_softmax(_finite(z), axis=1)

    def uniform_loss(self, n_outputs):
        """Per-sample loss of predicting 1/K for every class."""
        return np.log(n_outputs)
