"""Hidden-layer activations: each one's value and derivative side by side.

An activation is the non-linearity between two dense blocks. Without it a
stack of dense blocks collapses into a single linear map.

Each activation takes an optional ``out`` array to write into (the
activation block reuses one from batch to batch; without it a new array is
returned), and each derivative is written from the activation's output
``a`` when that is possible. Only GELU's derivative needs ``z`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0


def identity(z, out=None):
    """a = z."""
    if out is None:
        return z
    np.copyto(out, z)
    return out


def identity_derivative(a):
    """da/dz = 1."""
    return np.ones_like(a)


def logistic(z, out=None):
    """a = 1 / (1 + exp(-z)), the sigmoid, computed without overflow."""
    return expit(z, out=out)


def logistic_derivative(a):
    """da/dz = a (1 - a)."""
    return a * (1 - a)


def tanh(z, out=None):
    """a = tanh(z)."""
    return np.tanh(z, out=out)


def tanh_derivative(a):
    """da/dz = 1 - a**2."""
    return 1 - a * a


def relu(z, out=None):
    """a = max(z, 0)."""
    return np.maximum(z, zero_of(z), out=out)


def relu_derivative(a):
    """da/dz = 1 where z > 0, else 0 (a > 0 exactly when z > 0).

    As booleans, which multiply as 1 and 0: an eighth of the memory of
    floats.
    """
    return np.greater(a, zero_of(a))


_ZEROS = {}


def zero_of(x):
    """A 0-d zero of ``x``'s dtype, made once per dtype.

    numpy converts a Python ``0`` anew at every call (about half a
    microsecond, twice per hidden layer and batch); a 0-d array of the
    array's own dtype needs no conversion and changes no result.
    """
    zero = _ZEROS.get(x.dtype)
    if zero is None:
        zero = _ZEROS[x.dtype] = np.zeros((), x.dtype)
    return zero


def leaky_relu(z, out=None):
    """a = z where z > 0, else slope * z: for a slope below 1, max(z, slope * z)."""
    return np.maximum(z, LEAKY_RELU_SLOPE * z, out=out)


def leaky_relu_derivative(a):
    """da/dz = 1 where z > 0, else slope (a and z share their sign)."""
    return np.where(a > 0, 1, LEAKY_RELU_SLOPE).astype(a.dtype)


def elu(z, out=None):
    """a = z where z > 0, else alpha (exp(z) - 1): max(z, 0) + alpha expm1(min(z, 0)).

    Only the non-positive part goes through ``exp``, so it never overflows.
    """
    negative_part = ELU_ALPHA * np.expm1(np.minimum(z, 0))
    return np.add(np.maximum(z, 0), negative_part, out=out)


def elu_derivative(a):
    """da/dz = 1 where z > 0, else a + alpha."""
    return np.where(a > 0, 1, a + ELU_ALPHA).astype(a.dtype)


def gelu(z, out=None):
    """a = z Phi(z), Phi the standard normal distribution function."""
    return np.multiply(z, ndtr(z), out=out)


def gelu_derivative(z):
    """da/dz = Phi(z) + z phi(z), phi the standard normal density."""
    # for huge |z|, z**2 overflows to inf and the density is exactly 0
    with np.errstate(over="ignore"):
        density = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    return ndtr(z) + z * density


@dataclass(frozen=True)
class Activation:
    """A named activation: forward, derivative, and what the derivative reads.

    Attributes
    ----------
    name : str
    forward : callable
        ``forward(z, out=None) -> a``; ``z`` is left as it is.
    derivative : callable
        ``derivative(a)`` (or ``derivative(z)`` when ``needs_input``) -> da/dz.
    needs_input : bool
        Whether the derivative needs the pre-activation ``z`` rather than ``a``.
    """

    name: str
    forward: Callable
    derivative: Callable
    needs_input: bool = False


ACTIVATIONS = {
    "identity": Activation("identity", identity, identity_derivative),
    "logistic": Activation("logistic", logistic, logistic_derivative),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "relu": Activation("relu", relu, relu_derivative),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
    "elu": Activation("elu", elu, elu_derivative),
    "gelu": Activation("gelu", gelu, gelu_derivative, needs_input=True),
}
RELU_FAMILY = frozenset({"relu", "leaky_relu", "elu", "gelu"})
