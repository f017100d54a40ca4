"""The dense block and inverted dropout.

A dense block is ``z = x W + b``: every output is a weighted sum of every
input, plus a bias. Its backward pass takes ``dL/dz`` and returns the
gradients of the weights and bias, and ``dL/dx`` for the block below.
Blocks hold no state: the weights live in the estimator, so pickling,
cloning and warm starts need nothing special.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.extmath import safe_sparse_dot


def init_dense(fan_in, fan_out, method, rng, dtype):
    """Random initial weights and biases of a dense block.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the block.
    method : {'glorot_uniform', 'glorot_uniform_logistic', 'he_uniform', 'zeros'}
        Glorot keeps the variance of activations and gradients equal across
        blocks for tanh-like activations, ``U(-r, r)`` with
        ``r = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` for the
        logistic activation); He compensates for ReLU zeroing half of its
        inputs, ``r = sqrt(6 / fan_in)``; zeros suit a convex problem.
    rng : numpy.random.RandomState
    dtype : numpy dtype

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    bias : ndarray of shape (fan_out,)
    """
    if method == "zeros":
        return np.zeros((fan_in, fan_out), dtype), np.zeros(fan_out, dtype)
    if method == "he_uniform":
        bound = np.sqrt(6.0 / fan_in)
    elif method == "glorot_uniform_logistic":
        bound = np.sqrt(2.0 / (fan_in + fan_out))
    else:
        bound = np.sqrt(6.0 / (fan_in + fan_out))
    weights = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False)
    bias = rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False)
    return weights, bias


def _product(a, b, out):
    """``a @ b``, written into ``out`` when given (sparse ``a`` allowed)."""
    if out is None:
        return safe_sparse_dot(a, b, dense_output=True)
    if isinstance(a, np.ndarray):  # the common case first: one cheap check
        return np.matmul(a, b, out=out)
    out[...] = a @ b
    return out


def dense_forward(x, weights, bias, out=None):
    """Raw output ``z = x W + b`` of a dense block (``x`` may be sparse).

    ``out`` is an optional buffer of shape ``(n_samples, fan_out)``.
    """
    z = _product(x, weights, out)
    z += bias
    return z


def dense_backward(
    x, weights, grad_z, grad_weights, grad_bias, need_grad_x=True, out=None, ones=None
):
    """Gradients of a dense block, given ``dL/dz``.

    ``dL/dW = x^T dL/dz`` and ``dL/db = sum over samples of dL/dz`` are
    written into ``grad_weights`` and ``grad_bias``; ``dL/dx = dL/dz W^T``
    is returned (into ``out`` when given; ``None`` when ``need_grad_x`` is
    false, for the first block). ``ones``, a vector of ``n_samples`` ones,
    makes the bias gradient the matrix-vector product ``ones^T dL/dz``: BLAS
    runs it several times faster than numpy sums the columns of a row-major
    array.
    """
    _product(x.T, grad_z, grad_weights)
    if ones is None:
        np.add.reduce(grad_z, 0, out=grad_bias)
    else:
        np.matmul(ones, grad_z, out=grad_bias)
    return _product(grad_z, weights.T, out) if need_grad_x else None


def dropout_mask(shape, rate, rng, dtype):
    """Inverted-dropout mask: 0 with probability ``rate``, else ``1 / (1 - rate)``.

    Scaling the kept units at training time keeps the expected activation
    unchanged, so prediction uses the network as it is, with no mask.
    """
    keep = 1.0 - rate
    return (rng.random_sample(shape) < keep).astype(dtype) / dtype.type(keep)
