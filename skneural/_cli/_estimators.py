"""What ``train`` fits: the estimator from the options, inside its Pipeline.

The Pipeline imputes (median) and standardises the numeric columns, imputes
(most frequent) and one-hot encodes the categorical ones, by column name,
then hands the result to one of our estimators.
"""

from __future__ import annotations

import time

from ._messages import CommandError

DEFAULT_HIDDEN = "64,32"


def parse_hidden(text):
    """``--hidden 64,32`` as a tuple of layer sizes."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        sizes = (0,)
    if not sizes or min(sizes) < 1:
        raise CommandError(
            f"--hidden must be positive integers separated by commas, got {text!r}"
        )
    return sizes


def _check_max_iter(args):
    if args.max_iter is not None and args.max_iter < 1:
        raise CommandError(
            f"--max-iter must be a positive integer, got {args.max_iter}"
        )


def make_classifier(args):
    """LogisticRegressionGD or StackedNetClassifier, as the options say."""
    from .._logistic import LogisticRegressionGD
    from .._stacked import StackedNetClassifier

    _check_max_iter(args)
    if args.model in (None, "logistic"):
        if args.hidden is not None:
            raise CommandError("--hidden is for --model stacked")
        return LogisticRegressionGD(max_iter=args.max_iter or 1000)
    return StackedNetClassifier(
        hidden_layer_sizes=parse_hidden(args.hidden or DEFAULT_HIDDEN),
        max_iter=args.max_iter or 200,
        random_state=args.random_state,
    )


def make_regressor(args):
    """StackedNetRegressor, its target standardised for training.

    The network learns ``(y - mean) / std`` and predicts in the target's own
    units: with Adam's small steps, a raw target in the thousands would take
    thousands of epochs to reach from outputs near zero. Early stopping keeps
    the best epoch on a tenth of the training rows: a network of the default
    size overfits a few hundred rows within the default epochs.
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    from .._regressor import StackedNetRegressor

    _check_max_iter(args)
    if args.model == "logistic":
        raise CommandError(
            "--model logistic is a classifier; a regression target trains "
            "StackedNetRegressor (--model stacked)"
        )
    regressor = StackedNetRegressor(
        hidden_layer_sizes=parse_hidden(args.hidden or DEFAULT_HIDDEN),
        max_iter=args.max_iter or 200,
        random_state=args.random_state,
        early_stopping=True,
    )
    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def skneural_step(estimator):
    """The package's estimator inside a regression's target transform."""
    from sklearn.compose import TransformedTargetRegressor

    if isinstance(estimator, TransformedTargetRegressor):
        return getattr(estimator, "regressor_", estimator.regressor)
    return estimator


def make_pipeline(numeric, categorical, estimator):
    """Impute and scale ``numeric``, impute and one-hot encode ``categorical``."""
    from sklearn.base import is_classifier
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.pipeline import make_pipeline as chain
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    # keep_empty_features: a column with no value in the training rows (but
    # some in the file) stays a column, rather than a warning by index.
    parts = []
    if numeric:
        imputer = SimpleImputer(strategy="median", keep_empty_features=True)
        parts.append(("numeric", chain(imputer, StandardScaler()), numeric))
    if categorical:
        imputer = SimpleImputer(strategy="most_frequent", keep_empty_features=True)
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        parts.append(("categorical", chain(imputer, encoder), categorical))
    step = "classifier" if is_classifier(estimator) else "regressor"
    return Pipeline([("columns", ColumnTransformer(parts)), (step, estimator)])


def training_unit(estimator):
    """What ``--max-iter`` counts: an 'epoch' of minibatches or an 'iteration'."""
    estimator = skneural_step(estimator)
    if hasattr(estimator, "hidden_layer_sizes"):  # a network: minibatches, or lbfgs
        return "iteration" if estimator.solver == "lbfgs" else "epoch"
    # logistic regression: full-batch solvers, or 'sgd'
    return "epoch" if estimator.solver == "sgd" else "iteration"


def max_iter_warning(estimator):
    """The ``--max-iter`` warning in the command's words."""
    unit = training_unit(estimator) + "s"
    estimator = skneural_step(estimator)
    return (
        f"training stopped after {estimator.max_iter} {unit} (--max-iter) before "
        "it converged; a larger --max-iter trains longer"
    )


class EpochProgress:
    """A callback printing the epoch (or iteration) and the loss, about once a second.

    Parameters
    ----------
    say : callable
        Takes each progress line.
    every : float, default=1.0
        Seconds between two lines.
    """

    def __init__(self, say, every=1.0):
        self.say, self.every = say, every

    def setup(self, estimator, context):
        self.last = time.perf_counter()
        self.max_epochs = context.max_subtasks
        self.unit = training_unit(estimator)

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        now = time.perf_counter()
        if context.task_id == 0 or now - self.last >= self.every:
            self.last = now
            self.say(
                f"{self.unit} {context.task_id + 1}/{self.max_epochs}: "
                f"loss {fitted_estimator.loss_curve_[-1]:.6f}"
            )
        return False

    def teardown(self, estimator, context):
        pass
