"""An earlier commit's skneural, imported beside the checkout's own.

``--baseline REV`` runs the network cases with a third estimator, the
``StackedNetClassifier`` of commit ``REV``, in the same process and the same
alternation as the others: a speed figure of another run (another machine,
another load) then has a same-machine counterpart. The commit's ``skneural``
folder is extracted with ``git archive`` into a temporary folder and imported
under another name; its modules import one another relatively, so the two
versions never mix.
"""

from __future__ import annotations

import ast
import atexit
import importlib.util
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def load_baseline(rev: str):
    """The ``skneural`` package of commit ``rev``, and the commit's short hash.

    The package is imported as module ``skneural_at_<short hash>``.

    Raises
    ------
    ValueError
        If git cannot be run, ``rev`` names no commit of this repository,
        the commit has no ``skneural`` folder, or its package imports itself
        by name (it would then load the checkout's modules).
    """
    commit = _git(
        "rev-parse",
        "--verify",
        "--quiet",
        "--short",
        "--end-of-options",
        f"{rev}^{{commit}}",
    )
    if commit is None:
        raise ValueError(f"--baseline {rev!r}: no commit of this repository")
    short = commit.decode().strip()
    archive = _git("archive", "--format=tar", short, "--", "skneural")
    if archive is None:
        raise ValueError(f"--baseline {rev!r}: commit {short} has no skneural folder")
    folder = Path(tempfile.mkdtemp(prefix="skneural-baseline-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # the safe extraction filter, where this Python has it (3.11.4, 3.10.12)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(folder, **safe)
    package = folder / "skneural"
    for source in package.rglob("*.py"):
        if _imports_skneural(ast.parse(source.read_bytes())):
            raise ValueError(
                f"--baseline {rev!r}: {source.relative_to(folder)} imports skneural "
                "by name; it would load this checkout's modules"
            )
    name = f"skneural_at_{short}"
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module, short


def _git(*arguments):
    """The standard output of ``git arguments`` in this repository; None on failure."""
    try:
        done = subprocess.run(
            ["git", "-C", str(REPOSITORY), *arguments], capture_output=True
        )
    except FileNotFoundError as error:
        raise ValueError("--baseline needs git, which was not found") from error
    return done.stdout if done.returncode == 0 else None


def _imports_skneural(tree: ast.Module) -> bool:
    """Whether a module's code (not its docstrings) imports ``skneural`` by name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(n == "skneural" or n.startswith("skneural.") for n in names):
            return True
    return False
