"""The stacked networks' hyperparameters: defaults, constraints, constructor.

One list serves the classifier and the regressor; each adds its task's own
parameters (``class_weight``; ``loss`` and ``huber_delta``).
"""

from __future__ import annotations

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ._base import reject_unknown_keywords, store_hyperparameters
from ._engine.activations import ACTIVATIONS

# MLPClassifier's and MLPRegressor's parameters with their defaults, in their
# order, then the package's own; the first two may also be given by position
STACKED_DEFAULTS = {
    "hidden_layer_sizes": (100,),
    "activation": "relu",
    "solver": "adam",
    "alpha": 1e-4,
    "batch_size": "auto",
    "learning_rate": "constant",
    "learning_rate_init": 1e-3,
    "power_t": 0.5,
    "max_iter": 200,
    "shuffle": True,
    "random_state": None,
    "tol": 1e-4,
    "verbose": False,
    "warm_start": False,
    "momentum": 0.9,
    "nesterovs_momentum": True,
    "early_stopping": False,
    "validation_fraction": 0.1,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "n_iter_no_change": 10,
    "max_fun": 15000,
    "dropout": 0.0,
    "weight_init": "glorot_uniform",
    "scoring": None,
}
_POSITIONAL = ("hidden_layer_sizes", "activation")


def stacked_init(**task_defaults):
    """The ``__init__`` of a stacked network: every parameter, stored unchanged.

    Its signature lists :data:`STACKED_DEFAULTS` and then the task's own
    parameters (``task_defaults``), all keyword-only but the first two:
    what scikit-learn's ``get_params`` and ``clone`` read.
    """
    Parameter = inspect.Parameter
    parameters = [Parameter("self", Parameter.POSITIONAL_OR_KEYWORD)] + [
        Parameter(
            name,
            Parameter.POSITIONAL_OR_KEYWORD
            if name in _POSITIONAL
            else Parameter.KEYWORD_ONLY,
            default=default,
        )
        for name, default in {**STACKED_DEFAULTS, **task_defaults}.items()
    ]
    signature = inspect.Signature(parameters)

    def __init__(self, *args, **kwargs):
        # the close match of a typo, beside the class's name
        reject_unknown_keywords(type(self).__name__, kwargs, signature.parameters)
        try:
            arguments = signature.bind(self, *args, **kwargs)
        except TypeError as error:  # name the class, as Python's own message does
            raise TypeError(f"{type(self).__name__}(): {error}") from None
        arguments.apply_defaults()
        store_hyperparameters(self, arguments.arguments)

    __init__.__signature__ = signature
    __init__.__doc__ = "Store every parameter as given (see the class docstring)."
    return __init__


STACKED_CONSTRAINTS: dict = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [StrOptions(set(ACTIVATIONS)), list, tuple],
    "solver": [StrOptions({"lbfgs", "sgd", "adam", "rmsprop", "adagrad", "adamw"})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "weight_init": [StrOptions({"auto", "glorot_uniform", "he_uniform"})],
    "scoring": [None, StrOptions({"loss"} | set(get_scorer_names())), callable],
}
