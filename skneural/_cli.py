"""The ``skneural`` command: the demo, ``train`` on a CSV file, ``predict``.

``skneural train DATA.csv --target COLUMN`` reads the file with the standard
library (numeric columns are those whose every present value is a number;
the others are categorical; empty cells and ``NA`` are missing), fits a
Pipeline (imputation, scaling, one-hot encoding, then one of our
classifiers), reports train and test accuracy, and saves the Pipeline.
``skneural predict MODEL DATA.csv`` writes one prediction per row, with the
probability of each class.

Every problem the user can fix (a missing file, column or value, a file
that is not a model) ends the command with a one-line message naming the
file, row or column at fault, and exit status 2: no traceback.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
import warnings

import numpy as np

from ._csv import CommandError, feature_matrix, is_numeric, read_table, target_labels
from ._model_files import _skneural_estimator, load_model, save_model

DEFAULT_HIDDEN = "64,32"


# -- training ------------------------------------------------------------------
def parse_hidden(text):
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        sizes = (0,)
    if not sizes or min(sizes) < 1:
        raise CommandError(
            f"--hidden must be positive integers separated by commas, got {text!r}"
        )
    return sizes


def make_classifier(args):
    from ._logistic import LogisticRegressionGD
    from ._stacked import StackedNetClassifier

    if args.max_iter is not None and args.max_iter < 1:
        raise CommandError(
            f"--max-iter must be a positive integer, got {args.max_iter}"
        )
    if args.model == "logistic":
        if args.hidden is not None:
            raise CommandError("--hidden is for --model stacked")
        return LogisticRegressionGD(max_iter=args.max_iter or 1000)
    return StackedNetClassifier(
        hidden_layer_sizes=parse_hidden(args.hidden or DEFAULT_HIDDEN),
        max_iter=args.max_iter or 200,
        random_state=args.random_state,
    )


def make_pipeline(numeric, categorical, classifier):
    """Impute and scale numeric columns, impute and one-hot encode the others."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.pipeline import make_pipeline as chain
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts = []
    if numeric:
        parts.append(
            (
                "numeric",
                chain(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            )
        )
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        imputer = SimpleImputer(strategy="most_frequent")
        parts.append(("categorical", chain(imputer, encoder), categorical))
    return Pipeline([("columns", ColumnTransformer(parts)), ("classifier", classifier)])


class EpochProgress:
    """A callback printing the epoch and the loss to stderr, about once a second."""

    def __init__(self, stream, every=1.0):
        self.stream, self.every = stream, every

    def setup(self, estimator, context):
        self.start = self.last = time.perf_counter()
        self.max_epochs = context.max_subtasks

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        now = time.perf_counter()
        if context.task_id == 0 or now - self.last >= self.every:
            self.last = now
            print(
                f"epoch {context.task_id + 1}/{self.max_epochs}: "
                f"loss {fitted_estimator.loss_curve_[-1]:.6f}",
                file=self.stream,
                flush=True,
            )
        return False

    def teardown(self, estimator, context):
        pass


def train(args, out, err):
    from sklearn.metrics import accuracy_score, confusion_matrix
    from sklearn.model_selection import train_test_split

    if not 0 < args.test_size < 1:
        raise CommandError(f"--test-size must be between 0 and 1, got {args.test_size}")
    classifier = make_classifier(args)  # bad options fail before any reading
    table = read_table(args.data)
    if args.target not in table.header:
        raise CommandError(
            f"{table.path} has no column {args.target!r} (its columns: "
            f"{', '.join(table.header)})"
        )
    features = [name for name in table.header if name != args.target]
    if not features:
        raise CommandError(f"{table.path} has no column besides the target")
    categorical = [name for name in features if not is_numeric(table.column(name))]
    X = feature_matrix(table, features, set(categorical))
    y = target_labels(table, args.target)
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise CommandError(
            f"{table.path}: the target column {args.target!r} has one value only "
            f"({classes[0]!r}); a classifier needs at least two classes"
        )
    numeric_idx = [j for j, name in enumerate(features) if name not in categorical]
    categorical_idx = [j for j, name in enumerate(features) if name in categorical]
    model = make_pipeline(numeric_idx, categorical_idx, classifier)

    stratify = y if counts.min() >= 2 else None
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=args.test_size,
            stratify=stratify,
            random_state=args.random_state,
        )
    except ValueError as exc:
        raise CommandError(f"{table.path}: cannot split the rows: {exc}") from None
    print(
        f"{table.path}: {len(y)} rows, {len(features)} feature columns "
        f"({len(numeric_idx)} numeric, {len(categorical_idx)} categorical"
        f"{': ' + ', '.join(categorical) if categorical else ''}), "
        f"target {args.target!r} with {len(classes)} classes",
        file=out,
    )
    print(
        f"training {type(classifier).__name__} on {len(y_train)} rows, "
        f"testing on {len(y_test)}",
        file=out,
    )
    if hasattr(classifier, "set_callbacks") and not args.quiet:
        classifier.set_callbacks(EpochProgress(err))
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    if hasattr(classifier, "set_callbacks"):
        classifier.set_callbacks()  # the saved model holds no callback
    for warning in caught:
        print(f"warning: {warning.message}", file=err)

    print(
        f"train accuracy: {accuracy_score(y_train, model.predict(X_train)):.4f}",
        file=out,
    )
    test_pred = model.predict(X_test)
    print(f"test accuracy:  {accuracy_score(y_test, test_pred):.4f}", file=out)
    print(f"epochs: {classifier.n_iter_} ({seconds:.2f} s)", file=out)
    print(
        "confusion matrix (test rows; rows: true class, columns: predicted):", file=out
    )
    print(
        _format_matrix(
            confusion_matrix(y_test, test_pred, labels=classifier.classes_),
            classifier.classes_,
        ),
        file=out,
    )

    model.csv_columns_ = {
        "features": features,
        "categorical": categorical,
        "target": args.target,
    }
    save_model(model, args.out)
    print(f"saved the model to {args.out}", file=out)
    return 0


def _format_matrix(matrix, classes):
    names = [str(c) for c in classes]
    width = max(max(len(n) for n in names), len(str(matrix.max())), 4)
    lines = [" " * width + " " + " ".join(n.rjust(width) for n in names)]
    for name, row in zip(names, matrix, strict=True):
        lines.append(
            name.rjust(width) + " " + " ".join(str(v).rjust(width) for v in row)
        )
    return "\n".join(lines)


# -- predicting ----------------------------------------------------------------
def prediction_input(model, table):
    """The model's input from ``table``: its columns by name, checked."""
    columns = getattr(model, "csv_columns_", None)
    if columns is None:  # a model not saved by ``train``: every column is a feature
        n_expected = _skneural_estimator(model).n_features_in_
        names = list(getattr(model, "feature_names_in_", table.header))
        if len(table.header) != n_expected:
            raise CommandError(
                f"{table.path} has {len(table.header)} columns, the model expects "
                f"{n_expected}"
            )
        return feature_matrix(table, names, set())
    features, target = columns["features"], columns["target"]
    missing = [name for name in features if name not in table.header]
    if missing:
        raise CommandError(
            f"{table.path} has no column {missing[0]!r}, which the model was trained "
            f"on (missing: {', '.join(missing)})"
        )
    extra = [name for name in table.header if name not in features and name != target]
    if extra:
        raise CommandError(
            f"{table.path} has column {extra[0]!r}, which the model was not trained "
            f"on (unknown: {', '.join(extra)})"
        )
    return feature_matrix(table, features, set(columns["categorical"]))


def predict(args, out, err):
    model = load_model(args.model)
    table = read_table(args.data)
    X = prediction_input(model, table)
    classes = _skneural_estimator(model).classes_
    labels = model.predict(X)
    proba = model.predict_proba(X)
    rows = [["prediction", *(f"proba_{c}" for c in classes)]]
    rows += [
        [label, *(f"{p:.6g}" for p in row)]
        for label, row in zip(labels, proba, strict=True)
    ]
    if not args.out:
        csv.writer(out, lineterminator="\n").writerows(rows)
        return 0
    try:
        with open(args.out, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    except OSError as exc:
        raise CommandError(f"{args.out}: cannot write ({exc.strerror})") from None
    print(f"wrote {len(labels)} predictions to {args.out}", file=err)
    return 0


# -- the command line ----------------------------------------------------------
def build_parser():
    parser = argparse.ArgumentParser(
        prog="skneural",
        description=(
            "Small-data neural networks trained by explicit gradient descent. "
            "With no command, runs the demo on scikit-learn's breast-cancer data: "
            "LogisticRegressionGD and StackedNetClassifier beside scikit-learn's "
            "LogisticRegression and MLPClassifier on the same train/test split."
        ),
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=None,
        help="fraction of the data held out for testing (default 0.25 for the "
        "demo, 0.2 for train)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the split and of the networks (default 0)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train_parser = commands.add_parser(
        "train",
        help="train a classifier on a CSV file and save it",
        description=(
            "Train on a CSV file with a header row. Numeric columns are imputed "
            "(median) and standardised, the other columns imputed (most frequent) "
            "and one-hot encoded; empty cells and NA are missing values."
        ),
    )
    train_parser.add_argument("data", help="CSV file with a header row")
    train_parser.add_argument("--target", required=True, help="the column to predict")
    train_parser.add_argument(
        "--model",
        choices=["logistic", "stacked"],
        default="logistic",
        help="LogisticRegressionGD or StackedNetClassifier (default logistic)",
    )
    train_parser.add_argument(
        "--hidden",
        help=f"hidden layer sizes of --model stacked (default {DEFAULT_HIDDEN})",
    )
    train_parser.add_argument("--max-iter", type=int, help="most epochs of training")
    train_parser.add_argument(
        "--test-size",
        type=float,
        default=argparse.SUPPRESS,
        help="fraction of rows held out for testing (default 0.2)",
    )
    train_parser.add_argument(
        "--random-state",
        type=int,
        default=argparse.SUPPRESS,
        help="seed of the split and of the network (default 0)",
    )
    train_parser.add_argument(
        "--out",
        default="model.joblib",
        help="where to save the model: skops format for a .skops name, joblib "
        "otherwise (default model.joblib)",
    )
    train_parser.add_argument(
        "--quiet", action="store_true", help="no per-epoch progress on stderr"
    )

    predict_parser = commands.add_parser(
        "predict",
        help="predict every row of a CSV file with a saved model",
        description=(
            "Write one prediction per row of DATA as CSV: the predicted class and "
            "the probability of each class. Load only model files you trust: a "
            "joblib file runs code when loaded (a .skops file is checked first)."
        ),
    )
    predict_parser.add_argument("model", help="model file saved by skneural train")
    predict_parser.add_argument("data", help="CSV file with the model's columns")
    predict_parser.add_argument(
        "--out", help="CSV file to write (default: standard output)"
    )
    return parser


def main(argv=None, out=None, err=None):
    """Run the ``skneural`` command; returns its exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            if args.test_size is None:
                args.test_size = 0.2
            return train(args, out, err)
        if args.command == "predict":
            return predict(args, out, err)
        test_size = 0.25 if args.test_size is None else args.test_size
        if not 0 < test_size < 1:
            raise CommandError(f"--test-size must be between 0 and 1, got {test_size}")
        from ._demo import run_demo

        run_demo(test_size=test_size, random_state=args.random_state)
        return 0
    except CommandError as exc:
        print(f"skneural: error: {exc}", file=err)
        return 2
    except BrokenPipeError:
        # the reader went away (``skneural predict ... | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
