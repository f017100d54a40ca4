"""The kernels of ``skneural/_engine/kernels.py`` against their reference forms.

Each kernel earns its place only if it is faster than the formula it
replaces, at the sizes of one minibatch: 200 rows, 100 hidden units, 10
classes, the 78,510 parameters of a (784, 100, 10) network. Both forms run
alternately in this process, at one BLAS thread and at the default.
"""

from __future__ import annotations

import time
from statistics import median

import numpy as np
from scipy.special import softmax
from threadpoolctl import threadpool_limits

from skneural._engine.kernels import (
    add_scaled,
    column_sums,
    softmax_cross_entropy_with_probabilities,
    squared_norm,
)
from skneural._engine.losses import softmax_cross_entropy


def _cases():
    rng = np.random.default_rng(0)
    theta, grad = rng.standard_normal((2, 78_510))
    work = np.empty_like(grad)
    hidden_grad = rng.standard_normal((200, 100))
    bias, ones = np.empty(100), np.ones(200)
    scores = np.asfortranarray(rng.standard_normal((200, 10)))
    targets = np.asfortranarray(np.eye(10)[rng.integers(0, 10, 200)])
    probabilities = np.empty_like(scores)

    def reference_softmax():
        softmax_cross_entropy(scores, targets)
        softmax(scores, axis=1)

    return [
        (
            "w += a * g (78,510)",
            lambda: theta.__iadd__(-1e-3 * grad),
            lambda: add_scaled(theta, grad, -1e-3, work),
        ),
        (
            "w . w (78,510)",
            lambda: float(theta @ theta),
            lambda: squared_norm(theta),
        ),
        (
            "bias gradient (200 x 100)",
            lambda: hidden_grad.sum(axis=0),
            lambda: column_sums(hidden_grad, bias, ones),
        ),
        (
            "softmax cross-entropy + softmax (200 x 10)",
            reference_softmax,
            lambda: softmax_cross_entropy_with_probabilities(
                scores, targets, probabilities
            ),
        ),
    ]


def _time(function, calls=200):
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def bench_kernels(repeats, out, thread_counts):
    """One row per kernel and thread count: microseconds of both forms."""
    out("| kernel | BLAS threads | reference us | kernel us | ratio |")
    out("| --- | --- | --- | --- | --- |")
    for label, limit in thread_counts.items():
        with threadpool_limits(limit):
            for name, reference, kernel in _cases():
                times = {"reference": [], "kernel": []}
                for _ in range(repeats):  # alternate the two forms
                    times["reference"].append(_time(reference))
                    times["kernel"].append(_time(kernel))
                ref, ker = median(times["reference"]), median(times["kernel"])
                out(
                    f"| {name} | {label} | {ref * 1e6:.1f} | {ker * 1e6:.1f} | "
                    f"{ker / ref:.2f} |"
                )
