"""scikit-learn's callback API (``sklearn.callback``) on both estimators.

A fit is one task with one level of sub-tasks: one per epoch (one per
iteration for the full-batch solvers). Each epoch's task ends with a model
that can predict, so a :class:`~sklearn.callback.ScoringMonitor` logs one row
per epoch, and a callback whose ``on_fit_task_end`` returns True stops
training after that epoch.

The training loop reports only at the end of an epoch (its ``epoch_hook``),
so an epoch's task is opened and closed there: the begin hook sees the
training data, the end hook also gets the model as it is after the epoch.
This gives exactly ``n_iter_`` epoch tasks, whatever ends training.

With a scikit-learn older than 1.9 there is no ``sklearn.callback``: the
mixin below is then empty, the estimators have no ``set_callbacks`` and
nothing here runs.
"""

from __future__ import annotations

import copy

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin when it has no callback API."""


_EPOCH_TASK = "epoch"


class _NoCallbacks:
    """What a fit without callbacks gets: nothing to report."""

    def finish(self):
        pass


class FitTasks:
    """The callback tasks of one call to ``fit``/``partial_fit``.

    Parameters
    ----------
    estimator : BaseGDEstimator
        The estimator being fitted; it already holds the model being trained
        (its parameter attributes are views into the parameter vector).
    X, y : arrays
        The validated training data and labels, given to the hooks.
    sample_weight : array-like or None
        The user's sample weights, given to the hooks as metadata (so a
        scorer can weight the samples).
    max_epochs : int
        The most epochs this call can run.
    history : History
        The loop's record, read for ``n_iter_`` and ``loss_curve_``.
    """

    def __init__(self, estimator, X, y, sample_weight, max_epochs, history):
        self.estimator = estimator
        self.X, self.y = X, y
        self.metadata = (
            {} if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.history = history
        self.context = estimator._init_callback_context(max_subtasks=max_epochs)
        self.context.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self.metadata
        )

    def _snapshot(self):
        """Copies of the parameters and the record: a model frozen at this epoch.

        The estimator's parameter attributes keep changing as training goes
        on; a callback that holds on to ``fitted_estimator`` must not see that.
        """
        estimator = self.estimator
        probe = copy.copy(estimator)
        weights, biases = estimator._fitted_params()
        probe._store_params([w.copy() for w in weights], [b.copy() for b in biases])
        attributes = {
            name: value
            for name, value in vars(probe).items()
            if vars(estimator).get(name) is not value
        }
        attributes["n_iter_"] = self.history.n_iter
        attributes["loss_curve_"] = list(self.history.loss_curve)
        return attributes

    def end_epoch(self, epoch):
        """The loop's ``epoch_hook``: report the epoch; True asks to stop."""
        task = self.context.subcontext(task_name=_EPOCH_TASK)
        task.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )
        return task.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._snapshot,
        )

    def finish(self):
        """End the fit task, with the fitted estimator as it now stands."""
        self.context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes={},
        )


def fit_tasks(estimator, X, y, sample_weight, loop, history):
    """Open the callback tasks of a fit and hook them into ``loop``.

    Returns an object whose ``finish()`` closes the fit task; it does nothing
    when the estimator has no callbacks (or scikit-learn has no callback API),
    so a plain fit pays nothing.
    """
    if not getattr(estimator, "_skl_callbacks", None):
        return _NoCallbacks()
    tasks = FitTasks(estimator, X, y, sample_weight, loop.max_iter, history)
    loop.epoch_hook = tasks.end_epoch
    return tasks
