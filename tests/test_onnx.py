"""ONNX export through skl2onnx, checked with onnxruntime."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier

skl2onnx = pytest.importorskip(
    "skl2onnx",
    reason='ONNX export needs the [onnx] extra: pip install "skneural[onnx]"',
)
onnxruntime = pytest.importorskip(
    "onnxruntime",
    reason='ONNX export needs the [onnx] extra: pip install "skneural[onnx]"',
)
import skneural.onnx  # noqa: E402,F401  (registers the converters)

ATOL = 1e-5


def run_onnx(model, X, **options):
    onx = skl2onnx.to_onnx(model, X[:1], options=options or None)
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def check_same_predictions(model, X, **options):
    labels, proba = run_onnx(model, X, zipmap=False, **options)
    expected = model.predict_proba(X)
    assert proba.dtype == X.dtype
    assert_allclose(proba, expected, rtol=0, atol=ATOL)
    assert_array_equal(labels, model.predict(X))
    return np.max(np.abs(proba - expected))


MODELS = {
    "logistic": lambda: LogisticRegressionGD(C=10.0),
    "logistic-l1": lambda: LogisticRegressionGD(l1_ratio=0.5, fit_intercept=False),
    "stacked-relu": lambda: StackedNetClassifier(
        hidden_layer_sizes=(16, 8), max_iter=60, random_state=0
    ),
    "stacked-no-hidden": lambda: StackedNetClassifier(
        hidden_layer_sizes=(), max_iter=60, random_state=0
    ),
}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("data", ["breast_cancer", "wine"])
def test_alone_reproduces_predict_proba_in_float32(name, data, request):
    X, y = request.getfixturevalue(data)
    X = X.astype(np.float32)
    model = fit(MODELS[name](), X, y)
    check_same_predictions(model, X)


@pytest.mark.parametrize("name", MODELS)
def test_in_a_pipeline_trained_in_float64(name, wine):
    X, y = wine
    X = X * 5 + 2
    pipe = fit(make_pipeline(StandardScaler(), MODELS[name]()), X, y)
    check_same_predictions(pipe, X.astype(np.float32))


@pytest.mark.parametrize(
    "activation", ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu"]
)
def test_every_activation(activation, iris):
    X, y = iris
    X = X.astype(np.float32)
    model = StackedNetClassifier(
        hidden_layer_sizes=(12, 6),
        activation=[activation, "tanh"],
        max_iter=80,
        random_state=0,
    )
    check_same_predictions(fit(model, X, y), X)
    model.set_params(activation=["tanh", activation])
    check_same_predictions(fit(model, X, y), X)


def test_string_and_bool_labels(breast_cancer, iris):
    X, y = iris
    X = X.astype(np.float32)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = fit(LogisticRegressionGD(), X, names)
    labels, _ = run_onnx(model, X, zipmap=False)
    assert_array_equal(labels, model.predict(X))

    X, y = breast_cancer
    X = X.astype(np.float32)
    model = fit(
        StackedNetClassifier(hidden_layer_sizes=(4,), random_state=0), X, y == 1
    )
    labels, _ = run_onnx(model, X, zipmap=False)
    assert_array_equal(labels.astype(bool), model.predict(X))


def test_zipmap_gives_one_dict_per_row(iris):
    X, y = iris
    X = X.astype(np.float32)
    model = fit(LogisticRegressionGD(), X, y)
    labels, proba = run_onnx(model, X)
    assert len(proba) == len(X)
    assert set(proba[0]) == {0, 1, 2}
    expected = model.predict_proba(X)
    assert_allclose([[row[k] for k in (0, 1, 2)] for row in proba], expected, atol=ATOL)


def test_double_input_is_converted_in_double(wine):
    X, y = wine
    model = fit(StackedNetClassifier(hidden_layer_sizes=(8,), random_state=0), X, y)
    labels, proba = run_onnx(model, X, zipmap=False)
    assert proba.dtype == np.float64
    assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-12)
    assert_array_equal(labels, model.predict(X))


def test_multilabel_is_refused_with_a_clear_message(iris):
    X, y = iris
    Y = np.column_stack([y == 0, y == 2]).astype(int)
    model = fit(StackedNetClassifier(hidden_layer_sizes=(4,), random_state=0), X, Y)
    with pytest.raises(NotImplementedError, match="multilabel"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32))
