"""The ``skneural`` command: the demo, ``train`` on a CSV file, ``predict``.

``skneural train DATA.csv --target COLUMN`` reads the file with pandas,
fits a Pipeline (imputation, scaling, one-hot encoding, then one of our
classifiers, or the regressor for a continuous target), reports train and
test accuracy (R^2, MAE and RMSE for a regression), and saves the Pipeline.
``skneural predict MODEL DATA.csv`` writes one prediction per row, with the
probability of each class (the predicted value, for a regression). Both
need the ``[cli]`` extra (pandas, skops); the demo needs nothing beyond the
package.

Every problem the user can fix (a missing file, column or value, a file
that is not a model) ends the command with a one-line message naming the
file, row or column at fault, and exit status 2: no traceback. A reader
that closes the pipe early (``| head``) ends the output quietly: ``train``
still saves the model and exits 0; ``predict`` to standard output stops
and exits 1, its predictions cut short.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ._estimators import DEFAULT_HIDDEN
from ._messages import CommandError, Output, silence

CLI_EXTRA = 'pip install "skneural[cli]" (in a clone: pip install ".[cli]")'


def _file_options(parser, data_help):
    parser.add_argument("data", help=data_help)
    parser.add_argument(
        "--sep",
        help="the separator between cells: ',', ';', 'tab', '|'... "
        "(default: found from the first lines)",
    )
    parser.add_argument(
        "--encoding", help="the file's text encoding, e.g. latin-1 (default utf-8)"
    )
    parser.add_argument(
        "--id",
        metavar="COLUMN",
        help="a column identifying each row: not a feature; predict writes it "
        "beside each prediction",
    )


def _train_parser(commands):
    parser = commands.add_parser(
        "train",
        help="train a classifier or a regressor on a CSV file and save it",
        description=(
            "Train on a CSV file with a header row (compressed .gz, .zip, .bz2, "
            ".xz files too). Numeric columns are imputed (median) and "
            "standardised, the other columns imputed (most frequent) and one-hot "
            "encoded. Empty cells, NA, ?, - and the like are missing values; in "
            "a column of numbers, cells that are not numbers are read as missing "
            "too, with a warning."
        ),
    )
    _file_options(parser, "CSV file with a header row")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument(
        "--model",
        choices=["logistic", "stacked"],
        help="LogisticRegressionGD or StackedNetClassifier (default logistic); "
        "a regression always trains StackedNetRegressor",
    )
    parser.add_argument(
        "--task",
        choices=["classification", "regression"],
        help="what the target is (default: regression for a column of real "
        "numbers with many distinct values, classification otherwise)",
    )
    parser.add_argument(
        "--hidden",
        help=f"hidden layer sizes of --model stacked (default {DEFAULT_HIDDEN})",
    )
    parser.add_argument("--max-iter", type=int, help="most epochs of training")
    parser.add_argument(
        "--test-size",
        type=float,
        default=argparse.SUPPRESS,
        help="fraction of rows held out for testing (default 0.2; 0 trains on "
        "every row, with no test report)",
    )
    parser.add_argument(
        "--drop-missing-target",
        action="store_true",
        help="leave out the rows whose target is missing (default: an error)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=argparse.SUPPRESS,
        help="seed of the split and of the network (default 0)",
    )
    parser.add_argument(
        "--out",
        default="model.joblib",
        help="where to save the model: skops format for a .skops name, joblib "
        "otherwise (default model.joblib)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no per-epoch progress on stderr"
    )


def _predict_parser(commands):
    parser = commands.add_parser(
        "predict",
        help="predict every row of a CSV file with a saved model",
        description=(
            "Write one prediction per row of DATA as CSV: the predicted class and "
            "the probability of each class (the predicted value, for a "
            "regressor). Columns are matched by name; columns "
            "the model was not trained on are ignored with a warning. Load only "
            "model files you trust: a joblib file runs code when loaded (a .skops "
            "file is checked first)."
        ),
    )
    parser.add_argument("model", help="model file saved by skneural train")
    _file_options(parser, "CSV file with the model's columns")
    parser.add_argument("--out", help="CSV file to write (default: standard output)")


def build_parser():
    """The argument parser of ``skneural`` and its two commands."""
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
        "--version", action="version", version=f"skneural {__version__}"
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
    _train_parser(commands)
    _predict_parser(commands)
    return parser


def require_extra(command, skops_file):
    """Fail before any work when the ``[cli]`` extra is not installed."""
    needed = ["pandas", "skops"] if skops_file else ["pandas"]
    missing = []
    for name in needed:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise CommandError(
            f"skneural {command} needs {' and '.join(missing)}, from the [cli] "
            f"extra: {CLI_EXTRA}"
        )


def _run(args, say, err):
    if args.command == "train":
        from ._table import separator_option

        require_extra("train", str(args.out).endswith(".skops"))
        args.test_size = 0.2 if args.test_size is None else args.test_size
        args.sep = None if args.sep is None else separator_option(args.sep)
        from ._train import train

        return train(args, say, err)
    if args.command == "predict":
        from ._table import separator_option

        require_extra("predict", str(args.model).endswith(".skops"))
        args.sep = None if args.sep is None else separator_option(args.sep)
        from ._predict import predict

        return predict(args, say, err)
    test_size = 0.25 if args.test_size is None else args.test_size
    if not 0 < test_size < 1:
        raise CommandError(f"--test-size must be between 0 and 1, got {test_size}")
    from ._demo import run_demo

    run_demo(test_size=test_size, random_state=args.random_state, out=say)
    return 0


def main(argv=None, out=None, err=None):
    """Run the ``skneural`` command; returns its exit status."""
    say, err = Output(out or sys.stdout), Output(err or sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        return _run(args, say, err)
    except CommandError as exc:
        err(f"skneural: error: {exc}")
        return 2
    except BrokenPipeError:
        # the reader of the predictions went away (``| head``): stop quietly
        silence(say.stream)
        return 1
