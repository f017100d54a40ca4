"""LossCurveDisplay: the training loss (and validation curves) per epoch.

It follows scikit-learn's Display pattern: the data goes into ``__init__``,
``plot`` draws it and returns the display, and ``from_estimator`` reads a
fitted estimator. matplotlib comes from the ``[plot]`` extra and is imported
only when something is drawn, so the package itself never needs it.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import fit_curve_unit


def pyplot_or_error(what):
    """``matplotlib.pyplot``, or an ImportError that names the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{what} needs matplotlib, which is not installed. Install it with "
            '`pip install "skneural[plot]"` (or `pip install matplotlib`).'
        ) from exc
    return plt


def _curve(values, name):
    if values is None:
        return None
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {values.shape}.")
    return values


class LossCurveDisplay:
    """Training loss per epoch, with the validation curves when there are any.

    Build it from a fitted estimator with :meth:`from_estimator`, or from the
    curves themselves and then call :meth:`plot`. The training and
    validation losses share the left axis; validation scores (accuracy or
    R^2 by default) have a scale of their own, on a twin axis at the right.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        The training loss of each epoch (of each iteration, for full-batch
        solvers).
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        The validation loss of each epoch.
    validation_scores : array-like of shape (n_epochs,), default=None
        The validation score of each epoch.
    estimator_name : str, default=None
        Name shown in the title; none when None.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss curve.
    validation_loss_line_ : matplotlib Line2D or None
        The validation loss curve, when there is one.
    validation_score_line_ : matplotlib Line2D or None
        The validation score curve, when there is one.
    lines_ : list of matplotlib Line2D
        Every line drawn, training loss first.
    ax_ : matplotlib Axes
        The axes of the losses.
    score_ax_ : matplotlib Axes or None
        The twin axes of the validation scores, when there are any.
    figure_ : matplotlib Figure
        The figure holding the axes.

    See Also
    --------
    skneural.lr_range_test : The loss against the learning rate, to choose one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skneural import LossCurveDisplay, StackedNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = StackedNetClassifier(hidden_layer_sizes=(8,), max_iter=20,
    ...                            learning_rate_init=0.01, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> display = LossCurveDisplay(loss_curve=[0.9, 0.5, 0.4]).plot()
    >>> display.line_.get_ydata().tolist()
    [0.9, 0.5, 0.4]
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        estimator_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, xlabel="Epoch", **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes when None.
        xlabel : str, default="Epoch"
            Label of the horizontal axis.
        **kwargs : dict
            Keyword arguments passed to ``ax.plot`` for the training loss.

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``ax_``, ``figure_``, ``line_`` and ``lines_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skneural import LossCurveDisplay
        >>> display = LossCurveDisplay(loss_curve=[0.7, 0.3],
        ...                            validation_loss_curve=[0.8, 0.5])
        >>> display = display.plot()
        >>> len(display.lines_)
        2
        """
        plt = pyplot_or_error("LossCurveDisplay")
        loss = _curve(self.loss_curve, "loss_curve")
        val_loss = _curve(self.validation_loss_curve, "validation_loss_curve")
        val_scores = _curve(self.validation_scores, "validation_scores")
        if ax is None:
            _, ax = plt.subplots()
        epochs = np.arange(1, len(loss) + 1)

        (self.line_,) = ax.plot(epochs, loss, **{"label": "training loss", **kwargs})
        self.lines_ = [self.line_]
        self.validation_loss_line_ = None
        if val_loss is not None:
            (self.validation_loss_line_,) = ax.plot(
                np.arange(1, len(val_loss) + 1), val_loss, label="validation loss"
            )
            self.lines_.append(self.validation_loss_line_)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss")

        self.score_ax_ = None
        self.validation_score_line_ = None
        if val_scores is not None:
            self.score_ax_ = ax.twinx()
            (self.validation_score_line_,) = self.score_ax_.plot(
                np.arange(1, len(val_scores) + 1),
                val_scores,
                color="C2",
                linestyle="--",
                label="validation score",
            )
            self.score_ax_.set_ylabel("validation score")
            self.lines_.append(self.validation_score_line_)
        # one legend for both axes
        ax.legend(self.lines_, [line.get_label() for line in self.lines_])
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, ax=None, **kwargs):
        """Plot the curves of a fitted estimator (or of a Pipeline's last step).

        Parameters
        ----------
        estimator : estimator with a ``loss_curve_`` attribute
            A fitted :class:`~skneural.LogisticRegressionGD`,
            :class:`~skneural.StackedNetClassifier` (or scikit-learn's
            ``MLPClassifier``), or a Pipeline ending with one.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes when None.
        **kwargs : dict
            Keyword arguments passed to ``ax.plot`` for the training loss.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.

        Examples
        --------
        >>> from sklearn.datasets import load_breast_cancer
        >>> from skneural import LogisticRegressionGD, LossCurveDisplay
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> clf = LogisticRegressionGD(solver="gd", max_iter=30)
        >>> clf = clf.fit(X / X.max(axis=0), y)
        >>> import matplotlib
        >>> matplotlib.use("Agg")  # no screen needed
        >>> display = LossCurveDisplay.from_estimator(clf)
        >>> display.ax_.get_xlabel()
        'Iteration'
        """
        pyplot_or_error("LossCurveDisplay")
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(final)
        if not hasattr(final, "loss_curve_"):
            raise TypeError(
                "LossCurveDisplay.from_estimator needs an estimator with a "
                f"`loss_curve_` attribute, got {type(final).__name__}."
            )
        # full-batch solvers record one loss per iteration, not per epoch
        full_batch = fit_curve_unit(final) == "iteration"
        display = cls(
            loss_curve=final.loss_curve_,
            validation_loss_curve=getattr(final, "validation_loss_curve_", None),
            validation_scores=getattr(final, "validation_scores_", None),
            estimator_name=type(final).__name__,
        )
        return display.plot(
            ax=ax, xlabel="Iteration" if full_batch else "Epoch", **kwargs
        )
