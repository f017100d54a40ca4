"""
=========================================
Optimizers compared
=========================================

Every optimizer follows the gradient; they differ in what they remember.
Plain SGD remembers nothing. Momentum keeps a running velocity, and
Nesterov's variant looks one step ahead before correcting. Adagrad and
RMSprop scale each parameter's step by the size of its past gradients.
Adam does both, and AdamW applies the L2 penalty as a decay of the weights
outside the adaptive scaling.

The same network of :class:`~skneural.StackedNetClassifier` on the digits,
each optimizer at a learning rate of its usual range, for 40 epochs.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import LossCurveDisplay, StackedNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

optimizers = {
    "sgd": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05),
    "momentum": dict(
        solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.05
    ),
    "nesterov": dict(
        solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate_init=0.05
    ),
    "rmsprop": dict(solver="rmsprop", learning_rate_init=1e-3),
    "adagrad": dict(solver="adagrad", learning_rate_init=0.05),
    "adam": dict(solver="adam", learning_rate_init=1e-3),
    "adamw": dict(solver="adamw", alpha=1e-2, learning_rate_init=1e-3),
}

fig, ax = plt.subplots(figsize=(8, 5))
for name, params in optimizers.items():
    clf = StackedNetClassifier(
        hidden_layer_sizes=(32,),
        batch_size=64,
        max_iter=40,
        n_iter_no_change=40,  # run every epoch: we compare whole paths
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        # 40 epochs on purpose: "not converged yet" is expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    # momentum and Nesterov nearly coincide here: dashes keep both visible
    style = "--" if name in ("nesterov", "adamw") else "-"
    LossCurveDisplay.from_estimator(clf, ax=ax, label=name, linestyle=style)
    print(
        f"{name:>8}: final training loss {clf.loss_curve_[-1]:.4f}, "
        f"test accuracy {clf.score(X_test, y_test):.3f}"
    )
ax.set_yscale("log")
ax.set_ylabel("training loss (log scale)")
ax.set_title("Seven optimizers, one network (digits)")
ax.legend(ncols=2)
plt.show()
