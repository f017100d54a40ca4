"""
=========================================
The learning rate: too small, too big
=========================================

Gradient descent updates the weights by ``w := w - learning_rate * grad``.
Too small a learning rate and the loss crawls down; too big and every step
overshoots the minimum by more than the last, so the loss grows until the
estimator gives up (keeping the best weights it saw, with a
``ConvergenceWarning``). ``learning_rate='auto'`` derives a safe step from
the curvature of the loss, so nobody has to tune it.

:func:`~skneural.lr_range_test` finds a good rate by experiment: one short
run with a growing learning rate draws "too small" and "too big" on one
curve.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, LossCurveDisplay, lr_range_test

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)

# %%
# Three learning rates
# --------------------
# Plain full-batch gradient descent (``solver='gd'``) for 100 iterations. A
# strong penalty (``C=0.01``) makes the objective curved everywhere, so a step
# past the stable range is thrown farther at every iteration.
rates = {"too small (0.001)": 1e-3, "too big (9)": 9.0, "auto": "auto"}
fig, ax = plt.subplots(figsize=(7, 4.5))
for label, rate in rates.items():
    clf = LogisticRegressionGD(C=0.01, solver="gd", learning_rate=rate, max_iter=100)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    for warning in caught:
        print(f"{label}: {warning.message}")
    LossCurveDisplay.from_estimator(clf, ax=ax, label=label, marker=".")
    print(f"{label}: {clf.n_iter_} iterations, final loss {clf.loss_curve_[-1]:.3f}")
ax.axhline(np.log(2), color="grey", ls=":", label="untrained model")
ax.set_yscale("log")
ax.set_ylabel("objective (log scale)")
ax.set_title("Gradient descent with three learning rates")
ax.legend()
plt.show()

# %%
# The learning-rate range test
# ----------------------------
# One minibatch step per rate, rates growing from 1e-4 to 1000; the loss is
# measured after each step, and the run stops once it has blown up. The loss
# hardly moves at the smallest rates, falls on the middle ones and shoots up
# at the end. The suggestion is the rate where the loss falls fastest.
result = lr_range_test(
    LogisticRegressionGD(C=0.01, random_state=0), X, y, min_lr=1e-4, max_lr=1e3
)
print(result)
print(f"the loss blew up at learning_rate={result.learning_rates[-1]:.3g}")
result.plot()
result.ax_.set_title("Learning-rate range test, LogisticRegressionGD")
plt.show()
