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
40 epochs with each optimizer. A ranking at one shared learning rate would
mostly rank how well that rate suits each optimizer, so each one runs at its
own rate, the suggestion of :func:`~skneural.lr_range_test` for it.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import LossCurveDisplay, StackedNetClassifier, lr_range_test

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

families = {
    "SGD and momentum": {
        "sgd": dict(solver="sgd", momentum=0.0),
        "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
        "nesterov": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
    },
    "adaptive steps": {
        "adagrad": dict(solver="adagrad"),
        "rmsprop": dict(solver="rmsprop"),
        "adam": dict(solver="adam"),
        "adamw": dict(solver="adamw", alpha=1e-2),
    },
}


def make_net(params):
    return StackedNetClassifier(
        hidden_layer_sizes=(32,),
        batch_size=64,
        max_iter=40,
        n_iter_no_change=40,  # run every epoch: we compare whole paths
        random_state=0,
        **params,
    )


# %%
# Each optimizer's learning rate
# ------------------------------
# The range test takes one minibatch step per rate, from 1e-5 up, and
# suggests the rate where the loss falls fastest.
rates = {}
for optimizers in families.values():
    for name, params in optimizers.items():
        result = lr_range_test(make_net(params), X_train, y_train, min_lr=1e-5, num=60)
        rates[name] = result.suggestion
        print(f"{name:>8}: learning_rate_init={rates[name]:.3g}")

# %%
# The loss paths
# --------------
# One panel per family, so that every line can be told apart; the two
# panels share their axes.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
styles = ["-", "--", ":", "-."]
for ax, (family, optimizers) in zip(axes, families.items(), strict=True):
    for style, (name, params) in zip(styles, optimizers.items(), strict=False):
        clf = make_net({**params, "learning_rate_init": rates[name]})
        with warnings.catch_warnings():
            # 40 epochs on purpose: "not converged yet" is expected
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X_train, y_train)
        LossCurveDisplay.from_estimator(
            clf, ax=ax, label=f"{name} (rate {rates[name]:.2g})", linestyle=style
        )
        print(
            f"{name:>8}: final training loss {clf.loss_curve_[-1]:.4f}, "
            f"test accuracy {clf.score(X_test, y_test):.3f}"
        )
    ax.set_yscale("log")
    ax.set_title(family)
    ax.legend()
axes[0].set_ylabel("training loss (log scale)")
axes[1].set_ylabel("")
fig.suptitle("Seven optimizers, one network (digits), each at its own rate")
fig.tight_layout()
plt.show()

# %%
# What the figure shows
# ---------------------
# At its own rate every optimizer brings the training loss down by two to
# three orders of magnitude in 40 epochs, and the test accuracies printed
# above differ by about one point: on a problem this small the learning rate
# matters more than the choice of optimizer. Momentum (and Nesterov's
# variant, close to it) ends well below plain SGD, even though the range
# test gives plain SGD the larger rate. Among the adaptive methods, Adagrad,
# whose steps only ever shrink, ends highest; Adam and AdamW descend
# smoothly to about the lowest losses, AdamW's weight decay costing it
# little. RMSprop's loss spikes every few epochs: its suggested rate is near
# the top of its usable range. The suggestion is a starting point, found
# cheaply (one minibatch step per rate), not the best rate;
# :ref:`sphx_glr_auto_examples_plot_learning_rate.py` shows how to read the
# test's curve.
