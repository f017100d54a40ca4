"""The solver protocol of the training loop, and its two kinds of solver.

The loop trains by epochs and asks its solver, whatever it is:

* ``epoch(theta, history) -> float``: one epoch in place (a pass of
  minibatch steps, or one full-batch iteration), adding the samples it saw
  to ``history.samples_seen``; returns the objective, L1 term included;
* ``end_epoch(epoch, history)``: a finished epoch's bookkeeping (the next
  learning rate of a schedule, kept in ``history.learning_rate``);
* ``converged(tol) -> bool``: whether the solver's own optimality test passes;
* ``shrink_step(history) -> bool``: at a stall of the loss, whether the
  solver shrinks its step and goes on (the 'adaptive' schedule) rather
  than stop;
* ``step_size``: the step the solver takes now, for messages;
* ``state``: the optimizer state a later ``partial_fit`` continues from
  (None when there is none);
* ``unit``: what an epoch of the loss curve is, 'epoch' (a pass of
  minibatches) or 'iteration' (one full-batch step).

:class:`MinibatchSolver` wraps a minibatch rule of ``optimizers.py``
(``step(theta, grad, learning_rate)``) and the batches of the data;
:class:`FullBatchSolver` wraps a full-batch rule of ``full_batch.py`` or
``conjugate_gradient.py`` (``iterate(theta)``, ``optimality``,
``step_size``). L-BFGS, which scipy drives, is a trainer of its own
(``lbfgs.py``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .penalties import soft_threshold
from .threads import blas_threads_for

# batch_size='auto' (and None): MLPClassifier's batches of 200 samples.
AUTO_BATCH_SIZE = 200


def batch_size(requested, n_samples):
    """The minibatch size of a run: ``min(200, n)`` for 'auto' or None,
    else ``requested`` clipped to the ``n_samples`` there are."""
    if requested is None or requested == "auto":
        requested = AUTO_BATCH_SIZE
    return min(int(requested), n_samples)


class _BatchReader:
    """Minibatches of the training data, gathered into buffers reused every batch.

    Without shuffling a batch is a slice, hence a view: no copy at all. With
    shuffling the rows of one batch are gathered with ``ndarray.take`` into
    the same buffers each time (sparse data are indexed the usual way); the
    targets then go on to a column-major buffer, the layout of the network's
    output scores, which the loss reads alongside them. Boolean targets (the
    classifiers' one-hot classes) become numbers of the data's dtype there:
    the loss's arithmetic with the scores then needs no cast. One reader
    serves every epoch of a run; the batch bounds are fixed with it.
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
            else np.empty(
                (batch_size, *y.shape[1:]),
                x.dtype if y.dtype == bool else y.dtype,
                order="F",
            )
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


class MinibatchSolver:
    """A minibatch rule over the batches of a data set (the solver protocol).

    Parameters
    ----------
    network : Network
    rule : SGD, Adagrad, RMSprop or Adam
        The update, ``rule.step(theta, grad, learning_rate)``.
    x, y, sample_weight : arrays
        Training data; ``y`` is the encoded target.
    batch_size : int
        At most the number of samples (see :func:`batch_size`).
    learning_rate : LearningRate
        The rate of each epoch.
    l2, l1 : float, default=0.0
        Penalty strengths per unit of sample weight.
    penalty_share : bool, default=False
        Whether each minibatch carries its share of the penalty (batch size
        / number of samples), so that the minibatch objectives average to the
        full one; by default (MLPClassifier's rule) every minibatch carries
        the whole penalty.
    shuffle_rng : RandomState, default=None
        Draws each epoch's order of the samples; None keeps their order.
    dropout_rng : RandomState, default=None
        Draws the dropout masks; None for a network without dropout.
    """

    unit = "epoch"

    def __init__(
        self,
        network,
        rule,
        x,
        y,
        sample_weight,
        batch_size,
        learning_rate,
        *,
        l2=0.0,
        l1=0.0,
        penalty_share=False,
        shuffle_rng=None,
        dropout_rng=None,
    ):
        self.network, self.rule, self.rate = network, rule, learning_rate
        self.x, self.sample_weight, self.batch_size = x, sample_weight, batch_size
        self.l2, self.l1, self.penalty_share = l2, l1, penalty_share
        self.shuffle_rng, self.dropout_rng = shuffle_rng, dropout_rng
        self.batches = _BatchReader(x, y, sample_weight, batch_size)
        n = x.shape[0]
        self.order = None if shuffle_rng is None else np.arange(n)
        # a batch's sums are divided by its size times the mean weight, not by
        # its own weight: a batch of light samples then moves the parameters
        # little, and each step estimates the whole set's gradient (without
        # sample weights this is MLPClassifier's division by the batch size)
        self.mean_weight = 1.0 if sample_weight is None else float(sample_weight.mean())
        self._grad = None
        # the batches' sizes are fixed: so is their BLAS thread count
        self._blas_threads = blas_threads_for(network.layer_sizes, batch_size)

    @property
    def step_size(self):
        return self.rate.value

    @property
    def state(self):
        return self.rule.state

    def epoch(self, theta, history):
        """One pass of minibatch updates in place; the mean objective seen."""
        if self.order is not None:
            # MLPClassifier shuffles its index array in place each epoch, so
            # each order permutes the previous one: the same draws give the
            # same batches
            self.order = self.order[self.shuffle_rng.permutation(len(self.order))]
        if self._grad is None or self._grad.shape != theta.shape:
            self._grad = np.empty_like(theta)
        with self._blas_threads:
            loss = self._pass(theta, self._grad, history)
        return loss + self.network.l1_value(theta, self.x, self.sample_weight, self.l1)

    def _pass(self, theta, grad, history):
        """The batches' updates; their objectives averaged by batch size."""
        # looked up once per epoch, not per batch
        read, step, order = self.batches.read, self.rule.step, self.order
        objective_gradient = self.network.objective_gradient
        l2, l1, dropout_rng = self.l2, self.l1, self.dropout_rng
        learning_rate, n_coef = self.rate.value, self.network.n_coef
        weighted = self.sample_weight is not None
        n = self.x.shape[0]
        total, count = 0.0, 0
        for batch in self.batches.batches:
            x_batch, y_batch, sw_batch = read(batch, order)
            n_batch = y_batch.shape[0]
            if weighted and not sw_batch.any():
                continue  # no sample of this batch weighs anything
            weight_sum = n_batch * self.mean_weight
            # the penalty of a batch: its share of the whole set's (the
            # batches' shares add up to one), or, by default, all of it
            scale = n_batch / n if self.penalty_share else 1.0
            value, _ = objective_gradient(
                theta,
                x_batch,
                y_batch,
                sample_weight=sw_batch,
                l2=l2 * scale,
                grad=grad,
                rng=dropout_rng,
                weight_sum=weight_sum,
            )
            step(theta, grad, learning_rate)
            if l1:
                threshold = learning_rate * l1 * scale / weight_sum
                soft_threshold(theta[:n_coef], threshold)
            # the epoch's loss averages the batches by size, as MLPClassifier
            total += value * n_batch
            count += n_batch
            history.samples_seen += n_batch
        return total / count if count else 0.0

    def end_epoch(self, epoch, history):
        """Set the next epoch's rate (``epoch`` counts from 0) and keep it."""
        self.rate.advance(epoch, history.samples_seen)
        history.learning_rate = float(self.rate.value)

    def converged(self, tol):
        """Minibatch runs stop on stalls of the loss, not on a test of their own."""
        return False

    def shrink_step(self, history):
        if not self.rate.shrink():
            return False
        history.learning_rate = float(self.rate.value)
        return True


class FullBatchSolver:
    """A full-batch rule, one iteration an epoch (the solver protocol).

    Parameters
    ----------
    rule : ProximalGradient, AcceleratedLinearModel or ConjugateGradientLinearModel
        ``rule.iterate(theta)`` takes one iteration in place and returns the
        smooth objective; ``rule.optimality`` and ``rule.step_size`` describe
        the latest iteration.
    network : Network
    x, sample_weight : arrays
        The whole training set (the L1 term's value needs its weight).
    l1 : float, default=0.0
        The L1 strength per unit of sample weight.
    """

    state = None  # the rule's state does not outlive the fit
    unit = "iteration"

    def __init__(self, rule, network, x, sample_weight, l1=0.0):
        self.rule, self.network = rule, network
        self.x, self.sample_weight, self.l1 = x, sample_weight, l1

    @property
    def step_size(self):
        return self.rule.step_size

    def epoch(self, theta, history):
        """One iteration in place; the objective at the new point."""
        value = self.rule.iterate(theta)
        history.samples_seen += self.x.shape[0]
        return value + self.network.l1_value(theta, self.x, self.sample_weight, self.l1)

    def end_epoch(self, epoch, history):
        """Nothing to carry: the line search keeps its step to itself."""

    def converged(self, tol):
        return self.rule.optimality <= tol

    def shrink_step(self, history):
        """A full-batch rule's step is its line search's business."""
        return False
