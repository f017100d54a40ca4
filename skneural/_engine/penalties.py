"""Penalties on the weights: L2 (smooth, a gradient) and L1 (a proximal step).

Penalties act on the weights only; intercepts are never penalised. The
strengths are "per unit of sample weight": the objective is

    ( sum_i s_i loss_i + l2 / 2 ||W||_2^2 + l1 ||W||_1 ) / sum_i s_i

which is ``LogisticRegression``'s objective divided by ``C sum_i s_i`` when
``l2 = (1 - l1_ratio) / C`` and ``l1 = l1_ratio / C``, and
``MLPClassifier``'s when ``l2 = alpha``.
"""

from __future__ import annotations

import numpy as np

from .kernels import add_scaled, squared_norm


def l2_penalty(weights, strength):
    """Value ``strength / 2 * ||w||_2^2``."""
    if not strength:
        return 0.0
    return 0.5 * strength * squared_norm(weights)


def add_l2_gradient(grad, weights, strength):
    """Add the gradient of :func:`l2_penalty`, ``strength * w``, to ``grad``."""
    if strength:
        add_scaled(grad, weights, strength)
    return grad


def l1_penalty(weights, strength):
    """Value ``strength * ||w||_1``."""
    return strength * float(np.abs(weights).sum())


def soft_threshold(weights, threshold):
    """Proximal step of :func:`l1_penalty`, in place.

    ``w := sign(w) * max(|w| - threshold, 0)``: the minimiser of
    ``threshold ||v||_1 + ||v - w||^2 / 2``. It sets small weights exactly
    to zero, which is why L1 gives sparse models.
    """
    if threshold:
        shrunk = np.maximum(np.abs(weights) - threshold, 0)
        np.copysign(shrunk, weights, out=weights)
    return weights
