"""
=========================================
A real workflow
=========================================

Both estimators are ordinary scikit-learn classifiers, so the usual
workflow applies unchanged: hold out a test set, put the scaling and the
model in a :class:`~sklearn.pipeline.Pipeline` (so the scaler only ever
sees training data), estimate the accuracy by cross-validation, and tune
the network with :class:`~sklearn.model_selection.GridSearchCV`.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier

# short runs for a fast example; "not converged yet" is expected
warnings.simplefilter("ignore", ConvergenceWarning)

data = load_breast_cancer()
X, y = data.data, data.target  # 0 is malignant, 1 benign
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# Cross-validation
# ----------------
logistic = make_pipeline(StandardScaler(), LogisticRegressionGD(C=1.0))
net = make_pipeline(
    StandardScaler(),
    StackedNetClassifier(hidden_layer_sizes=(16,), max_iter=100, random_state=0),
)
for name, model in [("logistic regression", logistic), ("network", net)]:
    scores = cross_val_score(model, X_train, y_train, cv=5)
    print(f"{name}: accuracy {scores.mean():.3f} +/- {scores.std():.3f} (5 folds)")

# %%
# Grid search
# -----------
# Parameters of a pipeline's step are named ``<step>__<parameter>``.
grid = GridSearchCV(
    net,
    {
        "stackednetclassifier__hidden_layer_sizes": [(8,), (32,), (32, 16)],
        "stackednetclassifier__alpha": [1e-4, 1e-1, 1.0],
    },
    cv=3,
)
grid.fit(X_train, y_train)
print("best parameters:", grid.best_params_)
print(f"cross-validated accuracy {grid.best_score_:.3f}")
print(f"test accuracy {grid.score(X_test, y_test):.3f}")

# %%
# The search's scores, and the chosen model on the test set
# ---------------------------------------------------------
# Left: each grid point's mean cross-validated accuracy, with one standard
# deviation across the three folds. The two-layer network scores highest at
# every penalty, but the bars overlap: with about 140 tumours per fold the
# differences are of the order of the noise. Right: the chosen model's
# predictions for the test tumours, the true diagnosis in rows and the
# predicted one in columns; the off-diagonal cells are its mistakes.
results = grid.cv_results_
labels = [
    f"{p['stackednetclassifier__hidden_layer_sizes']}\n"
    f"alpha={p['stackednetclassifier__alpha']:g}"
    for p in results["params"]
]
fig, (left, right) = plt.subplots(
    1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [2, 1]}
)
order = np.arange(len(labels))
left.errorbar(
    order, results["mean_test_score"], yerr=results["std_test_score"], fmt="o"
)
left.set_xticks(order, labels, fontsize=8)
left.set_ylabel("cross-validated accuracy")
left.set_title("GridSearchCV over the network's size and penalty")
ConfusionMatrixDisplay.from_estimator(
    grid,
    X_test,
    y_test,
    display_labels=data.target_names,
    ax=right,
    colorbar=False,
)
right.set_title("Best model on the test set")
fig.tight_layout()
plt.show()
