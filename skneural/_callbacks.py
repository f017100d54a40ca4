"""scikit-learn's callback API (``sklearn.callback``) on both estimators.

A fit is one task with one level of sub-tasks: one per epoch (one per
iteration for the full-batch solvers). Each epoch's task ends with a model
that can predict, so a :class:`~sklearn.callback.ScoringMonitor` logs one row
per epoch, and a callback whose ``on_fit_task_end`` returns True stops
training after that epoch.

The training loop reports only at the end of an epoch (its ``end_epoch`` hook),
so an epoch's task is opened and closed there: the begin hook sees the
training data, the end hook also gets the model as it is after the epoch.
This gives exactly ``n_iter_`` epoch tasks, whatever ends training.

With a scikit-learn older than 1.9 there is no ``sklearn.callback``: the
mixin below is then empty, the estimators have no ``set_callbacks`` and
nothing here runs.
"""

from __future__ import annotations

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin when it has no callback API."""


_EPOCH_TASK = "epoch"


class FitTasks:
    """The callback tasks of one call to ``fit``/``partial_fit``.

    Parameters
    ----------
    estimator : BaseGDEstimator
        The estimator being fitted. At the end of each epoch, before the
        epoch's task ends, it holds that epoch's model (fresh arrays each
        epoch, never changed afterwards).
    context : CallbackContext
        The fit's context, from the estimator's ``_init_callback_context``.
    X, y : arrays
        The validated training data and labels, given to the hooks.
    sample_weight : array-like or None
        The user's sample weights, given to the hooks as metadata (so a
        scorer can weight the samples).
    """

    def __init__(self, estimator, context, X, y, sample_weight):
        self.estimator, self.context = estimator, context
        self.X, self.y = X, y
        self.metadata = (
            {} if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.context.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self.metadata
        )

    @staticmethod
    def _epoch_attributes(state):
        """What a copy of the estimator needs to be the model of this epoch.

        The parameter attributes are the epoch's own arrays already; the
        record of epochs keeps growing, so it is copied.
        """
        history = state.history
        return {"n_iter_": history.n_iter, "loss_curve_": list(history.loss_curve)}

    def end_epoch(self, state):
        """The loop's ``end_epoch`` hook: report the epoch; True asks to stop."""
        task = self.context.subcontext(task_name=_EPOCH_TASK)
        task.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )
        return task.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=lambda: self._epoch_attributes(state),
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
