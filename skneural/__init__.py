"""skneural: small-data neural networks trained by explicit gradient descent."""

from ._logistic import LogisticRegressionGD
from ._lr_range import lr_range_test
from ._plot import LossCurveDisplay
from ._regressor import StackedNetRegressor
from ._stacked import StackedNetClassifier

__all__ = [
    "LogisticRegressionGD",
    "LossCurveDisplay",
    "StackedNetClassifier",
    "StackedNetRegressor",
    "lr_range_test",
]
__version__ = "0.1.0.dev0"
