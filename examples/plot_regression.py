"""
=========================================
Regression: predicting a real value
=========================================

A regressor is the classifier's network with a different end: the last
dense block's raw output is the prediction itself, and the loss is the half
squared error, whose gradient with respect to that output is "prediction
minus target". We predict the progression of diabetes one year after a
baseline visit from ten measurements (the diabetes data that ships with
scikit-learn), and compare with linear regression (``Ridge``), which is the
same network without a hidden layer.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LossCurveDisplay, StackedNetRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)


def network(**settings):
    """Scaled inputs and a standardised target around a regressor."""
    regressor = StackedNetRegressor(random_state=0, **settings)
    return make_pipeline(
        StandardScaler(),
        TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler()),
    )


models = {
    "Ridge": make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
    "no hidden layer": network(hidden_layer_sizes=(), solver="lbfgs", alpha=1.0),
    "(32,), early stopping": network(hidden_layer_sizes=(32,), early_stopping=True),
    "(32,), huber loss": network(
        hidden_layer_sizes=(32,), loss="huber", alpha=1.0, max_iter=300
    ),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, model in models.items():
        scores = cross_val_score(model, X, y, cv=5)
        print(f"{name:>24}: 5-fold R^2 {scores.mean():.3f} +- {scores.std():.3f}")

# %%
# Without a hidden layer the network and ``Ridge`` agree: the same linear
# model, the same penalty (``alpha`` means the same for both), one optimum.
# The hidden layer buys little on ten measurements and a few hundred
# patients: early stopping keeps it from fitting the noise.

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    fitted = models["(32,), early stopping"].fit(X_train, y_train)
regressor = fitted[-1].regressor_
fig, (ax_curve, ax_fit) = plt.subplots(1, 2, figsize=(10, 4))
LossCurveDisplay.from_estimator(regressor, ax=ax_curve)
ax_curve.set_title("half squared error (standardised target)")
ax_fit.scatter(y_test, fitted.predict(X_test), s=12)
ax_fit.plot([y.min(), y.max()], [y.min(), y.max()], color="grey", linestyle="--")
ax_fit.set_xlabel("measured progression")
ax_fit.set_ylabel("predicted progression")
ax_fit.set_title(f"test R^2 = {fitted.score(X_test, y_test):.2f}")
fig.tight_layout()
plt.show()
