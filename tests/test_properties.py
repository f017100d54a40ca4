"""Property-based tests: whatever the data and settings, fit either works or says why.

For random shapes, dtypes, sparse formats, label types, sample weights and
every solver, ``fit`` (or ``partial_fit``) followed by the predict methods
must either give labels from ``classes_`` and finite probabilities in
``[0, 1]`` whose rows sum to one, or raise a ``ValueError``/``TypeError``
with a message. Any other exception, a NaN, or a ``RuntimeWarning`` (numpy's
overflow and invalid-value warnings) is a failure.
"""

import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skneural import LogisticRegressionGD, StackedNetClassifier
from skneural._engine.step_size import largest_eigenvalue

# Examples per estimator; SKNEURAL_HYPOTHESIS_EXAMPLES raises it for a long run.
N_EXAMPLES = int(os.environ.get("SKNEURAL_HYPOTHESIS_EXAMPLES", "300"))
PROPERTY_SETTINGS = settings(
    max_examples=N_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LABEL_POOLS = {
    "int": [0, 1, 2, 3],
    "negative": [-7, -1, 0, 5],
    "str": ["cat", "dog", "emu", "yak"],
    "object_str": np.array(["a", "b", "c", "d"], dtype=object),
    "bool": [False, True],
    "float": [-0.5, 0.25, 1.5, 3.0],
    "mixed": [1, "a", 2, "b"],  # not a valid target: must raise
}
# values exactly representable in their dtype (hypothesis insists on it)
BIG = {"float64": 1e300, "float32": float(np.float32(1e30))}
TINY = {"float64": 1e-30, "float32": float(np.float32(1e-30))}


@st.composite
def datasets(draw):
    """``(X, y, sample_weight)`` of random shape, dtype, sparsity and labels."""
    n_samples = draw(st.integers(1, 24))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(["float64", "float32", "int64", "int32", "bool"]))
    if dtype == "bool":
        elements = st.booleans()
    elif dtype.startswith("int"):
        elements = st.integers(-1000, 1000)
    else:
        width = 64 if dtype == "float64" else 32
        big = BIG[dtype]
        elements = st.one_of(
            st.floats(-10, 10, width=width),
            st.sampled_from([0.0, big, -big, TINY[dtype]]),
        )
    X = draw(hnp.arrays(dtype, (n_samples, n_features), elements=elements))
    # occasionally a NaN or an infinity, which fit must reject
    if dtype.startswith("float") and draw(st.sampled_from([False] * 9 + [True])):
        X[draw(st.integers(0, n_samples - 1)), 0] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    layout = draw(st.sampled_from(["dense", "csr", "csc"]))
    if layout != "dense":
        X = getattr(sp, f"{layout}_matrix")(X)

    kind = draw(st.sampled_from(sorted(LABEL_POOLS)))
    pool = LABEL_POOLS[kind]
    n_classes = draw(st.integers(1, len(pool)))
    index = draw(
        hnp.arrays(np.int64, n_samples, elements=st.integers(0, n_classes - 1))
    )
    y = [pool[i] for i in index]
    if kind != "mixed" and draw(st.booleans()):
        y = np.asarray(y, dtype=object if kind == "object_str" else None)

    weights = draw(st.sampled_from(["none", "non_negative", "negative"]))
    sample_weight = None
    if weights != "none":
        values = [0.0, 0.5, 1.0, 3.0] + ([-1.0] if weights == "negative" else [])
        sample_weight = draw(
            hnp.arrays(np.float64, n_samples, elements=st.sampled_from(values))
        )
    return X, y, sample_weight, pool[:n_classes]


logistic_params = st.fixed_dictionaries(
    {
        "solver": st.sampled_from(["gd", "agd", "sgd"]),
        "C": st.sampled_from([1.0, 1e-3, 1e3, np.inf]),
        "l1_ratio": st.sampled_from([0.0, 0.5, 1.0]),
        "fit_intercept": st.booleans(),
        "class_weight": st.sampled_from([None, "balanced"]),
        "learning_rate": st.sampled_from(["auto", 1e-3, 1.0, 1e6]),
        "batch_size": st.sampled_from([None, 1, 3, 100]),
        "max_iter": st.integers(1, 5),
        "shuffle": st.booleans(),
        "random_state": st.integers(0, 3),
    }
)

stacked_params = st.fixed_dictionaries(
    {
        "solver": st.sampled_from(["sgd", "adam", "rmsprop", "adagrad", "adamw"]),
        "hidden_layer_sizes": st.sampled_from([(), (2,), (3, 2)]),
        "activation": st.sampled_from(
            ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu"]
        ),
        "alpha": st.sampled_from([0.0, 1e-4, 10.0]),
        "batch_size": st.sampled_from(["auto", 1, 4]),
        "learning_rate": st.sampled_from(
            ["constant", "invscaling", "adaptive", "cosine"]
        ),
        "learning_rate_init": st.sampled_from([1e-3, 0.1, 10.0, 1e6]),
        "momentum": st.sampled_from([0.0, 0.9]),
        "dropout": st.sampled_from([0.0, 0.5]),
        "class_weight": st.sampled_from([None, "balanced"]),
        "early_stopping": st.sampled_from([False, False, True]),
        "weight_init": st.sampled_from(["auto", "glorot_uniform", "he_uniform"]),
        "scoring": st.sampled_from([None, "loss"]),
        "max_iter": st.integers(1, 5),
        "n_iter_no_change": st.integers(1, 3),
        "random_state": st.integers(0, 3),
    }
)


def check_fit_predict(estimator, data, method):
    """Fit, then predict: either valid outputs or a ValueError/TypeError."""
    X, y, sample_weight, classes = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        # short runs do not converge; a clipped batch_size is announced
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings(
            "ignore", message=".*batch_size.*", category=UserWarning
        )
        try:
            if method == "fit":
                estimator.fit(X, y, sample_weight=sample_weight)
            else:
                estimator.partial_fit(
                    X, y, sample_weight=sample_weight, classes=classes
                )
        except (ValueError, TypeError) as error:
            assert str(error).strip(), f"{type(error).__name__} without a message"
            # a rejected fit leaves the fresh estimator unfitted
            assert not hasattr(estimator, "classes_")
            with pytest.raises(NotFittedError):
                estimator.predict(X)
            return
        proba = estimator.predict_proba(X)
        log_proba = estimator.predict_log_proba(X)
        labels = estimator.predict(X)

    classes_ = estimator.classes_
    n_samples = X.shape[0]
    assert proba.shape == (n_samples, len(classes_))
    assert np.all(np.isfinite(proba)), proba
    assert np.all((proba >= 0) & (proba <= 1)), proba
    rtol = 1e-4 if proba.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=rtol)
    assert np.all(np.isfinite(log_proba)) and np.all(log_proba <= 0), log_proba
    assert labels.shape == (n_samples,)
    assert np.all(np.isin(labels, classes_))
    # the predicted class is one of highest probability
    chosen = np.searchsorted(classes_, labels)
    assert np.all(proba[np.arange(n_samples), chosen] == proba.max(axis=1))
    # float32 in, float32 out; everything else in float64
    float32_input = X.dtype == np.float32
    assert proba.dtype == (np.float32 if float32_input else np.float64)
    # (a list mixing ints and strings becomes strings, as in numpy)
    assert set(np.asarray(y).tolist()) <= set(classes_.tolist())


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    params=logistic_params,
    method=st.sampled_from(["fit", "fit", "partial_fit"]),
)
def test_logistic_fit_predict_or_clear_error(data, params, method):
    check_fit_predict(LogisticRegressionGD(**params), data, method)


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    params=stacked_params,
    method=st.sampled_from(["fit", "fit", "partial_fit"]),
)
def test_stacked_fit_predict_or_clear_error(data, params, method):
    check_fit_predict(StackedNetClassifier(**params), data, method)


# -- extreme values -----------------------------------------------------------------

SOLVERS = [(LogisticRegressionGD, s) for s in ("gd", "agd", "sgd")] + [
    (StackedNetClassifier, s) for s in ("sgd", "adam", "rmsprop", "adagrad", "adamw")
]


def _tiny(estimator_class, solver, **params):
    if estimator_class is StackedNetClassifier:
        params = {"hidden_layer_sizes": (3,), "learning_rate_init": 0.1, **params}
    return estimator_class(solver=solver, max_iter=5, random_state=0, **params)


def _assert_valid_proba(estimator, X):
    proba = estimator.predict_proba(X)
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0) & (proba <= 1))
    tol = 1e-5 if proba.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=tol)
    assert np.all(np.isfinite(estimator.predict_log_proba(X)))
    return proba


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    ("estimator_class", "solver"),
    SOLVERS,
    ids=[f"{c.__name__}-{s}" for c, s in SOLVERS],
)
@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e300), (np.float32, 1e30)])
def test_huge_features_give_finite_probabilities(
    estimator_class, solver, n_classes, dtype, big
):
    # RuntimeWarnings are errors in this suite: no overflow may even be reported
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3)).astype(dtype)
    y = np.arange(30) % n_classes
    X[::3, 0] = big
    X[1::3, 1] = -big
    est = _tiny(estimator_class, solver).fit(X, y)
    proba = _assert_valid_proba(est, X)
    assert proba.dtype == dtype
    assert set(est.predict(X)) <= set(range(n_classes))
    # prediction on extreme rows of a model fitted on ordinary data
    X_ordinary = rng.normal(size=(30, 3)).astype(dtype)
    est = _tiny(estimator_class, solver).fit(X_ordinary, y)
    _assert_valid_proba(est, X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_logits_give_exact_probabilities(n_classes, dtype):
    X = np.array([[1.0], [-1.0], [0.5], [2.0]], dtype=dtype)
    y = np.arange(4) % n_classes
    est = LogisticRegressionGD(max_iter=2).fit(X, y)
    big = np.finfo(dtype).max
    rows = np.arange(1, est.coef_.shape[0] + 1)[:, None] / est.coef_.shape[0]
    est.coef_ = (np.full_like(est.coef_, big / 8) * rows).astype(dtype)
    est.intercept_ = np.zeros_like(est.intercept_)
    proba = _assert_valid_proba(est, X)
    # one class takes (almost) all the probability on every row
    np.testing.assert_allclose(proba.max(axis=1), 1.0, rtol=1e-6)

    net = StackedNetClassifier(hidden_layer_sizes=(2,), max_iter=2, random_state=0)
    net.fit(X, y)
    net.coefs_ = [np.full_like(w, big) for w in net.coefs_]
    _assert_valid_proba(net, X)
    _assert_valid_proba(net, X * dtype(1e30))


@PROPERTY_SETTINGS
@given(
    X=hnp.arrays(np.float64, (6, 3), elements=st.floats(-10, 10)),
    exponent=st.integers(-150, 150),
    fit_intercept=st.booleans(),
)
def test_step_size_curvature_scales_without_overflow(X, exponent, fit_intercept):
    # lambda_max((c X)^T (c X)) = c**2 lambda_max(X^T X) without an intercept;
    # computed at any scale without a RuntimeWarning, never inf
    scale = 10.0**exponent
    value = largest_eigenvalue(X * scale, fit_intercept=fit_intercept)
    assert np.isfinite(value) and value > 0
    if not fit_intercept and np.abs(X).max() > 1e-3:
        expected = largest_eigenvalue(X, fit_intercept=False) * scale**2
        np.testing.assert_allclose(value, max(expected, 1e-300), rtol=1e-6)


@pytest.mark.parametrize(
    "estimator_class", [LogisticRegressionGD, StackedNetClassifier]
)
def test_all_zero_weights_are_rejected(estimator_class):
    X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="zero for every sample"):
        estimator_class(class_weight={0: 0.0, 1: 0.0}).fit(X, y)
    # scikit-learn >= 1.7 says it first, in its own words
    with pytest.raises(ValueError, match="zero for every sample|non-zero"):
        estimator_class().fit(X, y, sample_weight=np.zeros(4))
    with pytest.raises(ValueError, match="zero for every sample|non-zero"):
        estimator_class().partial_fit(X, y, sample_weight=np.zeros(4), classes=[0, 1])


def test_validation_set_of_zero_weight_is_rejected():
    X = np.arange(40.0).reshape(20, 2)
    y = np.array([0, 1] * 10)
    net = StackedNetClassifier(hidden_layer_sizes=(2,), early_stopping=True)
    with pytest.raises(ValueError, match="zero for every sample|non-zero"):
        net.fit(X[:10], y[:10], X_val=X[10:], y_val=y[10:], sample_weight_val=[0] * 10)
    # a split that leaves no positive weight in the validation set: one
    # positive weight in 20 samples, most splits leave it in training
    weights = np.r_[1.0, np.zeros(19)]
    rejected = 0
    for seed in range(5):
        net = StackedNetClassifier(
            hidden_layer_sizes=(2,), early_stopping=True, random_state=seed
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                net.fit(X, y, sample_weight=weights)
        except ValueError as error:
            assert "validation set has no sample of positive weight" in str(error)
            assert not hasattr(net, "classes_")
            rejected += 1
    assert rejected >= 1


def test_scores_overflowing_both_ways_give_finite_probabilities():
    # a row of 1e300 through large hidden weights of both signs sums +inf and
    # -inf: the probabilities must still be finite (the score counts as zero)
    X = np.array([[-1.0], [1.0]])
    net = StackedNetClassifier(
        hidden_layer_sizes=(2,), activation="identity", max_iter=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, [0, 1])
    net.coefs_ = [np.array([[1e10, 1e10]]), np.array([[1e10], [-1e10]])]
    proba = _assert_valid_proba(net, np.array([[1e300], [1.0]]))
    np.testing.assert_allclose(proba[0], [0.5, 0.5])
