"""Side-by-side benchmark of skneural and its scikit-learn peers.

Run ``python benchmarks/run.py`` (``--quick`` for a run under a minute).
Both sides run in this one process, alternating, with BLAS pinned to the same
number of threads (one by default); each figure is a median over repeats,
with the min-max range. Results are printed as a Markdown report; ``--out``
also writes it to a file (``benchmarks/RESULTS.md`` is such a report).

Stacked networks (same settings both sides: Adam, batch 200, shuffled, no
early stopping, a fixed number of epochs):

* time per epoch, its ratio to MLPClassifier's, test accuracy (the mean over
  the repeats, whose seeds are 0, 1, 2...), peak memory (tracemalloc, in one
  more fit per side: tracing slows allocations, so timed fits run without it);
* the *floor*: the same epoch's matrix multiplies alone (forward and backward
  GEMMs of every batch, into preallocated arrays), timed in the same run, and
  the fraction of it each side reaches (floor / time per epoch).

Logistic regression: the time and the passes over the data to reach the
optimum of scikit-learn's lbfgs within 1e-6 relative objective.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import tracemalloc
import warnings
from statistics import median

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.linear_model._linear_loss import LinearModelLoss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from skneural import LogisticRegressionGD, StackedNetClassifier
from skneural._network import Network

# -- data ------------------------------------------------------------------------------


def digits_split():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=1 / 4, random_state=0, stratify=y)


def synthetic_split(n_samples, n_features, n_classes, dtype, seed=0):
    X, y = make_classification(
        n_samples=n_samples + 5000,
        n_features=n_features,
        n_informative=n_features // 4,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X).astype(dtype)
    return X[:n_samples], X[n_samples:], y[:n_samples], y[n_samples:]


# -- stacked networks -----------------------------------------------------------------


def gemm_floor(n_samples, sizes, batch_size, dtype, repeats):
    """Median seconds of one epoch's matrix multiplies alone."""
    rng = np.random.RandomState(0)
    x = rng.standard_normal((batch_size, sizes[0])).astype(dtype)
    weights = [
        rng.standard_normal(s).astype(dtype)
        for s in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    acts = [np.empty((batch_size, s), dtype) for s in sizes[1:]]
    grads = [np.empty_like(w) for w in weights]
    deltas = [np.empty((batch_size, s), dtype) for s in sizes[:-1]]
    # every batch of the epoch, the last one shorter when n_samples is not a
    # multiple of batch_size; the views of each size are made before timing
    views = {}
    for n in {min(batch_size, n_samples - s) for s in range(0, n_samples, batch_size)}:
        outputs = [a[:n] for a in acts]
        views[n] = ([x[:n], *outputs[:-1]], outputs, [d[:n] for d in deltas])
    rows = [
        views[min(batch_size, n_samples - s)] for s in range(0, n_samples, batch_size)
    ]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for inputs, outputs, batch_deltas in rows:
            for w, a, inp in zip(weights, outputs, inputs, strict=True):
                np.matmul(inp, w, out=a)
            for i in range(len(weights) - 1, -1, -1):
                np.matmul(inputs[i].T, outputs[i], out=grads[i])
                if i > 0:
                    np.matmul(outputs[i], weights[i].T, out=batch_deltas[i])
        times.append(time.perf_counter() - start)
    return median(times)


def fit_epochs(model, X, y, trace_memory=False):
    """A fitted model, its seconds per epoch, and its peak traced memory (MiB).

    Memory is traced only when asked: tracing slows every allocation, so
    timed fits run without it.
    """
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    seconds = time.perf_counter() - start
    peak = None
    if trace_memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return model, seconds / model.n_iter_, peak


def bench_network(name, data, hidden, epochs, repeats, out):
    X_train, X_test, y_train, y_test = data
    settings = dict(
        hidden_layer_sizes=hidden,
        solver="adam",
        batch_size=200,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
    )
    sides = {
        "MLPClassifier": lambda seed: MLPClassifier(**settings, random_state=seed),
        "StackedNetClassifier": lambda seed: StackedNetClassifier(
            **settings, random_state=seed
        ),
        # MLPClassifier's initialisation, to tell it apart from the rest
        "StackedNetClassifier (glorot_uniform)": lambda seed: StackedNetClassifier(
            **settings, random_state=seed, weight_init="glorot_uniform"
        ),
    }
    sizes = (X_train.shape[1], *hidden, len(np.unique(y_train)))
    times = {k: [] for k in sides}
    scores = {k: [] for k in sides}
    floors = []
    for seed in range(repeats):  # alternate the sides and the floor
        for side, make in sides.items():
            model, per_epoch, _ = fit_epochs(make(seed), X_train, y_train)
            times[side].append(per_epoch)
            scores[side].append(model.score(X_test, y_test))
        floors.append(gemm_floor(X_train.shape[0], sizes, 200, X_train.dtype, 1))
    peaks = {
        side: fit_epochs(make(0), X_train, y_train, trace_memory=True)[2]
        for side, make in sides.items()
    }
    floor = median(floors)
    mlp = median(times["MLPClassifier"])
    rows = []
    for side in sides:
        t = median(times[side])
        rows.append(
            f"| {name} | {side} | {t * 1e3:.1f} ({min(times[side]) * 1e3:.1f}-"
            f"{max(times[side]) * 1e3:.1f}) | {t / mlp:.2f} | {floor / t:.0%} | "
            f"{np.mean(scores[side]):.4f} | {peaks[side]:.1f} |"
        )
    rows.append(
        f"| {name} | floor (GEMMs alone) | {floor * 1e3:.1f} | {floor / mlp:.2f} | "
        "100% | | |"
    )
    for row in rows:
        out(row)


# -- logistic regression ---------------------------------------------------------


def objective(coef, intercept, X, y, classes, C):
    """LogisticRegression's objective (L2), for any fitted model."""
    z = X @ coef.T + intercept
    if coef.shape[0] == 1:
        t = (y == classes[1]).astype(float)
        losses = np.logaddexp(0, z[:, 0]) - t * z[:, 0]
    else:
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        losses = lse - z[np.arange(len(y)), np.searchsorted(classes, y)]
    return C * losses.sum() + 0.5 * np.sum(coef**2)


class PassCounter:
    """Counts passes over the data: a forward or a backward product is half a pass."""

    def __enter__(self):
        self.passes = 0.0
        self.saved = Network.forward, Network.backward

        def counted_forward(net, *args, **kwargs):
            self.passes += 0.5
            return self.saved[0](net, *args, **kwargs)

        def counted_backward(net, *args, **kwargs):
            self.passes += 0.5
            return self.saved[1](net, *args, **kwargs)

        Network.forward, Network.backward = counted_forward, counted_backward
        return self

    def __exit__(self, *exc):
        Network.forward, Network.backward = self.saved


class LbfgsPassCounter:
    """Counts lbfgs's passes: each evaluation of loss and gradient is one."""

    def __enter__(self):
        self.passes = 0
        self.saved = LinearModelLoss.loss_gradient

        def counted(loss, *args, **kwargs):
            self.passes += 1
            return self.saved(loss, *args, **kwargs)

        LinearModelLoss.loss_gradient = counted
        return self

    def __exit__(self, *exc):
        LinearModelLoss.loss_gradient = self.saved


def timed(make, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model = make().fit(X, y)
        return model, time.perf_counter() - start


# Tolerances tried, loosest first, on a 1-2-5 grid: a grid of powers of ten
# would let either side run up to ten times tighter than it needs.
TOLERANCES = [float(f"{m}e-{k}") for k in range(5, 13) for m in (10, 5, 2)]


def bench_logistic(name, X, y, repeats, out, C=1.0):
    classes = np.unique(y)
    best = LogisticRegression(C=C, tol=1e-14, max_iter=100_000).fit(X, y)
    f_star = objective(best.coef_, best.intercept_, X, y, classes, C)

    def gap(model):
        return objective(model.coef_, model.intercept_, X, y, classes, C) / f_star - 1

    # lbfgs: the loosest tol (of 1e-4, 5e-5, 2e-5, 1e-5, ...) whose solution
    # is within 1e-6
    lbfgs_tol = next(
        t
        for t in TOLERANCES
        if gap(
            timed(lambda t=t: LogisticRegression(C=C, tol=t, max_iter=10_000), X, y)[0]
        )
        <= 1e-6
    )
    # ours: the default (solver='auto', which is 'cg' without L1) and 'agd'
    ours = {"auto = cg": "auto", "agd": "agd"}
    ours_tol = {
        label: next(
            t
            for t in TOLERANCES
            if gap(
                timed(
                    lambda t=t, solver=solver: LogisticRegressionGD(
                        C=C, solver=solver, tol=t, max_iter=100_000
                    ),
                    X,
                    y,
                )[0]
            )
            <= 1e-6
        )
        for label, solver in ours.items()
    }
    sides = {
        "LogisticRegression (lbfgs)": lambda: LogisticRegression(
            C=C, tol=lbfgs_tol, max_iter=10_000
        ),
        **{
            f"LogisticRegressionGD ({label})": (
                lambda solver=solver, label=label: LogisticRegressionGD(
                    C=C, solver=solver, tol=ours_tol[label], max_iter=100_000
                )
            )
            for label, solver in ours.items()
        },
        "SGDClassifier (log_loss)": lambda: SGDClassifier(
            loss="log_loss",
            alpha=1 / (C * len(y)),
            tol=1e-6,
            max_iter=1000,
            random_state=0,
        ),
    }
    times = {k: [] for k in sides}
    models = {}
    for _ in range(repeats):
        for side, make in sides.items():
            models[side], t = timed(make, X, y)
            times[side].append(t)
    with LbfgsPassCounter() as counter:
        timed(sides["LogisticRegression (lbfgs)"], X, y)
    lbfgs_passes = counter.passes
    passes_of = {}
    for label in ours:
        with PassCounter() as counter:
            timed(sides[f"LogisticRegressionGD ({label})"], X, y)
        passes_of[label] = counter.passes
    lbfgs_time = median(times["LogisticRegression (lbfgs)"])
    for side in sides:
        model = models[side]
        t = median(times[side])
        if side.startswith("LogisticRegression "):
            passes = (
                f"{lbfgs_passes:g} ({int(np.max(model.n_iter_))} iterations, "
                f"tol={lbfgs_tol:g})"
            )
        elif side.startswith("LogisticRegressionGD"):
            label = side[len("LogisticRegressionGD (") : -1]
            passes = (
                f"{passes_of[label]:g} ({model.n_iter_} iterations, "
                f"tol={ours_tol[label]:g})"
            )
        else:
            passes = f"{int(model.n_iter_)} epochs"
        out(
            f"| {name} | {side} | {t * 1e3:.1f} ({min(times[side]) * 1e3:.1f}-"
            f"{max(times[side]) * 1e3:.1f}) | {t / lbfgs_time:.2f} | "
            f"{gap(model):.1e} | {passes} |"
        )


# -- main ------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, under a minute"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS threads (default 1)"
    )
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument(
        "--only", choices=["networks", "logistic", "regression"], default=None
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 3)
    # fits under a second get more repeats for steadier medians (not in --quick)
    digits_repeats, small_lr_repeats = (
        (repeats, repeats) if args.quick else (3 * repeats, 5 * repeats)
    )
    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)

    with threadpool_limits(args.threads):
        blas = [
            f"{i['internal_api']} {i['version']} ({i.get('architecture')}, "
            f"{i['num_threads']} thread)"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        ]
        import sklearn

        out("# skneural benchmark")
        out()
        out(
            f"- machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
            f"Python {platform.python_version()}, numpy {np.__version__}, "
            f"scikit-learn {sklearn.__version__}"
        )
        out(f"- BLAS: {'; '.join(blas)}")
        out(
            f"- command: `python benchmarks/run.py {' '.join(argv or sys.argv[1:])}`; "
            f"medians of {repeats} alternating repeats (min-max); "
            f"{digits_repeats} for the digits network, {small_lr_repeats} for logistic "
            "regression on breast_cancer and digits (fits under a second)"
        )
        out()
        if args.only in (None, "networks"):
            out("## Stacked networks (Adam, batch 200)")
            out()
            out(
                "| data | model | ms per epoch | ratio to MLP | fraction of floor | "
                "test accuracy | peak MiB |"
            )
            out("| --- | --- | --- | --- | --- | --- | --- |")
            n = 6000 if args.quick else 60_000
            epochs = 2 if args.quick else 3
            bench_network(
                "digits (100,)", digits_split(), (100,), 20, digits_repeats, out
            )
            for dtype in (np.float64, np.float32):
                data = synthetic_split(n, 784, 10, dtype)
                label = f"{n}x784 {np.dtype(dtype).name} (100,)"
                bench_network(label, data, (100,), epochs, repeats, out)
            data = synthetic_split(n, 784, 10, np.float64)
            bench_network(
                f"{n}x784 float64 (256, 128)", data, (256, 128), epochs, repeats, out
            )
            out()
        if args.only in (None, "logistic"):
            out("## Logistic regression: reaching lbfgs's optimum within 1e-6")
            out()
            out("| data | model | ms | ratio to lbfgs | objective gap | passes |")
            out("| --- | --- | --- | --- | --- | --- |")
            for loader in (load_breast_cancer, load_digits):
                X, y = loader(return_X_y=True)
                bench_logistic(
                    loader.__name__[5:],
                    StandardScaler().fit_transform(X),
                    y,
                    small_lr_repeats,
                    out,
                )
            n = 20_000 if args.quick else 200_000
            X, _, y, _ = synthetic_split(n, 100, 2, np.float64)
            bench_logistic(f"{n}x100", X, y, repeats, out)
        if args.only in (None, "regression"):
            from regression import bench_regression

            out()
            out("## Regression: beside MLPRegressor (Adam, batch 200, (100,))")
            out()
            out("| data | model | ms per epoch | ratio to MLP | 5-fold CV R^2 |")
            out("| --- | --- | --- | --- | --- |")
            bench_regression(out, repeats, fit_epochs, quick=args.quick)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
