"""StackedNetRegressor: losses, MLPRegressor parity, linear optima, bad input."""

import warnings

import numpy as np
import pytest
from conftest import SKLEARN_VERSION
from scipy.special import xlogy
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor, Ridge
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version
from test_mlp_parity import initial_weights  # same seed, same first draw

from skneural import StackedNetRegressor
from skneural._engine.losses import RegressionLoss

LOSSES = ["squared_error", "poisson", "huber", "absolute_error"]


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradient_matches_finite_differences(name):
    rng = np.random.RandomState(0)
    z = rng.normal(size=(7, 2))
    y = rng.uniform(0, 3, size=(7, 2)) if name == "poisson" else rng.normal(size=(7, 2))
    sw = rng.uniform(0.5, 2, size=7)
    loss = RegressionLoss(name, delta=0.7)
    value, grad = loss.loss_and_gradient(z.copy(), y, sw)
    assert value == pytest.approx(loss.loss(z, y, sw))
    np.testing.assert_allclose(loss.gradient(z, y, sw), grad)
    eps = 1e-6
    numeric = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = eps
        numeric[index] = (loss.loss(z + step, y, sw) - loss.loss(z - step, y, sw)) / (
            2 * eps
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_named_gradients_are_the_textbook_formulas():
    z = np.array([[-2.0], [0.1], [3.0]])
    y = np.array([[1.0], [0.0], [1.0]])
    residual = z - y
    np.testing.assert_allclose(RegressionLoss("squared_error").gradient(z, y), residual)
    np.testing.assert_allclose(RegressionLoss("poisson").gradient(z, y), np.exp(z) - y)
    np.testing.assert_allclose(
        RegressionLoss("huber", delta=1.0).gradient(z, y), [[-1.0], [0.1], [1.0]]
    )
    np.testing.assert_allclose(
        RegressionLoss("absolute_error").gradient(z, y), np.sign(residual)
    )
    # MLPRegressor's losses: half squared error; half Poisson deviance
    assert RegressionLoss("squared_error").loss(z, y) == pytest.approx(
        0.5 * np.sum(residual**2)
    )
    p = np.exp(z)
    deviance = np.sum(xlogy(y, y / p) - y + p)
    assert RegressionLoss("poisson").loss(z, y) == pytest.approx(deviance)


SETTINGS = [
    {"solver": "adam", "learning_rate_init": 0.01},
    {"solver": "sgd", "learning_rate_init": 1e-3},
    {"solver": "sgd", "nesterovs_momentum": False, "learning_rate": "invscaling"},
    pytest.param(
        {"solver": "adam", "loss": "poisson", "learning_rate_init": 0.01},
        marks=pytest.mark.skipif(
            parse_version("1.7") > SKLEARN_VERSION,
            reason="MLPRegressor has loss='poisson' since scikit-learn 1.7",
        ),
    ),
    {"solver": "adam", "early_stopping": True, "learning_rate_init": 0.01},
    {"solver": "adam", "activation": "tanh", "hidden_layer_sizes": (7, 5)},
]


@pytest.mark.parametrize(
    "settings", SETTINGS, ids=lambda s: "-".join(map(str, s.values()))
)
def test_same_seed_same_run_as_mlpregressor(diabetes, settings):
    X, y = diabetes
    for a, b in zip(
        initial_weights(MLPRegressor, X, y, settings),
        initial_weights(StackedNetRegressor, X, y, settings),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    fitted = []
    for estimator in (MLPRegressor, StackedNetRegressor):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted.append(estimator(random_state=0, max_iter=20, **settings).fit(X, y))
    mlp, ours = fitted
    assert len(ours.loss_curve_) == len(mlp.loss_curve_) == 20
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-6)
    if settings.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, mlp.validation_scores_)
    np.testing.assert_allclose(ours.predict(X), mlp.predict(X), rtol=1e-6)
    assert ours.out_activation_ == mlp.out_activation_


def test_lbfgs_matches_mlpregressor(diabetes):
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(solver="lbfgs", max_iter=50, random_state=0).fit(X, y)
        ours = StackedNetRegressor(solver="lbfgs", max_iter=50, random_state=0).fit(
            X, y
        )
    assert ours.n_iter_ == mlp.n_iter_
    np.testing.assert_allclose(ours.loss_, mlp.loss_, rtol=1e-6)


def full_batch(X, **settings):
    """Full-batch momentum descent on the exact objective, run to its optimum.

    scipy's L-BFGS-B (solver='lbfgs', MLPRegressor's settings) stops on its
    relative-decrease test (``ftol``) a few digits short of the optimum; the
    same objective descended with the whole set as one batch gets there.
    """
    return StackedNetRegressor(
        hidden_layer_sizes=(),
        solver="sgd",
        batch_size=X.shape[0],
        shuffle=False,
        learning_rate_init=0.05,
        tol=0.0,
        n_iter_no_change=np.inf,
        max_iter=5000,
        **settings,
    )


def test_zero_hidden_layers_reach_ridge_optimum(diabetes):
    X, y = diabetes
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    alpha = 3.0  # Ridge's alpha is the same number (see the class docstring)
    ridge = Ridge(alpha=alpha).fit(X, y, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = full_batch(X, alpha=alpha).fit(X, y, sample_weight=sw)
    assert len(ours.coefs_) == 1
    np.testing.assert_allclose(ours.coefs_[0].ravel(), ridge.coef_, rtol=1e-6)
    np.testing.assert_allclose(ours.intercepts_[0][0], ridge.intercept_, rtol=1e-6)
    # L-BFGS-B's relative-decrease stop leaves it a little short, from any start
    for seed in range(3):
        lbfgs = StackedNetRegressor(
            hidden_layer_sizes=(), solver="lbfgs", alpha=alpha, random_state=seed
        ).fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(
            lbfgs.coefs_[0].ravel(), ridge.coef_, atol=1e-3 * np.abs(ridge.coef_).max()
        )


def test_zero_hidden_layers_reach_poisson_regressor_optimum():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    y = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1, 0.0] + 0.5))
    alpha_glm = 0.01
    glm = PoissonRegressor(
        alpha=alpha_glm, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = full_batch(X, loss="poisson", alpha=alpha_glm * len(y)).fit(X, y)
    assert ours.out_activation_ == "exp"
    np.testing.assert_allclose(ours.coefs_[0].ravel(), glm.coef_, rtol=1e-6)
    np.testing.assert_allclose(ours.intercepts_[0][0], glm.intercept_, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), glm.predict(X), rtol=1e-6)


def test_one_output_predicts_1d_several_outputs_2d():
    X, Y = make_regression(200, 5, n_targets=3, random_state=0)
    Y = Y / Y.std(axis=0)
    reg = StackedNetRegressor(hidden_layer_sizes=(20,), solver="lbfgs", random_state=0)
    reg.fit(X, Y)
    assert reg.n_outputs_ == 3 and reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.95
    reg.fit(X, Y[:, 0])
    assert reg.n_outputs_ == 1 and reg.predict(X).shape == (200,)


@pytest.mark.parametrize("loss", ["huber", "absolute_error"])
def test_robust_losses_resist_outliers(loss):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 1))
    y = 2 * X[:, 0] + 0.05 * rng.normal(size=300)
    y[:15] += 50  # gross outliers
    common = {"hidden_layer_sizes": (), "solver": "lbfgs", "max_iter": 2000}
    robust = StackedNetRegressor(loss=loss, **common).fit(X, y)
    plain = StackedNetRegressor(loss="squared_error", **common).fit(X, y)
    assert abs(robust.coefs_[0][0, 0] - 2) < 0.2
    assert abs(robust.intercepts_[0][0]) < 0.3
    assert abs(plain.intercepts_[0][0]) > 2  # pulled by the outliers


def test_r2_default_and_loss_scoring_for_early_stopping(diabetes):
    X, y = diabetes
    common = {"early_stopping": True, "max_iter": 30, "random_state": 0}
    r2 = StackedNetRegressor(learning_rate_init=0.05, **common).fit(X, y)
    assert r2.best_validation_score_ == max(r2.validation_scores_)
    assert -1 < r2.best_validation_score_ <= 1
    loss = StackedNetRegressor(learning_rate_init=0.05, scoring="loss", **common)
    loss.fit(X, y)
    np.testing.assert_allclose(
        loss.validation_scores_, -np.array(loss.validation_loss_curve_)
    )


def test_user_validation_set(diabetes):
    X, y = diabetes
    reg = StackedNetRegressor(early_stopping=True, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X[:300], y[:300], X_val=X[300:], y_val=y[300:])
    score = reg.score(X[300:], y[300:])
    assert reg.validation_scores_[-1] == pytest.approx(score) or (
        reg.best_validation_score_ == pytest.approx(score)
    )


@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[0.0], [np.nan]], [1.0, 2.0], "NaN"),
        ([[0.0], [np.inf]], [1.0, 2.0], "infinity"),
        ([[0.0], [1.0]], [1.0, np.nan], "NaN"),
        ([[0.0], [1.0]], [1.0, 2.0, 3.0], "inconsistent numbers of samples"),
        ([[[0.0]], [[1.0]]], [1.0, 2.0], "3"),
    ],
)
def test_bad_input_raises_before_any_state_changes(X, y, message):
    reg = StackedNetRegressor()
    with pytest.raises(ValueError, match=message):
        reg.fit(X, y)
    assert not hasattr(reg, "coefs_") and not hasattr(reg, "n_outputs_")


@pytest.mark.parametrize("where", ["X", "y"])
def test_values_too_large_to_start_from_are_named(diabetes, where):
    X, y = (a.copy() for a in diabetes)
    (X if where == "X" else y)[0, ...] = 1e200
    with pytest.raises(ValueError, match=rf"1e\+200 in {where}\b"):
        StackedNetRegressor(random_state=0).fit(X, y)


def test_negative_targets_for_poisson_are_refused():
    reg = StackedNetRegressor(loss="poisson")
    with pytest.raises(
        ValueError, match="negative, which is not allowed for loss='poisson'"
    ):
        reg.fit([[0.0], [1.0]], [1.0, -2.0])
    assert not hasattr(reg, "coefs_")


def test_other_number_of_outputs_in_partial_fit_is_refused():
    reg = StackedNetRegressor(hidden_layer_sizes=(3,))
    reg.partial_fit([[0.0], [1.0]], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="y has 1 output columns, expected 2"):
        reg.partial_fit([[0.0], [1.0]], [1.0, 2.0])


def test_divergence_warns_and_keeps_finite_parameters(diabetes):
    X, y = diabetes
    reg = StackedNetRegressor(solver="sgd", learning_rate_init=10.0, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Training diverged at epoch"):
        reg.fit(X, y)
    assert all(np.all(np.isfinite(w)) for w in [*reg.coefs_, *reg.intercepts_])
    assert np.all(np.isfinite(reg.predict(X)))


def test_float32_in_float32_out(diabetes):
    X, y = diabetes
    reg = StackedNetRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X.astype(np.float32), y)
    assert reg.coefs_[0].dtype == np.float32
    assert reg.predict(X.astype(np.float32)).dtype == np.float32


def test_early_stopping_on_a_scorer_with_validation_weights(diabetes):
    X, y = diabetes
    sw_val = np.linspace(0.5, 2.0, 142)
    reg = StackedNetRegressor(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        scoring="neg_mean_absolute_error",
        learning_rate_init=0.05,
        max_iter=8,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(
            X[:300], y[:300], X_val=X[300:], y_val=y[300:], sample_weight_val=sw_val
        )
    assert all(score < 0 for score in reg.validation_scores_)
    # the kept parameters are the best epoch's: its weighted MAE is the best score
    mae = np.average(np.abs(reg.predict(X[300:]) - y[300:]), weights=sw_val)
    assert -mae == pytest.approx(reg.best_validation_score_)
    assert reg.best_validation_score_ == max(reg.validation_scores_)


def test_cross_validated_r2_matches_mlpregressor(diabetes):
    X, y = load_diabetes(return_X_y=True)
    settings = {"learning_rate_init": 0.01, "max_iter": 300, "random_state": 0}
    scores = []
    for cls in (MLPRegressor, StackedNetRegressor):
        model = make_pipeline(StandardScaler(), cls(**settings))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores.append(cross_val_score(model, X, y, cv=5).mean())
    mlp, ours = scores
    assert ours >= mlp - 0.01
    assert ours == pytest.approx(mlp, abs=1e-6)  # the same training runs


def test_divergence_baseline_is_the_loss_of_a_constant_model():
    y = np.array([[1.0], [3.0], [5.0], [7.0]])
    # squared error: the mean (4) loses 0.5 * mean((y - 4)^2) = 2.5; zero
    # loses 0.5 * mean(y^2) = 10.5, the larger
    assert RegressionLoss.for_targets("squared_error", y).uniform_loss(1) == 10.5
    small = RegressionLoss.for_targets("absolute_error", y / 100)
    assert small.uniform_loss(1) == 1.0  # never below 1


def test_several_outputs_train_as_mlpregressor_with_the_loss_summed():
    X, Y = make_regression(300, 5, n_targets=3, random_state=0)
    Y = Y / Y.std(axis=0)
    settings = {
        "hidden_layer_sizes": (10,),
        "learning_rate_init": 0.01,
        "max_iter": 20,
        "tol": 0.0,
        "n_iter_no_change": 1000,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(**settings).fit(X, Y)
        ours = StackedNetRegressor(**settings).fit(X, Y)
    # the same updates (MLPRegressor's follow the summed loss's gradient too)
    np.testing.assert_allclose(ours.predict(X), mlp.predict(X), rtol=1e-9, atol=1e-12)
    # the reported loss: summed over the 3 outputs here, their mean there (the
    # small penalty term is not multiplied)
    ratio = np.array(ours.loss_curve_) / np.array(mlp.loss_curve_)
    np.testing.assert_allclose(ratio, 3.0, rtol=1e-3)
