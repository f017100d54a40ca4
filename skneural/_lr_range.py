"""The learning-rate range test: one short run with a growing learning rate.

Too small a rate and the loss hardly moves; too big and it blows up. Taking
one minibatch step per rate, with rates growing geometrically, draws both on
a single curve, and a good rate lies on its falling slope.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import _safe_indexing, check_random_state, indexable
from sklearn.utils._param_validation import Interval, validate_params

from ._base import fit_stop_reason, raw_output_scores
from ._classification import output_loss
from ._engine.solvers import batch_size
from ._plot import pyplot_or_error

# The run stops once the loss exceeds this many times the best loss seen.
_BLOW_UP_FACTOR = 4.0
# Rows on which the loss is measured after every step: enough for a smooth
# curve, few enough to cost less than the steps on larger data sets.
_EVAL_ROWS = 1000


class LRRangeTestResult:
    """What :func:`~skneural.lr_range_test` measured, and the rate it suggests.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_steps,)
        The learning rate of each step, increasing.
    losses : ndarray of shape (n_steps,)
        The training loss after each step; ``inf`` where the estimator
        reported that the step diverged.
    suggestion : float
        The suggested learning rate (see :func:`~skneural.lr_range_test` for the rule).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on by :meth:`plot`.
    figure_ : matplotlib Figure
        The figure holding them.
    line_ : matplotlib Line2D
        The loss curve drawn by :meth:`plot`.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural._lr_range import LRRangeTestResult
    >>> result = LRRangeTestResult(np.array([0.01, 0.1, 1.0]),
    ...                            np.array([0.69, 0.40, 3.0]), 0.1)
    >>> result.suggestion
    0.1
    """

    def __init__(self, learning_rates, losses, suggestion):
        self.learning_rates = learning_rates
        self.losses = losses
        self.suggestion = suggestion

    def __repr__(self):
        return (
            f"LRRangeTestResult(n_steps={len(self.learning_rates)}, "
            f"suggestion={self.suggestion:.3g})"
        )

    def plot(self, ax=None):
        """Draw the loss against the learning rate (log scale), and the suggestion.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes when None.

        Returns
        -------
        result : LRRangeTestResult
            This object, with ``ax_``, ``figure_`` and ``line_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skneural._lr_range import LRRangeTestResult
        >>> result = LRRangeTestResult(np.array([0.01, 0.1, 1.0]),
        ...                            np.array([0.69, 0.40, 3.0]), 0.1).plot()
        >>> result.ax_.get_xscale()
        'log'
        """
        plt = pyplot_or_error("LRRangeTestResult.plot")
        if ax is None:
            _, ax = plt.subplots()
        finite = np.isfinite(self.losses)
        (self.line_,) = ax.plot(
            self.learning_rates[finite], self.losses[finite], marker=".", label="loss"
        )
        ax.axvline(
            self.suggestion,
            color="C3",
            linestyle="--",
            label=f"suggestion: {self.suggestion:.3g}",
        )
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("training loss")
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _cross_entropy(estimator, X, Y, multilabel):
    """Mean cross-entropy of a classifier on ``(X, Y)``: the loss it trains.

    From its raw output scores, through the loss object that trains it, so
    the measure is the training objective's (no ``log(0)`` either); ``inf``
    where the scores overflowed.
    """
    z = raw_output_scores(estimator, X)
    loss = output_loss(multilabel, max(Y.shape[1], 2))
    with np.errstate(over="ignore", invalid="ignore"):
        value = loss.loss(z, Y) / Y.shape[0]
    return float(value) if np.isfinite(value) else np.inf


def _encoded(y, regression, multilabel):
    """``(classes, Y)``: the targets as the loss reads them.

    One boolean column per class (one for two classes), the indicator
    matrix for multilabel targets, the targets themselves for a regressor.
    """
    if regression:
        return None, y
    if multilabel:
        return None, y.astype(bool)
    classes, index = np.unique(y.ravel(), return_inverse=True)
    if len(classes) == 2:
        return classes, (index == 1)[:, None]
    return classes, index[:, None] == np.arange(len(classes))


def _half_squared_error(estimator, X, y):
    """Half the mean squared error of a regressor's predictions (per output)."""
    with np.errstate(over="ignore", invalid="ignore"):
        error = float(np.mean(np.square(estimator.predict(X) - y)) / 2)
    return error if np.isfinite(error) else np.inf


def _set_rate(estimator, rate):
    """Point the clone at ``rate``; the parameter name depends on the estimator."""
    params = estimator.get_params(deep=False)
    if "learning_rate_init" in params:
        # a constant schedule, so that each step really uses ``rate``
        estimator.set_params(learning_rate_init=rate, learning_rate="constant")
    elif "learning_rate" in params:
        estimator.set_params(learning_rate=rate)
    else:
        raise TypeError(
            "lr_range_test needs an estimator with a `learning_rate` or "
            f"`learning_rate_init` parameter, got {type(estimator).__name__}."
        )


def _final_step_and_data(estimator, X, y):
    """The estimator to test and its input: a Pipeline's last step, on the
    output of the steps before it (fitted on a clone, as ``fit`` would)."""
    # imported here, not with the package: scikit-learn 1.9's pipeline module
    # imports sklearn.callback, and the package imports without it
    from sklearn.pipeline import Pipeline

    if not isinstance(estimator, Pipeline):
        return estimator, X
    steps = clone(estimator)
    final = steps.steps[-1][1]
    if final is None or final == "passthrough":
        raise TypeError(
            "lr_range_test needs a Pipeline whose last step is an estimator with a "
            f"`learning_rate` or `learning_rate_init` parameter, got {final!r}."
        )
    if len(steps) > 1:
        X = steps[:-1].fit_transform(X, y)
    return final, X


def _batch_size(estimator, n_samples):
    """The size of the estimator's ``partial_fit`` minibatches."""
    size = estimator.get_params(deep=False).get("batch_size")
    return batch_size(size if isinstance(size, Integral) else "auto", n_samples)


def _step(model, X, y, labels):
    """One ``partial_fit``; whether the estimator's divergence guard stopped it.

    Its ConvergenceWarning is expected here, and the stop: it stays inside
    the test (any other warning goes on to the caller).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.partial_fit(X, y, **labels)
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return fit_stop_reason(model) == "diverged"


def _suggest(learning_rates, losses):
    """The rate of steepest descent of the smoothed loss, before its minimum."""
    finite = np.isfinite(losses)
    rates, values = learning_rates[finite], losses[finite]
    if len(values) < 3:
        return float(rates[np.argmin(values)]) / 10 if len(values) else np.nan
    # a 3-point running mean tames minibatch noise without shifting the curve
    padded = np.r_[values[0], values, values[-1]]
    smooth = np.convolve(padded, np.ones(3) / 3, mode="valid")
    lowest = int(np.argmin(smooth))
    if lowest == 0:
        return float(rates[0])
    slope = np.gradient(smooth[: lowest + 1], np.log(rates[: lowest + 1]))
    return float(rates[int(np.argmin(slope))])


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "min_lr": [Interval(Real, 0, None, closed="neither")],
        "max_lr": [Interval(Real, 0, None, closed="neither")],
        "num": [Interval(Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=False,
)
def lr_range_test(estimator, X, y, *, min_lr=1e-6, max_lr=10.0, num=50):
    """Run the learning-rate range test on a copy of ``estimator``.

    A clone of the estimator takes one minibatch step (one call to
    ``partial_fit`` on one minibatch) at each rate of
    ``np.geomspace(min_lr, max_lr, num)``, and the training loss
    (cross-entropy for a classifier, half the mean squared error of the
    predictions for a regressor, on up to 1000 rows of ``X``) is measured
    after every
    step. The run stops as soon as the loss becomes non-finite, the
    estimator reports divergence, or the loss exceeds 4 times the lowest
    seen. Where the curve starts to fall the rate is just big enough to
    learn; where it blows up it is too big. The estimator passed in is not
    changed.

    A :class:`~sklearn.pipeline.Pipeline` whose last step is one of these
    estimators is tested as it is fitted: a clone of the steps before the
    last is fitted on ``X`` and transforms it, and the test runs on the last
    step (the suggestion is for its learning rate, e.g.
    ``pipeline.set_params(stackednetclassifier__learning_rate_init=...)``).

    For :class:`~skneural.LogisticRegressionGD` the rate is its
    ``learning_rate``; for :class:`~skneural.StackedNetClassifier` it is
    ``learning_rate_init``, under a constant schedule. The clone keeps every
    other parameter (solver, batch size, momentum...). Set the estimator's
    ``random_state`` for a reproducible run.

    Parameters
    ----------
    estimator : LogisticRegressionGD, StackedNetClassifier or Pipeline
        The (fitted or unfitted) estimator to test, or a Pipeline ending in
        one; it is cloned, not changed.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Class labels (or a multilabel indicator matrix for
        StackedNetClassifier).
    min_lr : float, default=1e-6
        The first learning rate.
    max_lr : float, default=10.0
        The last learning rate, if the loss has not blown up before.
    num : int, default=50
        Number of rates between ``min_lr`` and ``max_lr`` (one step each).

    Returns
    -------
    result : LRRangeTestResult
        With ``learning_rates`` and ``losses`` (as long as the run went,
        the blow-up step included), ``suggestion`` and ``plot(ax=None)``.

    See Also
    --------
    skneural.LossCurveDisplay : The loss per epoch of a fitted estimator.

    Notes
    -----
    The suggestion is the rate where the loss falls fastest: the curve is
    smoothed by a 3-point running mean, and among the rates up to the
    smoothed curve's minimum the suggestion is the one where its slope
    against ``log(learning_rate)`` is most negative. It lies between where
    the loss starts to fall and where it blows up, usually well below the
    latter. If the loss never falls, it is the first rate.

    The test was described by L. N. Smith, "Cyclical Learning Rates for
    Training Neural Networks", WACV 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skneural import LogisticRegressionGD, lr_range_test
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = LogisticRegressionGD(C=100, random_state=0)
    >>> result = lr_range_test(clf, X, y, min_lr=1e-4, max_lr=100, num=30)
    >>> bool(result.learning_rates[0] < result.suggestion < result.learning_rates[-1])
    True
    >>> clf.get_params()["learning_rate"]  # the estimator passed in is unchanged
    'auto'
    """
    if min_lr >= max_lr:
        raise ValueError(
            f"min_lr must be smaller than max_lr, got min_lr={min_lr} and "
            f"max_lr={max_lr}."
        )
    X, y = indexable(X, y)
    y_array = np.asarray(y)
    n_samples = y_array.shape[0]
    if n_samples < 1:
        raise ValueError("lr_range_test needs at least one sample, got 0.")
    final, X = _final_step_and_data(estimator, X, y)
    regression = is_regressor(final)
    multilabel = not regression and y_array.ndim == 2 and y_array.shape[1] > 1
    classes, Y_all = _encoded(y_array, regression, multilabel)
    labels = {} if regression or multilabel else {"classes": classes}

    model = clone(final)
    _set_rate(model, min_lr)  # fails early for an estimator without a rate
    rng = check_random_state(model.get_params(deep=False).get("random_state"))
    batch = _batch_size(model, n_samples)
    eval_rows = np.sort(rng.permutation(n_samples)[:_EVAL_ROWS])
    X_eval, Y_eval = _safe_indexing(X, eval_rows), Y_all[eval_rows]

    rates = np.geomspace(min_lr, max_lr, num)
    losses = []
    order, position = rng.permutation(n_samples), 0
    for rate in rates:
        if position + batch > n_samples:  # next pass over the data
            order, position = rng.permutation(n_samples), 0
        rows = order[position : position + batch]
        position += batch
        _set_rate(model, rate)
        if _step(model, _safe_indexing(X, rows), _safe_indexing(y, rows), labels):
            loss = np.inf
        elif regression:
            loss = _half_squared_error(model, X_eval, Y_eval)
        else:
            loss = _cross_entropy(model, X_eval, Y_eval, multilabel)
        losses.append(loss)
        if not np.isfinite(loss) or loss > _BLOW_UP_FACTOR * min(losses):
            break
    rates, losses = rates[: len(losses)], np.asarray(losses)
    return LRRangeTestResult(rates, losses, _suggest(rates, losses))
