"""The benchmark's ``--baseline``: an earlier commit imported beside the checkout."""

import ast
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

import skneural

ROOT = Path(__file__).resolve().parents[1]


def _baseline_module():
    spec = importlib.util.spec_from_file_location(
        "benchmark_baseline", ROOT / "benchmarks" / "baseline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _in_git_checkout():
    if shutil.which("git") is None:
        return False
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", "HEAD"],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.mark.parametrize(
    "source, imports",
    [
        ("import skneural", True),
        ("import numpy, skneural.onnx as x", True),
        ("def f():\n    from skneural import StackedNetClassifier", True),
        ("from skneural._engine import layers", True),
        ("from . import layers\nfrom ._engine.layers import Dense", False),
        ("from .skneural import helpers", False),
        ('"""\n>>> from skneural import StackedNetClassifier\n"""', False),
        ("import skneural_extra", False),
    ],
)
def test_self_imports_are_told_from_relative_ones_and_docstrings(source, imports):
    assert _baseline_module()._imports_skneural(ast.parse(source)) is imports


@pytest.mark.skipif(not _in_git_checkout(), reason="needs a git checkout")
def test_a_commit_loads_beside_the_checkout_and_bad_revisions_are_named():
    baseline = _baseline_module()
    module, commit = baseline.load_baseline("HEAD")
    assert module.__name__ == f"skneural_at_{commit}"
    # its own classes, from its own files: not the checkout's
    assert module.StackedNetClassifier is not skneural.StackedNetClassifier
    assert not Path(module.__file__).is_relative_to(ROOT)
    assert module.StackedNetClassifier.__module__.startswith(module.__name__)
    for bad in ("no-such-revision", "--list"):
        with pytest.raises(ValueError, match="no commit of this repository"):
            baseline.load_baseline(bad)
