"""Shared fixtures: small standardised data sets and scikit-learn's reference solver."""

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version

SKLEARN_VERSION = parse_version(sklearn.__version__)


def standardised(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def breast_cancer():
    return standardised(load_breast_cancer)


@pytest.fixture(scope="session")
def iris():
    return standardised(load_iris)


@pytest.fixture(scope="session")
def wine():
    return standardised(load_wine)


def reference_logistic_regression(C=1.0, l1_ratio=0.0, **kwargs):
    """scikit-learn's LogisticRegression with the >= 1.8 parameterisation."""
    if parse_version("1.8") <= SKLEARN_VERSION or l1_ratio == 0:
        return (
            LogisticRegression(C=C, l1_ratio=l1_ratio, **kwargs)
            if l1_ratio
            else (LogisticRegression(C=C, **kwargs))
        )
    penalty = "l1" if l1_ratio == 1 else "elasticnet"
    extra = {} if penalty == "l1" else {"l1_ratio": l1_ratio}
    return LogisticRegression(C=C, penalty=penalty, **extra, **kwargs)


def logistic_objective(
    coef, intercept, X, y, classes, C, l1_ratio=0.0, sample_weight=None
):
    """LogisticRegression's objective, computed independently of the package."""
    z = X @ coef.T + intercept
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    if coef.shape[0] == 1:
        t = (y == classes[1]).astype(float)
        losses = np.logaddexp(0, z[:, 0]) - t * z[:, 0]
    else:
        idx = np.searchsorted(classes, y)
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        losses = lse - z[np.arange(len(y)), idx]
    penalty = (1 - l1_ratio) / 2 * np.sum(coef**2) + l1_ratio * np.abs(coef).sum()
    return C * np.sum(s * losses) + penalty


@pytest.fixture(scope="session")
def digits_scaled():
    from sklearn.datasets import load_digits

    return standardised(load_digits)
