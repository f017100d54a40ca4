"""Kernels: the per-batch vector arithmetic, in forms that never call BLAS.

Each function here is a faster or leaner form of a formula written plainly
elsewhere (``y + a * x``, ``w . w``); ``tests/test_engine.py`` checks each
against that reference form.

Why not BLAS: level-1 routines (``axpy``, ``dot``) on vectors of more than
about ten thousand entries are spread over every BLAS thread, and numpy and
scipy each bring their own OpenBLAS with its own thread pool. A minibatch
then alternates between the two pools, whose idle threads spin on the same
cores, and a call of microseconds waits for milliseconds (ten times the whole
epoch on two cores with default threads). numpy's ufuncs run in the calling
thread, so these cost the same whatever the thread count. Matrix products
stay in BLAS, where threads do help.
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


def squared_norm(x):
    """``x . x`` of a 1-D array, as a Python float, in the calling thread.

    ``np.einsum`` sums the products with its own vector loop, not BLAS's
    ``dot``, and in one pass (``np.sum(x * x)`` takes two and a temporary).

    Examples
    --------
    >>> import numpy as np
    >>> squared_norm(np.array([3.0, 4.0]))
    25.0
    """
    return float(np.einsum("i,i->", x, x))
