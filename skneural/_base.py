"""The classifier base both estimators share.

``fit`` reads as a recipe: validate, encode labels and weights, build the
network, train it, store the fitted attributes. Subclasses answer a few
questions through private hooks (how many hidden layers, which penalty,
which solver) and name their fitted parameters; no calculus lives here.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, compute_class_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._callbacks import CallbackSupportMixin, fit_tasks
from ._losses import SigmoidCrossEntropy, SoftmaxCrossEntropy
from ._network import Network
from ._threads import blas_threads_for
from ._training import History

_SPARSE_FORMATS = ("csr", "csc")


class Architecture(NamedTuple):
    """The validated shape of a network, read from the hyperparameters once."""

    hidden_layer_sizes: tuple
    activations: tuple
    dropout: tuple | None


def output_loss(multilabel, n_classes):
    """The loss that goes with the target: a sigmoid per output, or a softmax."""
    if multilabel or n_classes == 2:
        return SigmoidCrossEntropy()
    return SoftmaxCrossEntropy()


_FLOAT_DTYPES = (np.float64, np.float32)
# Target types a classifier accepts (scikit-learn's check_classification_targets)
_CLASSIFICATION_TARGETS = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)


class BaseGDClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Validation, labels, weights, the training recipe and prediction.

    Subclasses implement ``_init_methods``, ``_make_loop``, ``_fitted_params``
    and ``_store_params``; networks with hidden layers also ``_architecture``,
    ``_store_architecture`` and ``_fitted_activations``.
    """

    _parameter_constraints: dict = {
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }
    _supports_multilabel = False

    # -- data and labels --------------------------------------------------------
    def _validate_xy(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=_SPARSE_FORMATS,
            dtype=_FLOAT_DTYPES,
            multi_output=self._supports_multilabel,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        # the type is read once per fit (each reading scans the labels)
        target_type = type_of_target(y, input_name="y")
        if target_type not in _CLASSIFICATION_TARGETS:
            check_classification_targets(y)  # raises scikit-learn's own message
        return X, y, target_type

    def _encode_first(self, y, target_type, classes=None):
        """Learn the classes; ``(classes_, Y, multilabel)``, storing nothing."""
        if target_type == "multilabel-indicator":
            if not self._supports_multilabel:
                raise ValueError(
                    f"{type(self).__name__} does not support multilabel targets; "
                    "use StackedNetClassifier for a multilabel indicator matrix."
                )
            if self.class_weight is not None:
                raise ValueError(
                    "class_weight is not supported for multilabel targets."
                )
            return np.arange(y.shape[1]), np.asarray(y), True
        if classes is None and target_type in ("binary", "multiclass"):
            # labels already checked: the classes are the sorted distinct labels
            classes_ = np.unique(y)
        else:
            classes_ = LabelBinarizer().fit(y if classes is None else classes).classes_
        if len(classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes_.tolist()[0]!r}."
            )
        if classes is None:  # every label of y is a class: nothing to check
            return classes_, _one_hot(y, classes_), False
        return classes_, self._encode(y, classes_, False), False

    def _is_multilabel(self, y):
        return self._supports_multilabel and type_of_target(y) == "multilabel-indicator"

    @staticmethod
    def _encode(y, classes_, multilabel, warm_start=False):
        """One column per output: ``1`` where the sample has that class.

        A warm-started ``fit`` needs exactly the classes of the previous fit
        (MLPClassifier's rule); ``partial_fit`` any subset of them.
        """
        if multilabel:
            if y.ndim != 2 or y.shape[1] != len(classes_):
                raise ValueError(
                    f"y has {y.shape[1] if y.ndim == 2 else 1} label columns, "
                    f"expected {len(classes_)} as in the first fit."
                )
            return np.asarray(y)
        present = np.unique(y)
        if warm_start and not np.array_equal(present, classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {classes_}, `y` has "
                f"{present}"
            )
        unseen = np.setdiff1d(present, classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in classes "
                f"{classes_.tolist()}; pass every class in `classes` on the first "
                "call to partial_fit."
            )
        return _one_hot(y, classes_)

    def _sample_weight(self, sample_weight, X, y, classes_, dtype):
        """Sample weight times class weight, or None when every weight is 1.

        'balanced' class weights are ``total weight / (n_classes * weight of
        the class)``, counted with the sample weights, so that weighting a
        sample by 2 is the same as repeating it.
        """
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=dtype, ensure_non_negative=True
            )
        if self.class_weight is None:
            return _some_positive(sample_weight)
        index = np.searchsorted(classes_, y)
        if self.class_weight == "balanced":
            class_sums = np.bincount(
                index, sample_weight, minlength=len(classes_)
            ).astype(float)
            # a class whose samples all weigh 0 keeps weight 0, not inf * 0
            class_weight = np.divide(
                class_sums.sum(),
                len(classes_) * class_sums,
                out=np.zeros_like(class_sums),
                where=class_sums > 0,
            )
        else:
            class_weight = compute_class_weight(
                self.class_weight, classes=classes_, y=y
            )
        weights = class_weight[index].astype(dtype)
        return _some_positive(
            weights if sample_weight is None else weights * sample_weight
        )

    # -- the recipe ------------------------------------------------------------------
    def _check_call(self, incremental):
        """Settings a call refuses, checked before anything else happens."""
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the class "
                "counts of one chunk are not those of the data set. Compute them "
                "with sklearn.utils.compute_class_weight and pass a dict."
            )

    def _fit(
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
        first_call = not (incremental or self.warm_start) or not hasattr(
            self, "classes_"
        )
        if incremental and not (
            first_call and classes is None and self._is_multilabel(y)
        ):
            first_call = _check_partial_fit_first_call(self, classes)
            if first_call:
                # that check stores classes_; keep the estimator unfitted until
                # the data has been validated
                del self.classes_
        X, y, target_type = self._validate_xy(X, y, reset=first_call)
        dtype = X.dtype
        if first_call:
            classes_, Y, multilabel = self._encode_first(y, target_type, classes)
        else:
            classes_, multilabel = self.classes_, self._multilabel
            Y = self._encode(y, classes_, multilabel, warm_start=not incremental)
        sw = self._sample_weight(sample_weight, X, y, classes_, dtype)
        Y = Y.astype(bool, copy=False)  # 0/1 targets: an eighth of a float array

        network = Network(
            (X.shape[1], *architecture.hidden_layer_sizes, Y.shape[1]),
            architecture.activations,
            output_loss(multilabel, len(classes_)),
            architecture.dropout,
            fit_intercept=getattr(self, "fit_intercept", True),
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
                X, y, Y, sw, rng, network, classes_, multilabel
            )

        # from here on the estimator holds the model being trained
        self.classes_ = classes_
        self._multilabel = multilabel
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

    def _architecture(self):
        """The validated shape of the network: no hidden layer here."""
        return Architecture((), (), None)

    def _store_architecture(self, architecture):
        """Keep what prediction needs of the architecture (nothing here)."""

    def _fitted_activations(self):
        """The hidden activations of the fitted network."""
        return ()

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
            self, X, accept_sparse=_SPARSE_FORMATS, dtype=_FLOAT_DTYPES, reset=False
        )
        weights, biases = self._fitted_params()
        network = Network(
            (X.shape[1], *(w.shape[1] for w in weights[:-1]), weights[-1].shape[1]),
            self._fitted_activations(),
            None,
        )
        threads = blas_threads_for(network.layer_sizes, X.shape[0])
        with threads, np.errstate(over="ignore", invalid="ignore"):
            z = network.forward(weights, biases, X)[0]
        # a score whose terms overflowed both ways (inf - inf) has no sign to
        # read: count it as no evidence rather than return NaN probabilities
        return np.nan_to_num(z, copy=False, nan=0.0, posinf=np.inf, neginf=-np.inf)

    def _output_loss(self):
        return output_loss(self._multilabel, len(self.classes_))

    def predict_proba(self, X):
        """Probability estimates, never exactly 0 (nor 1 from a sigmoid).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class (of each label, for multilabel
            targets), columns in the order of ``classes_``. A probability
            too small for the dtype is its smallest normal number, so its
            logarithm is finite.
        """
        z = self._raw_scores(X)
        loss = self._output_loss()
        tiny = np.finfo(z.dtype).tiny
        if loss.out_activation == "softmax":
            return np.maximum(loss.predict_proba(z), tiny)
        if not self._multilabel:
            # each column from its own sigmoid: exact near 0 and near 1
            z = np.hstack([-z, z])
        return np.clip(loss.predict_proba(z), tiny, np.nextafter(z.dtype.type(1), 0))

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates, never ``log(0)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``: finite, since no probability is 0.
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Predicted labels (an indicator matrix for multilabel targets).
        """
        check_is_fitted(self)
        return self._labels(self._raw_scores(X))

    def _labels(self, z):
        """Predicted labels from raw output scores: positive score, or largest."""
        if self._multilabel:
            return (z > 0).astype(int)
        if z.shape[1] == 1:
            return self.classes_[(z[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(z, axis=1)]

    def __sklearn_is_fitted__(self):
        # validate_data sets n_features_in_ even when fit then rejects the data
        return hasattr(self, "classes_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # class weights need one label per sample
        tags.classifier_tags.multi_label = (
            self._supports_multilabel and self.class_weight is None
        )
        return tags


def _some_positive(weights):
    """The weights, unless none is positive (scikit-learn < 1.7 lets that by)."""
    if weights is not None and not np.any(weights > 0):
        raise ValueError(
            "sample_weight (times class_weight) is zero for every sample; at "
            "least one sample needs a positive weight."
        )
    return weights


def fit_context(method):
    """Validate parameters before ``fit``/``partial_fit`` (scikit-learn's way)."""
    return _fit_context(prefer_skip_nested_validation=True)(method)


def _one_hot(y, classes_):
    """Targets as booleans, one column per class (one for two classes).

    The classes are known; the matrix itself is one comparison, one byte a
    cell, where ``LabelBinarizer.transform`` would build an int64 matrix
    (eight bytes a cell) through a few milliseconds of checks already made.
    """
    if len(classes_) == 2:
        return (y == classes_[1])[:, None]
    return y[:, None] == classes_
