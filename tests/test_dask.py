"""Scaling out on Dask: joblib's Dask backend for searches, dask-ml for out-of-core.

The searches and the out-of-core training run on a real
``distributed.LocalCluster`` (two worker processes on 127.0.0.1, shared by the
tests of this module and closed after them). Without the ``[distributed]`` and
``[dask-ml]`` extras the module is skipped, except in CI (``CI=true``), where a
missing extra is a failure: CI installs them, so a skip there would hide a
broken install.
"""

import importlib
import itertools
import logging
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier


def import_or_skip(name, *, extra):
    """Import module ``name``; when it is missing skip this module, or fail in CI.

    Parameters
    ----------
    name : str
        The module to import.
    extra : str
        The optional extra of the package that installs it.

    Returns
    -------
    module : module
        The imported module.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        reason = f"{name} is not installed ({exc}); pip install -e '.[{extra}]'"
        if os.environ.get("CI") == "true":
            # CI installs every extra: a skip there would hide a broken install
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason, allow_module_level=True)


joblib = import_or_skip("joblib", extra="distributed")
da = import_or_skip("dask.array", extra="distributed")
distributed = import_or_skip("distributed", extra="distributed")
dask_ml_wrappers = import_or_skip("dask_ml.wrappers", extra="dask-ml")

# Ship this module's helpers (the scorer) to the workers by value, so that a
# worker need not import this test module, its path, or what it imports.
import_or_skip("cloudpickle", extra="distributed").register_pickle_by_value(
    importlib.import_module(__name__)
)

# bounds every wait on the cluster so that a hang fails instead of stalling CI
TIMEOUT = 90

# short fits keep the module fast; "not converged yet" is expected
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# -- the helper itself, with a module that is never installed ----------------------
@pytest.mark.parametrize("ci", [None, "false", "1"])
def test_import_or_skip_skips_outside_ci(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=r"skneural_no_such_module.*\[x\]"):
        import_or_skip("skneural_no_such_module", extra="x")


def test_import_or_skip_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but skneural_no_such"):
        import_or_skip("skneural_no_such_module", extra="x")


@pytest.mark.parametrize("ci", [None, "true"])
def test_import_or_skip_returns_an_installed_module(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert import_or_skip("json", extra="x") is importlib.import_module("json")


# -- what Dask needs from the estimators ---------------------------------------------
ESTIMATORS = [
    LogisticRegressionGD(random_state=0),
    StackedNetClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
]


def non_builtin_leaves(value, path="est"):
    """Paths of everything in ``value`` that is not an array, a builtin or None."""
    if isinstance(value, (np.ndarray, np.generic, str, bytes, bool, int, float)):
        return []
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [
            p
            for i, v in enumerate(value)
            for p in non_builtin_leaves(v, f"{path}[{i}]")
        ]
    if isinstance(value, dict):
        return [
            p for k, v in value.items() for p in non_builtin_leaves(v, f"{path}[{k!r}]")
        ]
    return [f"{path}: {type(value).__name__}"]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_fitted_state_is_arrays_and_builtins(estimator, how, iris):
    X, y = iris
    est = clone(estimator)
    if how == "fit":
        est.fit(X, y)
    else:
        est.partial_fit(X, y, classes=np.unique(y))
        est.partial_fit(X, y)
    fitted = {k: v for k, v in vars(est).items() if k not in est.get_params()}
    assert "classes_" in fitted
    assert non_builtin_leaves(fitted) == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_partial_fit_takes_classes_on_every_call(estimator, iris):
    X, y = iris
    classes = np.unique(y)
    chunks = np.array_split(np.random.RandomState(0).permutation(len(y)), 5)
    once, every = clone(estimator), clone(estimator)
    for i, chunk in enumerate(chunks):
        once.partial_fit(X[chunk], y[chunk], classes=classes if i == 0 else None)
        every.partial_fit(X[chunk], y[chunk], classes=classes)
    # repeating `classes` checks it and changes nothing
    np.testing.assert_array_equal(every.predict_proba(X), once.predict_proba(X))
    np.testing.assert_array_equal(every.classes_, classes)
    before = every.predict_proba(X)
    with pytest.raises(ValueError, match="classes=.*not the same as on last call"):
        every.partial_fit(X, y, classes=classes[:2])
    np.testing.assert_array_equal(every.predict_proba(X), before)


# -- the cluster -------------------------------------------------------------------
# Module scope, not session: the scheduler runs in this process and allocates
# even when idle (about 10 kB a second), which would disturb any later test
# that traces this process's memory.
@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )
    try:
        with distributed.Client(cluster) as client:
            client.wait_for_workers(2, timeout=TIMEOUT)
            yield client
    finally:
        cluster.close()


def worker_pids(client):
    return set(client.run(os.getpid).values())


# -- GridSearchCV through joblib's Dask backend ------------------------------------
class LoggingScorer:
    """Accuracy, plus the id of the process that scored; one file per call.

    The process id goes into ``cv_results_`` as a second "score", so the test
    sees where each fit ran; the files let a test watch the search progress
    from outside.
    """

    def __init__(self, log_dir):
        self.log_dir = log_dir

    def __call__(self, estimator, X, y):
        pid = os.getpid()
        accuracy = estimator.score(X, y)
        with open(os.path.join(self.log_dir, f"{pid}-{uuid.uuid4().hex}"), "w"):
            pass
        return {"accuracy": accuracy, "pid": pid}


def logged_pids(log_dir):
    return [int(name.split("-")[0]) for name in os.listdir(log_dir)]


@pytest.fixture(scope="module")
def search_data():
    X, y = make_classification(
        n_samples=300, n_features=10, n_informative=6, random_state=0
    )
    return X, y


def make_search(log_dir, cv):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegressionGD())])
    grid = [
        {
            "clf": [
                StackedNetClassifier(
                    hidden_layer_sizes=(16,), max_iter=50, random_state=0
                )
            ],
            "clf__alpha": [1e-4, 1e-1],
            "clf__learning_rate_init": [1e-3, 1e-2],
        },
        {"clf": [LogisticRegressionGD()], "clf__C": [0.01, 1.0]},
    ]
    return GridSearchCV(
        pipe,
        grid,
        scoring=LoggingScorer(str(log_dir)),
        refit="accuracy",
        cv=cv,
        error_score="raise",
    )


@pytest.fixture(scope="module")
def default_search(search_data, tmp_path_factory):
    """The reference: the same search on joblib's default backend, in this process."""
    X, y = search_data
    search = make_search(tmp_path_factory.mktemp("default"), StratifiedKFold(3))
    return search.fit(X, y)


def assert_same_search(search, reference):
    keys = [k for k in reference.cv_results_ if "test_accuracy" in k]
    assert keys
    for key in keys:
        np.testing.assert_allclose(
            search.cv_results_[key], reference.cv_results_[key], rtol=1e-12, err_msg=key
        )
    assert repr(search.best_params_) == repr(reference.best_params_)
    assert search.best_index_ == reference.best_index_


def test_grid_search_on_dask_equals_default_backend(
    client, search_data, default_search, tmp_path
):
    X, y = search_data
    search = make_search(tmp_path, StratifiedKFold(3))
    with joblib.parallel_config(backend="dask", scatter=[X, y]):
        search.fit(X, y)

    assert_same_search(search, default_search)
    # every fit was scored in a worker process, none in this one
    pids = np.concatenate(
        [search.cv_results_[f"split{i}_test_pid"] for i in range(search.n_splits_)]
    ).astype(int)
    assert set(pids) <= worker_pids(client)
    assert os.getpid() not in set(pids)
    reference_pids = default_search.cv_results_["split0_test_pid"].astype(int)
    assert set(reference_pids) == {os.getpid()}


def test_grid_search_survives_a_killed_worker(client, search_data, tmp_path):
    # data of its own: scattered arrays are named by their content, and the
    # scheduler may still be forgetting the previous test's [X, y] when
    # this search scatters them again (CI lost them so when the worker died)
    X, y = (a[::-1].copy() for a in search_data)
    (tmp_path / "reference").mkdir()
    reference = make_search(tmp_path / "reference", StratifiedKFold(3)).fit(X, y)
    log_dir = tmp_path / "dask"
    log_dir.mkdir()
    # joblib scatters any other argument over 1 kB (the training indices) to
    # one worker only: precomputed splits, scattered too, are broadcast instead
    splits = list(StratifiedKFold(3).split(X, y))
    scatter = [X, y, *itertools.chain.from_iterable(splits)]
    search = make_search(log_dir, splits)
    n_fits = len(ParameterGrid(search.param_grid)) * len(splits)
    before = worker_pids(client)
    killed = {}

    def kill_a_busy_worker():
        # once both workers have finished a fit, SIGKILL one (its nanny
        # restarts it): each then holds the data it fitted on, whichever way
        # joblib sent it (an argument it scatters itself goes to one worker,
        # and a kill before the other has fetched it loses it for good)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            done = logged_pids(log_dir)
            if len(set(done)) >= 2:
                killed["pid"], killed["n_done"] = done[0], len(done)
                os.kill(done[0], signal.SIGKILL)
                return
            time.sleep(0.01)

    def fit_on_dask():
        # joblib's configuration is per thread: set it in the one that fits
        with joblib.parallel_config(backend="dask", scatter=scatter):
            return search.fit(X, y)

    # the active memory manager would drop the replicas that scatter makes
    client.amm.stop()
    try:
        with ThreadPoolExecutor(2) as pool:
            killer = pool.submit(kill_a_busy_worker)
            pool.submit(fit_on_dask).result(timeout=TIMEOUT)
            killer.result(timeout=TIMEOUT)
    finally:
        client.amm.start()

    assert killed, "no worker was killed"
    assert killed["pid"] in before
    assert killed["n_done"] < n_fits  # the kill landed in the middle of the search
    assert_same_search(search, reference)
    # the nanny replaced the killed worker
    client.wait_for_workers(2, timeout=TIMEOUT)
    after = worker_pids(client)
    assert killed["pid"] not in after
    assert len(after) == 2


# -- out-of-core training with dask-ml ---------------------------------------------
def test_incremental_reaches_in_memory_accuracy(client):
    X, y = make_classification(
        n_samples=3200, n_features=20, n_informative=10, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=800, random_state=0
    )
    dX = da.from_array(X_train, chunks=(200, -1))
    dy = da.from_array(y_train, chunks=200)
    assert dX.numblocks[0] == 12
    model = StackedNetClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, batch_size=50, random_state=0
    )
    in_memory = clone(model).fit(X_train, y_train)

    inc = dask_ml_wrappers.Incremental(model, random_state=np.random.RandomState(0))
    classes = np.unique(y_train)
    for _ in range(6):  # passes over the data; `classes` on every call
        inc.partial_fit(dX, dy, classes=classes)
    fitted = inc.estimator_
    assert fitted.t_ == 6 * len(y_train)
    assert fitted.score(X_test, y_test) >= in_memory.score(X_test, y_test) - 0.03

    post = dask_ml_wrappers.ParallelPostFit(fitted)
    dX_test = da.from_array(X_test, chunks=(100, -1))
    proba = post.predict_proba(dX_test)
    assert isinstance(proba, da.Array)
    np.testing.assert_allclose(
        proba.compute(), fitted.predict_proba(X_test), rtol=1e-12
    )
    np.testing.assert_array_equal(
        post.predict(dX_test).compute(), fitted.predict(X_test)
    )
