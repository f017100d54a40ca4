"""scikit-learn's own MLP tests, run against the package's stacked networks.

The installed ``sklearn/neural_network/tests/test_mlp.py`` is read at test
time, ``MLPClassifier`` is renamed ``StackedNetClassifier`` and
``MLPRegressor`` ``StackedNetRegressor`` (both imported from this package)
and the module's tests are collected from here. Nothing of it
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

# Tests left out, and why. Everything else of the file runs, for both
# estimators.
LEFT_OUT = {
    # They call or set MLPClassifier's private internals (``_loss_grad_lbfgs``,
    # ``_coef_grads``, ``_intercept_grads``), which are not part of its API.
    "test_gradient": "private method _loss_grad_lbfgs",
    # It starts partial_fit from hand-set weights and MLPClassifier's private
    # training state (_coef_grads, _intercept_grads, _coef_velocity,
    # _no_improvement_count); the package keeps its training state elsewhere.
    "test_fit": "sets MLPClassifier's private training state",
    # They read the private optimizer object (``_optimizer.learning_rate``).
    "test_learning_rate_warmstart": "private attribute _optimizer",
    "test_adaptive_learning_rate": "private attribute _optimizer",
}
# Tests left out for one estimator only: the test's name, the estimator's
# name, and why.
LEFT_OUT_FOR = {
    # A one-class fit: MLPClassifier accepts it, the package's contract raises
    # a clear ValueError instead (a single class cannot train a classifier).
    # The regressor runs it.
    "test_preserve_feature_names": (
        "StackedNetClassifier",
        "fits a single class, which the contract rejects",
    ),
}


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture of the same name, at its default seed."""
    return 42


def _left_out_for(function, estimator_name, reason):
    """The test, its parametrisation over ``estimator_name`` skipped."""
    marks = []
    for mark in getattr(function, "pytestmark", []):
        if mark.name == "parametrize":
            values = [
                pytest.param(v, marks=pytest.mark.skip(reason=reason))
                if getattr(v, "__name__", "") == estimator_name
                else v
                for v in mark.args[1]
            ]
            mark = pytest.mark.parametrize(mark.args[0], values).mark
        marks.append(mark)
    function.pytestmark = marks
    return function


def _rewritten_module():
    source = _SOURCE.read_text()
    source = re.sub(r"\bMLPClassifier\b", "StackedNetClassifier", source)
    source = re.sub(r"\bMLPRegressor\b", "StackedNetRegressor", source)
    source = source.replace(
        "from sklearn.neural_network import StackedNetClassifier, StackedNetRegressor",
        "from skneural import StackedNetClassifier, StackedNetRegressor",
    )
    module = types.ModuleType("rewritten_test_mlp")
    module.__file__ = str(_SOURCE)
    exec(compile(source, str(_SOURCE), "exec"), module.__dict__)
    return module


if _SOURCE.exists() and parse_version(sklearn.__version__) >= parse_version("1.9"):
    _module = _rewritten_module()
    for _name, _value in vars(_module).items():
        if not _name.startswith("test_"):
            continue
        if _name in LEFT_OUT:
            _value = pytest.mark.skip(reason=LEFT_OUT[_name])(_value)
        if _name in LEFT_OUT_FOR:
            _value = _left_out_for(_value, *LEFT_OUT_FOR[_name])
        globals()[_name] = _value
else:  # older scikit-learn releases ship other tests

    def test_suite_available():
        pytest.skip("scikit-learn's test_mlp.py of version >= 1.9 is not installed")
