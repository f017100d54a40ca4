"""Hidden-layer activations: each one's value and derivative side by side.

An activation is the non-linearity between two dense blocks. Without it a
stack of dense blocks collapses into a single linear map.

Each activation is computed *in place* on the pre-activation array ``z``
(saving one array per layer), and each derivative is written from the
activation's output ``a`` when that is possible, so that the pre-activation
need not be kept for the backward pass. Only GELU needs ``z`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0


def identity(z):
    """a = z."""
    return z


def identity_derivative(a):
    """da/dz = 1."""
    return np.ones_like(a)


def logistic(z):
    """a = 1 / (1 + exp(-z)), the sigmoid, computed without overflow."""
    return expit(z, out=z)


def logistic_derivative(a):
    """da/dz = a (1 - a)."""
    return a * (1 - a)


def tanh(z):
    """a = tanh(z)."""
    return np.tanh(z, out=z)


def tanh_derivative(a):
    """da/dz = 1 - a**2."""
    return 1 - a * a


def relu(z):
    """a = max(z, 0)."""
    return np.maximum(z, 0, out=z)


def relu_derivative(a):
    """da/dz = 1 where z > 0, else 0 (a > 0 exactly when z > 0)."""
    return (a > 0).astype(a.dtype)


def leaky_relu(z):
    """a = z where z > 0, else slope * z."""
    z[z < 0] *= LEAKY_RELU_SLOPE
    return z


def leaky_relu_derivative(a):
    """da/dz = 1 where z > 0, else slope (a and z share their sign)."""
    return np.where(a > 0, 1, LEAKY_RELU_SLOPE).astype(a.dtype)


def elu(z):
    """a = z where z > 0, else alpha (exp(z) - 1)."""
    negative = z < 0
    # only the negative entries go through exp, so it never overflows
    z[negative] = ELU_ALPHA * np.expm1(z[negative])
    return z


def elu_derivative(a):
    """da/dz = 1 where z > 0, else a + alpha."""
    return np.where(a > 0, 1, a + ELU_ALPHA).astype(a.dtype)


def gelu(z):
    """a = z Phi(z), Phi the standard normal distribution function."""
    return z * ndtr(z)


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
        ``forward(z) -> a``; may overwrite ``z``.
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
