"""Out-of-core training with dask-ml: ``Incremental`` and ``ParallelPostFit``.

The training set here is a Dask array whose blocks are generated on the
workers, one task per block, each time a block is needed: no process ever
holds more than a few blocks, however many rows the array has.
``dask_ml.wrappers.Incremental`` walks through the blocks and calls the
network's ``partial_fit`` on each (one epoch of minibatch updates per block);
calling it again makes another pass. ``ParallelPostFit`` then predicts block
by block, on the workers.

Run it on a local cluster, or on a running one with ``--scheduler``::

    python examples/dask_incremental.py
    python examples/dask_incremental.py --blocks 100 --rows 50000 --passes 5

Needs the ``[dask-ml]`` extra: ``pip install "skneural[dask-ml]"``.
"""

import argparse
import contextlib
import time

import dask
import dask.array as da
import numpy as np
from dask_ml.wrappers import Incremental, ParallelPostFit
from distributed import Client, LocalCluster

from skneural import StackedNetClassifier

N_FEATURES = 20


def make_block(seed, n_rows):
    """Rows ``X`` and labels ``y`` of one block, drawn from a fixed "teacher".

    Every block shares the teacher (a random two-layer network seeded by a
    constant) and draws its own rows from ``seed``: the blocks together are
    one large i.i.d. data set that is never stored anywhere.
    """
    teacher = np.random.default_rng(0)
    W = teacher.standard_normal((N_FEATURES, 8)) / np.sqrt(N_FEATURES)
    v = teacher.standard_normal(8)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, N_FEATURES))
    logits = 3.0 * np.tanh(2.0 * X @ W) @ v
    y = (rng.random(n_rows) < 1 / (1 + np.exp(-logits))).astype(np.int64)
    return X, y


def lazy_data(first_seed, n_blocks, n_rows):
    """A Dask array of ``n_blocks * n_rows`` rows, built from one task per block."""
    Xs, ys = [], []
    for seed in range(first_seed, first_seed + n_blocks):
        X, y = dask.delayed(make_block, nout=2)(seed, n_rows)
        Xs.append(da.from_delayed(X, (n_rows, N_FEATURES), dtype=np.float64))
        ys.append(da.from_delayed(y, (n_rows,), dtype=np.int64))
    return da.concatenate(Xs), da.concatenate(ys)


def connect(stack, scheduler, n_workers):
    """A client of the cluster at ``scheduler``, or of a new local cluster."""
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scheduler", help="address of a Dask scheduler (default: a local cluster)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocks", type=int, default=30, help="training blocks")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per block")
    parser.add_argument("--passes", type=int, default=3, help="passes over the data")
    args = parser.parse_args(argv)

    X, y = lazy_data(0, args.blocks, args.rows)
    # held-out rows from other seeds, also generated block by block
    X_test, y_test = lazy_data(10**6, max(args.blocks // 5, 1), args.rows)
    block_mb = args.rows * N_FEATURES * 8 / 1e6
    print(
        f"training set: {X.shape[0]:,} rows x {N_FEATURES} features "
        f"({X.nbytes / 1e6:.0f} MB) in {X.numblocks[0]} blocks of {block_mb:.1f} MB"
    )

    net = StackedNetClassifier(
        hidden_layer_sizes=(32,), learning_rate_init=0.003, random_state=0
    )
    # a new random order of the blocks at each pass
    model = Incremental(net, random_state=np.random.RandomState(0))
    classes = np.array([0, 1])
    with contextlib.ExitStack() as stack:
        client = connect(stack, args.scheduler, args.workers)
        print(f"dashboard: {client.dashboard_link}")
        start = time.perf_counter()
        for n in range(1, args.passes + 1):
            # `classes` may be given on every call: it is checked, not reset
            model.partial_fit(X, y, classes=classes)
            # block-wise on the workers: the test set is never gathered either
            accuracy = (model.predict(X_test) == y_test).mean().compute()
            elapsed = time.perf_counter() - start
            print(f"pass {n}: held-out accuracy {accuracy:.4f} ({elapsed:.1f} s)")

        fitted = model.estimator_  # an ordinary, in-memory StackedNetClassifier
        print(f"partial_fit calls: {fitted.n_iter_}, rows seen: {fitted.t_:,}")

        # ParallelPostFit wraps any fitted model for block-wise prediction
        post = ParallelPostFit(fitted)
        proba = post.predict_proba(X_test)
        print(f"predict_proba: a lazy {type(proba).__name__} of shape {proba.shape}")
        first = proba.blocks[0].compute()
        print("first rows of the first block:")
        print(np.round(first[:3], 3))


if __name__ == "__main__":
    main()
