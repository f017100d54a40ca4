"""The ``skneural`` command line, run for real on CSV files."""

import contextlib
import csv
import importlib.metadata
import io
import pickle
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, skneural_here
from sklearn.datasets import load_breast_cancer

from skneural import LogisticRegressionGD, __version__

CLINICS = ["north", "south", "east"]
# A Python in which pandas and skops cannot be imported, as without [cli].
WITHOUT_PANDAS = """
import sys
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("pandas", "skops"):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, NotInstalled())
from skneural._cli import main
"""


def skneural(*args, cwd=None):
    """Run ``python -m skneural ARGS``; returns (exit status, stdout, stderr)."""
    result = subprocess.run(
        [sys.executable, "-m", "skneural", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )
    return result.returncode, result.stdout, result.stderr


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(text):
    rows = list(csv.reader(text.splitlines()))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Breast-cancer data with a text column and missing values, as CSV."""
    bunch = load_breast_cancer()
    rng = np.random.default_rng(0)
    header = [*bunch.feature_names, "clinic", "diagnosis"]
    rows = []
    for i, (x, target) in enumerate(zip(bunch.data, bunch.target, strict=True)):
        cells = [repr(float(v)) for v in x]
        if rng.random() < 0.1:
            cells[int(rng.integers(len(cells)))] = rng.choice(["", "NA"])
        clinic = CLINICS[i % 3] if rng.random() > 0.05 else ""
        rows.append([*cells, clinic, "malignant" if target == 0 else "benign"])
    folder = tmp_path_factory.mktemp("cli")
    path = write_csv(folder / "tumours.csv", header, rows)
    labels = np.array([row[-1] for row in rows])
    return {"folder": folder, "path": path, "header": header, "rows": rows, "y": labels}


@pytest.fixture(scope="module")
def trained(data):
    """One logistic model (joblib) and one network (skops), trained once."""
    pytest.importorskip("skops")
    folder = data["folder"]
    logistic = skneural(
        "train", data["path"], "--target", "diagnosis", "--out", folder / "lr.joblib"
    )
    stacked = skneural(
        "train", data["path"], "--target", "diagnosis", "--model", "stacked",
        "--hidden", "16,8", "--test-size", "0.25", "--out", folder / "net.skops",
    )  # fmt: skip
    return {"logistic": logistic, "stacked": stacked}


def test_train_reports_accuracy_epochs_and_confusion_matrix(data, trained):
    for name, n_test in [("logistic", 114), ("stacked", 143)]:
        status, out, err = trained[name]
        assert status == 0, err
        assert "569 rows, 31 feature columns (30 numeric, 1 categorical: clinic)" in out
        assert f"testing on {n_test}" in out
        lines = {line.split(":")[0]: line for line in out.splitlines()}
        train_acc = float(lines["train accuracy"].split()[-1])
        test_acc = float(lines["test accuracy"].split()[-1])
        assert train_acc > 0.97 and test_acc > 0.93, out
        # logistic regression counts full-batch iterations, the network epochs
        unit = "iteration" if name == "logistic" else "epoch"
        n_epochs = int(lines[f"{unit}s"].split()[1])
        assert n_epochs > 1
        # confusion matrix of the test rows: class names, counts adding up
        header_at = out.splitlines().index(lines["confusion matrix (test rows; rows"])
        matrix = out.splitlines()[header_at + 1 : header_at + 4]
        assert matrix[0].split() == ["benign", "malignant"]
        counts = np.array([[int(v) for v in row.split()[1:]] for row in matrix[1:]])
        assert counts.sum() == n_test
        assert np.trace(counts) / n_test == pytest.approx(test_acc, abs=1e-4)
        # progress on stderr, the first epoch at least (through the callback
        # API, which scikit-learn has from 1.9 on)
        if hasattr(LogisticRegressionGD, "set_callbacks"):
            assert f"{unit} 1/" in err
    assert (data["folder"] / "lr.joblib").exists()
    assert (data["folder"] / "net.skops").exists()


@pytest.mark.parametrize(
    "name,model,to_file",
    [("logistic", "lr.joblib", True), ("stacked", "net.skops", False)],
)
def test_predict_writes_one_row_per_row(data, trained, name, model, to_file):
    assert trained[name][0] == 0
    folder = data["folder"]
    target = folder / f"{name}.csv"
    status, out, err = skneural(
        "predict", folder / model, data["path"], *(["--out", target] if to_file else [])
    )
    assert status == 0, err
    if to_file:
        assert "wrote 569 predictions" in err
        assert out == ""
        out = target.read_text()
    header, rows = read_csv(out)
    assert header == ["prediction", "proba_benign", "proba_malignant"]
    assert len(rows) == len(data["rows"])
    labels = np.array([row[0] for row in rows])
    proba = np.array([[float(p) for p in row[1:]] for row in rows])
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    argmax = np.array(["benign", "malignant"])[proba.argmax(axis=1)]
    assert (labels == argmax).all()
    assert (labels == data["y"]).mean() > 0.95


def test_predict_accepts_new_rows_without_the_target(data, trained):
    """Columns may come in another order; unseen categories are fine."""
    assert trained["logistic"][0] == 0
    header = data["header"][:-1][::-1]
    rows = [row[:-1][::-1] for row in data["rows"][:5]]
    rows[0][0] = "a clinic never seen"
    path = write_csv(data["folder"] / "new.csv", header, rows)
    status, out, err = skneural_here("predict", data["folder"] / "lr.joblib", path)
    assert status == 0, err
    _, predicted = read_csv(out)
    assert [row[0] for row in predicted][1:] == list(data["y"][1:5])


def test_predict_imputes_a_column_empty_in_every_row(data, trained):
    """One new row with a gap: its column holds no number at all, yet it is
    the missing value the model imputes (it was an error, "0 of 0 values")."""
    assert trained["logistic"][0] == 0
    header = data["header"][:-1]
    complete = next(
        row[:-1] for row in data["rows"] if "" not in row and "NA" not in row
    )
    predictions = {}
    for token in ["", "NA"]:
        gap = [token if j == 3 else cell for j, cell in enumerate(complete)]
        for name, rows in [("alone", [gap]), ("beside", [gap, complete])]:
            path = write_csv(data["folder"] / f"gap-{name}.csv", header, rows)
            status, out, err = skneural_here(
                "predict", data["folder"] / "lr.joblib", path
            )
            assert status == 0, err
            predictions[token, name] = read_csv(out)[1][0]
        assert predictions[token, "alone"] == predictions[token, "beside"]


def test_train_without_the_target_column(data):
    status, _, err = skneural("train", data["path"], "--target", "outcome")
    assert_one_line_error(status, err, str(data["path"]), "'outcome'")


def test_train_refuses_a_mistyped_target_the_id_as_target_and_a_missing_folder(
    data, tmp_path
):
    status, _, err = skneural("train", data["path"], "--target", "Diagnosis")
    assert_one_line_error(status, err, "no column 'Diagnosis'", "'diagnosis'?")
    status, _, err = skneural(
        "train", data["path"], "--target", "clinic", "--id", "clinic"
    )
    assert_one_line_error(status, err, "--id and --target both name 'clinic'")
    out = tmp_path / "no" / "such" / "model.joblib"
    status, stdout, err = skneural(
        "train", data["path"], "--target", "diagnosis", "--out", out
    )
    assert_one_line_error(status, err, "cannot write the model", "no folder")
    assert stdout == ""  # refused before any training


def test_train_on_an_empty_file_and_a_missing_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    status, _, err = skneural("train", empty, "--target", "y")
    assert_one_line_error(status, err, str(empty), "is empty")
    status, _, err = skneural_here("train", tmp_path / "nowhere.csv", "--target", "y")
    assert_one_line_error(status, err, "nowhere.csv", "no such file")


def test_train_on_a_ragged_file_names_the_row(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "ragged.csv", ["a", "b", "y"], [[1, 2, 0], [3, 1]])
    monkeypatch.chdir(tmp_path)
    status, _, err = skneural_here("train", path, "--target", "y")
    assert_one_line_error(status, err, "ragged.csv, row 3", "2 fields")
    assert not (tmp_path / "model.joblib").exists()


def test_predict_with_a_file_that_is_not_a_model(data, tmp_path):
    corrupted = tmp_path / "corrupted.joblib"
    corrupted.write_bytes(b"\x80\x04this is not a pickle at all")
    status, _, err = skneural("predict", corrupted, data["path"])
    assert_one_line_error(status, err, str(corrupted), "not a saved skneural model")

    other = tmp_path / "other.joblib"
    other.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    status, _, err = skneural_here("predict", other, data["path"])
    assert_one_line_error(status, err, str(other), "not a skneural model", "dict")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    pipeline = tmp_path / "pipeline.joblib"
    pipeline.write_bytes(pickle.dumps(make_pipeline(FunctionTransformer())))
    status, _, err = skneural_here("predict", pipeline, data["path"])
    assert_one_line_error(
        status, err, "it holds a Pipeline ending in a FunctionTransformer"
    )
    unfitted = tmp_path / "unfitted.joblib"
    unfitted.write_bytes(pickle.dumps(make_pipeline(LogisticRegressionGD())))
    status, _, err = skneural_here("predict", unfitted, data["path"])
    assert_one_line_error(status, err, "ending in an unfitted LogisticRegressionGD")
    passthrough = tmp_path / "passthrough.joblib"
    passthrough.write_bytes(pickle.dumps(make_pipeline("passthrough")))
    status, _, err = skneural_here("predict", passthrough, data["path"])
    assert_one_line_error(status, err, "a Pipeline ending in 'passthrough'")

    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"PK\x03\x04 truncated")
    status, _, err = skneural_here("predict", broken, data["path"])
    assert_one_line_error(status, err, str(broken), "not a saved skneural model")


def test_predict_with_columns_that_do_not_match(data, trained):
    assert trained["logistic"][0] == 0
    model = data["folder"] / "lr.joblib"
    folder = data["folder"]
    header = data["header"]
    rows = data["rows"][:3]

    no_radius = write_csv(folder / "no_radius.csv", header[1:], [r[1:] for r in rows])
    status, _, err = skneural("predict", model, no_radius)
    assert_one_line_error(status, err, "no_radius.csv", "'mean radius'")

    extra = write_csv(folder / "extra.csv", [*header, "id"], [[*r, 7] for r in rows])
    status, out, err = skneural_here("predict", model, extra)
    assert status == 0, err  # an unknown column is ignored, with a warning
    assert err.strip() == (
        f"warning: {extra}: ignoring column 'id', which the model was not trained on"
    )
    assert len(out.splitlines()) == 4

    bad = [list(r) for r in rows]
    bad[1][2] = "seven"
    text = write_csv(folder / "text.csv", header, bad)
    status, _, err = skneural_here("predict", model, text)
    assert_one_line_error(status, err, "text.csv, row 3", "'mean perimeter'", "seven")


def test_help_lists_the_commands_and_bad_demo_options_fail_cleanly():
    with contextlib.redirect_stdout(io.StringIO()) as help_text:
        status, _, _ = skneural_here("--help")
    out = help_text.getvalue()
    assert status == 0
    assert "train" in out and "predict" in out
    status, _, err = skneural_here("--test-size", "2")
    assert_one_line_error(status, err, "--test-size", "2")
    for option, value in [("--hidden", "8,zero"), ("--max-iter", "0")]:
        status, _, err = skneural_here(
            "train", "any.csv", "--target", "y", "--model", "stacked", option, value
        )
        assert_one_line_error(status, err, option, value)


def test_no_command_runs_the_demo_without_pandas():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WITHOUT_PANDAS + "sys.exit(main(['--test-size', '0.3']))",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    status, out, err = result.returncode, result.stdout, result.stderr
    assert status == 0, err
    assert "Breast-cancer data: 398 training and 171 test tumours" in out
    for model in ("skneural LogisticRegressionGD", "sklearn MLPClassifier"):
        line = next(line for line in out.splitlines() if line.startswith(model))
        assert float(line.split()[2]) > 0.9  # accuracy


def test_train_without_pandas_says_which_extra_before_any_work(data, tmp_path):
    target = tmp_path / "model.joblib"
    argv = ["train", str(data["path"]), "--target", "diagnosis", "--out", str(target)]
    command = f"sys.exit(main({argv!r}))"
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_PANDAS + command],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_one_line_error(
        result.returncode, result.stderr, "needs pandas", 'pip install "skneural[cli]"'
    )
    assert result.stdout == ""
    assert not target.exists()


def test_version_names_the_installed_release():
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status, _, _ = skneural_here("--version")
    assert status == 0
    assert printed.getvalue().strip() == f"skneural {__version__}"
    # the package's own number is the one pip installed
    assert __version__ == importlib.metadata.version("skneural")
