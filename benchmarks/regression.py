"""StackedNetRegressor beside MLPRegressor: time per epoch and 5-fold CV R^2.

Run through ``benchmarks/run.py`` (``--only regression``); the data are the
diabetes set that ships with scikit-learn and ``make_regression`` at
California-housing size (20,000 x 8).
"""

from __future__ import annotations

import warnings
from statistics import median

from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import StackedNetRegressor

SIDES = {"MLPRegressor": MLPRegressor, "StackedNetRegressor": StackedNetRegressor}


def regression_data(quick):
    """``(name, X, y, settings)`` of each data set."""
    X, y = load_diabetes(return_X_y=True)
    n = 4000 if quick else 20_000
    X_big, y_big = make_regression(n, 8, n_informative=8, noise=10.0, random_state=0)
    return [
        ("diabetes", X, y, {"learning_rate_init": 0.01, "max_iter": 300}),
        (f"make_regression {n}x8", X_big, y_big, {"max_iter": 100}),
    ]


def bench_regression(out, repeats, fit_epochs, quick=False):
    """One table row per data set and side: ms per epoch, ratio, CV R^2."""
    for name, X, y, settings in regression_data(quick):
        settings = {"hidden_layer_sizes": (100,), "random_state": 0, **settings}
        X_scaled = StandardScaler().fit_transform(X)
        timing = {**settings, "tol": 0.0, "n_iter_no_change": 10**9, "max_iter": 20}
        times = {side: [] for side in SIDES}
        for _ in range(repeats):  # alternate the sides
            for side, cls in SIDES.items():
                times[side].append(fit_epochs(cls(**timing), X_scaled, y)[1])
        mlp = median(times["MLPRegressor"])
        for side, cls in SIDES.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = make_pipeline(StandardScaler(), cls(**settings))
                r2 = cross_val_score(model, X, y, cv=5, scoring="r2").mean()
            t = median(times[side])
            out(f"| {name} | {side} | {t * 1e3:.2f} | {t / mlp:.2f} | {r2:.4f} |")
