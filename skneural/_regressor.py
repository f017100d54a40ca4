"""StackedNetRegressor: the stacked network with a real-valued output."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._base import (
    FLOAT_DTYPES,
    SPARSE_FORMATS,
    BaseGDEstimator,
    fit_context,
)
from ._engine.losses import RegressionLoss
from ._engine.solvers import batch_size
from ._stacked_base import StackedNetMixin
from ._stacked_docs import stacked_doc
from ._stacked_parameters import stacked_init


class StackedNetRegressor(RegressorMixin, StackedNetMixin, BaseGDEstimator):
    """Stacked dense layers with a real-valued output, trained by gradient descent.

    Each hidden layer is a dense block ``z = a W + b`` followed by a
    non-linear activation; the last block's raw scores are the prediction
    itself (no squashing link), or their exponential for ``loss='poisson'``.
    With ``hidden_layer_sizes=()`` it is linear regression (squared error:
    ``Ridge``'s optimum for the matching penalty; Poisson:
    ``PoissonRegressor``'s).

    %(drop_in)s

    Parameters
    ----------
    %(network_parameters)s
    scoring : str, callable or None, default=None
        What early stopping watches on the validation set: None is R^2 (as
        MLPRegressor), 'loss' the validation loss, or a scikit-learn scorer
        name or callable ``scorer(estimator, X, y)``.
    loss : {'squared_error', 'poisson', 'huber', 'absolute_error'}, \
default='squared_error'
        The loss of a prediction ``p`` for a target ``y`` (summed over the
        outputs): 'squared_error' is ``(p - y)^2 / 2``; 'poisson' the half
        Poisson deviance ``y log(y / p) - y + p`` with ``p = exp(z)``
        (targets must be non-negative); 'huber' is quadratic up to
        ``|p - y| = huber_delta`` and linear beyond; 'absolute_error' is
        ``|p - y|``.
    huber_delta : float, default=1.0
        The residual at which the Huber loss turns from quadratic to linear.

    Attributes
    ----------
    loss_ : float
        The loss of the last epoch (the final objective for 'lbfgs').
    best_loss_ : float or None
        The lowest training loss; None when early stopping is on.
    loss_curve_ : list of float
        The training loss of each epoch (of each iteration for 'lbfgs').
    validation_scores_ : list of float or None
        Validation score of each epoch when early stopping is on, else None.
    validation_loss_curve_ : list of float or None
        Validation loss of each epoch when early stopping is on, else None.
    %(fitted)s
    n_outputs_ : int
        Number of outputs.
    out_activation_ : str
        'identity', or 'exp' for ``loss='poisson'``.
    activations_ : tuple of str
        The activation of each hidden layer, as fitted.

    See Also
    --------
    StackedNetClassifier : The same network for class labels.
    sklearn.neural_network.MLPRegressor : The model this one extends.

    Notes
    -----
    The training objective of a minibatch ``B`` is::

        (sum_{i in B} s_i loss(y_i, p_i) + alpha / 2 sum_l ||W_l||^2) / (|B| s_mean)

    (``s_mean`` the mean sample weight of the training set: without sample
    weights, the batch size, as in MLPRegressor; with them MLPRegressor
    divides by the batch's own weight, so weighted minibatch runs differ)

    and its gradient with respect to the raw output ``z`` is ``s_i (p_i -
    y_i)`` for squared error and Poisson alike (the residual clipped to
    ``huber_delta`` for Huber, its sign for the absolute error). With one
    output this is MLPRegressor's loss; with several, the loss is summed over
    the outputs, where MLPRegressor reports their mean (its updates follow
    the summed loss's gradient, as ours do).

    Without hidden layers and with squared error, the optimum is that of
    ``Ridge(alpha=alpha)``: ``Ridge`` minimises ``sum_i s_i (y_i - p_i)^2 +
    alpha_ridge ||W||^2``, which is this objective times twice the total
    weight ``S = sum_i s_i`` when ``alpha_ridge = alpha``. With 'poisson' it
    is that of ``PoissonRegressor(alpha=alpha / S)`` (its penalty is not
    divided by the total weight).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skneural import StackedNetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> reg = StackedNetRegressor(hidden_layer_sizes=(16,), solver="lbfgs",
    ...                           max_iter=500, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> bool(reg.score(X, y) > 0.5)
    True
    """

    __doc__ = stacked_doc(__doc__, peer="MLPRegressor")
    _parameter_constraints: dict = {
        **BaseGDEstimator._parameter_constraints,
        **StackedNetMixin._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "huber", "absolute_error"})],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
    }

    __init__ = stacked_init(loss="squared_error", huber_delta=1.0)

    # -- the regression task -----------------------------------------------------
    def _validate_xy(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=SPARSE_FORMATS,
            dtype=FLOAT_DTYPES,
            multi_output=True,
            y_numeric=True,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative, which is not allowed for "
                "loss='poisson': its targets are counts or rates (y >= 0)."
            )
        return X, y, None

    def _first_targets(self, y, target_type, classes, dtype):
        """The task is the number of outputs; the target one column per output."""
        Y = _columns(y, dtype)
        return Y.shape[1], Y

    def _encode_targets(self, y, task, dtype, warm_start=False):
        Y = _columns(y, dtype)
        if Y.shape[1] != task:
            raise ValueError(
                f"y has {Y.shape[1]} output columns, expected {task} as in the "
                "first fit."
            )
        return Y

    def _fitted_task(self):
        return self.n_outputs_

    def _store_task(self, task):
        """Nothing to keep: ``n_outputs_`` comes with the parameters."""

    def _task_loss(self, task, Y, sample_weight=None):
        return RegressionLoss.for_targets(self.loss, Y, sample_weight, self.huber_delta)

    def _output_loss(self):
        return RegressionLoss(self.loss, self.huber_delta)

    def _check_start(self, network, theta, X, Y):
        """A clear error where even the starting model's loss overflows.

        Targets and features so large that the squared error of the first
        predictions is infinite leave no finite step to take; a few rows
        tell (a cross-entropy, bounded by the scores, never gets there).
        """
        rows = slice(0, batch_size("auto", X.shape[0]))  # a first minibatch's
        with np.errstate(all="ignore"):
            z = network.raw_scores(theta, X[rows])
            loss = network.loss.loss(z, Y[rows])
        if not np.isfinite(loss):
            x_size, y_size = (float(abs(a[rows]).max()) for a in (X, Y))
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed (the loss of "
                f"the initial network on the first rows is {loss:g}, so no "
                f"finite step can be taken; the largest magnitudes there are "
                f"{x_size:.3g} in X and {y_size:.3g} in y)."
            )

    @staticmethod
    def _stratify(Y):
        return None  # MLPRegressor's split: no stratification

    @staticmethod
    def _default_score(y_true, y_pred, sample_weight):
        if not np.all(np.isfinite(y_pred)):
            return np.nan  # as MLPRegressor scores a diverged model
        return r2_score(y_true, y_pred, sample_weight=sample_weight)

    def _predictions(self, z):
        """Predictions from raw output scores, 1-D for a single output."""
        if self.out_activation_ == "exp":
            with np.errstate(over="ignore"):
                z = np.exp(z)
        return z.ravel() if z.shape[1] == 1 else z

    # -- public API ------------------------------------------------------------
    def predict(self, X):
        """Predict the target of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose targets to predict.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values, in the dtype of ``X`` (float32 or float64).
        """
        check_is_fitted(self)
        return self._predictions(self._raw_scores(X))

    @available_if(StackedNetMixin._has_stochastic_solver)
    @fit_context
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of minibatch updates on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : StackedNetRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # Poisson targets are counts or rates: the common checks then draw y >= 0
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


def _columns(y, dtype):
    """The targets as a 2-D array in the training dtype, one column per output."""
    y = np.asarray(y, dtype=dtype)
    return y.reshape(-1, 1) if y.ndim == 1 else y
