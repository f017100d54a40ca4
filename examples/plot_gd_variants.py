"""
==================================
Gradient descent, four ways
==================================

:class:`~skneural.LogisticRegressionGD` offers four solvers for one and
the same objective:

* ``'gd'``: the course's update ``w := w - learning_rate * grad`` on the
  whole data set at every iteration;
* ``'agd'``: the same, accelerated by Nesterov momentum (restarted whenever
  the momentum points uphill);
* ``'cg'``: conjugate gradients, the negative gradient plus a multiple of
  the previous step, by the step that minimises the loss along it (the
  default, ``'auto'``, runs it when there is no L1 term);
* ``'sgd'``: one update per minibatch, many cheap noisy steps per epoch.

All four minimise the same objective; their paths differ. We plot how
far each iteration (epoch, for ``'sgd'``) is above the best objective
found, and print where each solver stopped.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)

curves = {}
for solver in ["gd", "agd", "cg", "sgd"]:
    clf = LogisticRegressionGD(
        C=1.0, solver=solver, batch_size=32, max_iter=300, tol=1e-6, random_state=0
    ).fit(X, y)
    curves[solver] = np.asarray(clf.loss_curve_)
    print(
        f"{solver:>3}: {clf.n_iter_:3d} iterations, objective "
        f"{curves[solver][-1]:.6f}, accuracy {clf.score(X, y):.3f}"
    )

# %%
# The loss paths
# --------------
# Full-batch descent goes down steadily, acceleration gets to the same
# optimum in about a third of its iterations and conjugate gradients faster
# still. The stochastic solver takes many cheap steps per pass over the data
# and makes the most progress in its first epochs, then wanders at the noise
# level of its minibatch steps; each time its loss stalls its step shrinks,
# which brings it closer to the optimum: read its gap from its curve and from
# its printed objective beside the others'. (One epoch is one pass over the
# data, as one full-batch iteration is, so the x axis compares like with
# like.)
best = min(curve.min() for curve in curves.values())
fig, ax = plt.subplots(figsize=(7, 4.5))
for solver, curve in curves.items():
    ax.plot(np.arange(1, len(curve) + 1), curve - best + 1e-8, label=solver)
ax.set_yscale("log")
ax.set_xlabel("iteration (epoch for 'sgd')")
ax.set_ylabel("objective - best objective")
ax.set_title("LogisticRegressionGD's solvers on breast cancer")
ax.legend()
plt.show()
