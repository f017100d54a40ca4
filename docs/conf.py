"""Sphinx configuration of the skneural documentation."""

import os
import shutil
from pathlib import Path

# Examples train small networks: one BLAS thread is fastest on small matrices
# and avoids thread oversubscription on shared CI machines. Set before numpy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import skneural  # noqa: E402

HERE = Path(__file__).parent
ROOT = HERE.parent

project = "skneural"
author = "The skneural developers"
copyright = "The skneural developers"
release = skneural.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "generated/*.md"]
templates_path = ["_templates"]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "pydata_sphinx_theme"
html_title = f"skneural {release}"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # execute the gallery scripts only; other scripts in examples/ are left
    # out (ignore_pattern sees the bare file name, filename_pattern the path)
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|^(?!plot_).*\.py$",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "matplotlib_animations": False,
}


def _copy_benchmark_results():
    """Bring ``benchmarks/RESULTS.md`` in, or a note saying how to make it."""
    source = ROOT / "benchmarks" / "RESULTS.md"
    target = HERE / "generated" / "benchmark_results.md"
    target.parent.mkdir(exist_ok=True)
    if source.exists():
        shutil.copyfile(source, target)
    else:
        target.write_text(
            "No results yet: run `python benchmarks/run.py` to produce "
            "benchmarks/RESULTS.md.\n"
        )


_copy_benchmark_results()
