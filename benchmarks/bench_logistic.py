"""Logistic regression: time and passes to reach lbfgs's optimum within 1e-6."""

from __future__ import annotations

import time
import warnings
from statistics import median

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.linear_model._linear_loss import LinearModelLoss

from skneural import LogisticRegressionGD
from skneural._engine.network import Network

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
    """Counts passes over the data: a product with X or with X^T is half a pass.

    The products are the network's forward and backward passes and the
    line-searched solvers' scores of a direction (``linear_scores``).
    """

    METHODS = ("forward", "backward", "linear_scores")

    def __enter__(self):
        self.passes = 0.0
        self.saved = {name: getattr(Network, name) for name in self.METHODS}

        def counted(method):
            def half_pass(net, *args, **kwargs):
                self.passes += 0.5
                return method(net, *args, **kwargs)

            return half_pass

        for name, method in self.saved.items():
            setattr(Network, name, counted(method))
        return self

    def __exit__(self, *exc):
        for name, method in self.saved.items():
            setattr(Network, name, method)


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
