"""Command line: ``skneural`` (or ``python -m skneural``) runs the demo."""

from __future__ import annotations

import argparse
import sys


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
        default=0.25,
        help="fraction of the data held out for testing (default 0.25)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the split and of the networks (default 0)",
    )
    return parser


def main(argv=None):
    """Entry point of the ``skneural`` command."""
    args = build_parser().parse_args(argv)
    if not 0 < args.test_size < 1:
        print(
            "skneural: error: --test-size must be between 0 and 1, "
            f"got {args.test_size}",
            file=sys.stderr,
        )
        return 2
    from ._demo import run_demo

    run_demo(test_size=args.test_size, random_state=args.random_state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
