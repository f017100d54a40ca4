"""One Adam step in isolation, and the cache-blocked form it was measured against.

Run ``python benchmarks/adam_step.py``. For the parameter counts of the
network cases of ``bench_networks.py`` it times ``Adam.step`` at one BLAS
thread, with the caches emptied before every step (an epoch's matrix
products evict the parameter-sized arrays between two steps), beside the
same arithmetic done a block of entries at a time so that every
intermediate stays in cache. Medians of alternating steps, in microseconds;
the blocked form checks that it gives the same bits.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skneural._engine.optimizers import Adam  # noqa: E402

CASES = {
    "digits (100,)": (7_510, np.float64),
    "60000x784 float64 (100,)": (79_510, np.float64),
    "60000x784 float32 (100,)": (79_510, np.float32),
    "60000x784 float64 (256, 128)": (235_146, np.float64),
}
BLOCKS = (8_192, 32_768)


def blocked_step(adam, theta, grad, learning_rate, block):
    """``Adam.step``'s operations, ``block`` entries at a time."""
    state = adam.state
    state["t"] += 1
    m, v, t = state["m"], state["v"], state["t"]
    b1, b2 = adam.beta_1, adam.beta_2
    corrected = learning_rate * math.sqrt(1 - b2**t) / (1 - b1**t)
    work = np.empty(min(block, theta.size), theta.dtype)
    for start in range(0, theta.size, block):
        part = slice(start, start + block)
        g, m_part, v_part = grad[part], m[part], v[part]
        w = work[: g.size]
        m_part *= b1
        m_part += np.multiply(g, 1 - b1, out=w)
        np.multiply(g, g, out=g)
        v_part *= b2
        g *= 1 - b2
        v_part += g
        np.sqrt(v_part, out=w)
        w += adam.epsilon
        np.divide(m_part, w, out=w)
        w *= -corrected
        theta[part] += w
    return theta


def main(steps=60):
    rng = np.random.default_rng(0)
    evict = np.ones(2_000_000)  # 16 MB
    print(
        "| case | parameters | Adam.step (us) | "
        + " | ".join(f"blocks of {b} (us, ratio)" for b in BLOCKS)
        + " |"
    )
    print("| --- | --- | --- | " + " | ".join("---" for _ in BLOCKS) + " |")
    with threadpool_limits(1):
        for name, (n, dtype) in CASES.items():
            grad0 = (0.01 * rng.standard_normal(n)).astype(dtype)
            theta0 = rng.standard_normal(n).astype(dtype)
            sides = {"step": None, **{b: b for b in BLOCKS}}
            runs = {
                k: (Adam(n, dtype), theta0.copy(), np.empty_like(grad0)) for k in sides
            }
            times = {k: [] for k in sides}
            for _ in range(steps):
                for key, block in sides.items():
                    adam, theta, grad = runs[key]
                    np.copyto(grad, grad0)
                    evict += 1.0
                    start = time.perf_counter()
                    if block is None:
                        adam.step(theta, grad, 1e-3)
                    else:
                        blocked_step(adam, theta, grad, 1e-3, block)
                    times[key].append(time.perf_counter() - start)
            reference = runs["step"][1]
            for block in BLOCKS:
                assert np.array_equal(runs[block][1], reference), "blocked bits differ"
            base = median(times["step"])
            cells = " | ".join(
                f"{median(times[b]) * 1e6:.0f} ({median(times[b]) / base:.2f})"
                for b in BLOCKS
            )
            print(f"| {name} | {n} | {base * 1e6:.0f} | {cells} |")


if __name__ == "__main__":
    main()
