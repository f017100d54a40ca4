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


# The rate below which 'adaptive' stops dividing and training stops on a stall.
_SMALLEST_ADAPTIVE_RATE = 1e-6


class LearningRate:
    """The rate of a minibatch run: its schedule and its current value.

    As MLPClassifier's optimizers do, a call starts from the rate it is
    given (``value``, the one the previous ``partial_fit`` left, or
    ``init``), and each epoch's end sets the next one from the schedule;
    'adaptive' keeps it until the loss stalls, then divides it by 5.

    Parameters
    ----------
    init : float
        ``learning_rate_init``.
    schedule : {'constant', 'adaptive', 'invscaling', 'cosine'}, default='constant'
    power_t : float, default=0.5
        The exponent of 'invscaling'.
    n_epochs : int, default=200
        The epochs of the run, over which 'cosine' falls to 0.
    value : float, default=None
        The current rate; ``init`` when None.
    """

    def __init__(
        self, init, schedule="constant", power_t=0.5, n_epochs=200, value=None
    ):
        self.init, self.schedule = init, schedule
        self.power_t, self.n_epochs = power_t, n_epochs
        self.value = init if value is None else value

    def advance(self, epoch, samples_seen):
        """Set the rate of epoch ``epoch`` (0-based) as the one before it ends."""
        if self.schedule == "adaptive":
            return
        self.value = SCHEDULES[self.schedule](
            self.init,
            samples_seen=samples_seen,
            power_t=self.power_t,
            epoch=epoch,
            max_iter=self.n_epochs,
        )

    def shrink(self):
        """Divide an 'adaptive' rate by 5 at a stall; False when it will not."""
        if self.schedule != "adaptive" or not self.value > _SMALLEST_ADAPTIVE_RATE:
            return False
        self.value /= 5
        return True
