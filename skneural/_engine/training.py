"""The training loop: a short recipe over epochs, with its stopping rules.

One loop serves every solver of the solver protocol (``solvers.py``). Each
epoch is a few named steps: the solver's :meth:`~TrainingLoop._epoch`,
then :meth:`~TrainingLoop._diverged` (the divergence guard),
:meth:`~TrainingLoop._record` (the loss, the validation score, the
improvement count, the message) and :meth:`~TrainingLoop._stop_reason`
(callbacks, convergence, stalls). It stops on a flag and says why in
``history.stop_reason``; it never raises to stop.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .losses import total_weight

# A loss this many times that of the uninformed model (uniform probabilities),
# and growing from one epoch to the next, can only come from steps that
# overshoot: the run has diverged. (A large loss alone is no sign: unscaled
# features start a fit far above it, and it falls from there.)
_DIVERGENCE_FACTOR = 100.0
# A loop's warning points at the estimator's ``fit``, five frames up (the
# step of the loop that warns, ``run``, the fit recipe and its guard).
_STACKLEVEL = 5


class EpochHooks(NamedTuple):
    """What the estimator does at the end of each epoch, each given the FitState.

    Attributes
    ----------
    publish : callable or None
        ``publish(state)``: write the fitted attributes of the epoch's model
        (for a scorer or callbacks that read the estimator); first of the three.
    validate : callable or None
        ``validate(state) -> (score, loss)`` on the held-out set, for early
        stopping.
    end_epoch : callable or None
        ``end_epoch(state) -> bool``, the callbacks; ``True`` stops training.
    """

    publish: object = None
    validate: object = None
    end_epoch: object = None


class _Kept:
    """A copy of the parameters of the best epoch by some measure, and its value."""

    def __init__(self, theta=None, value=np.inf):
        self.theta = None if theta is None else theta.copy()
        self.value = value

    def keep(self, theta, value):
        self.value = value
        if self.theta is None:
            self.theta = theta.copy()
        else:
            self.theta[...] = theta

    def restore(self, theta):
        if self.theta is not None:
            theta[...] = self.theta


def divergence_threshold(network, theta, l2, l1, weight):
    """The loss above which a run has diverged.

    ``_DIVERGENCE_FACTOR`` times the loss of uniform predictions plus the
    starting penalty per unit of sample weight ``weight``.
    """
    start_penalty = network.penalty(theta, l2, l1) / max(weight, 1e-300)
    n_outputs = network.layer_sizes[-1]
    return _DIVERGENCE_FACTOR * (
        network.loss.uniform_loss(max(n_outputs, 2)) + start_penalty
    )


@dataclass
class TrainingLoop:
    """One call's training: a solver, its stopping rules and the epoch hooks.

    Parameters
    ----------
    network : Network
    solver : MinibatchSolver or FullBatchSolver
        Any solver of the solver protocol (see ``solvers.py``).
    n_samples : int
        Number of training samples.
    sample_weight : ndarray or None
        Their weights (the divergence threshold needs their total).
    l2, l1 : float
        The penalty strengths of the objective the solver minimises.
    max_iter, tol, n_iter_no_change : stopping.
        Training stops when the solver has converged to ``tol``, or, unless
        the solver shrinks its step instead, after ``n_iter_no_change``
        epochs without an improvement by ``tol`` (``np.inf``: never).
    hooks : EpochHooks
    verbose : bool
    warn_max_iter : bool
        Whether to warn when ``max_iter`` ends training (not for partial_fit).
    """

    network: object
    solver: object
    n_samples: int
    sample_weight: np.ndarray | None = None
    l2: float = 0.0
    l1: float = 0.0
    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: float = 10
    hooks: EpochHooks = EpochHooks()
    verbose: bool = False
    warn_max_iter: bool = True

    def run(self, state):
        """Train ``state.theta`` in place, recording into ``state.history``."""
        theta, history = state.theta, state.history
        weight = total_weight(self.n_samples, self.sample_weight)
        threshold = divergence_threshold(self.network, theta, self.l2, self.l1, weight)
        # the lowest training loss of this call (what an interrupted or
        # diverged run keeps), and the best validation score's epoch
        lowest, best_scored = _Kept(theta), _Kept()
        history.stop_reason, history.unit = "", self.solver.unit
        for epoch in range(self.max_iter):
            outcome = self._epoch(state, lowest)
            if outcome is None:
                break
            loss, finite = outcome
            history.n_iter += 1
            if self._diverged(loss, finite, state, threshold, lowest):
                break
            self.solver.end_epoch(epoch + 1, history)
            if loss < lowest.value:
                lowest.keep(theta, loss)
            self._record(loss, state, best_scored)
            history.stop_reason = self._stop_reason(state)
            if history.stop_reason:
                break
        else:
            self._warn_max_iter(history)
        self._warn_far_above_uninformed(history, threshold)
        best_scored.restore(theta)  # the best validation epoch's parameters
        state.optimizer_state = self.solver.state
        return state

    # -- the steps of an epoch ----------------------------------------------------
    def _epoch(self, state, lowest):
        """The solver's epoch: its loss, and whether loss and parameters are finite.

        None on Ctrl-C, with the lowest loss's parameters put back.
        """
        theta = state.theta
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss = self.solver.epoch(theta, state.history)
                finite = math.isfinite(loss) and bool(np.isfinite(theta).all())
        except KeyboardInterrupt:
            # as MLPClassifier: Ctrl-C ends training, not the program, and
            # leaves a usable model (the best whole epoch so far)
            lowest.restore(theta)
            warnings.warn(
                f"Training interrupted by user during epoch "
                f"{state.history.n_iter + 1}; the parameters with the lowest "
                "loss so far are kept.",
                UserWarning,
                stacklevel=_STACKLEVEL,
            )
            state.history.stop_reason = "interrupted"
            return None
        return loss, finite

    def _diverged(self, loss, finite, state, threshold, lowest):
        """Whether the epoch overshot; if so the lowest loss's parameters are back."""
        curve = state.history.loss_curve
        growing = bool(curve) and loss > curve[-1]
        if finite and not (loss > threshold and growing):
            return False
        history = state.history
        lowest.restore(state.theta)
        warnings.warn(
            f"Training diverged at epoch {history.n_iter} with "
            f"learning_rate={self.solver.step_size:.3g}: the loss became "
            f"{loss:.3g}. The parameters with the lowest loss are kept; try a "
            "smaller learning rate.",
            ConvergenceWarning,
            stacklevel=_STACKLEVEL,
        )
        history.stop_reason = "diverged"
        if self.hooks.validate is not None:
            # the diverged epoch has no score: NaN, as MLPRegressor records it
            # (the kept parameters are an earlier epoch's)
            history.validation_scores.append(np.nan)
            history.validation_loss_curve.append(np.nan)
        return True

    def _record(self, loss, state, best_scored):
        """The epoch's loss, validation score and improvement, and its message."""
        history, hooks = state.history, self.hooks
        history.loss_curve.append(float(loss))
        if hooks.publish is not None:
            hooks.publish(state)
        if hooks.validate is not None:
            score, val_loss = hooks.validate(state)
            history.validation_scores.append(float(score))
            history.validation_loss_curve.append(float(val_loss))
            improved = not score < history.best_validation_score + self.tol
            if score > history.best_validation_score:
                history.best_validation_score = float(score)
                best_scored.keep(state.theta, score)
        else:
            improved = loss < history.best_loss - self.tol
        history.best_loss = min(history.best_loss, float(loss))
        history.no_improvement_count = (
            0 if improved else history.no_improvement_count + 1
        )
        if self.verbose:  # formatted only when printed: a fixed cost per epoch
            message = f"Iteration {history.n_iter}, loss = {loss:.8f}"
            if hooks.validate is not None:
                message += f"\nValidation score: {history.validation_scores[-1]:f}"
            print(message)

    def _stop_reason(self, state):
        """Why training stops after this epoch, or '' to go on."""
        history = state.history
        if self.hooks.end_epoch is not None and self.hooks.end_epoch(state):
            return "a callback asked to stop"
        if self.solver.converged(self.tol):
            return "converged"
        if not history.no_improvement_count > self.n_iter_no_change:
            return ""
        if self.solver.shrink_step(history):
            history.no_improvement_count = 0
            if self.verbose:
                print(f"Setting learning rate to {history.learning_rate:f}")
            return ""
        what = (
            "Validation score" if self.hooks.validate is not None else "Training loss"
        )
        reason = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if self.verbose:
            print(reason + " Stopping.")
        return reason

    def _warn_far_above_uninformed(self, history, threshold):
        """Warn when a run that did not diverge ends above the divergence threshold.

        A loss still that far above the uninformed model's has learnt
        little: most often one feature on a huge scale dominates every
        score, and its samples' loss is too large for the others to move it
        (the loss stays flat, so the run stops on a stall, not on a warning).
        """
        curve = history.loss_curve
        if history.stop_reason == "diverged" or not curve or not curve[-1] > threshold:
            return
        warnings.warn(
            f"Training ended with the loss at {curve[-1]:.3g}, over "
            f"{_DIVERGENCE_FACTOR:g} times that of an uninformed model "
            f"({threshold / _DIVERGENCE_FACTOR:.3g}): the model has likely learnt "
            "little. Features on very large scales do this; standardise them "
            "(sklearn.preprocessing.StandardScaler).",
            ConvergenceWarning,
            stacklevel=_STACKLEVEL,
        )

    def _warn_max_iter(self, history):
        if self.warn_max_iter and self.max_iter > 0:
            warnings.warn(
                f"Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=_STACKLEVEL,
            )
            history.stop_reason = "max_iter"
