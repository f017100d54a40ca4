"""
==============================================
Logistic regression is a one-layer network
==============================================

Logistic regression is a single dense block (``z = x W + b``) followed by a
sigmoid and the cross-entropy. So three models should agree:

* :class:`~skneural.LogisticRegressionGD` with penalty ``C``;
* :class:`~skneural.StackedNetClassifier` with no hidden layer
  (``hidden_layer_sizes=()``) and ``alpha = 1 / C``;
* scikit-learn's :class:`~sklearn.linear_model.LogisticRegression` with the
  same ``C``.

They minimise the same objective by different routes: accelerated gradient
descent, minibatch (here full-batch) gradient descent, and L-BFGS.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
C = 0.5

ours = LogisticRegressionGD(C=C, tol=1e-8, max_iter=5000).fit(X, y)
net = StackedNetClassifier(
    hidden_layer_sizes=(),
    alpha=1 / C,
    solver="sgd",
    momentum=0.9,
    learning_rate_init=0.5,
    batch_size=len(y),  # full batch: the exact gradient at every step
    max_iter=2000,
    tol=1e-10,
    n_iter_no_change=100,
    random_state=0,
).fit(X, y)
theirs = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)

coefs = {
    "LogisticRegressionGD": ours.coef_.ravel(),
    "StackedNetClassifier, no hidden layer": net.coefs_[0].ravel(),
    "sklearn LogisticRegression": theirs.coef_.ravel(),
}
print("the network holds", len(net.coefs_), "dense block(s)")
reference = coefs["sklearn LogisticRegression"]
for name, coef in coefs.items():
    print(f"{name:>38}: max |coef - sklearn's| = {np.abs(coef - reference).max():.1e}")
proba = [m.predict_proba(X)[:, 1] for m in (ours, net, theirs)]
print(f"largest difference in probabilities: {np.ptp(proba, axis=0).max():.1e}")

# %%
# The weights side by side
# ------------------------
# One bar per feature and model: the three sets of bars are the same height.
fig, ax = plt.subplots(figsize=(11, 4))
width = 0.27
positions = np.arange(X.shape[1])
for i, (name, coef) in enumerate(coefs.items()):
    ax.bar(positions + (i - 1) * width, coef, width, label=name)
ax.axhline(0, color="k", lw=0.5)
ax.set_xlabel("feature index")
ax.set_ylabel("weight")
ax.set_title(f"Three ways to the same logistic regression (C={C})")
ax.legend()
plt.show()
