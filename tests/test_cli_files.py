"""The command line on the CSV files people have: separators, encodings,
compression, odd tokens, huge values, id columns, missing targets, columns
that do not match, closed pipes, and a missing ``[cli]`` extra."""

import io
import re
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, skneural_here

from skneural._cli import main

pd = pytest.importorskip("pandas")

SPECIES = ["Adelie", "Gentoo", "Chinstrap"]

run = skneural_here


def warnings_of(stderr):
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


def penguins(n=120, seed=0):
    """Three well-separated species, two numbers and one text column, as text."""
    rng = np.random.default_rng(seed)
    species = np.array(SPECIES)[np.arange(n) % 3]
    centre = {"Adelie": 38.0, "Gentoo": 47.0, "Chinstrap": 55.0}
    return pd.DataFrame(
        {
            "rowid": [f"p{i:03d}" for i in range(n)],
            "bill_length_mm": [f"{centre[s] + rng.normal():.1f}" for s in species],
            "body_mass_g": [f"{4000 + 300 * rng.normal():.0f}" for s in species],
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n),
            "species": species,
        }
    )


def train(path, *options, out=None):
    model = out or path.parent / "model.joblib"
    return run("train", path, "--target", "species", "--out", model, *options)


def summary(out):
    return out.splitlines()[0]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_the_separator_is_sniffed(tmp_path, sep):
    frame = penguins()
    frame.iloc[0, 3] = "Biscoe, north"  # a separator inside a quoted cell
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, sep=sep, index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "120 rows, 3 feature columns (2 numeric, 1 categorical: island)" in out
    assert "target 'species' with 3 classes" in out


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_quoted_comma_and_quotes_in_the_first_row_do_not_fool_the_sniffer(
    tmp_path, sep
):
    # a spreadsheet's export: decimal commas, a cell quoted for the comma
    # and the quotes it holds; csv.Sniffer alone takes that comma for the
    # separator
    frame = penguins()
    frame["bill_length_mm"] = frame["bill_length_mm"].str.replace(".", ",")
    frame.iloc[0, 0] = 'p000 "ds", north'  # quoted, the line's first cell
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, sep=sep, index=False)
    assert path.read_text().splitlines()[1].startswith('"p000 ""ds"", north"')
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "120 rows, 3 feature columns (2 numeric, 1 categorical: island)" in out


def test_decimal_commas_of_a_semicolon_file_are_numbers(tmp_path):
    frame = penguins()
    frame["bill_length_mm"] = frame["bill_length_mm"].str.replace(".", ",")
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, sep=";", index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "(2 numeric, 1 categorical: island)" in summary(out)
    assert warnings_of(err) == []
    # in a comma-separated file a quoted "38,5" is no number
    frame.to_csv(path, sep=",", index=False)
    status, out, err = train(path, "--id", "rowid")
    assert "(1 numeric, 2 categorical: bill_length_mm, island)" in summary(out)


def test_an_explicit_separator_and_a_wrong_one(tmp_path):
    path = tmp_path / "semicolons.csv"
    penguins().to_csv(path, sep=";", index=False)
    status, out, err = train(path, "--sep", ";", "--id", "rowid")
    assert status == 0, err
    status, _, err = train(path, "--sep", ",")
    assert_one_line_error(status, err, str(path), "no column 'species'", "--target")
    status, _, err = train(path, "--sep", ";;")
    assert_one_line_error(status, err, "--sep", "';;'")


def test_a_latin_1_file_needs_its_encoding(tmp_path):
    frame = penguins()
    frame["island"] = np.where(frame["island"] == "Dream", "Rêve", "Île Biscoe")
    path = tmp_path / "latin.csv"
    frame.to_csv(path, index=False, encoding="latin-1")
    status, _, err = train(path)
    assert_one_line_error(status, err, str(path), "not utf-8", "--encoding latin-1")
    status, _, err = train(path, "--encoding", "latin-1", "--id", "rowid")
    assert status == 0, err
    status, out, err = run(
        "predict", tmp_path / "model.joblib", path, "--encoding", "latin-1"
    )
    assert status == 0, err
    assert (
        out.splitlines()[0]
        == "rowid,prediction,proba_Adelie,proba_Chinstrap,proba_Gentoo"
    )
    status, _, err = train(path, "--encoding", "klingon")
    assert_one_line_error(status, err, "--encoding", "'klingon'")


@pytest.mark.parametrize("suffix", [".gz", ".zip", ".bz2", ".xz"])
def test_compressed_files_are_read_by_extension(tmp_path, suffix):
    path = tmp_path / f"penguins.csv{suffix}"
    penguins().to_csv(path, index=False, sep="\t")
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "120 rows, 3 feature columns" in out
    status, out, err = run("predict", tmp_path / "model.joblib", path)
    assert status == 0, err
    assert len(out.splitlines()) == 121


def test_a_broken_compressed_file(tmp_path):
    path = tmp_path / "penguins.csv.gz"
    path.write_bytes(b"species,island\nAdelie,Dream\n")  # not gzip at all
    status, _, err = train(path)
    assert_one_line_error(status, err, str(path), "cannot be read as a .gz file")


def with_odd_cells(frame, cells):
    frame = frame.copy()
    for row, token in enumerate(cells):
        frame.loc[row, "bill_length_mm"] = token
    return frame


def test_odd_tokens_in_a_numeric_column_are_missing_with_one_warning(tmp_path):
    tokens = ["?", "?", "-", "inf", "1e400", "n/a", "", "NA", "twelve"]
    path = tmp_path / "odd.csv"
    with_odd_cells(penguins(), tokens).to_csv(path, index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "(2 numeric, 1 categorical: island)" in summary(out)  # still numeric
    (warning,) = warnings_of(err)
    assert f"{path}, column 'bill_length_mm': 6 cells read as missing" in warning
    for part in ["'?' x2", "'-' x1", "'inf' x1", "'1e400' x1", "'twelve' x1"]:
        assert part in warning
    assert "'NA'" not in warning and "'n/a'" not in warning  # usual missing
    # predict reads the same cells by the same rule, with the same warning
    status, out, err = run("predict", tmp_path / "model.joblib", path)
    assert status == 0, err
    assert warnings_of(err) == [warning]
    assert len(out.splitlines()) == 121


def test_a_text_column_stays_categorical_and_predict_refuses_text_for_numbers(
    tmp_path,
):
    frame = penguins()
    frame["bill_length_mm"] = np.where(
        np.arange(120) % 2, frame["bill_length_mm"], "long"
    )
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "categorical: bill_length_mm, island" in summary(out)
    assert warnings_of(err) == []

    train_path = tmp_path / "numbers.csv"
    penguins().to_csv(train_path, index=False)
    assert train(train_path, "--id", "rowid")[0] == 0
    status, _, err = run("predict", tmp_path / "model.joblib", path)
    assert_one_line_error(
        status, err, f"{path}, row 2, column 'bill_length_mm'", "'long'", "numbers"
    )


@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_huge_value_names_the_row_and_column(tmp_path, command):
    good, huge = tmp_path / "good.csv", tmp_path / "huge.csv"
    penguins().to_csv(good, index=False)
    frame = penguins()
    frame.loc[6, "body_mass_g"] = "1e300"
    frame.to_csv(huge, index=False)
    if command == "train":
        status, _, err = train(huge, "--id", "rowid")
    else:
        assert train(good, "--id", "rowid")[0] == 0
        status, _, err = run("predict", tmp_path / "model.joblib", huge)
    assert_one_line_error(
        status, err, f"{huge}, row 8, column 'body_mass_g'", "1e300", "too large"
    )


def test_an_id_column_is_no_feature_and_is_written_beside_predictions(tmp_path):
    path = tmp_path / "penguins.csv"
    frame = penguins()
    frame.to_csv(path, index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "3 feature columns" in summary(out)
    model = tmp_path / "model.joblib"
    status, out, err = run("predict", model, path)  # the model's id column
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("rowid,prediction,")
    assert [line.split(",")[0] for line in lines[1:]] == frame["rowid"].tolist()
    status, out, err = run("predict", model, path, "--id", "island")
    assert out.splitlines()[1].split(",")[0] == frame["island"][0]
    status, _, err = run("predict", model, path, "--id", "name")
    assert_one_line_error(status, err, str(path), "no column 'name'", "--id")
    status, _, err = train(path, "--id", "name")
    assert_one_line_error(status, err, str(path), "no column 'name'", "--id")


def test_test_size_0_trains_on_every_row(tmp_path):
    path = tmp_path / "penguins.csv"
    penguins().to_csv(path, index=False)
    status, out, err = train(path, "--test-size", "0", "--id", "rowid")
    assert status == 0, err
    assert "training LogisticRegressionGD on 120 rows, testing on 0" in out
    assert "no test rows (--test-size 0)" in out
    assert "test accuracy" not in out and "confusion" not in out
    assert float(out.split("train accuracy: ")[1].split()[0]) > 0.95
    assert (tmp_path / "model.joblib").exists()
    status, _, err = train(path, "--test-size", "1")
    assert_one_line_error(status, err, "--test-size", "1")


def test_rows_without_a_target(tmp_path):
    path = tmp_path / "penguins.csv"
    frame = penguins()
    frame.loc[[4, 9, 10], "species"] = ["", "NA", "?"]
    frame.to_csv(path, index=False)
    status, _, err = train(path)
    assert_one_line_error(
        status, err, f"{path}, rows 6, 11, 12", "'species'", "--drop-missing-target"
    )
    assert not (tmp_path / "model.joblib").exists()
    status, out, err = train(path, "--drop-missing-target", "--id", "rowid")
    assert status == 0, err
    assert "117 rows" in summary(out)
    assert "left out 3 rows without a 'species'" in err
    assert "rows 6, 11, 12" in err


def test_predict_with_extra_missing_and_mistyped_columns(tmp_path):
    path = tmp_path / "penguins.csv"
    frame = penguins()
    frame.to_csv(path, index=False)
    assert train(path, "--id", "rowid")[0] == 0
    model = tmp_path / "model.joblib"

    extra = tmp_path / "extra.csv"
    frame.assign(notes="seen at dawn", year=2007).to_csv(extra, index=False)
    status, out, err = run("predict", model, extra)
    assert status == 0, err
    assert warnings_of(err) == [
        f"warning: {extra}: ignoring columns 'notes', 'year', which the model "
        "was not trained on"
    ]
    assert len(out.splitlines()) == 121

    typo = tmp_path / "typo.csv"
    frame.rename(columns={"bill_length_mm": "bill_lenght_mm"}).to_csv(typo, index=False)
    status, _, err = run("predict", model, typo)
    assert_one_line_error(
        status,
        err,
        f"{typo} has no column 'bill_length_mm'",
        "unknown to the model: 'bill_lenght_mm'",
        "('bill_lenght_mm' for 'bill_length_mm'?)",
    )
    two = tmp_path / "two.csv"
    frame.drop(columns=["bill_length_mm", "island"]).to_csv(two, index=False)
    status, _, err = run("predict", model, two)
    assert_one_line_error(
        status, err, f"{two} has no columns 'bill_length_mm', 'island', which"
    )


class ClosingReader(io.StringIO):
    """Standard output piped to ``head -1``: the pipe closes after one line."""

    def write(self, text):
        if "\n" in self.getvalue():
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_closed_pipe_ends_the_report_quietly_after_saving(tmp_path):
    path = tmp_path / "penguins.csv"
    penguins().to_csv(path, index=False)
    out, err = ClosingReader(), io.StringIO()
    status = main(
        ["train", str(path), "--target", "species", "--out", str(tmp_path / "m.skops")],
        out=out,
        err=err,
    )
    assert status == 0, err.getvalue()
    assert out.getvalue().count("\n") == 1
    assert "error" not in err.getvalue()
    assert (tmp_path / "m.skops").exists()


def test_a_closed_pipe_for_real(tmp_path):
    path = tmp_path / "penguins.csv"
    penguins(n=3000).to_csv(path, index=False)
    script = (
        f"set -o pipefail; {sys.executable} -m skneural train {path} --target "
        f"species --id rowid --quiet --out {tmp_path / 'm.joblib'} | head -1; "
        f"{sys.executable} -m skneural predict {tmp_path / 'm.joblib'} {path} "
        "| head -2"
    )
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.stdout.splitlines()[0].startswith(f"{path}: 3000 rows")
    assert result.stdout.splitlines()[1].startswith("rowid,prediction")
    assert result.stderr == ""
    assert (tmp_path / "m.joblib").exists()


@pytest.mark.parametrize("blocked", ["pandas", "skops"])
def test_without_the_cli_extra_nothing_is_done(tmp_path, monkeypatch, blocked):
    path = tmp_path / "penguins.csv"
    penguins().to_csv(path, index=False)
    monkeypatch.setitem(sys.modules, blocked, None)  # as if not installed
    status, out, err = train(path, out=tmp_path / "m.skops")
    assert_one_line_error(
        status, err, f"needs {blocked}", 'pip install "skneural[cli]"'
    )
    assert out == ""
    assert not (tmp_path / "m.skops").exists()


def test_messages_name_columns_and_hold_no_numpy_repr(tmp_path):
    path = tmp_path / "one_class.csv"
    frame = penguins().assign(species="Adelie", code=7)
    frame.to_csv(path, index=False)
    status, _, err = train(path)
    assert_one_line_error(status, err, "one value only ('Adelie')")
    status, _, err = run("train", path, "--target", "code")
    assert_one_line_error(status, err, "one value only (7)")

    path = tmp_path / "penguins.csv"
    penguins().assign(empty="").to_csv(path, index=False)
    status, _, err = train(path, "--id", "rowid", "--max-iter", "2")
    assert status == 0, err
    assert warnings_of(err) == [
        f"warning: {path}: column 'empty' has no value in any row: left out",
        "warning: training stopped after 2 iterations (--max-iter) before it "
        "converged; a larger --max-iter trains longer",
    ]


def test_predict_with_a_model_saved_from_python(tmp_path):
    """Any fitted skneural estimator: its columns by name, all numeric."""
    joblib = pytest.importorskip("joblib")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skneural import LogisticRegressionGD

    frame = penguins()
    numbers = frame[["bill_length_mm", "body_mass_g"]].astype(float)
    model = make_pipeline(StandardScaler(), LogisticRegressionGD())
    model.fit(numbers, frame["species"])
    joblib.dump(model, tmp_path / "python.joblib")
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, index=False)
    status, out, err = run("predict", tmp_path / "python.joblib", path, "--id", "rowid")
    assert status == 0, err
    assert "ignoring columns 'island', 'species'" in err  # no target is known
    predicted = [line.split(",")[1] for line in out.splitlines()[1:]]
    assert predicted == model.predict(numbers).tolist()
    status, _, err = run(
        "predict", tmp_path / "python.joblib", path, "--sep", ";", "--id", "x"
    )
    assert_one_line_error(status, err, str(path), "no column 'x'")


def test_an_identifier_left_among_the_features_gets_a_warning(tmp_path):
    path = tmp_path / "ids.csv"
    penguins().to_csv(path, index=False)
    status, out, err = train(path)
    assert status == 0, err
    (warning,) = warnings_of(err)
    assert "column 'rowid' has a different value in every row" in warning
    assert "--id rowid" in warning
    # named with --id, it is no feature, and there is nothing to say
    status, out, err = train(path, "--id", "rowid")
    assert status == 0 and warnings_of(err) == [], err


def test_target_labels_that_look_like_typos_get_a_warning(tmp_path):
    frame = penguins()
    frame.loc[3, "species"] = "Adelei"  # one row, close to a class of many
    frame.loc[4, "species"] = "gentoo"  # another class's label but for case
    path = tmp_path / "typos.csv"
    frame.to_csv(path, index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0, err
    assert "5 classes" in summary(out)  # trained as written
    warnings = warnings_of(err)
    assert len(warnings) == 2, err
    assert "'Gentoo', 'gentoo' differ only in case or spaces" in warnings[0]
    assert "class 'Adelei' has one row only (a typo of 'Adelie'?)" in warnings[1]
    # labels unlike any other, however rare, are no typo
    frame.loc[3, "species"], frame.loc[4, "species"] = "Emperor", "Gentoo"
    frame.to_csv(path, index=False)
    status, out, err = train(path, "--id", "rowid")
    assert status == 0 and warnings_of(err) == [], err


@pytest.mark.parametrize("every_row", [False, True])
def test_a_first_row_longer_than_the_header_is_named_not_shifted(tmp_path, every_row):
    # pandas would take the first cells of such rows as an index, shift
    # every column, and the messages would name rows from its cells
    rows = ["1,2,x,", "3,4,z,", "5,6,x,"] if every_row else ["1,2,x,", "3,4,z"]
    path = tmp_path / "trailing.csv"
    path.write_bytes(("a,b,y\r\n" + "\r\n".join(rows) + "\r\n").encode())
    status, _, err = run("train", path, "--target", "y")
    assert_one_line_error(
        status, err, "row 2: 4 fields where the header has 3", "separator ','"
    )


def test_the_wrong_separator_is_named_not_a_traceback(tmp_path):
    # a European spreadsheet's file: fields by ';', decimal commas
    path = tmp_path / "semicolons.csv"
    path.write_bytes(b"a;b;species\r\n1,5;2,5;x\r\n3,5;4;z\r\n")
    status, _, err = train(path, "--sep", ",")
    assert_one_line_error(
        status, err, "row 2: 3 fields where the header has 1", "--sep gives another"
    )


def test_an_identifier_with_a_space_is_suggested_quoted(tmp_path):
    path = tmp_path / "ids.csv"
    penguins().rename(columns={"rowid": "Sample ID"}).to_csv(path, index=False)
    status, _, err = train(path)
    assert status == 0, err
    (warning,) = warnings_of(err)
    assert "--id 'Sample ID' keeps it out" in warning


def test_unseen_categories_at_predict_time_are_named(tmp_path):
    path = tmp_path / "penguins.csv"
    penguins().to_csv(path, index=False)
    status, _, err = train(path, "--id", "rowid")
    assert status == 0, err
    new = penguins(seed=1)
    new.loc[:2, "island"] = ["West", "West", "dream"]
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    status, out, err = run("predict", tmp_path / "model.joblib", new_path)
    assert status == 0, err
    (warning,) = warnings_of(err)
    assert "column 'island': 3 cells hold values the model was not trained" in warning
    assert "'West' x2, 'dream' x1" in warning
    assert "read as none of its categories" in warning
    assert len(out.splitlines()) == 1 + len(new)  # every row still predicted
    # the trained values alone: nothing to say
    status, _, err = run("predict", tmp_path / "model.joblib", path)
    assert status == 0 and warnings_of(err) == [], err


def test_numeric_labels_of_one_row_are_no_typos(tmp_path):
    frame = penguins()
    frame["species"] = [f"{v:.1f}" for v in range(len(frame))]  # 120 classes
    frame.loc[:10, "species"] = "1.0"  # one class of many rows
    path = tmp_path / "numbers.csv"
    frame.to_csv(path, index=False)
    status, out, err = train(path, "--id", "rowid", "--task", "classification")
    assert not any("a typo of" in w for w in warnings_of(err)), err
    # nor a confusion matrix a hundred columns wide
    shown = re.search(
        r"confusion matrix not shown: (\d+) classes \(more than 20\)", out
    )
    assert shown and int(shown.group(1)) > 20, out


def test_a_column_of_numbers_read_as_text_gets_a_warning(tmp_path):
    """Too many words among numbers, or decimal commas in a comma file: the
    column is one-hot encoded, and a warning says so and why."""
    frame = penguins()
    words = frame.copy()
    words.loc[::6, "bill_length_mm"] = "long"  # 20 of 120: under 90 % numbers
    words.to_csv(tmp_path / "words.csv", index=False)
    status, out, err = train(tmp_path / "words.csv", "--id", "rowid")
    assert status == 0, err
    assert "(1 numeric, 2 categorical: bill_length_mm, island)" in summary(out)
    (warning,) = warnings_of(err)
    assert "column 'bill_length_mm' is read as text (one-hot encoded)" in warning
    assert "100 of its 120 values are numbers, fewer than 90% ('long' x20" in warning

    commas = frame.copy()
    commas["bill_length_mm"] = commas["bill_length_mm"].str.replace(".", ",")
    commas.to_csv(tmp_path / "commas.csv", index=False)  # quoted: "38,4"
    status, out, err = train(tmp_path / "commas.csv", "--id", "rowid")
    assert status == 0, err
    (warning,) = warnings_of(err)
    assert "120 of its 120 values, like '" in warning
    assert "have a decimal comma" in warning and "semicolons" in warning
    # in a semicolon file decimal commas are numbers already, counted once:
    # 40 of 120 with words in the rest is a text column, no warning
    semicolons = commas.copy()
    semicolons.loc[40:, "bill_length_mm"] = "long"
    semicolons.to_csv(tmp_path / "semicolons.csv", sep=";", index=False)
    status, out, err = train(tmp_path / "semicolons.csv", "--id", "rowid")
    assert status == 0 and warnings_of(err) == [], err
    # a text column of words (island) and a numeric column get no warning
    frame.to_csv(tmp_path / "plain.csv", index=False)
    status, out, err = train(tmp_path / "plain.csv", "--id", "rowid")
    assert status == 0 and warnings_of(err) == [], err
