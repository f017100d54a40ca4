"""ONNX export: ``import skneural.onnx`` teaches skl2onnx the estimators.

After the import, ``skl2onnx.to_onnx(model, X_sample)`` converts a fitted
:class:`~skneural.LogisticRegressionGD`,
:class:`~skneural.StackedNetClassifier` or
:class:`~skneural.StackedNetRegressor`, alone or as the last step of a
``Pipeline``. A regressor's graph outputs its predictions (one column per
output; the exponential of the scores for ``loss='poisson'``). A
classifier's, like any scikit-learn classifier's: the graph's outputs are the
predicted label and the class probabilities (a list of dicts, or a matrix
with ``options={"zipmap": False}``). onnxruntime then reproduces
``predict_proba`` to float32 precision.

The graph is the network's forward pass: a ``MatMul`` and an ``Add`` per
dense block, the hidden activations between them, and the output link
(one sigmoid per class column for two classes, as ``predict_proba``
computes them, a softmax for more). Multilabel networks are not supported.

Needs the ``[onnx]`` extra: ``pip install "skneural[onnx]"`` (skl2onnx and
onnxruntime).

Examples
--------
>>> import numpy as np
>>> import onnxruntime
>>> import skl2onnx
>>> import skneural.onnx
>>> from sklearn.datasets import load_iris
>>> from skneural import StackedNetClassifier
>>> X, y = load_iris(return_X_y=True)
>>> X = X.astype(np.float32)
>>> clf = StackedNetClassifier(hidden_layer_sizes=(5,), max_iter=300, random_state=0)
>>> clf = clf.fit(X, y)
>>> onx = skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False})
>>> session = onnxruntime.InferenceSession(
...     onx.SerializeToString(), providers=["CPUExecutionProvider"]
... )
>>> labels, proba = session.run(None, {"X": X})
>>> bool(np.allclose(proba, clf.predict_proba(X), atol=1e-5))
True
"""

from __future__ import annotations

import numpy as np

try:
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import guess_proto_type
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skneural.onnx needs skl2onnx and onnxruntime; install them with "
        'pip install "skneural[onnx]".'
    ) from exc

from ._base import fitted_layers
from ._classification import is_multilabel
from ._engine.activations import ELU_ALPHA, LEAKY_RELU_SLOPE
from ._logistic import LogisticRegressionGD
from ._regressor import StackedNetRegressor
from ._stacked import StackedNetClassifier

__all__: list[str] = []


class _Graph:
    """Adds nodes and constants to skl2onnx's graph under fresh names."""

    def __init__(self, scope, container, dtype):
        self.scope, self.container, self.dtype = scope, container, dtype

    def const(self, value, name="const"):
        value = np.asarray(value)
        if value.dtype.kind in "USO":
            onnx_type = TensorProto.STRING
            content = [str(v).encode("utf-8") for v in value.ravel()]
        elif value.dtype == np.int64:
            onnx_type, content = TensorProto.INT64, value.ravel().tolist()
        else:
            value = value.astype(self.dtype)
            onnx_type = (
                TensorProto.DOUBLE if self.dtype == np.float64 else TensorProto.FLOAT
            )
            content = value.ravel().tolist()
        unique = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(unique, onnx_type, list(value.shape), content)
        return unique

    def node(self, op_type, inputs, output=None, op_domain="", **attrs):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            op_domain=op_domain,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output


def _activation(graph, name, z):
    """The hidden activation ``name`` applied to ``z``, as ``_activations`` has it."""
    if name == "identity":
        return z
    if name == "logistic":
        return graph.node("Sigmoid", [z])
    if name == "tanh":
        return graph.node("Tanh", [z])
    if name == "relu":
        return graph.node("Relu", [z])
    if name == "leaky_relu":
        return graph.node("LeakyRelu", [z], alpha=float(LEAKY_RELU_SLOPE))
    if name == "elu":
        return graph.node("Elu", [z], alpha=float(ELU_ALPHA))
    if name == "gelu":
        # z * Phi(z) with Phi(z) = (1 + erf(z / sqrt 2)) / 2, the exact GELU
        scaled = graph.node("Mul", [z, graph.const(1 / np.sqrt(2))])
        cdf = graph.node(
            "Mul",
            [
                graph.node("Add", [graph.node("Erf", [scaled]), graph.const(1.0)]),
                graph.const(0.5),
            ],
        )
        return graph.node("Mul", [z, cdf])
    raise NotImplementedError(f"activation {name!r} has no ONNX conversion.")


def _classes_for_labels(model, nocl):
    """The label of each output column, typed as skl2onnx's shape calculator says."""
    classes = np.asarray(model.classes_)
    if nocl:
        return np.arange(len(classes), dtype=np.int64)
    if classes.dtype.kind in "iubf":
        # a classifier's float labels are whole numbers (scikit-learn refuses
        # continuous targets), and skl2onnx types numeric labels as int64
        return classes.astype(np.int64)
    return classes.astype(str)


def _forward(scope, operator, container):
    """The graph, and the raw output scores of the network's forward pass."""
    model = operator.raw_operator
    proto = guess_proto_type(operator.inputs[0].type)
    dtype = np.float64 if proto == TensorProto.DOUBLE else np.float32
    graph = _Graph(scope, container, dtype)
    weights, biases, activations = fitted_layers(model)
    a = operator.inputs[0].full_name
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = graph.node("MatMul", [a, graph.const(w, "coef")])
        z = graph.node("Add", [z, graph.const(b, "intercept")])
        a = _activation(graph, activations[i], z) if i < len(weights) - 1 else z
    return graph, a


def _convert_regressor(scope, operator, container):
    """skl2onnx converter of the regressor: the scores, or their exponential."""
    graph, scores = _forward(scope, operator, container)
    output = operator.outputs[0].full_name
    if operator.raw_operator.out_activation_ == "exp":
        graph.node("Exp", [scores], output=output)
    else:
        graph.node("Identity", [scores], output=output)


def _convert(scope, operator, container):
    """skl2onnx converter: the forward pass, the probabilities and the labels."""
    model = operator.raw_operator
    if is_multilabel(model):
        raise NotImplementedError(
            f"{type(model).__name__} fitted on a multilabel target has no ONNX "
            "conversion."
        )
    graph, scores = _forward(scope, operator, container)
    options = container.get_options(model, dict(nocl=False))

    label_out, proba_out = operator.outputs[0].full_name, operator.outputs[1].full_name
    if len(model.classes_) == 2:
        # each column from its own sigmoid, exact near 0 and near 1
        negative = graph.node("Sigmoid", [graph.node("Neg", [scores])])
        positive = graph.node("Sigmoid", [scores])
        graph.node("Concat", [negative, positive], output=proba_out, axis=1)
        # predict's rule, z > 0, so that a tie goes the estimator's way
        index = graph.node(
            "Cast",
            [graph.node("Greater", [scores, graph.const(np.zeros((1, 1)))])],
            to=TensorProto.INT64,
        )
    else:
        graph.node("Softmax", [scores], output=proba_out, axis=1)
        index = graph.node("ArgMax", [scores], axis=1, keepdims=1)
    labels = graph.node(
        "ArrayFeatureExtractor",
        [graph.const(_classes_for_labels(model, options["nocl"]), "classes"), index],
        op_domain="ai.onnx.ml",
    )
    graph.node(
        "Reshape",
        [labels, graph.const(np.array([-1], dtype=np.int64), "shape")],
        output=label_out,
    )


def _register():
    for estimator in (LogisticRegressionGD, StackedNetClassifier):
        update_registered_converter(
            estimator,
            f"Skneural{estimator.__name__}",
            calculate_linear_classifier_output_shapes,
            _convert,
            options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
        )
    update_registered_converter(
        StackedNetRegressor,
        "SkneuralStackedNetRegressor",
        calculate_linear_regressor_output_shapes,
        _convert_regressor,
    )


_register()
