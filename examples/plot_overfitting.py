"""
=========================================
Overfitting, and three cures
=========================================

A network with many more weights than training samples can memorise them:
the training loss goes to zero while the loss on unseen data, after a first
fall, climbs again. The two curves part. Three cures, all in
:class:`~skneural.StackedNetClassifier`:

* **early stopping** watches a validation set split off the training data
  and keeps the weights of its best epoch;
* **dropout** switches off a random half of the hidden units at every
  training step, so no unit can rely on another;
* **alpha**, the L2 penalty, keeps the weights small.

We train one epoch at a time with ``partial_fit`` and measure the
cross-entropy on the training set and on a large test set after each.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import StackedNetClassifier

# 150 noisy training samples, 30 features of which 6 are informative
X, y = make_classification(
    n_samples=700, n_features=30, n_informative=6, flip_y=0.1, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=150, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

N_EPOCHS = 120


def make_net(**params):
    return StackedNetClassifier(
        hidden_layer_sizes=(64, 64), learning_rate_init=3e-3, random_state=0, **params
    )


def train_and_test_curves(net):
    """Cross-entropy on the training and test sets after each epoch."""
    train, test = [], []
    for _ in range(N_EPOCHS):
        net.partial_fit(X_train, y_train, classes=[0, 1])
        train.append(log_loss(y_train, net.predict_proba(X_train)))
        test.append(log_loss(y_test, net.predict_proba(X_test)))
    return np.array(train), np.array(test)


curves = {
    "no cure": train_and_test_curves(make_net()),
    "dropout=0.5": train_and_test_curves(make_net(dropout=0.5)),
    "alpha=10": train_and_test_curves(make_net(alpha=10.0)),
}

# %%
# Early stopping holds 20% of the training data out and stops once the
# validation loss has not improved for 10 epochs.
stopped = make_net(
    early_stopping=True,
    scoring="loss",
    validation_fraction=0.2,
    n_iter_no_change=10,
    max_iter=N_EPOCHS,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    stopped.fit(X_train, y_train)
best_epoch = int(np.argmax(stopped.validation_scores_)) + 1
early_test_loss = log_loss(y_test, stopped.predict_proba(X_test))

# %%
# The curves
# ----------
# Without a cure the training loss heads to zero while the test loss turns
# up after a dozen epochs and ends far above its lowest point. Early
# stopping keeps the weights of its best validation epoch, near the bottom
# of the test curve (the star). Dropout and the penalty do not keep the two
# curves together: the training loss stays well below the test loss (the
# printed lines give both). What they do is stop the memorising: the
# training loss levels off far above zero, and the final test loss (in each
# title) is much lower than without a cure. The penalty holds the test loss
# near its minimum; with dropout it still climbs after its minimum, more
# slowly, so dropout alone does not make early stopping unnecessary.
fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True)
epochs = np.arange(1, N_EPOCHS + 1)
for ax, (name, (train, test)) in zip(axes, curves.items(), strict=True):
    ax.plot(epochs, train, label="training loss")
    ax.plot(epochs, test, label="test loss")
    ax.set_title(f"{name}: final test loss {test[-1]:.2f}")
    ax.set_xlabel("epoch")
    print(
        f"{name:>12}: train {train[-1]:.3f}, test {test[-1]:.3f} "
        f"(lowest test {test.min():.3f} at epoch {test.argmin() + 1})"
    )
axes[0].set_title(
    f"no cure, and early stopping: final test loss {curves['no cure'][1][-1]:.2f}"
)
axes[0].axvline(best_epoch, color="k", ls="--", label="early stopping keeps")
axes[0].plot(best_epoch, early_test_loss, "k*", ms=12, label="its test loss")
axes[0].set_ylabel("cross-entropy")
axes[0].legend()
axes[0].set_ylim(0, 1.6)
print(
    f"early stopping: stopped after {stopped.n_iter_} epochs, kept epoch "
    f"{best_epoch}, test loss {early_test_loss:.3f}"
)
fig.tight_layout()
plt.show()
