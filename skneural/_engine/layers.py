"""Layers as blocks: the protocol every block follows, and the blocks.

A block is one step of the network's forward pass, with the matching step
of the backward pass. The protocol, stated once (:class:`Block`):

* ``param_shapes``: the shapes of the block's parameter arrays (none for an
  activation), and ``penalised``: for each, whether the weight penalty
  acts on it (weights yes, biases no);
* ``init_params(rng, dtype, method)``: fresh parameters;
* ``forward(params, x, training) -> (out, cache)``: the block's output and
  what its backward pass needs; ``training`` is the random generator of a
  stochastic training pass (dropout draws its masks from it), None for a
  deterministic pass (prediction, the full-batch solvers);
* ``backward(params, cache, grad_out, out=None, need_grad_x=True) ->
  (grad_x, grad_params)``: given ``dL/d(out)``, the gradient for the block
  below and the gradients of the parameters, a list shaped like ``params``
  (written into ``out`` when given: arrays shaped like ``params``, views of
  the network's flat gradient vector). ``need_grad_x`` is false for the
  first block, whose input is the data: ``grad_x`` may then be None.

Rules that let blocks reuse their arrays from batch to batch: ``forward``
never overwrites ``x`` (unless the network that builds the block says it may,
see :class:`Activation`); ``backward`` may overwrite ``grad_out`` (the caller
is done with it). A block's outputs stay valid until its next pass: the
caller copies what it keeps.

A block instance appears once in a network (it keeps its own arrays).

Nothing here assumes a dense layer: the network is a list of blocks plus a
loss, and a new kind of block (a convolution, say) only has to follow the
protocol to be trained by every solver. What the estimators store as fitted
attributes (``coefs_`` and ``intercepts_``, read by the ONNX export) and the
BLAS thread rule do read the dense stack's shapes.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.extmath import safe_sparse_dot

from .activations import ACTIVATIONS
from .kernels import column_sums, product_into


# -- the formulas --------------------------------------------------------------------
def dense_forward(x, weights, bias):
    """Raw output ``z = x W + b`` of a dense block (``x`` may be sparse)."""
    return safe_sparse_dot(x, weights, dense_output=True) + bias


def dense_backward(x, weights, grad_z):
    """Gradients of a dense block, given ``dL/dz``.

    Returns ``(dL/dW, dL/db, dL/dx)``: ``x^T dL/dz``, the sum of ``dL/dz``
    over the samples, and ``dL/dz W^T``.
    """
    grad_weights = safe_sparse_dot(x.T, grad_z, dense_output=True)
    return grad_weights, grad_z.sum(axis=0), grad_z @ weights.T


def init_dense(fan_in, fan_out, method, rng, dtype):
    """Random initial weights and biases of a dense block.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the block.
    method : {'glorot_uniform', 'glorot_uniform_logistic', 'he_uniform', 'zeros'}
        Glorot keeps the variance of activations and gradients equal across
        blocks for tanh-like activations, ``U(-r, r)`` with
        ``r = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` for the
        logistic activation); He compensates for ReLU zeroing half of its
        inputs, ``r = sqrt(6 / fan_in)``; zeros suit a convex problem.
    rng : numpy.random.RandomState
    dtype : numpy dtype

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    bias : ndarray of shape (fan_out,)
    """
    if method == "zeros":
        return np.zeros((fan_in, fan_out), dtype), np.zeros(fan_out, dtype)
    if method == "he_uniform":
        bound = np.sqrt(6.0 / fan_in)
    elif method == "glorot_uniform_logistic":
        bound = np.sqrt(2.0 / (fan_in + fan_out))
    else:
        bound = np.sqrt(6.0 / (fan_in + fan_out))
    weights = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False)
    bias = rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False)
    return weights, bias


def dropout_mask(shape, rate, rng, dtype):
    """Inverted-dropout mask: 0 with probability ``rate``, else ``1 / (1 - rate)``.

    Scaling the kept units at training time keeps the expected activation
    unchanged, so prediction uses the network as it is, with no mask.
    """
    keep = 1.0 - rate
    return (rng.random_sample(shape) < keep).astype(dtype) / dtype.type(keep)


# -- the protocol ---------------------------------------------------------------------
class Block:
    """The layer protocol (see the module docstring); a block without parameters.

    Subclasses implement :meth:`forward` and :meth:`backward`, and set
    ``param_shapes`` and ``penalised`` when they have parameters.
    """

    param_shapes: tuple = ()
    penalised: tuple = ()
    # whether forward draws from ``training`` (the network then gets a
    # random generator while it trains)
    stochastic: bool = False

    def init_params(self, rng, dtype, method=None):
        """Fresh parameters, one array per entry of ``param_shapes``.

        ``method`` names an initialisation scheme for blocks that offer a
        choice (the dense block); others ignore it. Zeros here.
        """
        return [np.zeros(shape, dtype) for shape in self.param_shapes]

    def forward(self, params, x, training):
        """``(out, cache)`` for the input ``x``."""
        raise NotImplementedError

    def backward(self, params, cache, grad_out, out=None, need_grad_x=True):
        """``(grad_x, grad_params)`` from ``grad_out = dL/d(out)``."""
        raise NotImplementedError


class Scratch:
    """Arrays a block writes into, kept from batch to batch.

    A row-major array is one per name, as large as the largest batch asked
    for: a smaller batch (the last of an epoch) gets a view of its leading
    rows, so no second array is held. The leading rows of a column-major
    array are no column-major array, so those are kept by exact shape, the
    latest few used (the batch, the last batch, a validation set).
    """

    kept = 3

    def __init__(self):
        self._largest = {}
        self._by_shape = {}
        # what each request gave, by its whole description: a batch asks for
        # the same arrays every time, and one lookup answers it; forgotten
        # whenever an array is made (or too many shapes were asked for)
        self._given = {}

    def array(self, name, shape, dtype, order="C", fill=None):
        """An array of ``shape`` (rows first) and ``dtype``, uninitialised
        unless ``fill`` is given (then filled once, when allocated)."""
        key = (name, shape, dtype, order)
        given = self._given.get(key)
        if given is not None:
            return given
        if len(self._given) > 4 * self.kept:
            self._given.clear()
        given = self._given[key] = self._find(name, shape, dtype, order, fill)
        return given

    def _find(self, name, shape, dtype, order, fill):
        if order == "F":
            return self._exact(name, shape, dtype, fill)
        full = self._largest.get(name)
        if (
            full is None
            or full.shape[0] < shape[0]
            or full.shape[1:] != shape[1:]
            or full.dtype != dtype
        ):
            full = self._largest[name] = _new(shape, dtype, "C", fill)
            self._given.clear()  # views of the array it replaces
        return full if full.shape[0] == shape[0] else full[: shape[0]]

    def _exact(self, name, shape, dtype, fill):
        arrays = self._by_shape.setdefault(name, [])
        for i, array in enumerate(arrays):
            if array.shape == shape and array.dtype == dtype:
                if i:  # the latest used first: the others go first
                    arrays.insert(0, arrays.pop(i))
                return array
        array = _new(shape, dtype, "F", fill)
        arrays.insert(0, array)
        del arrays[self.kept :]
        self._given.clear()  # it may hold one just dropped
        return array


def _new(shape, dtype, order, fill):
    array = np.empty(shape, dtype, order=order)
    if fill is not None:
        array.fill(fill)
    return array


class Dense(Block):
    """``z = x W + b``: every output a weighted sum of every input, plus a bias.

    Parameters
    ----------
    fan_in, fan_out : int
    output_layout : {'C', 'F'}, default='C'
        Memory order of the block's output. The network's last block writes
        its scores column by column: the loss works along rows, and numpy
        reduces a few numbers per row far faster across columns laid out
        contiguously.
    """

    penalised = (True, False)

    def __init__(self, fan_in, fan_out, output_layout="C"):
        self.fan_in, self.fan_out = fan_in, fan_out
        self.param_shapes = ((fan_in, fan_out), (fan_out,))
        self.output_layout = output_layout
        self.scratch = Scratch()

    def init_params(self, rng, dtype, method="glorot_uniform"):
        """``[weights, bias]`` drawn by ``init_dense`` with ``method``."""
        return list(init_dense(self.fan_in, self.fan_out, method, rng, dtype))

    def forward(self, params, x, training):
        """``z = x W + b`` into the block's own array; the cache is ``x``."""
        weights, bias = params
        shape = (x.shape[0], self.fan_out)
        z = self.scratch.array("z", shape, weights.dtype, self.output_layout)
        product_into(x, weights, z)
        z += bias
        return z, x

    def backward(self, params, cache, grad_out, out=None, need_grad_x=True):
        """``x^T dL/dz``, the column sums of ``dL/dz``, and ``dL/dz W^T``."""
        weights, _ = params
        x = cache
        if out is None:
            out = [np.empty_like(p) for p in params]
        grad_weights, grad_bias = out
        product_into(x.T, grad_out, grad_weights)
        n = grad_out.shape[0]
        ones = self.scratch.array("ones", (n,), grad_out.dtype, fill=1)
        column_sums(grad_out, grad_bias, ones)
        if not need_grad_x:
            return None, out
        grad_x = self.scratch.array("grad_x", (n, self.fan_in), grad_out.dtype)
        return product_into(grad_out, weights.T, grad_x), out


class Activation(Block):
    """A non-linearity applied entry by entry (see ``activations.py``).

    Parameters
    ----------
    name : str
        A key of ``activations.ACTIVATIONS``.
    overwrite_input : bool, default=False
        Whether ``forward`` may write its output over its input, for a
        network that knows nothing else reads that input again: in the
        dense stack it is a dense block's output, and a dense block keeps
        its input, not its output, for its backward pass. One array less per
        layer. (GELU's derivative needs its input: it never overwrites it.)
    """

    def __init__(self, name, overwrite_input=False):
        self.name = name
        self.function = ACTIVATIONS[name]
        self.overwrite_input = overwrite_input and not self.function.needs_input
        self.scratch = Scratch()

    def forward(self, params, x, training):
        """``a = g(z)``; the cache is ``a`` (``z`` when the derivative needs it)."""
        out = x if self.overwrite_input else self.scratch.array("a", x.shape, x.dtype)
        a = self.function.forward(x, out=out)
        return a, (x if self.function.needs_input else a)

    def backward(self, params, cache, grad_out, out=None, need_grad_x=True):
        """``dL/dz = dL/da * g'``, written over ``grad_out``; no parameters."""
        grad_out *= self.function.derivative(cache)
        return grad_out, []


class Dropout(Block):
    """Inverted dropout: while training, each unit is zeroed with probability ``rate``.

    The kept units are scaled by ``1 / (1 - rate)``; at prediction the block
    passes its input through.
    """

    def __init__(self, rate):
        self.rate = rate
        self.stochastic = bool(rate)
        self.scratch = Scratch()

    def forward(self, params, x, training):
        """``x`` times a fresh mask while training; ``x`` itself otherwise."""
        if training is None or not self.rate:
            return x, None
        mask = dropout_mask(x.shape, self.rate, training, x.dtype)
        dropped = self.scratch.array("dropped", x.shape, x.dtype)
        return np.multiply(x, mask, out=dropped), mask

    def backward(self, params, cache, grad_out, out=None, need_grad_x=True):
        """``grad_out`` times the same mask; no parameters."""
        if cache is not None:
            grad_out *= cache
        return grad_out, []
