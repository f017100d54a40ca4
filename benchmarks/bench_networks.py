"""Stacked networks: time per epoch against MLPClassifier, at two thread counts.

Same settings both sides (Adam, batch 200, shuffled, no early stopping, a
fixed number of epochs). Every case runs pinned to one BLAS thread and with
the machine's default, the two alternating with the sides and the floor
within each repeat.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from statistics import median

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skneural import StackedNetClassifier

SETTLE_SECONDS = 0.2

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
    # BLAS's threads spin for a while after threaded work before they sleep;
    # let those of the previous fit (another side's) sleep first
    time.sleep(SETTLE_SECONDS)
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


def bench_network(
    name, data, hidden, epochs, repeats, out, thread_counts, baseline=None
):
    """Rows of one case; ``thread_counts``: label -> BLAS limit (None: default).

    ``baseline``, ``(rev, module)`` from ``baseline.load_baseline``, adds the
    ``StackedNetClassifier`` of commit ``rev`` as one more side.
    """
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
    if baseline is not None:
        rev, module = baseline
        sides[f"StackedNetClassifier at {rev}"] = lambda seed: (
            module.StackedNetClassifier(**settings, random_state=seed)
        )
    sizes = (X_train.shape[1], *hidden, len(np.unique(y_train)))
    keys = [(side, label) for label in thread_counts for side in sides]
    times = {k: [] for k in keys}
    scores = {k: [] for k in keys}
    floors = {label: [] for label in thread_counts}
    for seed in range(repeats):  # alternate the thread counts, sides and floor
        for label, limit in thread_counts.items():
            with threadpool_limits(limit):
                for side, make in sides.items():
                    model, per_epoch, _ = fit_epochs(make(seed), X_train, y_train)
                    times[side, label].append(per_epoch)
                    scores[side, label].append(model.score(X_test, y_test))
                floors[label].append(
                    gemm_floor(X_train.shape[0], sizes, 200, X_train.dtype, 1)
                )
    first = next(iter(thread_counts))
    with threadpool_limits(thread_counts[first]):  # memory does not depend on it
        peaks = {
            side: fit_epochs(make(0), X_train, y_train, trace_memory=True)[2]
            for side, make in sides.items()
        }
    for label in thread_counts:
        floor = median(floors[label])
        mlp = median(times["MLPClassifier", label])
        for side in sides:
            t, ts = median(times[side, label]), times[side, label]
            own = t / median(times[side, first])
            out(
                f"| {name} | {side} | {label} | {t * 1e3:.1f} ({min(ts) * 1e3:.1f}-"
                f"{max(ts) * 1e3:.1f}) | {t / mlp:.2f} | {own:.2f} | {floor / t:.0%} | "
                f"{np.mean(scores[side, label]):.4f} | {peaks[side]:.1f} |"
            )
        out(
            f"| {name} | floor (GEMMs alone) | {label} | {floor * 1e3:.1f} | "
            f"{floor / mlp:.2f} | | 100% | | |"
        )


NETWORK_HEADER = (
    "| data | model | BLAS threads | ms per epoch | ratio to MLP | ratio to own "
    "1 thread | fraction of floor | test accuracy | peak MiB |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
)


def bench_networks(quick, repeats, digits_repeats, out, thread_counts, baseline=None):
    """Every network case, one table (``baseline`` as in :func:`bench_network`)."""
    for line in NETWORK_HEADER:
        out(line)
    n = 6000 if quick else 60_000
    epochs = 2 if quick else 3
    bench_network(
        "digits (100,)",
        digits_split(),
        (100,),
        20,
        digits_repeats,
        out,
        thread_counts,
        baseline,
    )
    for dtype in (np.float64, np.float32):
        data = synthetic_split(n, 784, 10, dtype)
        label = f"{n}x784 {np.dtype(dtype).name} (100,)"
        bench_network(
            label, data, (100,), epochs, repeats, out, thread_counts, baseline
        )
    data = synthetic_split(n, 784, 10, np.float64)
    bench_network(
        f"{n}x784 float64 (256, 128)",
        data,
        (256, 128),
        epochs,
        repeats,
        out,
        thread_counts,
        baseline,
    )
