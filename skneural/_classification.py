"""What classification adds to the base: labels, class weights, probabilities."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._base import FLOAT_DTYPES, SPARSE_FORMATS, BaseGDEstimator, some_positive
from ._engine.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy


def output_loss(multilabel, n_classes):
    """The loss that goes with the target: a sigmoid per output, or a softmax."""
    if multilabel or n_classes == 2:
        return SigmoidCrossEntropy()
    return SoftmaxCrossEntropy()


# Target types a classifier accepts (scikit-learn's check_classification_targets)
_CLASSIFICATION_TARGETS = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)


class BaseGDClassifier(ClassifierMixin, BaseGDEstimator):
    """The base with class labels, class weights and probabilities.

    The classification *task* of a fit is the pair ``(classes_, multilabel)``;
    the encoded target is one boolean column per output.
    """

    _parameter_constraints: dict = {
        **BaseGDEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _supports_multilabel = False
    _fitted_marker = "classes_"

    # -- data and labels --------------------------------------------------------
    def _validate_xy(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=SPARSE_FORMATS,
            dtype=FLOAT_DTYPES,
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

    def _first_call(self, incremental, y, classes):
        first_call = super()._first_call(incremental, y, classes)
        if incremental and not (
            first_call and classes is None and self._is_multilabel(y)
        ):
            first_call = _check_partial_fit_first_call(self, classes)
            if first_call:
                # that check stores classes_; keep the estimator unfitted until
                # the data has been validated
                del self.classes_
        return first_call

    def _first_targets(self, y, target_type, classes, dtype):
        """Learn the classes: ``((classes_, multilabel), Y)``, storing nothing."""
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
            return (np.arange(y.shape[1]), True), _as_bool(y)
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
            return (classes_, False), _one_hot(y, classes_)
        return (classes_, False), self._encode_targets(y, (classes_, False), dtype)

    def _fitted_task(self):
        return self.classes_, self._multilabel

    def _store_task(self, task):
        self.classes_, self._multilabel = task

    def _task_loss(self, task, Y=None, sample_weight=None):
        classes_, multilabel = task
        return output_loss(multilabel, len(classes_))

    def _is_multilabel(self, y):
        return self._supports_multilabel and type_of_target(y) == "multilabel-indicator"

    @staticmethod
    def _encode_targets(y, task, dtype=None, warm_start=False):
        """One boolean column per output: true where the sample has that class.

        A warm-started ``fit`` needs exactly the classes of the previous fit
        (MLPClassifier's rule); ``partial_fit`` any subset of them.
        """
        classes_, multilabel = task
        if multilabel:
            if y.ndim != 2 or y.shape[1] != len(classes_):
                raise ValueError(
                    f"y has {y.shape[1] if y.ndim == 2 else 1} label columns, "
                    f"expected {len(classes_)} as in the first fit."
                )
            return _as_bool(y)
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

    def _sample_weight(self, sample_weight, X, y, task, dtype):
        """Sample weight times class weight, or None when every weight is 1.

        'balanced' class weights are ``total weight / (n_classes * weight of
        the class)``, counted with the sample weights, so that weighting a
        sample by 2 is the same as repeating it.
        """
        sample_weight = super()._sample_weight(sample_weight, X, y, task, dtype)
        if self.class_weight is None:
            return sample_weight
        classes_ = task[0]
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
        return some_positive(
            weights if sample_weight is None else weights * sample_weight
        )

    def _check_call(self, incremental):
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the class "
                "counts of one chunk are not those of the data set. Compute them "
                "with sklearn.utils.compute_class_weight and pass a dict."
            )

    # -- prediction ------------------------------------------------------------------
    def _output_loss(self):
        return output_loss(self._multilabel, len(self.classes_))

    def predict_proba(self, X):
        """Probability estimates, never exactly 0 (nor 1 from a sigmoid).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose class probabilities to estimate.

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
            The samples whose log-probabilities to estimate.

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
            The samples to classify.

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

    _predictions = _labels  # what the default early-stopping score compares

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # class weights need one label per sample
        tags.classifier_tags.multi_label = (
            self._supports_multilabel and self.class_weight is None
        )
        return tags


def is_multilabel(classifier):
    """Whether a fitted classifier was fitted on a multilabel indicator matrix."""
    return bool(classifier._multilabel)


def _as_bool(y):
    return np.asarray(y).astype(bool, copy=False)


def _one_hot(y, classes_):
    """Targets as booleans, one column per class (one for two classes).

    The classes are known; the matrix itself is one comparison, one byte a
    cell, where ``LabelBinarizer.transform`` would build an int64 matrix
    (eight bytes a cell) through a few milliseconds of checks already made.
    """
    if len(classes_) == 2:
        return (y == classes_[1])[:, None]
    return y[:, None] == classes_
