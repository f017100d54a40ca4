"""Every block of the engine against an oracle: finite differences or closed forms."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime, check_grad
from scipy.sparse import csr_matrix
from scipy.special import expit, softmax
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skneural import StackedNetClassifier
from skneural._engine.activations import ACTIVATIONS
from skneural._engine.full_batch import AcceleratedProximalGradient, ProximalGradient
from skneural._engine.layers import (
    Activation,
    Block,
    Dense,
    dense_backward,
    dense_forward,
    dropout_mask,
    init_dense,
)
from skneural._engine.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy
from skneural._engine.network import Network
from skneural._engine.optimizers import (
    SGD,
    Adagrad,
    Adam,
    RMSprop,
)
from skneural._engine.penalties import (
    add_l2_gradient,
    l1_penalty,
    l2_penalty,
    soft_threshold,
)
from skneural._engine.schedules import SCHEDULES
from skneural._engine.step_size import largest_eigenvalue, link_curvature

EPS = 1e-6


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name):
    activation = ACTIVATIONS[name]
    z = np.linspace(-3, 3, 41) + 0.013  # avoid the kinks at exactly 0
    a = activation.forward(z.copy())
    numeric = (activation.forward(z + EPS) - activation.forward(z - EPS)) / (2 * EPS)
    analytic = activation.derivative(z if activation.needs_input else a)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_extreme_inputs_are_finite(name):
    activation = ACTIVATIONS[name]
    z = np.array([-1e300, -1e30, 0.0, 1e30, 1e300])
    a = activation.forward(z.copy())
    d = activation.derivative(z if activation.needs_input else a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_activation_values():
    z = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["relu"].forward(z.copy()), [0, 0, 2])
    np.testing.assert_allclose(
        ACTIVATIONS["leaky_relu"].forward(z.copy()), [-0.02, 0, 2]
    )
    np.testing.assert_allclose(
        ACTIVATIONS["elu"].forward(z.copy()), [np.expm1(-2), 0, 2]
    )
    np.testing.assert_allclose(
        ACTIVATIONS["logistic"].forward(z.copy()), 1 / (1 + np.exp(-z))
    )
    np.testing.assert_allclose(
        ACTIVATIONS["gelu"].forward(z.copy())[2], 2 * 0.9772498680518208
    )


@pytest.mark.parametrize("loss", [SigmoidCrossEntropy(), SoftmaxCrossEntropy()])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_gradient_matches_finite_differences(loss, weighted):
    rng = np.random.RandomState(0)
    n, k = 7, 3
    z = rng.normal(size=(n, k))
    if isinstance(loss, SoftmaxCrossEntropy):
        y = np.eye(k)[rng.randint(0, k, n)]
    else:
        y = rng.randint(0, 2, size=(n, k)).astype(float)
    sw = rng.uniform(0.1, 2, n) if weighted else None

    def value(flat):
        return loss.loss(flat.reshape(n, k), y, sw)

    numeric = approx_fprime(z.ravel(), value, 1e-7)
    fused_value, grad = loss.loss_and_gradient(z, y, sw)
    np.testing.assert_allclose(grad.ravel(), numeric, rtol=1e-5, atol=1e-6)
    assert fused_value == pytest.approx(value(z.ravel()), rel=1e-12)
    # in place, for a column-major (Fortran-ordered) z as the network keeps it
    z_f = np.asfortranarray(z)
    in_place_value, in_place = loss.loss_and_gradient(z_f, y, sw, out=z_f)
    assert in_place is z_f
    assert in_place_value == pytest.approx(fused_value, rel=1e-12)
    np.testing.assert_allclose(in_place, grad, rtol=1e-12)


def test_probabilities_sum_to_one_and_log_is_exact():
    z = np.array([[1000.0, -1000.0, 0.0], [1e300, -1e300, 3.0], [0.1, 0.2, 0.3]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = SoftmaxCrossEntropy().predict_proba(z)
        logp = SoftmaxCrossEntropy().predict_log_proba(z)
        s = SigmoidCrossEntropy().predict_log_proba(np.array([[-1e300], [800.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert np.all(np.isfinite(logp[2])) and logp[0, 0] == 0.0
    assert np.isfinite(s[1, 0]) and s[0, 0] < -1e299


def test_cross_entropy_values():
    # -log(sigmoid(0)) = log 2; softmax of equal scores gives log K
    z = np.zeros((1, 1))
    assert SigmoidCrossEntropy().loss(z, np.ones((1, 1))) == pytest.approx(np.log(2))
    z = np.zeros((2, 4))
    y = np.eye(4)[[0, 3]]
    assert SoftmaxCrossEntropy().loss(z, y) == pytest.approx(2 * np.log(4))
    assert SigmoidCrossEntropy().loss(np.array([[800.0]]), np.zeros((1, 1))) == 800.0


def test_dense_backward_matches_finite_differences():
    rng = np.random.RandomState(1)
    x, w, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    upstream = rng.normal(size=(5, 3))  # dL/dz for L = sum(upstream * z)
    gw, gb, gx = dense_backward(x, w, upstream)

    def loss_of(which, flat):
        args = {"x": x, "w": w, "b": b}
        args[which] = flat.reshape(args[which].shape)
        return np.sum(upstream * dense_forward(args["x"], args["w"], args["b"]))

    for which, analytic in [("x", gx), ("w", gw), ("b", gb)]:
        value = {"x": x, "w": w, "b": b}[which]
        numeric = approx_fprime(value.ravel(), lambda f, k=which: loss_of(k, f), 1e-7)
        np.testing.assert_allclose(analytic.ravel(), numeric, rtol=1e-5, atol=1e-6)


def test_dense_accepts_sparse_input():
    rng = np.random.RandomState(2)
    x = rng.normal(size=(6, 4)) * (rng.uniform(size=(6, 4)) > 0.5)
    w, b = rng.normal(size=(4, 2)), rng.normal(size=2)
    np.testing.assert_allclose(dense_forward(csr_matrix(x), w, b), x @ w + b)
    up = rng.normal(size=(6, 2))
    g1 = dense_backward(x, w, up)[0]
    g2 = dense_backward(csr_matrix(x), w, up)[0]
    np.testing.assert_allclose(g1, g2)


@pytest.mark.parametrize(
    "method", ["glorot_uniform", "he_uniform", "glorot_uniform_logistic"]
)
def test_init_bounds(method):
    w, b = init_dense(50, 30, method, np.random.RandomState(0), np.dtype(np.float32))
    bound = {
        "glorot_uniform": np.sqrt(6 / 80),
        "he_uniform": np.sqrt(6 / 50),
        "glorot_uniform_logistic": np.sqrt(2 / 80),
    }[method]
    assert w.dtype == np.float32 and w.shape == (50, 30) and b.shape == (30,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound


def test_dropout_mask_keeps_expectation():
    mask = dropout_mask((2000, 50), 0.3, np.random.RandomState(0), np.dtype(np.float64))
    assert set(np.unique(mask)) == {0.0, 1 / 0.7}
    assert mask.mean() == pytest.approx(1.0, abs=0.01)


def _network_case(hidden, activations, n_classes, seed=0):
    rng = np.random.RandomState(seed)
    n, d = 12, 5
    x = rng.normal(size=(n, d))
    labels = rng.randint(0, n_classes, n)
    if n_classes == 2:
        loss, y = SigmoidCrossEntropy(), labels[:, None].astype(float)
    else:
        loss, y = SoftmaxCrossEntropy(), np.eye(n_classes)[labels]
    net = Network((d, *hidden, y.shape[1]), activations, loss)
    methods = ["glorot_uniform"] * (len(hidden) + 1)  # one per dense block
    theta = net.init_params(methods, rng, np.dtype(np.float64))
    theta[net.n_coef :] = rng.normal(scale=0.5, size=net.n_params - net.n_coef)
    return net, theta, x, y, rng


@pytest.mark.parametrize(
    "hidden, activations",
    [
        ((), ()),
        ((6,), ("tanh",)),
        ((6, 4), ("logistic", "gelu")),
        ((5, 4, 3), ("elu", "leaky_relu", "identity")),
        ((7,), ("relu",)),
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_network_gradient_matches_finite_differences(
    hidden, activations, n_classes, l2
):
    net, theta, x, y, rng = _network_case(hidden, activations, n_classes)
    # sample weights times class weights are just per-sample weights here
    class_weight = rng.uniform(0.5, 2, y.shape[1] if n_classes > 2 else 2)
    labels = y.argmax(axis=1) if n_classes > 2 else y[:, 0].astype(int)
    sw = rng.uniform(0, 2, x.shape[0]) * class_weight[labels]

    def f(t):
        return net.objective(t, x, y, sw, l2)

    def g(t):
        return net.objective_gradient(t, x, y, sw, l2)[1]

    assert check_grad(f, g, theta, epsilon=1e-7) < 1e-5 * max(
        1, np.linalg.norm(g(theta))
    )
    value, _ = net.objective_gradient(theta, x, y, sw, l2)
    assert value == pytest.approx(f(theta))


def test_network_without_intercept_gets_no_intercept_gradient():
    net, theta, x, y, _ = _network_case((), (), 3)
    net.fit_intercept = False
    grad = net.objective_gradient(theta, x, y)[1]
    assert np.all(grad[net.n_coef :] == 0) and np.any(grad[: net.n_coef] != 0)


def test_zero_hidden_network_is_one_dense_block():
    net = Network((4, 3), (), SoftmaxCrossEntropy())
    assert net.n_blocks == 1 and net.n_coef == 12 and net.n_params == 15
    weights, biases = net.unpack(np.arange(15.0))
    assert len(weights) == 1 and weights[0].shape == (4, 3) and biases[0].shape == (3,)


def test_unpack_gives_views_and_pack_inverts():
    net = Network((4, 5, 2), ("relu",), SoftmaxCrossEntropy())
    theta = np.arange(float(net.n_params))
    weights, biases = net.unpack(theta)
    weights[1][0, 0] = -1.0
    assert theta[20] == -1.0
    np.testing.assert_array_equal(net.pack(weights, biases, np.float64), theta)


def test_penalties():
    w = np.array([3.0, -0.5, 0.2, -2.0])
    assert l2_penalty(w, 2.0) == pytest.approx(np.sum(w**2))
    assert l1_penalty(w, 2.0) == pytest.approx(2 * 5.7)
    np.testing.assert_allclose(add_l2_gradient(np.zeros(4), w, 0.5), 0.5 * w)
    np.testing.assert_allclose(soft_threshold(w.copy(), 1.0), [2.0, 0.0, 0.0, -1.0])


# -- optimizers: the first steps against their closed forms --------------------------
G1, G2 = np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -1.0])
THETA0 = np.array([0.1, 0.2, 0.3])


def _two_steps(optimizer, lr=0.1):
    theta = THETA0.copy()
    optimizer.step(theta, G1.copy(), lr)  # a rule may use grad as scratch
    first = theta.copy()
    optimizer.step(theta, G2.copy(), lr)
    return first, theta


def test_plain_sgd_step():
    first, second = _two_steps(SGD(3, np.float64))
    np.testing.assert_allclose(first, THETA0 - 0.1 * G1)
    np.testing.assert_allclose(second, THETA0 - 0.1 * (G1 + G2))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps(nesterov):
    m, lr = 0.9, 0.1
    first, second = _two_steps(SGD(3, np.float64, m, nesterov), lr)
    v1 = -lr * G1
    v2 = m * v1 - lr * G2
    if nesterov:
        np.testing.assert_allclose(first, THETA0 + m * v1 - lr * G1)
        np.testing.assert_allclose(second, first + m * v2 - lr * G2)
    else:
        np.testing.assert_allclose(first, THETA0 + v1)
        np.testing.assert_allclose(second, THETA0 + v1 + v2)


def test_adagrad_steps():
    eps = 1e-8
    first, second = _two_steps(Adagrad(3, np.float64, epsilon=eps))
    np.testing.assert_allclose(first, THETA0 - 0.1 * G1 / (np.abs(G1) + eps))
    s = np.sqrt(G1**2 + G2**2)
    np.testing.assert_allclose(second, first - 0.1 * G2 / (s + eps))


def test_rmsprop_steps():
    rho, eps = 0.9, 1e-8
    first, second = _two_steps(RMSprop(3, np.float64, rho, eps))
    v1 = (1 - rho) * G1**2
    np.testing.assert_allclose(first, THETA0 - 0.1 * G1 / (np.sqrt(v1) + eps))
    v2 = rho * v1 + (1 - rho) * G2**2
    np.testing.assert_allclose(second, first - 0.1 * G2 / (np.sqrt(v2) + eps))


@pytest.mark.parametrize("decay", [0.0, 0.5])
def test_adam_and_adamw_steps(decay):
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    first, second = _two_steps(Adam(3, np.float64, b1, b2, eps, decay, n_decayed=2), lr)
    shrink = np.array([1 - lr * decay] * 2 + [1.0])
    m = (1 - b1) * G1
    v = (1 - b2) * G1**2
    step = lr * np.sqrt(1 - b2) / (1 - b1) * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(first, THETA0 * shrink - step)
    # without epsilon the first step is lr * sign(g)
    np.testing.assert_allclose(step, lr * np.sign(G1), rtol=1e-5)
    m = b1 * (1 - b1) * G1 + (1 - b1) * G2
    v = b2 * (1 - b2) * G1**2 + (1 - b2) * G2**2
    step = lr * np.sqrt(1 - b2**2) / (1 - b1**2) * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(second, first * shrink - step)


def _quadratic(theta):
    # f = 1/2 ||A theta - c||^2, minimiser known
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    c = np.array([1.0, -1.0])
    r = A @ theta - c
    return 0.5 * r @ r, A.T @ r


def test_proximal_gradient_fixed_step_is_the_textbook_update():
    theta = np.array([1.0, 1.0])
    f0, g0 = _quadratic(theta)
    solver = ProximalGradient(_quadratic, 0.05, line_search=False)
    solver.iterate(theta)
    np.testing.assert_allclose(theta, np.array([1.0, 1.0]) - 0.05 * g0)


@pytest.mark.parametrize(
    "solver_class", [ProximalGradient, AcceleratedProximalGradient]
)
def test_full_batch_solvers_reach_the_minimiser(solver_class):
    solver = solver_class(_quadratic, 10.0)  # too big: the line search must cut it
    theta = np.zeros(2)
    for _ in range(500):
        solver.iterate(theta)
        if solver.optimality < 1e-10:
            break
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(theta, np.linalg.solve(A, [1.0, -1.0]), atol=1e-8)


def test_proximal_step_soft_thresholds():
    # minimise 1/2 ||theta - c||^2 + l1 ||theta||_1: solution soft_threshold(c, l1)
    c = np.array([2.0, 0.3, -1.0])

    def smooth(theta):
        return 0.5 * np.sum((theta - c) ** 2), theta - c

    theta = np.zeros(3)
    ProximalGradient(smooth, 1.0, l1=0.5, n_coef=3, line_search=False).iterate(theta)
    np.testing.assert_allclose(theta, [1.5, 0.0, -0.5])


def test_schedules():
    assert (
        SCHEDULES["constant"](0.1, samples_seen=10, power_t=0.5, epoch=3, max_iter=9)
        == 0.1
    )
    assert SCHEDULES["invscaling"](0.1, samples_seen=99, power_t=0.5) == pytest.approx(
        0.01
    )
    assert SCHEDULES["cosine"](0.1, epoch=0, max_iter=10) == pytest.approx(0.1)
    assert SCHEDULES["cosine"](0.1, epoch=5, max_iter=10) == pytest.approx(0.05)


@pytest.mark.parametrize("n_classes", [3, 10])
def test_link_curvature_is_the_softmax_hessian_eigenvalue(n_classes):
    # Hessian of the softmax cross-entropy in the scores: diag(p) - p p^T
    def top_eigenvalue(z):
        p = softmax(z)
        return np.linalg.eigvalsh(np.diag(p) - np.outer(p, p))[-1]

    loss = SoftmaxCrossEntropy()
    at_zero = top_eigenvalue(np.zeros(n_classes))
    assert link_curvature(loss, n_classes, at_start=True) == pytest.approx(at_zero)
    rng = np.random.RandomState(0)
    anywhere = max(top_eigenvalue(rng.normal(0, 5, n_classes)) for _ in range(200))
    assert at_zero < anywhere <= link_curvature(loss, n_classes) == 0.5
    # the sigmoid's derivative peaks at zero, 1/4, where a fit starts
    assert link_curvature(SigmoidCrossEntropy(), 1, at_start=True) == 0.25
    assert link_curvature(SigmoidCrossEntropy(), 1) == 0.25


def test_largest_eigenvalue_estimate():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6)) * [1, 2, 3, 4, 5, 6]
    # a Rayleigh quotient: never above the largest eigenvalue, and close to it
    Xi = np.c_[X, np.ones(300)]
    exact = np.linalg.eigvalsh(Xi.T @ Xi / 300)[-1]
    assert exact * 0.98 <= largest_eigenvalue(X) <= exact * (1 + 1e-12)
    exact = np.linalg.eigvalsh(X.T @ X / 300)[-1]
    estimate = largest_eigenvalue(csr_matrix(X), fit_intercept=False)
    assert exact * 0.98 <= estimate <= exact * (1 + 1e-12)


# -- the block protocol --------------------------------------------------------------
class FixedScale(Block):
    """A toy block through the protocol alone: ``out = factor * x``, no parameters."""

    def __init__(self, factor):
        self.factor = factor

    def forward(self, params, x, training):
        return self.factor * x, None

    def backward(self, params, cache, grad_out, out=None, need_grad_x=True):
        return self.factor * grad_out, []


class HalvedHiddenNet(StackedNetClassifier):
    """StackedNetClassifier whose network halves the first hidden layer's output."""

    def _network(self, layer_sizes, activations, loss, dropout=None):
        blocks = super()._network(layer_sizes, activations, loss, dropout).blocks
        blocks.insert(2, FixedScale(0.5))  # after the first dense and activation
        return Network(layer_sizes, activations, loss, dropout, blocks=blocks)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_toy_block_trains_inside_the_classifiers_network():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    # the gradient through the toy block against finite differences
    net = HalvedHiddenNet()._network(
        (X.shape[1], 8, 1), ("tanh",), SigmoidCrossEntropy()
    )
    assert any(isinstance(block, FixedScale) for block in net.blocks)
    theta = net.init_params(
        ["glorot_uniform"] * 2, np.random.RandomState(0), np.float64
    )
    x, t = X[:40], y[:40, None].astype(float)
    f = lambda w: net.objective(w, x, t, None, 0.1)  # noqa: E731
    g = lambda w: net.objective_gradient(w, x, t, None, 0.1)[1]  # noqa: E731
    assert check_grad(f, g, theta, epsilon=1e-7) < 1e-6 * np.linalg.norm(g(theta))
    # trained by the estimator, and used by its predictions
    clf = HalvedHiddenNet(hidden_layer_sizes=(8,), activation="tanh", random_state=0)
    clf.set_params(max_iter=80, learning_rate_init=0.01).fit(X, y)
    assert clf.loss_curve_[-1] < 0.3 * clf.loss_curve_[0]
    assert clf.score(X, y) > 0.97
    (w0, w1), (b0, b1) = clf.coefs_, clf.intercepts_
    by_hand = (0.5 * np.tanh(X @ w0 + b0)) @ w1 + b1
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], expit(by_hand[:, 0]))


class Scale(Block):
    """The learnable per-unit scale of the user guide's "Writing a block"."""

    penalised = (False,)

    def __init__(self, n_units):
        self.param_shapes = ((n_units,),)

    def init_params(self, rng, dtype, method=None):
        return [np.ones(self.param_shapes[0], dtype)]

    def forward(self, params, x, training):
        (s,) = params
        return x * s, x

    def backward(self, params, cache, grad_out, out=None, need_grad_x=True):
        (s,) = params
        grad_s = np.sum(grad_out * cache, axis=0)
        if out is not None:
            out[0][...] = grad_s
            grad_s = out[0]
        return grad_out * s, [grad_s]


def test_the_user_guides_block_with_parameters_plugs_in():
    blocks = [Dense(4, 8), Scale(8), Activation("tanh"), Dense(8, 3, output_layout="F")]
    net = Network((4, 8, 3), (), SoftmaxCrossEntropy(), blocks=blocks)
    assert net.n_coef == 4 * 8 + 8 * 3 and net.n_params == net.n_coef + 8 + 8 + 3
    rng = np.random.RandomState(0)
    theta = net.init_params(["glorot_uniform"] * 2, rng, np.dtype(np.float64))
    weights, others = net.unpack(theta)
    np.testing.assert_array_equal(others[1], np.ones(8))  # the scale, in block order
    theta += rng.normal(scale=0.3, size=theta.size)
    x = rng.normal(size=(20, 4))
    y = np.eye(3)[rng.randint(0, 3, 20)]
    f = lambda t: net.objective(t, x, y, None, 0.5)  # noqa: E731
    g = lambda t: net.objective_gradient(t, x, y, None, 0.5)[1]  # noqa: E731
    assert check_grad(f, g, theta, epsilon=1e-7) < 1e-6 * np.linalg.norm(g(theta))
