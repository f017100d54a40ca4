"""Which columns are numbers, and what a cell that is not a number means.

One rule, at train and at predict time. A cell is missing when it is empty
or a token people write for "no value" (``NA``, ``n/a``, ``?``, ``-``...).
A column is numeric when at least 90 % of its other cells are numbers;
its cells that are not (text, ``inf``, ``1e400``) are then read as missing
too, and a warning names the column, the tokens and their counts. Numbers
so large that scaling them overflows float64 (beyond 1e150 in size) are an
error naming the row and the column. Everything else is categorical. In a
file whose fields are not separated by commas, ``3,5`` is the number 3.5,
as spreadsheets set to a decimal comma write it.
"""

from __future__ import annotations

import difflib
import shlex
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ._messages import CommandError, file_row, listing

# Compared in lower case. The first ones are what people write for a missing
# value (no warning); the others mean "missing" in a numeric column too, but
# are worth a warning, as they may hide a typo.
USUAL_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "<na>", "#n/a"})
MISSING = USUAL_MISSING | frozenset({"?", "-", "--", ".", "missing", "unknown"})
# A column is numeric when this share of its present cells are numbers.
NUMERIC_SHARE = 0.9
# A number written with a decimal comma: 3,5 -0,25 1,5e3 (no thousands).
_DECIMAL_COMMA = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?"
# Beyond this size, the squares that scaling computes overflow float64.
LARGEST = 1e150
# A text column with a different value in each of at least this many rows
# gets a warning: it looks like an identifier.
_ID_MIN_ROWS = 20


def missing_cells(cells):
    """Boolean mask of the missing cells of a text column."""
    return cells.str.lower().isin(MISSING).to_numpy()


@dataclass
class Numbers:
    """A text column read as numbers: NaN where missing or not a number."""

    values: np.ndarray
    n_numbers: int  # cells that parse as numbers (infinite ones too)
    n_present: int  # cells that are not missing tokens
    unusual: Counter  # tokens read as missing that deserve a warning

    def is_numeric(self):
        return self.n_numbers > 0 and self.fits_numbers()

    def fits_numbers(self):
        """Whether a column known to be numeric may read as these numbers.

        At predict time a column with no value at all (a new row's empty
        cell) is all missing, hence imputed: it fits.
        """
        return self.n_numbers >= NUMERIC_SHARE * self.n_present


def with_decimal_points(cells):
    """The text column with ``3,5``-like cells written ``3.5``."""
    comma = cells.str.fullmatch(_DECIMAL_COMMA)
    return cells.where(~comma, cells.str.replace(",", ".", regex=False))


def read_numbers(cells, decimal_comma=False):
    """Read the text column ``cells`` (a pandas Series) as numbers.

    With ``decimal_comma``, a cell like ``3,5`` or ``-0,25`` (digits around
    one comma, no point) is the number 3.5 or -0.25.
    """
    import pandas as pd

    lowered = cells.str.lower()
    missing = lowered.isin(MISSING).to_numpy()
    if decimal_comma:
        cells = with_decimal_points(cells)
    values = pd.to_numeric(cells.where(~missing), errors="coerce").to_numpy(
        float, copy=True
    )
    parsed = ~np.isnan(values)
    unusual = ~np.isfinite(values) & ~lowered.isin(USUAL_MISSING).to_numpy()
    values[~np.isfinite(values)] = np.nan
    return Numbers(
        values=values,
        n_numbers=int(parsed.sum()),
        n_present=int((~missing).sum()),
        unusual=Counter(cells[unusual].tolist()),
    )


def _check_size(path, name, cells, numbers):
    too_large = np.abs(numbers.values) > LARGEST
    if too_large.any():
        index = int(too_large.argmax())
        raise CommandError(
            f"{path}, row {file_row(cells.index[index])}, column {name!r}: "
            f"{cells.iloc[index]} is too large to compute with (numbers up to "
            "1e150 in size work); correct it, or empty the cell to have it "
            "imputed"
        )


def _unusual_warning(path, name, unusual):
    total = sum(unusual.values())
    return (
        f"{path}, column {name!r}: {total} cell{'s' if total > 1 else ''} "
        f"read as missing ({_most_common(unusual)})"
    )


def _most_common(counts):
    """``'a' x3, 'b' x1``: the five most frequent values of a Counter, then
    ``, ...`` when there are more."""
    shown = ", ".join(f"{value!r} x{n}" for value, n in counts.most_common(5))
    return shown + (", ..." if len(counts) > 5 else "")


def read_features(frame, features, path, warn, numeric=None):
    """The model's input: numeric columns as floats, the others as text or NaN.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file's text cells.
    features : list of str
        The feature columns, in order.
    path : Path
        The file, for messages.
    warn : callable
        Takes the text of each warning.
    numeric : list of str, default=None
        The numeric columns (at predict time, as the model was trained); when
        None, each column is decided by the rule above.

    Returns
    -------
    X : pandas.DataFrame
        The feature columns, numbers as float64, text as object with NaN.
    numeric : list of str
        The numeric columns.
    """
    import pandas as pd

    columns, numeric_names = {}, []
    decimal_comma = frame.attrs.get("decimal_comma", False)
    for name in features:
        cells = frame[name]
        numbers = read_numbers(cells, decimal_comma)
        if numbers.is_numeric() if numeric is None else name in numeric:
            if numeric is not None and not numbers.fits_numbers():
                raise _not_numbers_error(path, name, cells, numbers)
            _check_size(path, name, cells, numbers)
            columns[name] = numbers.values
            numeric_names.append(name)
            unusual = numbers.unusual
        else:
            missing = missing_cells(cells)
            if numeric is None:
                message = _mostly_numbers_warning(
                    path, name, cells, missing, numbers, decimal_comma
                )
                if message:
                    warn(message)
            if numeric is None and _names_the_rows(cells[~missing]):
                warn(
                    f"{path}: column {name!r} has a different value in every "
                    f"row; if it names the rows, --id {shlex.quote(name)} keeps "
                    "it out of the features"
                )
            columns[name] = cells.where(~missing, np.nan).astype(object)
            usual = cells.str.lower().isin(USUAL_MISSING).to_numpy()
            unusual = Counter(cells[missing & ~usual].tolist())
        if unusual:
            warn(_unusual_warning(path, name, unusual))
    return pd.DataFrame(columns, index=frame.index), numeric_names


def _mostly_numbers_warning(path, name, cells, missing, numbers, decimal_comma):
    """A warning for a text column over half of whose values are numbers, or None.

    Every number of such a column becomes a category of its own, and a value
    not seen in training means nothing to the model. The warning names the
    cells that are not numbers; or, when cells like ``5,1`` in a file
    separated by commas (quoted there) would make the column numeric, says
    that only a file separated otherwise reads them as numbers.
    """
    import pandas as pd

    present = cells[~missing]
    # in a file read with decimal commas, such cells are numbers already
    commas = present[:0] if decimal_comma else present
    commas = commas[commas.str.fullmatch(_DECIMAL_COMMA)]
    comma = len(commas)
    if numbers.n_numbers + comma <= 0.5 * numbers.n_present:
        return None
    head = f"{path}: column {name!r} is read as text (one-hot encoded): "
    if comma and numbers.n_numbers + comma >= NUMERIC_SHARE * numbers.n_present:
        example = commas.iloc[0]
        return (
            f"{head}{comma} of its {numbers.n_present} values, like {example!r}, "
            "have a decimal comma, a number only in a file whose fields are "
            "not separated by commas; save it with semicolons, or with "
            "decimal points, to have it read as numbers"
        )
    words = present[pd.to_numeric(present, errors="coerce").isna()]
    return (
        f"{head}{numbers.n_numbers} of its {numbers.n_present} values are "
        f"numbers, fewer than {NUMERIC_SHARE:.0%} "
        f"({_most_common(Counter(words.tolist()))} are not); "
        "empty the cells that are not numbers to have it read as numbers"
    )


def warn_unseen_categories(path, X, categories, warn):
    """Warn, per text column, of values the model was not trained on.

    The one-hot encoder reads them as none of the column's categories: a
    new value or a typo (``north`` for ``North``) would change the
    prediction unseen. ``categories`` maps a column to its trained values.
    """
    for name, known in categories.items():
        cells = X[name]
        unseen = cells[cells.notna() & ~cells.isin(list(known))]
        if unseen.empty:
            continue
        counts = Counter(unseen.tolist())
        first = counts.most_common(1)[0][0]
        close = difflib.get_close_matches(first, [str(k) for k in known], n=1)
        hint = f" ({first!r} for {close[0]!r}?)" if close else ""
        warn(
            f"{path}, column {name!r}: {len(unseen)} cell"
            f"{'s' if len(unseen) > 1 else ''} hold values the model was not "
            f"trained on ({_most_common(counts)}), read as none of its "
            f"categories{hint}"
        )


def _names_the_rows(cells):
    """Whether text cells look like row identifiers: many, and all different.

    A feature whose every value is new teaches a model nothing about rows
    it has not seen; most often it is an ID column left in.
    """
    return len(cells) >= _ID_MIN_ROWS and cells.nunique() == len(cells)


def _not_numbers_error(path, name, cells, numbers):
    present = ~missing_cells(cells) & np.isnan(numbers.values)
    index = int(present.argmax())
    return CommandError(
        f"{path}, row {file_row(cells.index[index])}, column {name!r}: "
        f"{cells.iloc[index]!r} is not a number, and only {numbers.n_numbers} of "
        f"the column's {numbers.n_present} values are; the model was trained on "
        "numbers there"
    )


def empty_columns(frame, names):
    """The columns among ``names`` without a value in any row."""
    return [name for name in names if missing_cells(frame[name]).all()]


def check_columns(path, frame, needed, known, warn):
    """Fail when a ``needed`` column is missing; warn about unknown ones.

    The error names the missing columns and, beside them, the file's columns
    that the model does not know, which are often the same names mistyped.
    """
    missing = [name for name in needed if name not in frame.columns]
    unknown = [name for name in frame.columns if name not in known]
    if missing:
        message = (
            f"{path} has no column{'s' if len(missing) > 1 else ''} "
            f"{listing(missing)}, which the model was trained on"
        )
        if unknown:
            message += f"; its columns unknown to the model: {listing(unknown)}"
            close = difflib.get_close_matches(missing[0], unknown, n=1)
            if close:
                message += f" ({close[0]!r} for {missing[0]!r}?)"
        raise CommandError(message)
    if unknown:
        warn(
            f"{path}: ignoring column{'s' if len(unknown) > 1 else ''} "
            f"{listing(unknown)}, which the model was not trained on"
        )
