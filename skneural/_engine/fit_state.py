"""The record of a fit: the parameters, what training measured, the optimizer state.

One :class:`FitState` is what a fit works on. The estimator builds it, hands
it to the training loop (which updates it in place), to the validation
scorer and to the callbacks, and writes its fitted attributes from it.
Between calls to ``partial_fit`` (or a warm-started ``fit``) the estimator
keeps only :meth:`FitState.record`, a dict of builtins and arrays that
pickle and skops save as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class History:
    """Everything measured during training, carried across ``partial_fit`` calls.

    Attributes
    ----------
    loss_curve, validation_scores, validation_loss_curve : list of float
        One entry per epoch.
    best_loss, best_validation_score : float
        The best of each so far.
    no_improvement_count : int
        Epochs in a row without an improvement by ``tol``.
    samples_seen : int
        Training samples seen by the solver (the ``invscaling`` clock).
    n_iter : int
        Epochs run by this call.
    learning_rate : float or None
        The rate the next minibatch epoch takes; None before the first one.
    stop_reason : str
        Why the last call stopped: 'converged', 'diverged', 'interrupted',
        'max_iter', a stall's message, or '' (it ran all its epochs).
    unit : {'epoch', 'iteration'}
        What one entry of the loss curve is: a pass of minibatches, or one
        full-batch iteration.
    """

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
    unit: str = "epoch"


@dataclass
class FitState:
    """The parameters being trained, their history and the optimizer state.

    Parameters
    ----------
    theta : ndarray
        The flat parameter vector, updated in place by the training loop.
        Nothing outside a fit holds a view of it: fitted attributes are
        copies.
    history : History
    optimizer_state : dict or None
        The minibatch rule's state (momentum, moment estimates...), given to
        the next ``partial_fit``; None for a rule without one.
    """

    theta: np.ndarray
    history: History = field(default_factory=History)
    optimizer_state: dict | None = None

    def record(self):
        """What a later call continues from: builtins and arrays only."""
        history = self.history
        rate = history.learning_rate
        return {
            "samples_seen": int(history.samples_seen),
            "best_loss": float(history.best_loss),
            "no_improvement_count": int(history.no_improvement_count),
            "learning_rate": None if rate is None else float(rate),
            "optimizer_state": self.optimizer_state,
            "stop_reason": str(history.stop_reason),
            "unit": str(history.unit),
        }


def resumed_history(record, loss_curve, incremental):
    """The :class:`History` a warm-started call continues from ``record``.

    As in MLPClassifier, ``n_iter_`` counts the epochs of each call and a new
    ``fit`` restarts the learning-rate schedule; ``partial_fit`` continues
    it. ``loss_curve`` is extended in place, as MLPClassifier's is: no copy
    of a growing list at every call.
    """
    record = record or {}
    return History(
        loss_curve=loss_curve,
        samples_seen=record.get("samples_seen", 0),
        best_loss=record.get("best_loss", np.inf),
        no_improvement_count=record.get("no_improvement_count", 0),
        learning_rate=record.get("learning_rate") if incremental else None,
    )


# The attributes in which version 0.1.0.dev0 kept what ``record`` now holds.
_LEGACY_RECORD = {
    "_best_loss": "best_loss",
    "_no_improvement_count": "no_improvement_count",
    "_learning_rate": "learning_rate",
    "_optimizer_state": "optimizer_state",
}


def upgraded_state(state):
    """An estimator's pickled ``__dict__`` with the legacy attributes as a record.

    Models saved before the record existed kept its fields in separate
    private attributes (and the samples seen in ``t_``); they load into the
    same record, so ``partial_fit`` continues where they left off.
    """
    if not any(name in state for name in _LEGACY_RECORD):
        return state
    state = dict(state)
    record = {
        new: state.pop(old) for old, new in _LEGACY_RECORD.items() if old in state
    }
    record["samples_seen"] = int(state.get("t_", 0))
    record.setdefault("stop_reason", "")
    state["_fit_state"] = record
    return state
