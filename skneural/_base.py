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

from ._callbacks import CallbackSupportMixin, fit_tasks
from ._engine.network import Network
from ._engine.threads import blas_threads_for
from ._engine.training import History

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
    """

    _parameter_constraints: dict = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }
    # the attribute whose presence means "fitted" (set before training starts)
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
        try:
            return self._fit_recipe(X, y, sample_weight, **options)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
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
        if first_call:
            methods = self._init_methods(architecture)
            theta = network.init_params(methods, rng, dtype)
            history = History()
            optimizer_state = None
        else:
            theta = network.pack(*self._fitted_params(), dtype)
            history = self._history(incremental)
            optimizer_state = (
                getattr(self, "_optimizer_state", None) if incremental else None
            )

        X_train, Y_train, sw_train, validate = X, Y, sw, None
        if validation is not None:
            X_train, Y_train, sw_train, validate = validation(
                X, y, Y, sw, rng, network, task
            )

        self._check_start(network, theta, X_train, Y_train)
        # from here on the estimator holds the model being trained
        self._store_task(task)
        self._store_architecture(architecture)
        self._store_params(*network.unpack(theta))
        loop = self._make_loop(
            network, X_train, Y_train, sw_train, rng, incremental, optimizer_state
        )
        loop.validate = validate
        tasks = fit_tasks(self, X, y, sample_weight, loop, history)
        loop.run(theta, history)
        self._optimizer_state = getattr(loop.solver, "state", None)
        self._store_history(history)
        tasks.finish()
        return self

    def _history(self, incremental):
        """The record a warm-started call continues.

        As in MLPClassifier, ``n_iter_`` counts the epochs of each call and a
        new ``fit`` restarts the learning-rate schedule; ``partial_fit``
        continues it.
        """
        return History(
            # appended in place, as MLPClassifier does: no O(n_calls) copy per call
            loss_curve=self.loss_curve_,
            samples_seen=getattr(self, "t_", 0),
            best_loss=getattr(self, "_best_loss", np.inf),
            no_improvement_count=getattr(self, "_no_improvement_count", 0),
            learning_rate=getattr(self, "_learning_rate", None)
            if incremental
            else None,
        )

    def _store_history(self, history):
        self.loss_curve_ = history.loss_curve
        self.n_iter_ = history.n_iter
        self._best_loss = history.best_loss
        self._no_improvement_count = history.no_improvement_count
        self._learning_rate = history.learning_rate

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
        # the arithmetic of the wider type, as numpy's products would do it
        theta = network.pack(weights, biases, np.result_type(X.dtype, weights[0]))
        threads = blas_threads_for(network.layer_sizes, X.shape[0])
        with threads, np.errstate(over="ignore", invalid="ignore"):
            z = network.raw_scores(theta, X)
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


def fit_context(method):
    """Validate parameters before ``fit``/``partial_fit`` (scikit-learn's way)."""
    return _fit_context(prefer_skip_nested_validation=True)(method)
