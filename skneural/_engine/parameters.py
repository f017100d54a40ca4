"""The flat parameter vector: where each block's arrays live in it.

Every parameter of a network lives in one flat vector ``theta``: first the
penalised arrays (the weights) of every block, then the others (the
biases). Blocks see views into it, so an update rule moves the whole
network with a handful of vector operations, and a penalty touches the
leading ``n_coef`` entries.
"""

from __future__ import annotations

import numpy as np


class ParameterLayout:
    """Offsets of the blocks' parameter arrays in the flat vector.

    Parameters
    ----------
    blocks : sequence of Block
        Each block's ``param_shapes`` and ``penalised`` place its arrays.
    """

    def __init__(self, blocks):
        entries = [
            (i, j, tuple(shape), bool(penalised))
            for i, block in enumerate(blocks)
            for j, (shape, penalised) in enumerate(
                zip(block.param_shapes, block.penalised, strict=True)
            )
        ]
        # penalised arrays first, each group in block order
        entries.sort(key=lambda entry: not entry[3])
        self.n_blocks = len(blocks)
        self.entries = entries
        sizes = [int(np.prod(shape)) for _, _, shape, _ in entries]
        ends = np.cumsum([0, *sizes]).tolist()  # plain ints slice fastest
        self.bounds = list(zip(ends[:-1], ends[1:], strict=True))
        self.n_params = ends[-1]
        self.n_coef = sum(s for s, e in zip(sizes, entries, strict=True) if e[3])
        self._views = []  # (flat vector, its views), the two latest

    def block_views(self, flat):
        """Per block, the list of its parameter arrays as views into ``flat``.

        Remembered for the two vectors last asked for: a minibatch run asks
        for the same parameter and gradient vectors at every batch, and
        holding them here keeps them alive, so ``is`` identifies them safely.
        """
        for seen, views in self._views:
            if seen is flat:
                return views
        views = [[] for _ in range(self.n_blocks)]
        for (i, _, shape, _), (a, b) in zip(self.entries, self.bounds, strict=True):
            views[i].append(flat[a:b].reshape(shape))
        self._views = [(flat, views), *self._views[:1]]
        return views

    def split(self, flat):
        """``(penalised, others)``: each group's arrays in block order, as views."""
        pairs = zip(self.entries, self.bounds, strict=True)
        arrays = [flat[a:b].reshape(entry[2]) for entry, (a, b) in pairs]
        n = sum(1 for entry in self.entries if entry[3])
        return arrays[:n], arrays[n:]

    def pack(self, penalised, others, dtype):
        """One flat vector from the two groups of arrays (a copy)."""
        parts = [np.ravel(a) for a in [*penalised, *others]]
        flat = np.concatenate([np.empty(0, dtype), *parts]).astype(dtype, copy=False)
        if flat.size != self.n_params:
            raise ValueError("parameters do not match the network's layer sizes")
        return flat
