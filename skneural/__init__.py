"""skneural: small-data neural networks trained by explicit gradient descent."""

from ._logistic import LogisticRegressionGD

__all__ = ["LogisticRegressionGD"]
__version__ = "0.1.0.dev0"
