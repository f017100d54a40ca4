"""Side-by-side benchmark of skneural and its scikit-learn peers.

Run ``python benchmarks/run.py`` (``--quick`` for a run of about a minute).
Both sides run in this one process, alternating; each figure is a median over
repeats, with the min-max range. Results are printed as a Markdown report;
``--out`` also writes it to a file (``benchmarks/RESULTS.md`` is such a
report). The cases live beside this file:

* ``bench_networks.py``: stacked networks, time per epoch against
  MLPClassifier, pinned to one BLAS thread and with the machine's default;
  test accuracy, peak memory, and the *floor* (the epoch's matrix products
  alone) with the fraction of it each side reaches;
* ``bench_search.py``: a ``GridSearchCV`` on digits (adam and lbfgs, one
  thread) and a 5-fold cross-validation on 5,000 MNIST digits (both thread
  counts), total wall time and scores;
* ``bench_logistic.py``: the time and the passes over the data to reach the
  optimum of scikit-learn's lbfgs within 1e-6 relative objective;
* ``bench_kernels.py``: each kernel of ``skneural/_engine/kernels.py``
  against the formula it replaces.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

# the checkout this file is in, before any installed copy of the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from baseline import load_baseline  # noqa: E402
from bench_kernels import bench_kernels  # noqa: E402
from bench_logistic import bench_logistic  # noqa: E402
from bench_networks import bench_networks, fit_epochs, synthetic_split  # noqa: E402
from bench_search import bench_cross_validation, bench_grid_search  # noqa: E402
from regression import bench_regression  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402


def default_threads():
    """The BLAS thread count the machine gives when nothing limits it."""
    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return max(counts, default=1)


def header(argv, repeats, digits_repeats, small_lr_repeats, out):
    import sklearn

    blas = [
        f"{i['internal_api']} {i['version']} ({i.get('architecture')})"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    out("# skneural benchmark")
    out()
    out(
        f"- machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    out(f"- BLAS: {'; '.join(blas)}; default threads: {default_threads()}")
    out(
        f"- command: `python benchmarks/run.py {' '.join(argv or sys.argv[1:])}`; "
        f"medians of {repeats} alternating repeats (min-max); "
        f"{digits_repeats} for the digits network, {small_lr_repeats} for logistic "
        "regression on breast_cancer and digits (fits under a second)"
    )
    out()


def logistic_cases(quick, repeats, small_lr_repeats, out):
    out("| data | model | ms | ratio to lbfgs | objective gap | passes |")
    out("| --- | --- | --- | --- | --- | --- |")
    for loader in (load_breast_cancer, load_digits):
        X, y = loader(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        bench_logistic(loader.__name__[5:], X, y, small_lr_repeats, out)
    n = 20_000 if quick else 200_000
    X, _, y, _ = synthetic_split(n, 100, 2, np.float64)
    bench_logistic(f"{n}x100", X, y, repeats, out)


def search_cases(quick, repeats, search_repeats, threads, thread_counts, out):
    out(f"### Grid search (BLAS threads: {threads}, n_jobs=1)")
    out()
    out("| search | model | seconds | ratio to MLP | best CV score | best setting |")
    out("| --- | --- | --- | --- | --- | --- |")
    for solver in ("adam", "lbfgs"):
        bench_grid_search(solver, quick, search_repeats, threads, out)
    out()
    out("### Cross-validation (default settings but hidden (64,))")
    out()
    out(
        "| search | model | BLAS threads | seconds | ratio to MLP | ratio to own "
        "1 thread | mean CV score |"
    )
    out("| --- | --- | --- | --- | --- | --- | --- |")
    bench_cross_validation(quick, search_repeats, thread_counts, out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a minute")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS threads of logistic regression and the grid search (default 1); "
        "networks and cross-validation run at 1 and at the machine's default",
    )
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--search-repeats", type=int, default=None, help="default 1 (--quick: 1)"
    )
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time the StackedNetClassifier of commit REV in the network "
        "cases, alternated with the others (a same-machine counterpart of "
        "another run's figures)",
    )
    parser.add_argument(
        "--only",
        choices=["networks", "search", "logistic", "regression", "kernels"],
        default=None,
    )
    args = parser.parse_args(argv)
    baseline = None
    if args.baseline:
        if args.only not in (None, "networks"):
            parser.error("--baseline times the network cases: use it with them")
        try:
            module, commit = load_baseline(args.baseline)
        except ValueError as error:
            parser.error(str(error))
        baseline = (commit, module)
    repeats = args.repeats or (2 if args.quick else 3)
    search_repeats = args.search_repeats or 1
    # fits under a second get more repeats for steadier medians (not in --quick)
    digits_repeats, small_lr_repeats = (
        (repeats, repeats) if args.quick else (3 * repeats, 5 * repeats)
    )
    thread_counts = {"1": 1, f"default ({default_threads()})": None}
    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)

    header(argv, repeats, digits_repeats, small_lr_repeats, out)
    if args.only in (None, "networks"):
        out("## Stacked networks (Adam, batch 200)")
        out()
        bench_networks(
            args.quick, repeats, digits_repeats, out, thread_counts, baseline
        )
        out()
    if args.only in (None, "search"):
        out("## Model search")
        out()
        search_cases(
            args.quick, repeats, search_repeats, args.threads, thread_counts, out
        )
        out()
    if args.only in (None, "logistic"):
        out("## Logistic regression: reaching lbfgs's optimum within 1e-6")
        out()
        with threadpool_limits(args.threads):
            logistic_cases(args.quick, repeats, small_lr_repeats, out)
    if args.only in (None, "regression"):
        out()
        out("## Regression: beside MLPRegressor (Adam, batch 200, (100,))")
        out()
        out("| data | model | ms per epoch | ratio to MLP | 5-fold CV R^2 |")
        out("| --- | --- | --- | --- | --- |")
        with threadpool_limits(args.threads):
            bench_regression(out, repeats, fit_epochs, quick=args.quick)
    if args.only in (None, "kernels"):
        out()
        out("## Kernels against their reference forms (one minibatch's sizes)")
        out()
        bench_kernels(repeats, out, thread_counts)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
