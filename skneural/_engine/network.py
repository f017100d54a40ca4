"""A network: a list of blocks plus a loss, and the objective every solver minimises.

Layer sizes ``(n_features, h_1, ..., h_k, n_outputs)`` give ``k + 1`` dense
blocks with an activation (and, when asked, dropout) after each hidden one;
the last block's raw output goes to the loss, which owns the link (sigmoid,
softmax or the regression links). With no hidden layer this is exactly
(multinomial) logistic regression.

The forward pass runs the blocks in order, the backward pass in reverse
(see ``layers.py`` for the protocol); the parameters of all blocks live in
one flat vector (``parameters.py``).
"""

from __future__ import annotations

import numpy as np

from .kernels import product_into
from .layers import Activation, Dense, Dropout, Scratch
from .losses import total_weight
from .parameters import ParameterLayout
from .penalties import add_l2_gradient, l1_penalty, l2_penalty


class Network:
    """Blocks, a loss and the layout of their parameters (no weights).

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, hidden..., n_outputs)``.
    activations : sequence of str
        One activation name per hidden layer.
    loss : loss object or None
        The loss on the last block's output (None for prediction alone).
    dropout : sequence of float, default=None
        Dropout rate after each hidden layer (training only).
    fit_intercept : bool, default=True
        Whether the unpenalised parameters (the biases of the dense stack)
        are trained; when false they keep their initial value (zero for
        logistic regression) and get no gradient.
    blocks : list of Block, default=None
        The blocks themselves, in place of the dense stack that
        ``activations`` and ``dropout`` describe (which are then ignored):
        any blocks following the protocol of ``layers.py``. ``layer_sizes``
        still gives the number of inputs and of outputs.
    """

    def __init__(
        self,
        layer_sizes,
        activations,
        loss,
        dropout=None,
        fit_intercept=True,
        blocks=None,
    ):
        self.fit_intercept = fit_intercept
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.activations = tuple(activations)
        self.loss = loss
        n_hidden = len(self.layer_sizes) - 2
        self.dropout = tuple(dropout) if dropout is not None else (0.0,) * n_hidden
        stack = blocks is None
        if stack and (
            len(self.activations) != n_hidden or len(self.dropout) != n_hidden
        ):
            raise ValueError("one activation and one dropout rate per hidden layer")
        self.blocks = blocks if blocks is not None else self._dense_stack()
        self.layout = ParameterLayout(self.blocks)
        self.n_coef, self.n_params = self.layout.n_coef, self.layout.n_params
        self._scratch = Scratch()  # dL/dz of the output scores, every batch

    def _dense_stack(self):
        sizes, blocks = self.layer_sizes, []
        for i, (name, rate) in enumerate(
            zip(self.activations, self.dropout, strict=True)
        ):
            blocks.append(Dense(sizes[i], sizes[i + 1]))
            # the dense block keeps its input, not its output: overwrite it
            blocks.append(Activation(name, overwrite_input=True))
            if rate:
                blocks.append(Dropout(rate))
        blocks.append(Dense(sizes[-2], sizes[-1], output_layout="F"))
        return blocks

    @property
    def stochastic(self):
        """Whether a block draws random numbers while training (dropout)."""
        return any(block.stochastic for block in self.blocks)

    @property
    def n_blocks(self):
        """Number of blocks (dense, activation and dropout blocks alike)."""
        return len(self.blocks)

    # -- parameters ---------------------------------------------------------
    def unpack(self, theta):
        """Views ``(weights, biases)``: the penalised arrays of ``theta``, the rest.

        For the dense stack, each dense block's weights and biases (what the
        estimators store as ``coefs_`` and ``intercepts_``); another block's
        unpenalised parameters come among the biases, in block order.
        """
        return self.layout.split(theta)

    def pack(self, weights, biases, dtype):
        """One flat vector from the blocks' weights and biases (a copy)."""
        return self.layout.pack(weights, biases, dtype)

    def init_params(self, methods, rng, dtype):
        """Fresh parameters, block by block, in order (the random draws follow).

        ``methods`` holds the estimator's init method of each dense block;
        any other block with parameters starts from its own
        ``init_params(rng, dtype)``.
        """
        methods = iter(methods)
        theta = np.empty(self.n_params, dtype)
        views = self.layout.block_views(theta)
        for block, block_views in zip(self.blocks, views, strict=True):
            if not block.param_shapes:
                continue
            if isinstance(block, Dense):
                initial = block.init_params(rng, dtype, next(methods))
            else:
                initial = block.init_params(rng, dtype)
            for view, value in zip(block_views, initial, strict=True):
                view[...] = value
        if next(methods, None) is not None:
            raise ValueError("one init method per dense block")
        return theta

    # -- forward and backward ------------------------------------------------
    def forward(self, theta, x, training=None):
        """The output scores, and each block's cache for the backward pass.

        ``training`` is the random generator dropout draws its masks from,
        or None. The scores are the last block's own array: valid until the
        next pass.
        """
        caches = []
        views = self.layout.block_views(theta)
        for block, params in zip(self.blocks, views, strict=True):
            x, cache = block.forward(params, x, training)
            caches.append(cache)
        return x, caches

    def backward(self, theta, caches, grad_z, grad):
        """Fill ``grad`` (flat, like ``theta``) from ``dL/dz`` of the output scores."""
        params, grads = self.layout.block_views(theta), self.layout.block_views(grad)
        for i in range(len(self.blocks) - 1, -1, -1):
            grad_z, _ = self.blocks[i].backward(
                params[i], caches[i], grad_z, out=grads[i], need_grad_x=i > 0
            )
        if not self.fit_intercept:
            grad[self.n_coef :] = 0
        return grad

    def raw_scores(self, theta, x, order="K"):
        """Output scores at ``theta`` (no dropout), in a new array.

        ``order`` is its memory layout: 'K' keeps the last block's (column
        by column for the dense stack, what the losses read fastest); 'C'
        gives what scikit-learn's predictions return.
        """
        z, _ = self.forward(theta, x)
        return z.copy(order=order)

    # -- the objective ---------------------------------------------------------
    def penalty(self, theta, l2=0.0, l1=0.0):
        """The penalty ``l2 / 2 ||W||_2^2 + l1 ||W||_1`` on the weights, as a sum."""
        weights = theta[: self.n_coef]
        return l2_penalty(weights, l2) + (l1_penalty(weights, l1) if l1 else 0.0)

    def objective(self, theta, x, y, sample_weight=None, l2=0.0):
        """Smooth objective ``(sum_i s_i loss_i + l2/2 ||W||^2) / sum_i s_i``."""
        z, _ = self.forward(theta, x)
        return self.objective_at_scores(theta, z, y, sample_weight, l2)

    def objective_at_scores(self, theta, z, y, sample_weight=None, l2=0.0):
        """:meth:`objective` from the output scores ``z`` at ``theta``."""
        total = self.loss.loss(z, y, sample_weight) + l2_penalty(
            theta[: self.n_coef], l2
        )
        return total / total_weight(z.shape[0], sample_weight)

    def objective_gradient(
        self,
        theta,
        x,
        y,
        sample_weight=None,
        l2=0.0,
        *,
        grad=None,
        rng=None,
        weight_sum=None,
    ):
        """:meth:`objective` and its gradient with respect to ``theta``.

        ``grad`` is an optional array to write into. Dropout masks are drawn
        from ``rng`` when it is given. ``weight_sum`` divides the sums in
        place of the total sample weight of ``x`` (a minibatch's share of
        the whole set's).
        """
        z, caches = self.forward(theta, x, rng)
        return self._from_scores(
            theta, z, caches, y, sample_weight, l2, grad, weight_sum
        )

    def linear_objective_gradient(self, theta, x, z, y, sample_weight=None, l2=0.0):
        """:meth:`objective_gradient` of a one-block (linear) network from its scores.

        A dense block's cache is its input, so scores known already (a
        line search computed them along its line) save the forward pass.
        """
        return self._from_scores(
            theta, z, self._linear_caches(x), y, sample_weight, l2, None, None
        )

    def linear_gradient(self, theta, x, grad_z, grad):
        """The gradient in ``theta`` of ``grad_z . z(theta)`` for a linear network.

        ``x^T grad_z`` and the column sums of ``grad_z``, written into
        ``grad``: the backward pass of the one dense block.
        """
        return self.backward(theta, self._linear_caches(x), grad_z, grad)

    def linear_scores(self, theta, x):
        """The scores ``x W + b`` of a linear network, in a new column-major array.

        What :meth:`raw_scores` gives, written straight into the array it
        returns (for dense ``x``; sparse products make their own array): no
        pass through the block's own array and no copy, for the line-searched
        solvers, which ask for the scores of every direction.
        """
        self._linear_caches(x)
        dense = self.blocks[0]
        weights = theta[: self.n_coef].reshape(dense.fan_in, dense.fan_out)
        z = np.empty((x.shape[0], dense.fan_out), theta.dtype, order="F")
        product_into(x, weights, z)
        z += theta[self.n_coef :]
        return z

    def _linear_caches(self, x):
        # a dense block's cache is its input: no forward pass needed
        if len(self.blocks) != 1 or not isinstance(self.blocks[0], Dense):
            raise ValueError("known scores fix the gradient of a linear network only")
        return [x]

    def _from_scores(self, theta, z, caches, y, sample_weight, l2, grad, weight_sum):
        if grad is None:
            grad = np.empty_like(theta)
        # laid out like the dense stack's scores: column by column
        grad_z = self._scratch.array("grad_z", z.shape, z.dtype, order="F")
        total, grad_z = self.loss.loss_and_gradient(z, y, sample_weight, out=grad_z)
        total += l2_penalty(theta[: self.n_coef], l2)
        if weight_sum is None:
            weight_sum = total_weight(z.shape[0], sample_weight)
        # dividing by the total weight is cheaper on dL/dz (a batch of scores)
        # than on the gradient (every parameter): backward is linear in it
        scale = 1.0 / weight_sum
        grad_z *= scale
        self.backward(theta, caches, grad_z, grad)
        add_l2_gradient(grad[: self.n_coef], theta[: self.n_coef], l2 * scale)
        return total * scale, grad

    def l1_value(self, theta, x, sample_weight=None, l1=0.0):
        """The non-smooth part ``l1 ||W||_1 / sum_i s_i`` of the objective."""
        if not l1:
            return 0.0
        return self.penalty(theta, l1=l1) / total_weight(x.shape[0], sample_weight)
