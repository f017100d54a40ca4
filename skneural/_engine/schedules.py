"""Learning-rate schedules: the rate of each epoch of minibatch training."""

from __future__ import annotations

import numpy as np


def constant(learning_rate_init, **_):
    """The same rate at every epoch."""
    return learning_rate_init


def invscaling(learning_rate_init, *, samples_seen, power_t, **_):
    """``lr_0 / (t + 1) ** power_t``, ``t`` the number of samples seen."""
    return learning_rate_init / (samples_seen + 1) ** power_t


def cosine(learning_rate_init, *, epoch, max_iter, **_):
    """Half a cosine wave from ``lr_0`` at the first epoch to 0 at ``max_iter``."""
    return 0.5 * learning_rate_init * (1 + np.cos(np.pi * epoch / max(max_iter, 1)))


# 'adaptive' is 'constant' whose rate the training loop divides by 5 whenever
# the loss stops improving (the loop owns that state).
SCHEDULES = {
    "constant": constant,
    "adaptive": constant,
    "invscaling": invscaling,
    "cosine": cosine,
}
