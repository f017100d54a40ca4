"""The demo: the course's first example, tumour malignancy, every model side by side."""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .._logistic import LogisticRegressionGD
from .._stacked import StackedNetClassifier


def demo_models(random_state=0):
    """The models the demo compares, ours beside scikit-learn's peers."""
    return {
        "skneural LogisticRegressionGD": LogisticRegressionGD(),
        "sklearn LogisticRegression": LogisticRegression(),
        "skneural StackedNetClassifier": StackedNetClassifier(
            random_state=random_state
        ),
        "sklearn MLPClassifier": MLPClassifier(random_state=random_state),
    }


def run_demo(test_size=0.25, random_state=0, out=print):
    """Fit each model in a scaling Pipeline on one split and print a report.

    Returns
    -------
    rows : list of dict
        One row per model: name, accuracy, log_loss, n_iter, seconds.
    """
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=random_state
    )
    out(
        f"Breast-cancer data: {len(y_train)} training and {len(y_test)} test tumours, "
        f"{X.shape[1]} features; is the tumour malignant?\n"
    )
    header = (
        f"{'model':32s} {'accuracy':>9s} {'log-loss':>9s} {'iters':>6s} {'fit (s)':>8s}"
    )
    out(header)
    out("-" * len(header))
    rows = []
    for name, model in demo_models(random_state).items():
        pipeline = make_pipeline(StandardScaler(), model)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipeline.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        n_iter = int(np.max(pipeline[-1].n_iter_))  # an array for LogisticRegression
        row = {
            "name": name,
            "accuracy": accuracy_score(y_test, pipeline.predict(X_test)),
            "log_loss": log_loss(y_test, pipeline.predict_proba(X_test)),
            "n_iter": n_iter,
            "seconds": seconds,
        }
        rows.append(row)
        out(
            f"{name:32s} {row['accuracy']:9.3f} {row['log_loss']:9.4f} "
            f"{row['n_iter']:6d} {row['seconds']:8.3f}"
        )
    return rows
