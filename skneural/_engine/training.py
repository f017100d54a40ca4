"""The training loop: epochs, minibatches, stopping, and the divergence guard.

One loop serves every solver. An *epoch* is one pass of minibatch updates
for the stochastic rules, or one full-batch iteration for the line-searched
rules of logistic regression. After each epoch the loop records the loss,
checks for divergence, evaluates the validation set, asks the epoch hook
whether to stop, and decides whether training has converged. It stops on a
flag and says why; it never raises to stop.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .kernels import squared_norm
from .penalties import soft_threshold
from .schedules import SCHEDULES
from .threads import blas_threads_for

# A loss this many times that of the uninformed model (uniform probabilities)
# can only come from a step that overshot: the run has diverged.
_DIVERGENCE_FACTOR = 100.0


class _BatchReader:
    """Minibatches of the training data, gathered into buffers reused every batch.

    Without shuffling a batch is a slice, hence a view: no copy at all. With
    shuffling the rows of one batch are gathered with ``ndarray.take`` into
    the same buffers each time (sparse data are indexed the usual way); the
    targets then go on to a column-major buffer, the layout of the network's
    output scores, which the loss reads alongside them. One reader serves
    every epoch of a run; the batch bounds are fixed with it.
    """

    def __init__(self, x, y, sample_weight, batch_size):
        n = x.shape[0]
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.x_buffer, self.y_buffer, self.sw_buffer = (
            None
            if a is None or sp.issparse(a)
            else np.empty((batch_size, *a.shape[1:]), a.dtype)
            for a in (x, y, sample_weight)
        )
        self.y_columns = (
            None
            if self.y_buffer is None
            else np.empty((batch_size, *y.shape[1:]), y.dtype, order="F")
        )
        # what sklearn.utils.gen_batches yields, computed once (it validates
        # its arguments at every call, which costs more than a batch's gather)
        self.batches = [
            slice(start, min(start + batch_size, n))
            for start in range(0, n, batch_size)
        ]

    def read(self, batch, order=None):
        """The ``(x, y, sample_weight)`` of rows ``order[batch]`` (or ``batch``)."""
        x, y, sw = self.x, self.y, self.sample_weight
        if order is None:
            return x[batch], y[batch], None if sw is None else sw[batch]
        rows = order[batch]
        n_rows = len(rows)
        buffer = self.x_buffer
        x_batch = (
            x[rows] if buffer is None else x.take(rows, 0, buffer[:n_rows], "clip")
        )
        if self.y_buffer is None:
            y_batch = y[rows]
        else:
            y_batch = self.y_columns[:n_rows]
            np.copyto(y_batch, y.take(rows, 0, self.y_buffer[:n_rows], "clip"))
        if sw is not None:
            buffer = self.sw_buffer
            sw = (
                sw[rows]
                if buffer is None
                else sw.take(rows, 0, buffer[:n_rows], "clip")
            )
        return x_batch, y_batch, sw


@dataclass
class History:
    """Everything measured during training, carried across ``partial_fit`` calls."""

    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    no_improvement_count: int = 0
    samples_seen: int = 0
    n_iter: int = 0
    learning_rate: float | None = None
    stop_reason: str = ""


@dataclass
class TrainingLoop:
    """Settings of one call to :meth:`run`.

    Parameters
    ----------
    network : Network
    x, y, sample_weight : arrays
        Training data; ``y`` is the encoded target (one column per output).
    solver : object
        A minibatch rule (``step``) or a full-batch rule (``iterate``).
    l2, l1 : float
        Penalty strengths per unit of sample weight.
    penalty_share : bool
        Whether each minibatch carries its share of the penalty (batch size
        / number of samples), so that the minibatch objectives average to the
        full one; by default (MLPClassifier's rule) every minibatch carries
        the whole penalty.
    learning_rate_init, schedule, power_t : learning-rate schedule.
    batch_size, shuffle, rng : minibatch settings.
    max_iter, tol, n_iter_no_change : stopping.
    validate : callable or None
        ``validate() -> (score, loss)`` on the held-out set, for early stopping.
    epoch_hook : callable or None
        ``epoch_hook(epoch) -> bool``, called after each epoch; ``True`` stops.
    verbose : bool
    warn_max_iter : bool
        Whether to warn when ``max_iter`` ends training (not for partial_fit).
    """

    network: object
    x: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    solver: object
    l2: float = 0.0
    l1: float = 0.0
    penalty_share: bool = False
    learning_rate_init: float = 1e-3
    schedule: str = "constant"
    power_t: float = 0.5
    batch_size: int = 200
    shuffle: bool = True
    rng: object = None
    dropout_rng: object = None
    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: int = 10
    validate: object = None
    epoch_hook: object = None
    verbose: bool = False
    warn_max_iter: bool = True

    @property
    def full_batch(self):
        return hasattr(self.solver, "iterate")

    # -- one epoch -------------------------------------------------------------
    def _minibatch_epoch(self, theta, grad, learning_rate, history, batches, order):
        """One pass of minibatch updates; returns the mean objective seen.

        ``batches``, a :class:`_BatchReader` of this loop's data, is reused
        from epoch to epoch by :meth:`run`; ``order`` is the epoch's order of
        the samples (None without shuffling).
        """
        sw = self.sample_weight
        # looked up once per epoch, not per batch
        read, step = batches.read, self.solver.step
        objective_gradient = self.network.objective_gradient
        l2, l1, dropout_rng = self.l2, self.l1, self.dropout_rng
        # a batch's sums are divided by its size times the mean weight, not by
        # its own weight: a batch of light samples then moves the parameters
        # little, and each step estimates the whole set's gradient (without
        # sample weights this is MLPClassifier's division by the batch size)
        n = self.x.shape[0]
        mean_weight = 1.0 if sw is None else float(sw.mean())
        total, count = 0.0, 0
        for batch in batches.batches:
            x_batch, y_batch, sw_batch = read(batch, order)
            n_batch = y_batch.shape[0]
            if sw is not None and not sw_batch.any():
                continue  # no sample of this batch weighs anything
            weight_sum = n_batch * mean_weight
            # the penalty of a batch: its share of the whole set's (the
            # batches' shares add up to one), or, by default, all of it
            scale = n_batch / n if self.penalty_share else 1.0
            value, _ = objective_gradient(
                theta,
                x_batch,
                y_batch,
                sw_batch,
                l2 * scale,
                grad=grad,
                rng=dropout_rng,
                weight_sum=weight_sum,
            )
            step(theta, grad, learning_rate)
            if l1:
                n_coef = self.network.n_coef
                threshold = learning_rate * l1 * scale / weight_sum
                soft_threshold(theta[:n_coef], threshold)
            # the epoch's loss averages the batches by size, as MLPClassifier
            total += value * n_batch
            count += n_batch
            history.samples_seen += n_batch
        loss = total / count if count else 0.0
        return loss + self.network.l1_value(theta, self.x, sw, l1)

    def _full_batch_epoch(self, theta, history):
        value = self.solver.iterate(theta)
        history.samples_seen += self.x.shape[0]
        return value + self.network.l1_value(theta, self.x, self.sample_weight, self.l1)

    def _next_learning_rate(self, epoch, history, rate):
        """The rate of epoch ``epoch`` (0-based), set as the one before it ends.

        As MLPClassifier's optimizers do: a call starts from the rate it is
        given, and each epoch's end sets the next one from the schedule
        ('adaptive' keeps it, until the loss stalls).
        """
        if self.schedule == "adaptive":
            return rate
        return SCHEDULES[self.schedule](
            self.learning_rate_init,
            samples_seen=history.samples_seen,
            power_t=self.power_t,
            epoch=epoch,
            max_iter=self.max_iter,
        )

    def _shuffled(self, order):
        """The next epoch's order: the last one, shuffled again.

        MLPClassifier shuffles its index array in place each epoch, so each
        order permutes the previous one; the same draws give the same batches.
        """
        return order[self.rng.permutation(len(order))]

    # -- the loop -----------------------------------------------------------------
    def run(self, theta, history):
        """Train ``theta`` in place; returns the updated ``history``."""
        grad = np.empty_like(theta)
        best_theta = theta.copy()
        best_val_theta = None
        n_coef = self.network.n_coef
        s_total = (
            self.x.shape[0] if self.sample_weight is None else self.sample_weight.sum()
        )
        start_penalty = (
            0.5 * self.l2 * squared_norm(theta[:n_coef])
            + self.l1 * float(np.abs(theta[:n_coef]).sum())
        ) / max(s_total, 1e-300)
        n_outputs = self.network.layer_sizes[-1]
        threshold = _DIVERGENCE_FACTOR * (
            self.network.loss.uniform_loss(max(n_outputs, 2)) + start_penalty
        )
        best_run_loss = np.inf
        history.stop_reason = ""
        batches = (
            None
            if self.full_batch
            else _BatchReader(self.x, self.y, self.sample_weight, self.batch_size)
        )
        learning_rate = (
            self.learning_rate_init
            if history.learning_rate is None
            else history.learning_rate
        )
        order = np.arange(self.x.shape[0]) if self.shuffle else None
        for epoch in range(self.max_iter):
            if order is not None and not self.full_batch:
                order = self._shuffled(order)
            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    if self.full_batch:
                        loss = self._full_batch_epoch(theta, history)
                    else:
                        with blas_threads_for(
                            self.network.layer_sizes, self.batch_size
                        ):
                            loss = self._minibatch_epoch(
                                theta, grad, learning_rate, history, batches, order
                            )
                    finite = np.isfinite(loss) and np.all(np.isfinite(theta))
            except KeyboardInterrupt:
                # as MLPClassifier: Ctrl-C ends training, not the program, and
                # leaves a usable model (the best whole epoch so far)
                theta[...] = best_theta
                warnings.warn(
                    f"Training interrupted by user during epoch "
                    f"{history.n_iter + 1}; the parameters with the lowest loss "
                    "so far are kept.",
                    UserWarning,
                    stacklevel=4,
                )
                history.stop_reason = "interrupted"
                break
            history.n_iter += 1
            if not finite or loss > threshold:
                theta[...] = best_theta
                rate = getattr(self.solver, "step_size", learning_rate)
                warnings.warn(
                    f"Training diverged at epoch {history.n_iter} with "
                    f"learning_rate={rate:.3g}: the loss became {loss:.3g}. The "
                    "parameters with the lowest loss are kept; try a smaller "
                    "learning rate.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
                history.stop_reason = "diverged"
                if self.validate is not None:
                    # the diverged epoch has no score: NaN, as MLPRegressor
                    # records it (the kept parameters are an earlier epoch's)
                    history.validation_scores.append(np.nan)
                    history.validation_loss_curve.append(np.nan)
                break
            history.loss_curve.append(float(loss))
            learning_rate = self._next_learning_rate(epoch + 1, history, learning_rate)
            history.learning_rate = float(learning_rate)
            if loss < best_run_loss:
                best_run_loss = loss
                best_theta[...] = theta
            message = f"Iteration {history.n_iter}, loss = {loss:.8f}"

            if self.validate is not None:
                score, val_loss = self.validate()
                history.validation_scores.append(float(score))
                history.validation_loss_curve.append(float(val_loss))
                message += f"\nValidation score: {score:f}"
                improved = not score < history.best_validation_score + self.tol
                if score > history.best_validation_score:
                    history.best_validation_score = float(score)
                    best_val_theta = theta.copy()
            else:
                improved = loss < history.best_loss - self.tol
            history.best_loss = min(history.best_loss, float(loss))
            history.no_improvement_count = (
                0 if improved else history.no_improvement_count + 1
            )
            if self.verbose:
                print(message)

            if self.epoch_hook is not None and self.epoch_hook(epoch):
                history.stop_reason = "a callback asked to stop"
                break
            if self.full_batch:
                if self.solver.optimality <= self.tol:
                    history.stop_reason = "converged"
                    break
            elif history.no_improvement_count > self.n_iter_no_change:
                if self.schedule == "adaptive" and learning_rate > 1e-6:
                    learning_rate /= 5
                    history.learning_rate = float(learning_rate)
                    history.no_improvement_count = 0
                    if self.verbose:
                        print(f"Setting learning rate to {history.learning_rate:f}")
                    continue
                what = (
                    "Validation score" if self.validate is not None else "Training loss"
                )
                history.stop_reason = (
                    f"{what} did not improve more than tol={self.tol:f} for "
                    f"{self.n_iter_no_change} consecutive epochs."
                )
                if self.verbose:
                    print(history.stop_reason + " Stopping.")
                break
        else:
            if self.warn_max_iter and self.max_iter > 0:
                warnings.warn(
                    f"Maximum iterations ({self.max_iter}) reached and the "
                    "optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
                history.stop_reason = "max_iter"
        if best_val_theta is not None:
            # keep the parameters of the best validation epoch
            theta[...] = best_val_theta
        return history
