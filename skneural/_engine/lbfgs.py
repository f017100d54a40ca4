"""Training with scipy's L-BFGS-B, MLPClassifier's ``solver='lbfgs'``.

L-BFGS is not a minibatch rule: each iteration looks at the whole data set,
builds a picture of the objective's curvature from the last few gradients
and takes a line-searched step. scipy runs the iterations; this module hands
it the network's objective and gradient (the same function every other
solver minimises) and reports each iteration as an epoch, so the loss curve,
``verbose`` and callbacks behave as with the other solvers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
from sklearn.utils.optimize import _check_optimize_result

from .training import EpochHooks


class _StopRequested(Exception):
    """A callback asked to stop: leaves scipy's loop at the current iterate."""


@dataclass
class LbfgsTraining:
    """Settings of one L-BFGS-B run; :meth:`run` trains like a training loop.

    Parameters
    ----------
    network : Network
    x, y, sample_weight : arrays
        The whole training set; ``y`` is the encoded target.
    l2 : float
        Strength of the L2 penalty per unit of sample weight (``alpha``).
    max_iter, max_fun : int
        Most iterations and most evaluations of the objective.
    tol : float
        scipy's ``gtol``: stop once no gradient entry exceeds it.
    verbose : bool
    hooks : EpochHooks
        As for :class:`~skneural._engine.training.TrainingLoop`; L-BFGS has
        no early stopping, so ``hooks.validate`` stays unused.
    """

    network: object
    x: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    l2: float = 0.0
    max_iter: int = 200
    max_fun: int = 15000
    tol: float = 1e-4
    verbose: bool = False
    hooks: EpochHooks = EpochHooks()

    def run(self, state):
        """Train ``state.theta`` in place, recording into ``state.history``."""
        theta, history = state.theta, state.history
        state.optimizer_state = None  # scipy keeps no state between calls
        history.unit = "iteration"
        work = theta.copy()  # in theta's dtype: float32 data trains in float32
        evaluated = {}

        def objective(point):
            work[...] = point
            value, grad = self.network.objective_gradient(
                work, self.x, self.y, sample_weight=self.sample_weight, l2=self.l2
            )
            evaluated["point"], evaluated["value"] = point.copy(), value
            return value, grad.astype(np.float64)

        def end_iteration(point):
            # scipy calls back with the accepted iterate, the point last evaluated
            value = evaluated["value"]
            if not np.array_equal(point, evaluated["point"]):
                value = objective(point)[0]
            if self._end_iteration(point, value, state):
                evaluated["stopped_at"] = point.copy()
                raise _StopRequested

        start_iter = history.n_iter
        try:
            result = scipy.optimize.minimize(
                objective,
                theta.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=end_iteration,
                options={
                    "maxiter": self.max_iter,
                    "maxfun": self.max_fun,
                    "gtol": self.tol,
                },
            )
        except _StopRequested:
            theta[...] = evaluated["stopped_at"]
            history.stop_reason = "a callback asked to stop"
            return state
        # scikit-learn's own check: a ConvergenceWarning unless scipy converged
        n_iter = _check_optimize_result("lbfgs", result, self.max_iter)
        history.n_iter = start_iter + n_iter
        # scipy's status: 0 converged, 1 an iteration or evaluation limit,
        # 2 anything else (the line search could not go on)
        history.stop_reason = {0: "converged", 1: "max_iter"}.get(
            result.status, f"lbfgs stopped: {result.message}"
        )
        theta[...] = result.x
        return state

    def _end_iteration(self, point, value, state):
        """Record an accepted iterate; True when a callback asks to stop."""
        history = state.history
        history.n_iter += 1
        history.loss_curve.append(float(value))
        history.best_loss = min(history.best_loss, float(value))
        if self.verbose:
            print(f"Iteration {history.n_iter}, loss = {value:.8f}")
        if self.hooks.end_epoch is None:
            return False
        # the hooks see the current iterate
        state.theta[...] = point
        if self.hooks.publish is not None:
            self.hooks.publish(state)
        return bool(self.hooks.end_epoch(state))
