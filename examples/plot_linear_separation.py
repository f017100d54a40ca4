"""
=======================================
Linear separation and the sigmoid
=======================================

Logistic regression separates two classes with a line,
``w1 x1 + w2 x2 + b = 0``. The signed distance to that line,
``W(x) = w1 x1 + w2 x2 + b``, says on which side a point lies, and the
sigmoid ``1 / (1 + exp(-W(x)))`` turns it into the probability of the
positive class. Here :class:`~skneural.LogisticRegressionGD` learns the line
on two features of the breast-cancer data.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD

data = load_breast_cancer()
features = ["mean radius", "mean texture"]
X = data.data[:, [list(data.feature_names).index(f) for f in features]]
X = StandardScaler().fit_transform(X)
y = data.target  # 1 is benign, 0 malignant

clf = LogisticRegressionGD(C=1.0).fit(X, y)
(w1, w2), b = clf.coef_[0], clf.intercept_[0]
print(f"decision line: {w1:.2f} x1 + {w2:.2f} x2 + {b:.2f} = 0")
print(f"training accuracy: {clf.score(X, y):.3f}")

# %%
# The line, and the probability around it
# ---------------------------------------
# Left: the data and the line where the probability is one half. Right: every
# sample's distance to the line against its predicted probability; they all
# lie on the sigmoid.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
xx, yy = np.meshgrid(np.linspace(-3, 4, 200), np.linspace(-3, 4.5, 200))
proba = clf.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1].reshape(xx.shape)
shade = left.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.6)
fig.colorbar(shade, ax=left, label="P(benign)")
left.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=14)
x1 = np.array([-3, 4])
left.plot(x1, -(w1 * x1 + b) / w2, "k-", lw=2, label="W(x) = 0")
left.set(xlim=(-3, 4), ylim=(-3, 4.5), xlabel=features[0], ylabel=features[1])
left.set_title("The decision line (standardised features)")
left.legend(loc="upper right")

distance = clf.decision_function(X)
z = np.linspace(distance.min(), distance.max(), 200)
right.plot(z, 1 / (1 + np.exp(-z)), "k-", label="sigmoid(W(x))")
right.scatter(
    distance, clf.predict_proba(X)[:, 1], c=y, cmap="RdBu", edgecolor="none", s=14
)
right.axvline(0, color="grey", ls=":")
right.axhline(0.5, color="grey", ls=":")
right.set(xlabel="distance to the line, W(x)", ylabel="P(benign)")
right.set_title("The sigmoid of the distance")
right.legend(loc="upper left")
fig.tight_layout()
plt.show()
