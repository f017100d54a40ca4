"""A stack of dense blocks, and the one objective every solver minimises.

Layer sizes ``(n_features, h_1, ..., h_k, n_outputs)`` give ``k + 1`` dense
blocks with an activation after each hidden one; the last block's raw output
goes to the loss, which owns the link (sigmoid or softmax). With no hidden
layer this is exactly (multinomial) logistic regression.

All parameters live in one flat vector ``theta``: the weights of every block
first, then every bias. Blocks see views into it, so an optimizer updates
the whole network with a handful of vector operations and a penalty touches
the leading ``n_coef`` entries.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .layers import dense_backward, dense_forward, dropout_mask, init_dense
from .losses import total_weight
from .penalties import add_l2_gradient, l1_penalty, l2_penalty


class Network:
    """The structure of a network (no weights): sizes, activations, loss, dropout.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, hidden..., n_outputs)``.
    activations : sequence of str
        One activation name per hidden layer.
    loss : SigmoidCrossEntropy or SoftmaxCrossEntropy
    dropout : sequence of float, default=None
        Dropout rate after each hidden layer (training only).
    fit_intercept : bool, default=True
        Whether the biases are trained; when false they keep their initial
        value (zero for logistic regression) and get no gradient.
    """

    def __init__(
        self, layer_sizes, activations, loss, dropout=None, fit_intercept=True
    ):
        self.fit_intercept = fit_intercept
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.activations = [ACTIVATIONS[name] for name in activations]
        self.loss = loss
        n_hidden = len(self.layer_sizes) - 2
        self.dropout = tuple(dropout) if dropout is not None else (0.0,) * n_hidden
        if len(self.activations) != n_hidden or len(self.dropout) != n_hidden:
            raise ValueError("one activation and one dropout rate per hidden layer")
        self.shapes = list(
            zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True)
        )
        ends = np.cumsum([a * b for a, b in self.shapes] + [b for _, b in self.shapes])
        self.n_coef = int(ends[len(self.shapes) - 1])
        self.n_params = int(ends[-1])
        # plain ints: slicing with them is faster than with numpy integers
        starts = [0, *ends[:-1].tolist()]
        self._bounds = list(zip(starts, ends.tolist(), strict=True))
        self._workspaces = {}
        self._unpacked = []  # (flat vector, its views), the two latest

    @property
    def n_blocks(self):
        """Number of dense blocks (hidden layers + 1)."""
        return len(self.shapes)

    # -- parameters ---------------------------------------------------------
    def unpack(self, theta):
        """Views ``(weights, biases)``, one pair per block, into ``theta``."""
        n = self.n_blocks
        weights = [
            theta[a:b].reshape(shape)
            for (a, b), shape in zip(self._bounds[:n], self.shapes, strict=True)
        ]
        biases = [theta[a:b] for a, b in self._bounds[n:]]
        return weights, biases

    def _views(self, flat):
        """:meth:`unpack`, remembered for the two vectors last unpacked.

        A minibatch run unpacks the same ``theta`` and ``grad`` at every
        batch; views stay valid as long as the vector lives, and holding it
        here keeps it alive, so ``is`` identifies it safely.
        """
        for seen, views in self._unpacked:
            if seen is flat:
                return views
        views = self.unpack(flat)
        self._unpacked = [(flat, views), *self._unpacked[:1]]
        return views

    def pack(self, weights, biases, dtype):
        """One flat vector from per-block weights and biases (a copy)."""
        parts = [np.ravel(w) for w in weights] + [np.ravel(b) for b in biases]
        theta = np.concatenate(parts).astype(dtype, copy=False)
        if theta.size != self.n_params:
            raise ValueError("parameters do not match the network's layer sizes")
        return theta

    def init_params(self, methods, rng, dtype):
        """Fresh parameters, one init method per block."""
        pairs = [
            init_dense(fan_in, fan_out, method, rng, dtype)
            for (fan_in, fan_out), method in zip(self.shapes, methods, strict=True)
        ]
        return self.pack([w for w, _ in pairs], [b for _, b in pairs], dtype)

    # -- forward and backward ------------------------------------------------
    def forward(self, weights, biases, x, rng=None, workspace=None, out=None):
        """Raw output scores, and what the backward pass needs.

        Dropout masks are drawn from ``rng`` when it is given (training).
        With a ``workspace`` (see :meth:`workspace`) every array is written
        into a buffer reused from batch to batch instead of a new one;
        ``out``, when given, receives the output scores.
        """
        ws = workspace
        inputs, derivatives_from, masks = [x], [], []
        for i, activation in enumerate(self.activations):
            z = dense_forward(inputs[-1], weights[i], biases[i], _buffer(ws, "z", i))
            kept = None
            if activation.needs_input:  # the activation overwrites z: keep a copy
                kept = _buffer(ws, "kept", i)
                kept = z.copy() if kept is None else _copied(z, kept)
            a = activation.forward(z)
            derivatives_from.append(a if kept is None else kept)
            mask = None
            if rng is not None and self.dropout[i] > 0:
                mask = dropout_mask(a.shape, self.dropout[i], rng, a.dtype)
                a = np.multiply(a, mask, out=_buffer(ws, "dropped", i))
            masks.append(mask)
            inputs.append(a)
        if out is None:
            out = _buffer(ws, "z", -1)
        z_out = dense_forward(inputs[-1], weights[-1], biases[-1], out)
        return z_out, (inputs, derivatives_from, masks)

    def backward(self, weights, cache, grad_z, grad, workspace=None):
        """Fill ``grad`` (flat, like ``theta``) from ``dL/dz`` of the output block."""
        grad_weights, grad_biases = self._views(grad)
        inputs, derivatives_from, masks = cache
        deltas = ones = None
        if workspace is not None:
            deltas, ones = workspace["delta"], workspace["ones"]
        for i in range(self.n_blocks - 1, 0, -1):
            grad_x = dense_backward(
                inputs[i],
                weights[i],
                grad_z,
                grad_weights[i],
                grad_biases[i],
                out=None if deltas is None else deltas[i - 1],
                ones=ones,
            )
            if masks[i - 1] is not None:
                grad_x *= masks[i - 1]
            grad_x *= self.activations[i - 1].derivative(derivatives_from[i - 1])
            grad_z = grad_x
        # the first block: no dL/dx, the input is the data
        dense_backward(
            inputs[0],
            weights[0],
            grad_z,
            grad_weights[0],
            grad_biases[0],
            need_grad_x=False,
            ones=ones,
        )
        if not self.fit_intercept:
            grad[self.n_coef :] = 0
        return grad

    def workspace(self, n_rows, dtype):
        """Buffers for a batch of ``n_rows``, kept and reused across calls.

        One set per dtype, as large as the largest batch seen; a smaller
        batch (the last of an epoch) gets views of its leading rows, kept
        for the next call with that many rows.
        """
        full = self._workspaces.get(dtype)
        if full is None:  # a type (np.float64) rather than a dtype, or new
            dtype = np.dtype(dtype)
            full = self._workspaces.get(dtype)
        if full is None or full["rows"] < n_rows:
            sizes = self.layer_sizes[1:]
            hidden = range(len(self.activations))
            full = self._workspaces[dtype] = {
                "rows": n_rows,
                "z": [np.empty((n_rows, size), dtype) for size in sizes[:-1]]
                + [_scores_buffer(n_rows, sizes[-1], dtype)],
                "delta": [np.empty((n_rows, size), dtype) for size in sizes[:-1]],
                "kept": {
                    i: np.empty((n_rows, sizes[i]), dtype)
                    for i in hidden
                    if self.activations[i].needs_input
                },
                "dropped": {
                    i: np.empty((n_rows, sizes[i]), dtype)
                    for i in hidden
                    if self.dropout[i]
                },
                # the hidden blocks' bias gradients as products with a vector
                # of ones (see dense_backward); the output block's, from
                # column-major scores, sum fast enough without it
                "ones": np.ones(n_rows, dtype) if self.activations else None,
                "part": None,
            }
        if full["rows"] == n_rows:
            return full
        part = full["part"]
        if part is None or part["rows"] != n_rows:
            part = full["part"] = {
                "rows": n_rows,
                "z": [a[:n_rows] for a in full["z"]],
                "delta": [a[:n_rows] for a in full["delta"]],
                "kept": {i: a[:n_rows] for i, a in full["kept"].items()},
                "dropped": {i: a[:n_rows] for i, a in full["dropped"].items()},
                "ones": None if full["ones"] is None else full["ones"][:n_rows],
            }
        return part

    def raw_scores(self, theta, x):
        """Output scores at ``theta`` (no dropout), in a new array."""
        out = _scores_buffer(x.shape[0], self.layer_sizes[-1], theta.dtype)
        return self.forward(*self.unpack(theta), x, out=out)[0]

    # -- the objective ---------------------------------------------------------
    def objective(self, theta, x, y, sample_weight=None, l2=0.0, scores=None):
        """Smooth objective ``(sum_i s_i loss_i + l2/2 ||W||^2) / sum_i s_i``.

        ``scores``, the output scores at ``theta`` when already known, saves
        the forward pass.
        """
        z = scores
        if z is None:
            workspace = self.workspace(x.shape[0], theta.dtype)
            z, _ = self.forward(*self.unpack(theta), x, workspace=workspace)
        total = self.loss.loss(z, y, sample_weight)
        total += l2_penalty(theta[: self.n_coef], l2)
        return total / _weight_sum(x, sample_weight)

    def objective_gradient(
        self,
        theta,
        x,
        y,
        sample_weight=None,
        l2=0.0,
        grad=None,
        rng=None,
        scores=None,
        weight_sum=None,
    ):
        """:meth:`objective` and its gradient with respect to ``theta``.

        ``grad`` is an optional buffer to write into. Dropout masks are drawn
        from ``rng`` when it is given. For a network without hidden layers,
        ``scores`` (the output scores at ``theta``, overwritten) saves the
        forward pass. ``weight_sum`` divides the sums in place of the total
        sample weight of ``x`` (a minibatch's share of the whole set's).
        """
        if grad is None:
            grad = np.empty_like(theta)
        weights, biases = self._views(theta)
        if scores is None:
            workspace = self.workspace(x.shape[0], theta.dtype)
            z, cache = self.forward(weights, biases, x, rng, workspace)
        else:  # one dense block, no buffer needed
            workspace, z, cache = None, scores, ([x], [], [])
        total, grad_z = self.loss.loss_and_gradient(z, y, sample_weight, out=z)
        total += l2_penalty(theta[: self.n_coef], l2)
        # dividing by the total weight is cheaper on dL/dz (a batch of scores)
        # than on the gradient (every parameter): backward is linear in it
        if weight_sum is None:
            weight_sum = _weight_sum(x, sample_weight)
        scale = 1.0 / weight_sum
        grad_z *= scale
        self.backward(weights, cache, grad_z, grad, workspace)
        add_l2_gradient(grad[: self.n_coef], theta[: self.n_coef], l2 * scale)
        return total * scale, grad

    def penalty(self, theta, l2=0.0, l1=0.0):
        """The penalty ``l2 / 2 ||W||_2^2 + l1 ||W||_1`` on the weights (a sum,
        not yet divided by the total sample weight)."""
        weights = theta[: self.n_coef]
        return l2_penalty(weights, l2) + (l1_penalty(weights, l1) if l1 else 0.0)

    def l1_value(self, theta, x, sample_weight=None, l1=0.0):
        """The non-smooth part ``l1 ||W||_1 / sum_i s_i`` of the objective."""
        if not l1:
            return 0.0
        return l1_penalty(theta[: self.n_coef], l1) / _weight_sum(x, sample_weight)


def _scores_buffer(n_rows, n_outputs, dtype):
    """An array for output scores, column by column in memory.

    The loss works along rows (a row's maximum, its sum), and numpy sums a
    few numbers per row far faster across columns laid out contiguously
    than along short contiguous rows.
    """
    return np.empty((n_rows, n_outputs), dtype, order="F")


def _copied(source, target):
    """``target``, after copying ``source`` into it."""
    np.copyto(target, source)
    return target


def _buffer(workspace, name, i):
    """Buffer ``i`` of kind ``name`` from a workspace, or None without one."""
    return None if workspace is None else workspace[name][i]


def _weight_sum(x, sample_weight):
    return total_weight(x.shape[0], sample_weight)
