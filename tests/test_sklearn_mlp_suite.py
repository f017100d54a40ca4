"""scikit-learn's own MLPClassifier tests, run against StackedNetClassifier.

The installed ``sklearn/neural_network/tests/test_mlp.py`` is read at test
time, ``MLPClassifier`` is renamed ``StackedNetClassifier`` (imported from
this package) and the module's tests are collected from here. Nothing of it
is copied into the repository: the tests are whatever the installed
scikit-learn ships.
"""

import importlib.util
import re
import types
from pathlib import Path

import pytest
import sklearn
from sklearn.utils.fixes import parse_version

_SOURCE = (
    Path(importlib.util.find_spec("sklearn").origin).parent
    / "neural_network"
    / "tests"
    / "test_mlp.py"
)

# Tests left out, and why. Everything else of the file that concerns
# MLPClassifier runs.
LEFT_OUT = {
    # They call or set MLPClassifier's private internals (``_loss_grad_lbfgs``,
    # ``_coef_grads``, ``_intercept_grads``), which are not part of its API.
    "test_gradient": "private method _loss_grad_lbfgs",
    # A one-class fit: MLPClassifier accepts it, the package's contract raises
    # a clear ValueError instead (a single class cannot train a classifier).
    "test_preserve_feature_names": "fits a single class, which the contract rejects",
}

# Tests of MLPRegressor only: they run once the package has a regressor.
REGRESSOR_ONLY = {
    "test_lbfgs_regression",
    "test_lbfgs_regression_maxfun",
    "test_multioutput_regression",
    "test_partial_fit_regression",
    "test_nonfinite_params",
    "test_shuffle",
    "test_mlp_regressor_dtypes_casting",
    "test_mlp_loading_from_joblib_partial_fit",
    "test_mlp_diverging_loss",
    "test_mlp_sample_weight_with_early_stopping",
    "test_mlp_vs_poisson_glm_equivalent",
    "test_minimum_input_sample_size",
}


def _rewritten_module():
    source = _SOURCE.read_text()
    source = re.sub(r"\bMLPClassifier\b", "StackedNetClassifier", source)
    source = source.replace(
        "from sklearn.neural_network import StackedNetClassifier, MLPRegressor",
        "from sklearn.neural_network import MLPRegressor\n"
        "from skneural import StackedNetClassifier",
    )
    module = types.ModuleType("rewritten_test_mlp")
    module.__file__ = str(_SOURCE)
    exec(compile(source, str(_SOURCE), "exec"), module.__dict__)
    return module


def _classifier_only(function):
    """The test, with its parametrisations over MLPRegressor removed."""
    marks = getattr(function, "pytestmark", [])
    kept = []
    for mark in marks:
        if mark.name == "parametrize" and any(
            getattr(value, "__name__", "") == "MLPRegressor"
            for value in mark.args[1]
        ):
            values = [
                v for v in mark.args[1] if getattr(v, "__name__", "") != "MLPRegressor"
            ]
            mark = pytest.mark.parametrize(mark.args[0], values).mark
        kept.append(mark)
    function.pytestmark = kept
    return function


if _SOURCE.exists() and parse_version(sklearn.__version__) >= parse_version("1.9"):
    _module = _rewritten_module()
    for _name, _value in vars(_module).items():
        if not _name.startswith("test_") or _name in REGRESSOR_ONLY:
            continue
        if _name in LEFT_OUT:
            _value = pytest.mark.skip(reason=LEFT_OUT[_name])(_value)
        globals()[_name] = _classifier_only(_value)
else:  # older scikit-learn releases ship other tests

    def test_suite_available():
        pytest.skip("scikit-learn's test_mlp.py of version >= 1.9 is not installed")
