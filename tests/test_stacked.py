"""StackedNetClassifier: a drop-in superset of MLPClassifier on the shared engine."""

import warnings

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier
from skneural._engine.network import Network


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def public_attributes(estimator):
    return sorted(
        k for k in vars(estimator) if k.endswith("_") and not k.startswith("_")
    )


def shapes(value):
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        return [v.shape for v in value]
    if isinstance(value, np.ndarray):
        return value.shape
    return type(value) if value is None else "scalar-or-list"


MLP_SETTINGS = [
    {"solver": "adam"},
    {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False},
    {"solver": "sgd", "learning_rate": "invscaling", "power_t": 0.3},
    {"solver": "sgd", "learning_rate": "adaptive", "learning_rate_init": 0.01},
    {"solver": "adam", "learning_rate": "constant", "batch_size": 32},
    {"early_stopping": True, "validation_fraction": 0.2, "n_iter_no_change": 3},
    {"activation": "tanh", "hidden_layer_sizes": (8, 4), "alpha": 1e-2},
    {"activation": "logistic", "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-7},
    {"activation": "identity", "shuffle": False, "tol": 1e-3},
]


@pytest.mark.parametrize("settings", MLP_SETTINGS)
@pytest.mark.parametrize("mode", ["fit", "warm_start", "partial_fit"])
def test_accepts_mlpclassifier_settings_and_exposes_its_attributes(
    settings, mode, iris
):
    X, y = iris
    common = {
        "hidden_layer_sizes": (10,),
        "max_iter": 15,
        "random_state": 0,
        **settings,
    }
    fitted = []
    for cls in (MLPClassifier, StackedNetClassifier):
        est = cls(**common)
        if mode == "partial_fit":
            if est.early_stopping:
                est.set_params(early_stopping=False)
            est.partial_fit(X, y, classes=np.unique(y))
            est.partial_fit(X, y)
        else:
            est.set_params(warm_start=mode == "warm_start")
            quiet(est.fit, X, y)
            if mode == "warm_start":
                quiet(est.fit, X, y)
        fitted.append(est)
    mlp, ours = fitted
    missing = set(public_attributes(mlp)) - set(public_attributes(ours))
    assert not missing, f"attributes MLPClassifier has and we lack: {missing}"
    for name in public_attributes(mlp):
        assert shapes(getattr(ours, name)) == shapes(getattr(mlp, name)), name
    assert ours.n_layers_ == mlp.n_layers_ and ours.n_outputs_ == mlp.n_outputs_
    assert ours.out_activation_ == mlp.out_activation_
    if ours.n_iter_ == mlp.n_iter_:
        assert ours.t_ == mlp.t_
    assert (ours.best_loss_ is None) == (mlp.best_loss_ is None)
    assert (ours.validation_scores_ is None) == (mlp.validation_scores_ is None)


def test_parameters_are_a_superset_of_mlpclassifier():
    ours = StackedNetClassifier().get_params()
    for name, default in MLPClassifier().get_params().items():
        if name == "max_fun":
            continue
        assert name in ours, name
        assert ours[name] == default, name


def test_zero_hidden_layers_is_logistic_regression(iris):
    X, y = iris
    C = 1.0
    logistic = LogisticRegressionGD(C=C, tol=1e-10, max_iter=100_000).fit(X, y)
    net = StackedNetClassifier(
        hidden_layer_sizes=(),
        alpha=1 / C,
        solver="sgd",
        learning_rate_init=0.5,
        batch_size=len(y),
        max_iter=3000,
        tol=0.0,
        n_iter_no_change=50,
        shuffle=False,
        random_state=0,
    )
    quiet(net.fit, X, y)
    assert len(net.coefs_) == 1 and net.n_layers_ == 2
    W, b = net.coefs_[0], net.intercepts_[0]
    assert np.linalg.norm(W.T - logistic.coef_) / np.linalg.norm(logistic.coef_) < 1e-3
    # softmax intercepts are defined up to a common shift (not penalised)
    np.testing.assert_allclose(
        b - b.mean(), logistic.intercept_ - logistic.intercept_.mean(), atol=1e-3
    )
    np.testing.assert_allclose(
        net.predict_proba(X), logistic.predict_proba(X), atol=1e-4
    )


def test_zero_hidden_network_holds_one_dense_block():
    architecture = StackedNetClassifier(hidden_layer_sizes=())._architecture()
    assert architecture.hidden_layer_sizes == () and architecture.activations == ()
    net = Network(
        (4, *architecture.hidden_layer_sizes, 3), architecture.activations, None
    )
    assert net.n_blocks == 1


@pytest.mark.parametrize("loader", [load_digits, load_breast_cancer, load_wine])
def test_cross_validated_accuracy_matches_mlpclassifier(loader):
    # default settings on both sides, averaged over three seeds of the initial weights
    X, y = loader(return_X_y=True)
    scores = {}
    for cls in (MLPClassifier, StackedNetClassifier):
        scores[cls.__name__] = np.mean(
            [
                quiet(
                    cross_val_score,
                    make_pipeline(StandardScaler(), cls(random_state=seed)),
                    X,
                    y,
                    cv=5,
                ).mean()
                for seed in range(3)
            ]
        )
    assert scores["StackedNetClassifier"] >= scores["MLPClassifier"] - 0.01, scores


def test_divergence_warns_and_keeps_finite_parameters(breast_cancer):
    X, y = breast_cancer
    est = StackedNetClassifier(solver="sgd", learning_rate_init=10, random_state=0)
    with pytest.warns(
        ConvergenceWarning, match=r"diverged at epoch \d+ with learning_rate=10"
    ):
        est.fit(X, y)
    assert all(np.all(np.isfinite(w)) for w in est.coefs_ + est.intercepts_)
    proba = est.predict_proba(X)
    assert not np.any(np.isnan(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_partial_fit_streams(digits_scaled):
    X, y = digits_scaled
    est = StackedNetClassifier(
        hidden_layer_sizes=(32,), random_state=0, learning_rate_init=0.01
    )
    for _ in range(5):
        for chunk in np.array_split(np.arange(len(y)), 10):
            est.partial_fit(X[chunk], y[chunk], classes=np.arange(10))
    # as MLPClassifier: n_iter_ counts the epochs of the last call, t_ every sample
    assert est.n_iter_ == 1 and est.t_ == 5 * len(y)
    assert est.score(X, y) > 0.95


def test_warm_start_continues(iris):
    X, y = iris
    est = StackedNetClassifier(
        hidden_layer_sizes=(8,), max_iter=5, random_state=0, warm_start=True
    )
    quiet(est.fit, X, y)
    first = [w.copy() for w in est.coefs_]
    quiet(est.fit, X, y)
    # as MLPClassifier: max_iter and n_iter_ are per call, the curve grows
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 10
    cold = StackedNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    quiet(cold.fit, X, y)
    np.testing.assert_array_equal(cold.coefs_[0], first[0])
    assert not np.array_equal(est.coefs_[0], first[0])


def test_multilabel_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    Y = np.c_[X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] < 0.5].astype(int)
    est = StackedNetClassifier(
        hidden_layer_sizes=(16,), max_iter=300, random_state=0, learning_rate_init=0.01
    )
    quiet(est.fit, X, Y)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 3
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict(X).shape == Y.shape and est.score(X, Y) > 0.8
    proba = est.predict_proba(X)
    assert proba.shape == Y.shape and np.all((proba >= 0) & (proba <= 1))
    est.partial_fit(X, Y)  # multilabel partial_fit needs no classes


def test_string_labels_sparse_and_float32(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    base = dict(
        hidden_layer_sizes=(8,), max_iter=50, random_state=0, learning_rate_init=0.01
    )
    dense = quiet(StackedNetClassifier(**base).fit, X, labels)
    assert set(dense.predict(X)) <= set(labels)
    sparse = quiet(StackedNetClassifier(**base).fit, csr_matrix(X), labels)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-9, atol=1e-12)
    single = quiet(StackedNetClassifier(**base).fit, X.astype(np.float32), labels)
    assert all(w.dtype == np.float32 for w in single.coefs_ + single.intercepts_)
    assert single.predict_proba(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(single.coefs_[0], dense.coefs_[0], atol=1e-3)


def test_same_random_state_gives_identical_parameters(iris):
    X, y = iris
    kw = dict(hidden_layer_sizes=(8, 4), dropout=0.2, max_iter=20, random_state=7)
    a = quiet(StackedNetClassifier(**kw).fit, X, y)
    b = quiet(StackedNetClassifier(**kw).fit, X, y)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(u, v)
    c = quiet(StackedNetClassifier(**{**kw, "random_state": 8}).fit, X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("scoring", [None, "loss", "neg_log_loss", "balanced_accuracy"])
def test_early_stopping_keeps_the_best_epoch(scoring, breast_cancer):
    X, y = breast_cancer
    est = StackedNetClassifier(
        hidden_layer_sizes=(64,),
        early_stopping=True,
        scoring=scoring,
        n_iter_no_change=5,
        max_iter=200,
        random_state=0,
        learning_rate_init=0.01,
    )
    quiet(est.fit, X, y)
    assert len(est.validation_scores_) == est.n_iter_ == len(est.validation_loss_curve_)
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None
    # the kept parameters are the best epoch's: re-scoring them gives the best score
    best_epoch = int(np.argmax(est.validation_scores_))
    if scoring == "loss":
        assert (
            est.validation_scores_[best_epoch]
            == -est.validation_loss_curve_[best_epoch]
        )
    assert est.n_iter_ > best_epoch + 1 or est.n_iter_ == 200


def test_user_validation_set_replaces_the_split(breast_cancer):
    X, y = breast_cancer
    X_tr, y_tr, X_val, y_val = X[:400], y[:400], X[400:], y[400:]
    est = StackedNetClassifier(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        scoring="loss",
        max_iter=30,
        random_state=0,
    )
    quiet(est.fit, X_tr, y_tr, X_val=X_val, y_val=y_val)
    assert est.t_ == 400 * est.n_iter_  # every training sample was used
    from sklearn.metrics import log_loss

    best = min(est.validation_loss_curve_)
    assert log_loss(y_val, est.predict_proba(X_val)) == pytest.approx(best, rel=1e-6)


def test_validation_set_errors(breast_cancer):
    X, y = breast_cancer
    with pytest.raises(ValueError, match="X_val is only used for early stopping"):
        StackedNetClassifier().fit(X, y, X_val=X, y_val=y)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        StackedNetClassifier(early_stopping=True).fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="X has 3 features"):
        StackedNetClassifier(early_stopping=True).fit(X, y, X_val=X[:, :3], y_val=y)


def test_class_weight_shifts_predictions():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=400) > 0).astype(int)
    kw = dict(
        hidden_layer_sizes=(8,), max_iter=100, random_state=0, learning_rate_init=0.01
    )
    plain = quiet(StackedNetClassifier(**kw).fit, X, y)
    heavy = quiet(StackedNetClassifier(class_weight={0: 1, 1: 20}, **kw).fit, X, y)
    assert heavy.predict(X).mean() > plain.predict(X).mean() + 0.1
    # class weights act like sample weights
    sw = np.where(y == 1, 20.0, 1.0)
    weighted = quiet(StackedNetClassifier(**kw).fit, X, y, sample_weight=sw)
    np.testing.assert_allclose(weighted.coefs_[0], heavy.coefs_[0], rtol=1e-10)


def test_per_layer_activations_dropout_and_init(iris):
    X, y = iris
    est = StackedNetClassifier(
        hidden_layer_sizes=(8, 6, 4),
        activation=["gelu", "elu", "leaky_relu"],
        dropout=[0.1, 0.2, 0.0],
        weight_init="glorot_uniform",
        max_iter=30,
        random_state=0,
    )
    quiet(est.fit, X, y)
    assert [w.shape for w in est.coefs_] == [(4, 8), (8, 6), (6, 4), (4, 3)]
    # prediction uses no dropout: it is deterministic
    np.testing.assert_array_equal(est.predict_proba(X), est.predict_proba(X))
    with pytest.raises(
        ValueError, match="activation has 2 entries but there are 3 hidden"
    ):
        est.set_params(activation=["relu", "tanh"]).fit(X, y)
    with pytest.raises(ValueError, match="dropout has 2 entries"):
        est.set_params(activation="relu", dropout=[0.1, 0.1]).fit(X, y)
    with pytest.raises(ValueError, match="activation 'swish' is not one of"):
        est.set_params(activation=["relu", "swish", "relu"], dropout=0.0).fit(X, y)


def test_dropout_regularises(digits_scaled):
    X, y = digits_scaled
    kw = dict(hidden_layer_sizes=(128,), max_iter=60, random_state=0, alpha=0)
    plain = quiet(StackedNetClassifier(**kw).fit, X[:300], y[:300])
    dropped = quiet(StackedNetClassifier(dropout=0.5, **kw).fit, X[:300], y[:300])
    # dropout makes the training fit worse (it is noise during training)...
    assert dropped.loss_ > plain.loss_
    # ... but not the held-out accuracy by much
    assert dropped.score(X[300:], y[300:]) > plain.score(X[300:], y[300:]) - 0.03


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop", "adagrad", "adamw"])
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive", "cosine"])
def test_every_solver_with_every_schedule_learns(solver, schedule, iris):
    X, y = iris
    lr = {"sgd": 0.1, "adagrad": 0.1}.get(solver, 0.01)
    if schedule == "invscaling":  # lr_0 / sqrt(samples seen) falls fast
        lr = 1.0 if solver in ("sgd", "adagrad") else 0.3
    est = StackedNetClassifier(
        hidden_layer_sizes=(16,),
        solver=solver,
        learning_rate=schedule,
        learning_rate_init=lr,
        max_iter=200,
        batch_size=32,
        random_state=0,
    )
    quiet(est.fit, X, y)
    assert est.score(X, y) > 0.9
    assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_adamw_decays_weights_not_intercepts(iris):
    X, y = iris
    kw = dict(
        hidden_layer_sizes=(16,),
        solver="adamw",
        max_iter=100,
        random_state=0,
        learning_rate_init=0.01,
    )
    weak = quiet(StackedNetClassifier(alpha=0.0, **kw).fit, X, y)
    strong = quiet(StackedNetClassifier(alpha=5.0, **kw).fit, X, y)
    norm = lambda est: sum(np.sum(w**2) for w in est.coefs_)  # noqa: E731
    assert norm(strong) < 0.5 * norm(weak)


def test_invalid_parameters_name_the_problem(iris):
    X, y = iris
    with pytest.raises(
        ValueError, match="hidden_layer_sizes must be positive integers"
    ):
        StackedNetClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)
    with pytest.raises(ValueError, match="'solver' parameter of StackedNetClassifier"):
        StackedNetClassifier(solver="newton").fit(X, y)
    # three classes: MLPClassifier's split does not stratify them
    with pytest.raises(ValueError, match="The validation set is too small"):
        StackedNetClassifier(early_stopping=True, validation_fraction=0.01).fit(
            X[::5], y[::5]
        )


@pytest.mark.parametrize("scoring", [None, "balanced_accuracy"])
def test_early_stopping_on_a_dataframe_warns_nothing(scoring, iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = StackedNetClassifier(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        scoring=scoring,
        max_iter=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(frame, y)
    assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
    assert len(est.validation_scores_) == 5


def test_refused_partial_fit_leaves_no_fitted_state(iris):
    X, y = iris
    est = StackedNetClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(est, "n_features_in_")
    est = StackedNetClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stop"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(est, "n_features_in_")
    assert not hasattr(StackedNetClassifier(solver="lbfgs"), "partial_fit")


def test_multilabel_tag_follows_class_weight():
    assert StackedNetClassifier().__sklearn_tags__().classifier_tags.multi_label
    tags = StackedNetClassifier(class_weight="balanced").__sklearn_tags__()
    assert not tags.classifier_tags.multi_label


def test_named_accuracy_scorer_is_the_default_scoring(iris):
    # with class weights, 'accuracy' must weigh the validation rows as None does
    X, y = iris
    runs = [
        quiet(
            StackedNetClassifier(
                hidden_layer_sizes=(8,),
                early_stopping=True,
                class_weight={0: 10.0, 1: 1.0, 2: 1.0},
                scoring=scoring,
                random_state=0,
                learning_rate_init=0.01,
            ).fit,
            X,
            y,
        )
        for scoring in (None, "accuracy")
    ]
    assert runs[0].n_iter_ == runs[1].n_iter_
    np.testing.assert_allclose(runs[0].validation_scores_, runs[1].validation_scores_)


def test_balanced_class_weights_count_sample_weights(iris):
    X, y = iris
    weights = np.where(y == 0, 3.0, 1.0)
    repeated = np.repeat(np.arange(len(y)), weights.astype(int))
    settings = {
        "hidden_layer_sizes": (),
        "solver": "lbfgs",
        "class_weight": "balanced",
        "alpha": 1.0,
        "tol": 1e-10,
        "max_iter": 2000,
        "random_state": 0,
    }
    a = StackedNetClassifier(**settings).fit(X, y, sample_weight=weights)
    b = StackedNetClassifier(**settings).fit(X[repeated], y[repeated])
    # the same objective (the parameters only to L-BFGS's stopping accuracy)
    np.testing.assert_allclose(a.loss_, b.loss_, rtol=1e-6)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-4)


def test_a_refused_refit_leaves_the_fitted_model_as_it_was(iris):
    X, y = iris
    est = StackedNetClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    quiet(est.fit, X, y)
    expected = est.predict_proba(X)
    with pytest.raises(ValueError, match="only one class"):
        est.fit(X[:, :3], np.zeros(len(y)))
    assert est.n_features_in_ == 4
    np.testing.assert_array_equal(est.predict_proba(X), expected)


def test_a_scorer_raising_mid_fit_leaves_no_half_fitted_model(iris):
    X, y = iris

    def broken_scorer(estimator, X, y, **kwargs):
        raise RuntimeError("scorer failed")

    est = StackedNetClassifier(
        hidden_layer_sizes=(4,), early_stopping=True, scoring=broken_scorer
    )
    with pytest.raises(RuntimeError, match="scorer failed"):
        est.fit(X, y)
    assert not hasattr(est, "classes_") and not hasattr(est, "coefs_")
    est.set_params(scoring=None, max_iter=3)
    quiet(est.fit, X, y)
    assert est.n_iter_ == 3
