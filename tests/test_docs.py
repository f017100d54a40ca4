"""Documented parameters and attributes match the code; public objects have examples."""

import inspect
import types
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import skneural
from skneural._lr_range import LRRangeTestResult

docscrape = pytest.importorskip("numpydoc.docscrape")

PUBLIC = [getattr(skneural, name) for name in skneural.__all__]
# returned by a public function, so documented as public
DOCUMENTED = [*PUBLIC, LRRangeTestResult]
ESTIMATORS = [
    skneural.LogisticRegressionGD,
    skneural.StackedNetClassifier,
    skneural.StackedNetRegressor,
]


def _names(section):
    """Parameter names of a numpydoc section; 'a, b : int' documents two."""
    names = []
    for entry in section:
        names += [n.strip().lstrip("*") for n in entry.name.split(",")]
    return names


def _signature_names(func, drop_first):
    params = list(inspect.signature(func).parameters.values())
    if drop_first:
        params = params[1:]
    return [p.name for p in params]


def _own_public_methods(cls):
    """(name, function, is_bound) for each public method the package defines.

    Inherited ones too (``fit`` of the stacked networks lives in their
    shared mixin): the first definition along the MRO counts.
    """
    seen = {}
    for klass in reversed(cls.__mro__):
        seen.update(vars(klass))
    for name, value in seen.items():
        if name.startswith("_"):
            continue
        if isinstance(value, classmethod):
            func = value.__func__
            yield name, getattr(cls, name), func.__module__
        elif isinstance(value, types.FunctionType):
            yield name, value, value.__module__
        elif isinstance(getattr(value, "fn", None), types.FunctionType):
            # a method behind scikit-learn's available_if (partial_fit)
            yield name, value.fn, value.fn.__module__


def _documented_callables():
    for obj in DOCUMENTED:
        if inspect.isclass(obj):
            yield obj.__name__, obj.__init__, docscrape.ClassDoc(obj), True
            for name, func, module in _own_public_methods(obj):
                if module.startswith("skneural"):
                    bound = inspect.ismethod(func)
                    doc = docscrape.FunctionDoc(func)
                    yield f"{obj.__name__}.{name}", func, doc, not bound
        else:
            yield obj.__name__, obj, docscrape.FunctionDoc(obj), False


CALLABLES = list(_documented_callables())


@pytest.mark.parametrize(
    "name, func, doc, drop_first", CALLABLES, ids=[c[0] for c in CALLABLES]
)
def test_parameters_section_lists_exactly_the_signature(name, func, doc, drop_first):
    documented = _names(doc["Parameters"])
    assert documented == _signature_names(func, drop_first), name


def test_every_estimator_method_is_checked():
    # the parametrisation above really covers the methods that matter
    checked = {c[0] for c in CALLABLES}
    for cls in ESTIMATORS:
        for method in ("fit", "partial_fit"):
            assert f"{cls.__name__}.{method}" in checked
    assert "lr_range_test" in checked
    assert "LossCurveDisplay.from_estimator" in checked


@pytest.mark.parametrize("obj", DOCUMENTED, ids=lambda o: o.__name__)
def test_every_public_object_has_examples(obj):
    doc = (
        docscrape.ClassDoc(obj) if inspect.isclass(obj) else docscrape.FunctionDoc(obj)
    )
    examples = "\n".join(doc["Examples"])
    assert ">>> " in examples, f"{obj.__name__} has no Examples section"


def _fitted_attributes(est):
    return {a for a in vars(est) if a.endswith("_") and not a.startswith("_")}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_attributes_section_lists_the_fitted_attributes(cls, early_stopping, iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    # string column names, so that feature_names_in_ exists too
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    params = {"max_iter": 5}
    if cls is not skneural.LogisticRegressionGD:
        params.update(hidden_layer_sizes=(4,), early_stopping=early_stopping)
    elif early_stopping:
        pytest.skip("LogisticRegressionGD has no early stopping")
    est = cls(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    documented = set(_names(docscrape.ClassDoc(cls)["Attributes"]))
    assert documented == _fitted_attributes(est)


def test_display_attributes_are_documented():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    display = skneural.LossCurveDisplay(
        loss_curve=[1.0, 0.5],
        validation_loss_curve=[1.1, 0.7],
        validation_scores=[0.5, 0.6],
    ).plot()
    result = LRRangeTestResult(np.array([0.1, 1.0]), np.array([0.6, 0.3]), 0.1).plot()
    try:
        for obj in (display, result):
            documented = set(_names(docscrape.ClassDoc(type(obj))["Attributes"]))
            assert documented == _fitted_attributes(obj)
    finally:
        plt.close("all")
