"""
=========================================
Layers as blocks
=========================================

A line cannot separate two interleaved half-moons. Stacking dense layers,
each followed by a non-linear activation, lets the network bend its
decision boundary: with no hidden layer
:class:`~skneural.StackedNetClassifier` *is* logistic regression and draws a
line; every block added gives it more shapes to build from.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skneural import StackedNetClassifier

X, y = make_moons(n_samples=400, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

architectures = [(), (4,), (16,), (32, 32)]
xx, yy = np.meshgrid(np.linspace(-2, 3, 150), np.linspace(-1.6, 2.1, 150))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(1, len(architectures), figsize=(14, 3.6), sharey=True)
for ax, hidden in zip(axes, architectures, strict=True):
    clf = StackedNetClassifier(
        hidden_layer_sizes=hidden,
        activation="tanh",
        learning_rate_init=0.02,
        max_iter=300,
        random_state=0,
    )
    with warnings.catch_warnings():
        # 300 epochs are plenty for the picture, if not for convergence
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.6)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k")
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", s=10)
    score = clf.score(X_test, y_test)
    print(
        f"hidden_layer_sizes={hidden}: {clf.n_layers_} layers, "
        f"test accuracy {score:.3f}"
    )
    ax.set_title(f"hidden={hidden}\ntest accuracy {score:.2f}")
    ax.set_xlabel("x1")
axes[0].set_ylabel("x2")
fig.tight_layout()
plt.show()
