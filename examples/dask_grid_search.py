"""Grid search on a Dask cluster, through joblib's Dask backend.

scikit-learn runs the fits of a search through joblib; inside
``joblib.parallel_config(backend="dask")`` joblib hands them to the Dask
workers instead of local processes. Nothing else changes: the same
``GridSearchCV``, the same estimators, the same results.

Run it on a local cluster (two worker processes on this machine)::

    python examples/dask_grid_search.py

or on a running cluster, whose workers have skneural installed::

    python examples/dask_grid_search.py --scheduler tcp://10.0.0.5:8786

Needs the ``[distributed]`` extra: ``pip install "skneural[distributed]"``.
"""

import argparse
import contextlib
import itertools
import os
import time
import warnings

import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier


def connect(stack, scheduler, n_workers):
    """A client of the cluster at ``scheduler``, or of a new local cluster.

    Both are closed when ``stack`` (a :class:`contextlib.ExitStack`) closes.
    """
    if scheduler:
        return stack.enter_context(Client(scheduler))
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    stack.enter_context(cluster)
    return stack.enter_context(Client(cluster))


@contextlib.contextmanager
def replicas_kept(client):
    """Pause the scheduler's active memory manager while the search runs.

    Its default policy drops the extra copies that ``scatter`` makes, which
    would leave each array on a single worker: losing that worker would then
    lose the search.
    """
    was_running = client.amm.running()
    client.amm.stop()
    try:
        yield
    finally:
        if was_running:
            client.amm.start()


def make_search(cv):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegressionGD())])
    grid = [
        {
            "clf": [StackedNetClassifier(max_iter=100, random_state=0)],
            "clf__hidden_layer_sizes": [(16,), (64,), (32, 16)],
            "clf__alpha": [1e-4, 1e-2, 1.0],
        },
        {"clf": [LogisticRegressionGD()], "clf__C": [0.01, 0.1, 1.0, 10.0]},
    ]
    return GridSearchCV(pipe, grid, cv=cv, n_jobs=-1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scheduler", help="address of a Dask scheduler (default: a local cluster)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="workers of the local cluster"
    )
    args = parser.parse_args(argv)
    # short runs for a fast example; "not converged yet" is expected
    warnings.simplefilter("ignore", ConvergenceWarning)

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    # The splits are computed once and scattered with the data: joblib would
    # otherwise send each training-index array (over 1 kB) to a single worker.
    splits = list(
        StratifiedKFold(5, shuffle=True, random_state=0).split(X_train, y_train)
    )
    scatter = [X_train, y_train, *itertools.chain.from_iterable(splits)]

    with contextlib.ExitStack() as stack:
        client = connect(stack, args.scheduler, args.workers)
        print(f"dashboard: {client.dashboard_link}")
        workers = client.run(os.getpid)
        print(f"{len(workers)} workers, process ids {sorted(workers.values())}")

        search = make_search(splits)
        start = time.perf_counter()
        with (
            replicas_kept(client),
            joblib.parallel_config(backend="dask", scatter=scatter),
        ):
            search.fit(X_train, y_train)
        on_dask = time.perf_counter() - start

    n_fits = len(search.cv_results_["params"]) * len(splits)
    print(f"{n_fits} fits on Dask in {on_dask:.1f} s")
    ranked = np.argsort(search.cv_results_["rank_test_score"])
    for i in ranked[:5]:
        params = search.cv_results_["params"][i]
        clf = params["clf"]
        name = type(clf).__name__
        shown = {k.removeprefix("clf__"): v for k, v in params.items() if k != "clf"}
        mean = search.cv_results_["mean_test_score"][i]
        std = search.cv_results_["std_test_score"][i]
        print(f"  {mean:.3f} +/- {std:.3f}  {name} {shown}")
    print(f"test accuracy of the best model: {search.score(X_test, y_test):.3f}")

    # the same search on joblib's default backend (local processes)
    start = time.perf_counter()
    local = make_search(splits).fit(X_train, y_train)
    same = np.allclose(
        local.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"]
    )
    on_joblib = time.perf_counter() - start
    print(f"same search on joblib's default backend: {on_joblib:.1f} s")
    print(f"same scores on both backends: {same}")


if __name__ == "__main__":
    main()
