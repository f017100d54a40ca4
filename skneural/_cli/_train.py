"""``skneural train``: read, split, fit, report and save.

What depends on the kind of target (how it is read, which estimator, which
report, whether the split is stratified) is one :class:`Task` in ``TASKS``:
classification or regression, guessed from the target column unless
``--task`` names it.
"""

from __future__ import annotations

import contextlib
import difflib
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._base import fit_stop_reason
from ._columns import empty_columns, missing_cells, read_features
from ._estimators import (
    EpochProgress,
    make_classifier,
    make_pipeline,
    make_regressor,
    max_iter_warning,
    skneural_step,
    training_unit,
)
from ._messages import CommandError, file_row, listing, rows_text
from ._model_files import fitted_skneural_estimator, save_model
from ._regression import describe_values, detect_task, real_values, report_regression
from ._table import read_table


def class_labels(cells):
    """Class labels from text: integers when every label is one, else text."""
    try:
        return np.array([int(cell) for cell in cells])  # sorted as numbers
    except ValueError:
        return np.array(cells.tolist(), dtype=object)  # plain str, never np.str_


def check_classes(path, target, y):
    classes = np.unique(y).tolist()  # plain Python values in the message
    if len(classes) < 2:
        raise CommandError(
            f"{path}: the target column {target!r} has one value only "
            f"({classes[0]!r}); a classifier needs at least two classes"
        )
    return f"{len(classes)} classes"


def doubtful_classes(path, target, y):
    """Warnings for text labels that look like typos of another class.

    Labels equal but for case and spaces ('nebbiolo ' and 'Nebbiolo'), and
    a class of one row whose label is close to a larger class's: each
    becomes a class of its own, which the user rarely means.
    """
    labels, counts = np.unique(y, return_counts=True)
    if not all(isinstance(label, str) for label in labels):
        return []
    doubts, same = [], {}
    for label in labels.tolist():
        same.setdefault(_folded(label), []).append(label)
    for group in same.values():
        if len(group) > 1:
            doubts.append(
                f"{path}: target {target!r}: {listing(group)} differ only in case "
                "or spaces, and are different classes"
            )
    # the larger classes by their folded labels: a typo may change the case
    larger = {
        _folded(label): label
        for label, n in zip(labels.tolist(), counts, strict=True)
        if n > 1
    }
    for label in labels[counts == 1].tolist():
        if _is_number(label):  # 25.0 beside 225.0 is no typo
            continue
        close = difflib.get_close_matches(_folded(label), larger, n=1, cutoff=0.8)
        if close and close[0] != _folded(label):  # case-and-space twins: said above
            doubts.append(
                f"{path}: target {target!r}: class {label!r} has one row only "
                f"(a typo of {larger[close[0]]!r}?)"
            )
    return doubts


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _folded(label):
    """A label without case and with single spaces: what a typo would not change."""
    return " ".join(label.split()).casefold()


@dataclass
class Split:
    """The training rows and, unless ``--test-size 0``, the test rows."""

    X_train: object
    y_train: np.ndarray
    X_test: object = None
    y_test: np.ndarray = None


# More classes than this make a confusion matrix too wide to read.
_LARGEST_MATRIX = 20


def report_classification(model, split, say):
    """Accuracies and the test rows' confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix

    train_accuracy = accuracy_score(split.y_train, model.predict(split.X_train))
    say(f"train accuracy: {train_accuracy:.4f}")
    if split.X_test is None:
        say("no test rows (--test-size 0): every row was used for training")
        return
    predicted = model.predict(split.X_test)
    say(f"test accuracy:  {accuracy_score(split.y_test, predicted):.4f}")
    classes = model[-1].classes_
    if len(classes) > _LARGEST_MATRIX:
        say(
            f"confusion matrix not shown: {len(classes)} classes (more than "
            f"{_LARGEST_MATRIX})"
        )
        return
    say("confusion matrix (test rows; rows: true class, columns: predicted):")
    say(
        _format_matrix(
            confusion_matrix(split.y_test, predicted, labels=classes), classes
        )
    )


def _format_matrix(matrix, classes):
    names = [str(c) for c in classes]
    width = max(max(len(n) for n in names), len(str(matrix.max())), 4)
    lines = [" " * width + " " + " ".join(n.rjust(width) for n in names)]
    for name, row in zip(names, matrix, strict=True):
        lines.append(
            name.rjust(width) + " " + " ".join(str(v).rjust(width) for v in row)
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Task:
    """Everything in ``train`` that depends on the kind of target."""

    read_target: Callable  # text cells -> labels or values
    describe_target: Callable  # (path, target, y) -> "3 classes", checks y
    doubts: Callable  # (path, target, y) -> warnings about the target
    make_estimator: Callable  # options -> estimator
    report: Callable  # (model, split, say) -> None
    stratify: bool


TASKS = {
    "classification": Task(
        class_labels,
        check_classes,
        doubtful_classes,
        make_classifier,
        report_classification,
        True,
    ),
    "regression": Task(
        real_values,
        describe_values,
        lambda path, target, y: [],
        make_regressor,
        report_regression,
        False,
    ),
}


def rows_with_target(frame, path, target, drop_missing, say):
    """The rows whose target has a value; the others fail or are dropped."""
    missing = missing_cells(frame[target])
    if not missing.any():
        return frame
    rows = [file_row(i) for i in frame.index[missing]]
    if not drop_missing:
        raise CommandError(
            f"{path}, {rows_text(rows)}: the target column {target!r} has no "
            "value (--drop-missing-target leaves such rows out)"
        )
    if missing.all():
        raise CommandError(f"{path}: the target column {target!r} has no value")
    say(
        f"left out {len(rows)} row{'s' if len(rows) > 1 else ''} without a "
        f"{target!r} (--drop-missing-target): {rows_text(rows)}"
    )
    return frame[~missing]


def split_rows(X, y, args, path, stratify):
    """Hold out ``--test-size`` of the rows (stratified when every class can be)."""
    from sklearn.model_selection import train_test_split

    if args.test_size == 0:
        return Split(X, y)
    _, counts = np.unique(y, return_counts=True)
    try:
        parts = train_test_split(
            X,
            y,
            test_size=args.test_size,
            stratify=y if stratify and counts.min() >= 2 else None,
            random_state=args.random_state,
        )
    except ValueError as exc:
        raise CommandError(f"{path}: cannot split the rows: {exc}") from None
    return Split(*parts[::2], *parts[1::2])


@contextlib.contextmanager
def relayed_warnings(warn, estimator):
    """Say each distinct warning raised inside once, in the command's words."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    # the fit's own record says whether max_iter ended it (never the text)
    at_max_iter = fit_stop_reason(skneural_step(estimator)) == "max_iter"
    said = set()
    for warning in caught:
        text = str(warning.message)
        if issubclass(warning.category, ConvergenceWarning) and at_max_iter:
            text = max_iter_warning(estimator)
        if text not in said:
            said.add(text)
            warn(text)


def feature_columns(frame, path, args, warn):
    """The feature columns, and those left out for having no value at all."""
    features = [c for c in frame.columns if c not in (args.target, args.id)]
    empty = empty_columns(frame, features)
    if len(empty) == 1:
        warn(f"{path}: column {empty[0]!r} has no value in any row: left out")
    elif empty:
        warn(f"{path}: columns {listing(empty)} have no value in any row: left out")
    features = [c for c in features if c not in empty]
    if not features:
        raise CommandError(f"{path} has no feature column besides the target")
    return features, empty


def _guessed_task(frame, args, err):
    """The task the target column looks like; a regression is announced."""
    task_name = detect_task(frame[args.target])
    if task_name == "regression":
        err(
            f"{args.target!r} holds real values: training a regressor "
            "(--task classification overrides)"
        )
    return task_name


def _check_named_columns(frame, path, args):
    """Refuse a --target or --id that names no column of the file, or the same."""
    columns = frame.columns.tolist()
    for option, name in [("--target", args.target), ("--id", args.id)]:
        if name is not None and name not in columns:
            close = difflib.get_close_matches(name, columns, n=1)
            hint = f"; {close[0]!r}?" if close else ""
            raise CommandError(
                f"{path} has no column {name!r} ({option}{hint}; its columns: "
                f"{listing(columns, limit=20)})"
            )
    if args.id is not None and args.id == args.target:
        raise CommandError(
            f"--id and --target both name {args.target!r}: the target cannot "
            "also be the identifier of each row"
        )


def _check_output(path):
    """Refuse an --out whose folder does not exist, before training for nothing."""
    folder = Path(path).parent
    if not folder.is_dir():
        raise CommandError(
            f"{path}: cannot write the model (no folder {str(folder)!r})"
        )


def train(args, say, err):
    """Run ``skneural train``; ``say`` and ``err`` write to stdout and stderr."""
    task_name = getattr(args, "task", None)
    if not 0 <= args.test_size < 1:
        raise CommandError(
            f"--test-size must be at least 0 and below 1, got {args.test_size}"
        )
    # bad options fail before any reading
    estimator = TASKS[task_name or "classification"].make_estimator(args)
    _check_output(args.out)
    frame = read_table(args.data, args.sep, args.encoding)
    path = args.data
    _check_named_columns(frame, path, args)
    frame = rows_with_target(
        frame, path, args.target, args.drop_missing_target, err.warn
    )
    if task_name is None:
        task_name = _guessed_task(frame, args, err)
        if task_name == "regression":
            estimator = TASKS[task_name].make_estimator(args)
    task = TASKS[task_name]
    try:
        y = task.read_target(frame[args.target])
    except CommandError as exc:
        raise CommandError(f"{path}, {exc}") from None
    described = task.describe_target(path, args.target, y)
    for doubt in task.doubts(path, args.target, y):
        err.warn(doubt)
    features, empty = feature_columns(frame, path, args, err.warn)
    X, numeric = read_features(frame, features, path, err.warn)
    categorical = [c for c in features if c not in numeric]
    model = make_pipeline(numeric, categorical, estimator)
    split = split_rows(X, y, args, path, task.stratify)
    say(
        f"{path}: {len(y)} rows, {len(features)} feature columns "
        f"({len(numeric)} numeric, {len(categorical)} categorical"
        f"{': ' + ', '.join(categorical) if categorical else ''}), "
        f"target {args.target!r} with {described}"
    )
    n_test = 0 if split.X_test is None else len(split.y_test)
    say(
        f"training {type(skneural_step(estimator)).__name__} on "
        f"{len(split.y_train)} rows, testing on {n_test}"
    )
    seconds = _fit(model, split, estimator, args, err)
    n_iter = fitted_skneural_estimator(model).n_iter_
    say(f"{training_unit(estimator)}s: {n_iter} ({seconds:.2f} s)")
    with relayed_warnings(err.warn, estimator):
        task.report(model, split, say)
    model.csv_columns_ = {
        "features": features,
        "numeric": numeric,
        "categorical": categorical,
        "target": args.target,
        "id": args.id,
        "unused": empty,
        "task": task_name,
    }
    save_model(model, args.out)
    say(f"saved the model to {args.out}")
    return 0


def _fit(model, split, estimator, args, err):
    """Fit with progress on stderr; returns the seconds it took."""
    trained = skneural_step(estimator)  # the regressor a target transform clones
    if hasattr(trained, "set_callbacks") and not args.quiet:
        trained.set_callbacks(EpochProgress(err))
    start = time.perf_counter()
    try:
        with relayed_warnings(err.warn, estimator):
            model.fit(split.X_train, split.y_train)
    except ValueError as exc:
        raise CommandError(f"{args.data}: cannot train: {exc}") from None
    finally:
        for each in (trained, fitted_skneural_estimator(model)):
            if hasattr(each, "set_callbacks"):
                each.set_callbacks()  # the saved model holds no callback
    return time.perf_counter() - start
