"""``skneural train`` and ``predict`` on a CSV file with a real-valued target."""

import csv

import numpy as np
import pytest
from cli_helpers import skneural_here as run
from sklearn.datasets import load_diabetes

from skneural._cli._regression import detect_task

pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def diabetes_csv(tmp_path_factory):
    """The diabetes data in its original units; the target made non-integral."""
    bunch = load_diabetes(scaled=False)
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("regression") / "diabetes.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*bunch.feature_names, "progression"])
        for x, t in zip(bunch.data, bunch.target, strict=True):
            writer.writerow([*map(float, x), float(t) + rng.uniform(-0.5, 0.5)])
    return path


def test_a_float_target_trains_a_regressor_and_reports_r2(diabetes_csv, tmp_path):
    model = tmp_path / "reg.skops"
    status, out, err = run(
        "train", diabetes_csv, "--target", "progression", "--out", model, "--quiet"
    )
    assert status == 0, err
    assert "holds real values: training a regressor" in err
    assert "training StackedNetRegressor on 353 rows, testing on 89" in out
    assert "confusion matrix" not in out
    lines = {line.split()[0]: line.split() for line in out.splitlines()}
    test_r2, test_mae, test_rmse = (float(lines["test"][i]) for i in (2, 4, 6))
    # this split's test rows are hard: a linear model (RidgeCV) gets 0.34
    assert 0.2 < test_r2 < 0.6
    assert 30 < test_mae < test_rmse < 80  # in the target's units

    status, out, err = run("predict", model, diabetes_csv)
    assert status == 0, err
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["prediction"]
    values = np.array([float(r[0]) for r in rows[1:]])
    assert len(values) == 442
    assert 50 < values.mean() < 250 and values.std() > 20  # a value per row


def test_task_option_overrides_the_guess(diabetes_csv, tmp_path):
    status, out, err = run(
        "train", diabetes_csv, "--target", "age", "--task", "regression",
        "--out", tmp_path / "age.joblib", "--quiet",
    )  # fmt: skip
    assert status == 0, err
    assert "StackedNetRegressor" in out and "test R^2:" in out
    status, _, err = run(
        "train", diabetes_csv, "--target", "progression", "--task", "regression",
        "--model", "logistic", "--out", tmp_path / "x.joblib",
    )  # fmt: skip
    assert status == 2
    assert "--model logistic is a classifier" in err


@pytest.mark.parametrize(
    "cells, task",
    [
        ([f"{v / 4:.2f}" for v in range(1, 12)], "regression"),
        ([str(v) for v in range(1, 13)], "classification"),
        (["0.5", "1.0", "1.5", "0.5", "1.0"], "classification"),
        (["a", "b", "1.5"], "classification"),
        # a body mass in grams: whole numbers, but far too many for classes
        ([f"{2700 + 25 * v}.0" for v in range(31)], "regression"),
        ([str(v % 30) for v in range(100)], "classification"),
    ],
)  # fmt: skip
def test_detect_task(cells, task):
    import pandas as pd

    assert detect_task(pd.Series(cells)) == task


def test_a_decimal_comma_target_of_a_semicolon_file_is_real(diabetes_csv, tmp_path):
    import pandas as pd

    frame = pd.read_csv(diabetes_csv)
    path = tmp_path / "semicolons.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    status, out, err = run(
        "train", path, "--target", "progression", "--out", tmp_path / "m.joblib"
    )
    assert status == 0, err
    assert "holds real values: training a regressor" in err


def test_predictions_are_written_whole(tmp_path):
    """A value of millions keeps every digit (it was cut to six, 3.50669e+06)."""
    joblib = pytest.importorskip("joblib")
    from skneural._cli._predict import prediction_input
    from skneural._cli._table import read_table

    X, y = load_diabetes(return_X_y=True)
    path = tmp_path / "price.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f"x{j}" for j in range(X.shape[1])] + ["price"])
        for row, value in zip(X, y, strict=True):
            writer.writerow([*map(float, row), 1e6 + 12345.678 * value])
    model_path = tmp_path / "price.joblib"
    status, _, err = run("train", path, "--target", "price", "--out", model_path)
    assert status == 0, err
    status, out, err = run("predict", model_path, path)
    assert status == 0, err
    written = np.array([float(r[0]) for r in list(csv.reader(out.splitlines()))[1:]])
    model = joblib.load(model_path)
    frame = read_table(path, None, "utf-8")
    expected = model.predict(prediction_input(model, frame, path, lambda _: None, None))
    assert written.min() > 1e6
    np.testing.assert_array_equal(written, expected)
