"""The kernels against their reference forms, and the BLAS thread rule."""

import math
from contextlib import nullcontext

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.special import softmax
from threadpoolctl import threadpool_info

from skneural._engine.activations import ACTIVATIONS
from skneural._engine.kernels import (
    add_scaled,
    column_sums,
    entrywise_dot,
    product_into,
    softmax_cross_entropy_with_probabilities,
    squared_norm,
)
from skneural._engine.layers import Dense, dense_backward, dense_forward
from skneural._engine.losses import softmax_cross_entropy
from skneural._engine.threads import (
    LARGE_PRODUCT,
    blas_threads_for,
    largest_batch_product,
)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
# past the size BLAS would thread; past the one squared_norm sums by columns,
# with and without entries left over
@pytest.mark.parametrize("n", [3, 50_000, 2**16, 2**16 + 511])
def test_kernels_match_their_reference_forms(dtype, n):
    rng = np.random.RandomState(0)
    x, y = rng.standard_normal((2, n)).astype(dtype)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    expected = y + np.float64(-0.3).astype(dtype) * x
    for work in (None, np.empty_like(x)):
        result = add_scaled(y.copy(), x, -0.3, work)
        assert result.dtype == dtype
        np.testing.assert_allclose(result, expected, rtol=rtol)
    # x itself as the scratch array; a strided view as y
    np.testing.assert_allclose(add_scaled(y.copy(), x.copy(), -0.3, x.copy()), expected)
    view = np.zeros(2 * n, dtype)[::2]
    np.testing.assert_allclose(add_scaled(view, x, 2.0), 2 * x, rtol=rtol)
    assert isinstance(squared_norm(x), float)
    assert squared_norm(x) == pytest.approx(float(x.astype(float) @ x), rel=rtol * 10)


@pytest.mark.parametrize("order", ["C", "F"])
def test_column_sums_are_the_bias_gradient(order):
    a = np.asarray(np.random.RandomState(1).standard_normal((37, 5)), order=order)
    for ones in (None, np.ones(37)):
        out = column_sums(a, np.empty(5), ones)
        np.testing.assert_allclose(out, a.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_softmax_cross_entropy_matches_the_formula(dtype):
    rng = np.random.RandomState(2)
    z = (rng.standard_normal((50, 4)) * 30).astype(dtype)  # large scores too
    y = np.eye(4, dtype=dtype)[rng.randint(0, 4, 50)]
    probabilities = np.empty_like(z)
    fused = softmax_cross_entropy_with_probabilities(z, y, probabilities)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    reference = softmax_cross_entropy(z.astype(float), y)
    np.testing.assert_allclose(fused, reference, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(probabilities, softmax(z, axis=1), rtol=rtol, atol=1e-30)
    np.testing.assert_allclose(softmax_cross_entropy_with_probabilities(z, y), fused)
    in_place = z.copy()  # the probabilities may overwrite the scores
    softmax_cross_entropy_with_probabilities(in_place, y, in_place)
    np.testing.assert_allclose(in_place, probabilities)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_into_a_buffer_equal_the_formula(name):
    z = np.linspace(-5, 5, 24).reshape(4, 6)
    activation = ACTIVATIONS[name].forward
    out = np.full_like(z, np.nan)
    result = activation(z, out=out)
    assert result is out
    np.testing.assert_array_equal(result, activation(z))
    np.testing.assert_array_equal(z, np.linspace(-5, 5, 24).reshape(4, 6))  # kept
    if not ACTIVATIONS[name].needs_input:  # written over its own input
        in_place = z.copy()
        assert activation(in_place, out=in_place) is in_place
        np.testing.assert_array_equal(in_place, activation(z))


def test_minibatch_epochs_run_on_one_blas_thread_unless_products_are_large():
    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    assert largest_batch_product((64, 32, 10), 200) == 200 * 64 * 32
    with blas_threads_for((64, 32, 10), 200):
        assert set(blas_threads()) <= {1}
    assert blas_threads() == before  # restored
    wide = (LARGE_PRODUCT // 200 + 1, 1, 2)
    assert isinstance(blas_threads_for(wide, 200), nullcontext)
    # a 60,000 x 784 set's batches of 200 keep the threads: they gain from them
    assert isinstance(blas_threads_for((784, 100, 10), 200), nullcontext)
    assert not isinstance(blas_threads_for((64, 100, 10), 200), nullcontext)


def test_interleaved_one_thread_limits_restore_the_setting():
    # two fits in two threads enter and leave the rule in any order
    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    first = blas_threads_for((64, 32, 10), 200)
    second = blas_threads_for((64, 32, 10), 200)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert set(blas_threads()) <= {1}
    second.__exit__(None, None, None)
    assert blas_threads() == before


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_adam_steps_are_the_written_formula(dtype, weight_decay):
    # the discounted sums M and V are the averages without their 1 - beta
    # factors; the step is the formula's to rounding, for either dtype
    from skneural._engine.optimizers import Adam

    rng = np.random.RandomState(0)
    n, n_decayed, lr, b1, b2, eps = 1000, 600, 1e-3, 0.9, 0.999, 1e-8
    theta = rng.standard_normal(n).astype(dtype)
    adam = Adam(n, dtype, b1, b2, eps, weight_decay, n_decayed=n_decayed)
    expected, m, v = theta.astype(np.float64), np.zeros(n), np.zeros(n)
    rtol = 1e-5 if dtype == np.float32 else 1e-13
    for t in range(1, 6):
        g = rng.standard_normal(n).astype(dtype)
        adam.step(theta, g.copy(), lr)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g.astype(np.float64) ** 2
        expected[:n_decayed] *= 1 - lr * weight_decay
        expected -= lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
        state = adam.state
        assert state["gradient_sum"].dtype == state["square_sum"].dtype == dtype
        # m's entries near 0 are differences of numbers near 1: an absolute bound
        np.testing.assert_allclose(
            (1 - b1) * state["gradient_sum"], m, rtol=rtol, atol=rtol
        )
        np.testing.assert_allclose((1 - b2) * state["square_sum"], v, rtol=rtol)
        np.testing.assert_allclose(theta, expected, rtol=rtol, atol=1e-7 * lr)


def test_adam_continues_from_the_averages_earlier_versions_kept():
    # a saved model's state {"t", "m", "v"} goes on as the formula would
    from skneural._engine.optimizers import Adam

    rng = np.random.RandomState(1)
    b1, b2, eps, lr, t = 0.9, 0.999, 1e-8, 1e-2, 7
    m, v, g = rng.standard_normal(50), rng.uniform(size=50), rng.standard_normal(50)
    theta = rng.standard_normal(50)
    adam = Adam(50, np.float64, b1, b2, eps, state={"t": t, "m": m, "v": v})
    expected = theta.copy()
    adam.step(theta, g.copy(), lr)
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
    corrected = lr * math.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1))
    expected -= corrected * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(theta, expected, rtol=1e-13)
    assert adam.state["t"] == t + 1


def test_an_adam_step_allocates_no_parameter_sized_array():
    import tracemalloc

    from skneural._engine.optimizers import Adam

    n = 100_000
    adam = Adam(n, np.float64)
    theta, grad = np.ones(n), np.full(n, 0.5)
    adam.step(theta, grad.copy(), 1e-3)  # first step: nothing made lazily
    tracemalloc.start()
    adam.step(theta, grad, 1e-3)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < n * 8 / 10


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F"])
@pytest.mark.parametrize("sparse", [False, True])
def test_the_dense_block_computes_the_dense_formulas(dtype, layout, sparse):
    rng = np.random.RandomState(3)
    x = (rng.standard_normal((30, 6)) * (rng.uniform(size=(30, 6)) > 0.3)).astype(dtype)
    w, b = (
        rng.standard_normal((6, 4)).astype(dtype),
        rng.standard_normal(4).astype(dtype),
    )
    grad_z = np.asarray(rng.standard_normal((30, 4)), dtype, order=layout)
    block = Dense(6, 4, output_layout=layout)
    x_in = csr_matrix(x) if sparse else x
    z, cache = block.forward([w, b], x_in, None)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert z.dtype == dtype and (z.flags.f_contiguous if layout == "F" else True)
    np.testing.assert_allclose(z, dense_forward(x, w, b), rtol=rtol, atol=rtol)
    grad_x, (grad_w, grad_b) = block.backward([w, b], cache, grad_z.copy())
    expected = dense_backward(x, w, grad_z)
    for got, want in zip((grad_w, grad_b, grad_x), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=10 * rtol)
    assert block.backward([w, b], cache, grad_z, need_grad_x=False)[0] is None


def test_products_and_dots_into_kept_arrays_match_numpy():
    rng = np.random.RandomState(4)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    out = np.empty((5, 2))
    assert product_into(a, b, out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-12)
    np.testing.assert_allclose(product_into(csr_matrix(a), b, np.empty((5, 2))), a @ b)
    for order in ("C", "F"):
        u = np.asarray(rng.standard_normal((7, 3)), order=order)
        v = np.asarray(rng.standard_normal((7, 3)), order=order)
        assert entrywise_dot(u, v) == pytest.approx(float(np.sum(u * v)), rel=1e-12)


def test_scratch_reuses_its_arrays_and_never_returns_a_replaced_one():
    from skneural._engine.layers import Scratch

    scratch = Scratch()
    batch = scratch.array("z", (200, 8), np.float64)
    assert scratch.array("z", (200, 8), np.float64) is batch
    last = scratch.array("z", (37, 8), np.float64)
    assert np.shares_memory(last, batch)  # the leading rows, no second array
    larger = scratch.array("z", (300, 8), np.float64)
    assert not np.shares_memory(larger, batch)
    # the smaller requests now get the larger array's rows, not the old ones
    assert np.shares_memory(scratch.array("z", (200, 8), np.float64), larger)
    assert np.shares_memory(scratch.array("z", (37, 8), np.float64), larger)
    # column-major arrays are kept by exact shape, the latest few
    columns = [
        scratch.array("g", (n, 3), np.float64, order="F") for n in (10, 20, 30, 40)
    ]
    assert all(a.flags.f_contiguous for a in columns)
    assert scratch.array("g", (40, 3), np.float64, order="F") is columns[-1]
    # the first was dropped to keep three: a request for it gets a new array
    assert scratch.array("g", (10, 3), np.float64, order="F") is not columns[0]
