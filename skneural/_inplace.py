"""In-place vector arithmetic without temporaries.

``y += a * x`` in numpy first builds ``a * x``, a new array, then adds it:
two passes over memory and an allocation. BLAS's ``axpy`` does it in one
pass, in place. The optimizers and the L2 gradient run it once per
minibatch on every parameter, so the difference shows.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import get_blas_funcs

# looked up once: the lookup costs more than an axpy on a small vector
_AXPY = {
    np.dtype(dtype): get_blas_funcs("axpy", dtype=dtype)
    for dtype in (np.float32, np.float64)
}


def add_scaled(y, x, a):
    """``y += a * x`` in place (1-D contiguous arrays of one dtype); returns ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.ones(3)
    >>> add_scaled(y, np.arange(3.0), 2.0)
    array([1., 3., 5.])
    """
    axpy = _AXPY.get(y.dtype)
    if axpy is None or x.dtype != y.dtype or not y.flags.c_contiguous:
        y += a * x  # BLAS would work on a copy of y
        return y
    axpy(np.ascontiguousarray(x), y, a=a)
    return y
