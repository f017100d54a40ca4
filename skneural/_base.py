"""The task-independent base every estimator of the package shares.

``fit`` reads as a recipe: validate, encode the targets and weights, build
the network, train it, store the fitted attributes. What a *task* adds
(labels and class weights for classification, real targets for
regression) comes through a handful of private hooks, defined in
``_classification.py`` and ``_regressor.py``; what an *estimator* adds (how
many hidden layers, which penalty, which solver) through a few more. No
calculus lives here.
"""

from __future__ import annotations

import copy
import difflib
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._callbacks import CallbackSupportMixin, FitTasks
from ._engine.fit_state import FitState, resumed_history, upgraded_state
from ._engine.network import Network
from ._engine.threads import blas_threads_for
from ._engine.training import EpochHooks

SPARSE_FORMATS = ("csr", "csc")
FLOAT_DTYPES = (np.float64, np.float32)


class Architecture(NamedTuple):
    """The validated shape of a network, read from the hyperparameters once."""

    hidden_layer_sizes: tuple
    activations: tuple
    dropout: tuple | None


class BaseGDEstimator(CallbackSupportMixin, BaseEstimator):
    """Validation of ``X``, sample weights, the training recipe, raw scores.

    A task implements ``_validate_xy``, ``_first_targets``,
    ``_encode_targets``, ``_fitted_task``, ``_store_task`` and
    ``_task_loss`` (and may extend ``_sample_weight``); an estimator
    implements ``_init_methods``, ``_make_loop``, ``_fitted_params`` and
    ``_store_params``, and networks with hidden layers also
    ``_architecture``, ``_store_architecture`` and ``_fitted_activations``.

    ``_make_loop(network, X, Y, sw, rng, incremental, state, hooks)`` builds
    the whole trainer of a call (a ``TrainingLoop`` with its solver, or an
    ``LbfgsTraining``), given the :class:`FitState` it starts from and the
    :class:`EpochHooks` of the scorer and callbacks; its ``run(state)``
    trains. Between calls the estimator keeps ``state.record()`` in
    ``_fit_state``.
    """

    _parameter_constraints: dict = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }
    # the attribute whose presence means "fitted" (written with the model)
    _fitted_marker = "n_outputs_"

    # -- hooks with a default -------------------------------------------------------
    def _check_call(self, incremental):
        """Settings a call refuses, checked before anything else happens."""

    def _first_call(self, incremental, y, classes):
        """Whether this call starts from fresh parameters."""
        return not (incremental or self.warm_start) or not self.__sklearn_is_fitted__()

    def _sample_weight(self, sample_weight, X, y, task, dtype):
        """The validated sample weights, or None when every weight is 1."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=dtype, ensure_non_negative=True
            )
        return some_positive(sample_weight)

    def _check_start(self, network, theta, X, Y):
        """Refuse data the starting model cannot be trained on (nothing here)."""

    def _architecture(self):
        """The validated shape of the network: no hidden layer here."""
        return Architecture((), (), None)

    def _store_architecture(self, architecture):
        """Keep what prediction needs of the architecture (nothing here)."""

    def _fitted_activations(self):
        """The hidden activations of the fitted network."""
        return ()

    def _network(self, layer_sizes, activations, loss, dropout=None):
        """The network of a fit and of a prediction: the dense stack."""
        fit_intercept = getattr(self, "fit_intercept", True)
        return Network(layer_sizes, activations, loss, dropout, fit_intercept)

    # -- the recipe ------------------------------------------------------------------
    def _fit(self, X, y, sample_weight=None, **options):
        """The fit recipe; a call that raises leaves the estimator as it was.

        Its attributes are put back as they were before the call (validation
        resets ``n_features_in_`` before the targets are checked; a scorer or
        callback may raise in the middle of training).
        """
        before = dict(vars(self))
        # the loss curve grows in place (as MLPClassifier's): its length now
        curve = before.get("loss_curve_")
        length = None if curve is None else len(curve)
        try:
            return self._fit_recipe(X, y, sample_weight, **options)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            if length is not None:
                del curve[length:]
            raise

    def _fit_recipe(
        self,
        X,
        y,
        sample_weight=None,
        *,
        incremental=False,
        classes=None,
        validation=None,
    ):
        """Validate, encode, build the network and its start, train, store.

        The fitted attributes are written from the fit state at the end
        (and at each epoch's end for a scorer or callbacks); a failing call
        leaves none half-written (see :meth:`_fit`).
        """
        self._check_call(incremental)
        architecture = self._architecture()  # hyperparameters read once per fit
        first_call = self._first_call(incremental, y, classes)
        X, y, target_type = self._validate_xy(X, y, reset=first_call)
        dtype = X.dtype
        if first_call:
            task, Y = self._first_targets(y, target_type, classes, dtype)
        else:
            task = self._fitted_task()
            Y = self._encode_targets(y, task, dtype, warm_start=not incremental)
        sw = self._sample_weight(sample_weight, X, y, task, dtype)

        network = self._network(
            (X.shape[1], *architecture.hidden_layer_sizes, Y.shape[1]),
            architecture.activations,
            self._task_loss(task, Y, sw),
            architecture.dropout,
        )
        rng = check_random_state(self.random_state)
        state = self._start_state(
            network, architecture, rng, dtype, first_call, incremental
        )

        X_train, Y_train, sw_train, validate = X, Y, sw, None
        if validation is not None:
            X_train, Y_train, sw_train, validate = validation(
                X, y, Y, sw, rng, network, task
            )
        self._check_start(network, state.theta, X_train, Y_train)

        model = (task, architecture, network)
        tasks = self._callback_tasks(X, y, sample_weight, incremental)
        hooks = self._epoch_hooks(model, validate, tasks)
        loop = self._make_loop(
            network, X_train, Y_train, sw_train, rng, incremental, state, hooks
        )
        loop.run(state)
        self._store_model(*model, state.theta)
        self._store_history(state.history)
        self._fit_state = state.record()
        if tasks is not None:
            tasks.finish()
        return self

    def _epoch_hooks(self, model, validate, tasks):
        """The loop's end-of-epoch hooks for the validation scorer and callbacks.

        Both read the estimator, which then holds each epoch's model: its
        fitted attributes are written (copied) before they run.
        """
        publish = None
        if validate is not None or tasks is not None:

            def publish(state):
                self._store_model(*model, state.theta)

        return EpochHooks(
            publish=publish,
            validate=validate,
            end_epoch=None if tasks is None else tasks.end_epoch,
        )

    def _start_state(self, network, architecture, rng, dtype, first_call, incremental):
        """The :class:`FitState` a call starts from: fresh, or the fitted model's.

        Only ``partial_fit`` continues the optimizer state (a warm-started
        ``fit`` restarts it, as MLPClassifier does).
        """
        if first_call:
            methods = self._init_methods(architecture)
            return FitState(network.init_params(methods, rng, dtype))
        record = self._continuity()
        # a copy: the rule updates its state in place, and a call that
        # raises must leave the fitted record as it was
        state = copy.deepcopy(record.get("optimizer_state")) if incremental else None
        return FitState(
            network.pack(*self._fitted_params(), dtype),
            self._history(incremental),
            state,
        )

    def _max_epochs(self, incremental):
        """The epochs a call may run: one for ``partial_fit``."""
        return 1 if incremental else self.max_iter

    def _callback_tasks(self, X, y, sample_weight, incremental):
        """The callback tasks of this call, or None without callbacks.

        A plain fit (or a scikit-learn without the callback API) pays nothing.
        """
        if not getattr(self, "_skl_callbacks", None):
            return None
        context = self._init_callback_context(
            max_subtasks=self._max_epochs(incremental)
        )
        return FitTasks(self, context, X, y, sample_weight)

    def _store_model(self, task, architecture, network, theta):
        """Write the model's fitted attributes: copies, not views of ``theta``."""
        self._store_task(task)
        self._store_architecture(architecture)
        weights, biases = network.unpack(theta)
        self._store_params([w.copy() for w in weights], [b.copy() for b in biases])

    def _continuity(self):
        """The fit record (see FitState.record) the last call left, if any."""
        return getattr(self, "_fit_state", None) or {}

    def _history(self, incremental):
        """The history a warm-started call continues."""
        return resumed_history(self._continuity(), self.loss_curve_, incremental)

    def _store_history(self, history):
        self.loss_curve_ = history.loss_curve
        self.n_iter_ = history.n_iter

    def __setstate__(self, state):
        # a model saved before the fit record kept its fields apart
        super().__setstate__(upgraded_state(state))

    # -- prediction ------------------------------------------------------------------
    def _raw_scores(self, X):
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=SPARSE_FORMATS, dtype=FLOAT_DTYPES, reset=False
        )
        weights, biases = self._fitted_params()
        network = self._network(
            (X.shape[1], *(w.shape[1] for w in weights[:-1]), weights[-1].shape[1]),
            self._fitted_activations(),
            None,
        )
        # the product's type, as numpy's promotion of X and the weights gives
        theta = network.pack(weights, biases, np.result_type(X.dtype, weights[0].dtype))
        threads = blas_threads_for(network.layer_sizes, X.shape[0])
        with threads, np.errstate(over="ignore", invalid="ignore"):
            z = network.raw_scores(theta, X, order="C")
        # a score whose terms overflowed both ways (inf - inf) has no sign to
        # read: count it as no evidence rather than return NaN
        return np.nan_to_num(z, copy=False, nan=0.0, posinf=np.inf, neginf=-np.inf)

    def __sklearn_is_fitted__(self):
        # validate_data sets n_features_in_ even when fit then rejects the data
        return hasattr(self, self._fitted_marker)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def some_positive(weights):
    """The weights, unless none is positive (scikit-learn < 1.7 lets that by)."""
    if weights is not None and not np.any(weights > 0):
        raise ValueError(
            "sample_weight (times class_weight) is zero for every sample; at "
            "least one sample needs a positive weight."
        )
    return weights


def store_hyperparameters(estimator, arguments):
    """Set each constructor argument as an attribute of the same name.

    ``arguments`` is the constructor's ``locals()`` before anything else is
    defined; the values are stored as given, validated at ``fit``.
    """
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)


def reject_unknown_keywords(class_name, given, known, hints=None):
    """Raise a TypeError naming the first keyword of ``given`` not in ``known``.

    The message is Python's own, with the close match of a typo ("did you
    mean 'hidden_layer_sizes'?") or, for a keyword in ``hints``, what to
    write instead.
    """
    known = [name for name in known if name != "self"]
    unknown = [name for name in given if name not in known]
    if not unknown:
        return
    name = unknown[0]
    if hints and name in hints:
        hint = f"; {hints[name]}"
    else:
        # a name that differs only in case ('c' for 'C') is too short for
        # difflib's similarity to find
        same = [k for k in known if k.lower() == name.lower()]
        close = same or difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
    raise TypeError(f"{class_name}() got an unexpected keyword argument {name!r}{hint}")


def fit_stop_reason(estimator):
    """Why the estimator's last ``fit`` or ``partial_fit`` stopped training.

    'converged', 'diverged', 'interrupted', 'max_iter', a stall's message,
    or '' (the call ran all its epochs, or the estimator is no
    :class:`BaseGDEstimator`).
    """
    if not isinstance(estimator, BaseGDEstimator):
        return ""
    return estimator._continuity().get("stop_reason", "")


def fit_curve_unit(estimator):
    """What one entry of the estimator's ``loss_curve_`` is: 'epoch' or 'iteration'.

    An iteration for the full-batch solvers (logistic regression's, and
    'lbfgs'), an epoch of minibatches otherwise, as the last call trained.
    """
    if not isinstance(estimator, BaseGDEstimator):
        return "epoch"
    return estimator._continuity().get("unit", "epoch")


def fitted_layers(estimator):
    """``(weights, biases, activations)`` of a fitted estimator's network.

    One weight matrix ``(fan_in, fan_out)`` and one bias per dense block, and
    the activation of each hidden layer: what an exporter needs.
    """
    weights, biases = estimator._fitted_params()
    return weights, biases, estimator._fitted_activations()


def raw_output_scores(estimator, X):
    """The fitted network's raw output scores on ``X``, one column per output."""
    return estimator._raw_scores(X)


def fit_context(method):
    """Validate parameters before ``fit``/``partial_fit`` (scikit-learn's way)."""
    return _fit_context(prefer_skip_nested_validation=True)(method)
