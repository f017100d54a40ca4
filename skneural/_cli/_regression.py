"""The regression task of ``skneural train``: real targets, R^2, MAE, RMSE.

A target column is taken as continuous when every cell is a number and
either some are not whole numbers and there are more than ``MIN_DISTINCT``
distinct values (a penguin's bill length; not a grade of 1, 1.5 or 2), or
there are more than ``MAX_CLASSES`` distinct whole numbers (a body mass in
grams; not a digit from 0 to 9); ``--task`` overrides the guess either way.
"""

from __future__ import annotations

import numpy as np

from ._columns import with_decimal_points
from ._messages import CommandError, file_row, rows_text

MIN_DISTINCT = 10
# More distinct whole numbers than this are amounts, not class labels.
MAX_CLASSES = 30


def _numbers(cells):
    """The cells as floats, or None if some cell is not a number.

    Decimal commas count as decimal points where the table says they may
    (the features' rule, ``frame.attrs["decimal_comma"]``).
    """
    if cells.attrs.get("decimal_comma", False):
        cells = with_decimal_points(cells)
    try:
        return np.array([float(cell) for cell in cells], dtype=float)
    except (TypeError, ValueError):
        return None


def detect_task(cells):
    """'regression' for a continuous target, else 'classification'."""
    values = _numbers(cells)
    if values is None or not np.all(np.isfinite(values)):
        return "classification"
    whole = np.all(values == np.round(values))
    distinct = len(np.unique(values))
    if distinct > (MAX_CLASSES if whole else MIN_DISTINCT):
        return "regression"
    return "classification"


def real_values(cells):
    """The target's cells as floats; a cell that is not a number is an error."""
    values = _numbers(cells)
    if values is not None and np.all(np.isfinite(values)):
        return values
    bad = [
        file_row(i)
        for i, cell in zip(cells.index, cells, strict=True)
        if not _is_finite_number(cell)
    ]
    raise CommandError(
        f"{rows_text(bad)}: the target is not a finite number; regression "
        "(--task regression) needs a number in every row"
    )


def _is_finite_number(cell):
    try:
        return bool(np.isfinite(float(cell)))
    except (TypeError, ValueError):
        return False


def describe_values(path, target, y):
    """``real values from A to B``; a constant target cannot be learnt."""
    if np.ptp(y) == 0:
        raise CommandError(
            f"{path}: the target column {target!r} has one value only "
            f"({float(y[0])!r}); there is nothing to regress"
        )
    return f"real values from {y.min():.6g} to {y.max():.6g}"


def report_regression(model, split, say):
    """R^2, mean absolute error and root mean squared error, train and test."""
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    parts = [("train", split.X_train, split.y_train)]
    if split.X_test is not None:
        parts.append(("test", split.X_test, split.y_test))
    for name, X, y in parts:
        predicted = model.predict(X)
        say(
            f"{name} R^2: {r2_score(y, predicted):.4f}  "
            f"MAE: {mean_absolute_error(y, predicted):.6g}  "
            f"RMSE: {root_mean_squared_error(y, predicted):.6g}"
        )
    if split.X_test is None:
        say("no test rows (--test-size 0): every row was used for training")
