"""Kernels: faster forms of a few formulas that training runs at every batch.

Each function here is a faster or leaner form of a formula written plainly
elsewhere (``y + a * x``, ``w . w``, the softmax cross-entropy, the column
sums of the bias gradient); ``tests/test_kernels.py`` checks each against
that reference form, and ``benchmarks/bench_kernels.py`` times each against
it at one minibatch's sizes. The fused softmax cross-entropy and the bias
gradient as a product are several times faster than their formulas; the
vector arithmetic is kept off BLAS for a reason that timing alone in one
quiet process does not show (below): there BLAS's ``dot`` is faster than
:func:`squared_norm`.

Why not BLAS for the vector arithmetic: level-1 routines (``axpy``, ``dot``)
on vectors of more than about ten thousand entries are spread over every
BLAS thread, and numpy and scipy each bring their own OpenBLAS with its own
thread pool. A minibatch then alternates between the two pools, whose idle
threads spin on the same cores, and a call of microseconds waits for
milliseconds (ten times the whole epoch on two cores with default threads).
numpy's ufuncs run in the calling thread, so these cost the same whatever
the thread count. Matrix products stay in BLAS, where threads do help.
"""

from __future__ import annotations

import numpy as np


def add_scaled(y, x, a, work=None):
    """``y += a * x`` in place; returns ``y``.

    ``work``, an array shaped like ``x`` that may be overwritten, receives
    ``a * x``; without it a temporary is allocated. ``x`` itself may serve
    as ``work`` when the caller no longer needs it.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.ones(3)
    >>> add_scaled(y, np.arange(3.0), 2.0)
    array([1., 3., 5.])
    """
    scaled = np.multiply(x, a, out=work)
    return np.add(y, scaled, out=y)


# from this many entries on, :func:`squared_norm` sums by columns
_COLUMN_SUM_FROM = 2**16
_COLUMNS = 512


def squared_norm(x):
    """``x . x`` of a contiguous 1-D array, as a Python float, in the calling thread.

    ``np.einsum`` sums the products with its own vector loop, not BLAS's
    ``dot``, and in one pass (``np.sum(x * x)`` takes two and a temporary).
    One running sum is a chain of dependent additions; a long vector is
    therefore summed as the columns of a 512-wide matrix, independent sums
    that the loop vectorises across (0.6 of the time at 235,000 float64
    entries), then the remaining entries. Below ``2**16`` entries the two
    extra calls cost what the columns save.

    Examples
    --------
    >>> import numpy as np
    >>> squared_norm(np.array([3.0, 4.0]))
    25.0
    """
    n = x.shape[0]
    if n < _COLUMN_SUM_FROM:
        return float(np.einsum("i,i->", x, x))
    whole = n - n % _COLUMNS
    columns = x[:whole].reshape(-1, _COLUMNS)
    rest = x[whole:]
    per_column = np.einsum("ij,ij->j", columns, columns)
    return float(np.add.reduce(per_column) + np.einsum("i,i->", rest, rest))


def column_sums(a, out, ones=None):
    """``a.sum(axis=0)`` into ``out``: the bias gradient ``sum_i dL/dz_i``.

    For a row-major ``a`` the product ``ones^T a`` with a vector of ones
    (``ones``, of ``a.shape[0]`` entries) runs in BLAS several times faster
    than numpy sums the columns; a column-major ``a`` sums fast as it is.

    Examples
    --------
    >>> import numpy as np
    >>> column_sums(np.arange(6.0).reshape(3, 2), np.empty(2), np.ones(3))
    array([6., 9.])
    """
    if ones is None or a.flags.f_contiguous:
        return np.add.reduce(a, 0, out=out)
    return np.matmul(ones, a, out=out)


def softmax_cross_entropy_with_probabilities(z, y, probabilities_out=None):
    """Per-row softmax cross-entropy; the softmax of ``z`` into ``probabilities_out``.

    The fused form of ``losses.softmax_cross_entropy`` and ``softmax``: the
    shifted exponentials serve both, over their row sums for the
    probabilities and through one ``log`` for the loss.
    ``probabilities_out``, when given, may be ``z`` itself, which is then
    overwritten; without it only the loss is computed.
    numpy's ufunc ``reduce`` is called directly: ``ndarray.max`` and
    ``.sum`` go through a Python wrapper, a fixed cost paid at every batch.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.empty((1, 2))
    >>> loss = softmax_cross_entropy_with_probabilities(
    ...     np.zeros((1, 2)), np.array([[1.0, 0.0]]), p
    ... )
    >>> round(float(loss[0]), 6), p.tolist()
    (0.693147, [[0.5, 0.5]])
    """
    target_scores = np.einsum("ij,ij->i", y, z)
    top = np.maximum.reduce(z, 1)
    shifted_exp = np.subtract(z, top[:, None], out=probabilities_out)
    np.exp(shifted_exp, out=shifted_exp)
    row_sums = np.add.reduce(shifted_exp, 1)
    if probabilities_out is not None:
        shifted_exp /= row_sums[:, None]
    losses = np.log(row_sums, out=row_sums)
    losses += top
    losses -= target_scores
    return losses


def product_into(a, b, out):
    """``a @ b`` written into ``out``, an array kept from batch to batch.

    The dense block's products (``dense_forward`` and ``dense_backward``
    allocate theirs); ``a`` may be a scipy sparse matrix.

    Examples
    --------
    >>> import numpy as np
    >>> product_into(np.eye(2), np.array([[1.0], [2.0]]), np.empty((2, 1)))
    array([[1.],
           [2.]])
    """
    if isinstance(a, np.ndarray):  # the common case first: one cheap check
        return np.matmul(a, b, out=out)
    out[...] = a @ b
    return out


def entrywise_dot(a, b):
    """``sum(a * b)`` over every entry of two arrays laid out alike, as a float.

    ``np.vdot`` flattens in row-major order, which copies a column-major
    array (the scores' layout) first; its transpose is row-major, a view.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.asfortranarray([[1.0, 2.0], [3.0, 4.0]])
    >>> entrywise_dot(a, a)
    30.0
    """
    if a.flags.f_contiguous:
        a, b = a.T, b.T
    return float(np.vdot(a, b))
