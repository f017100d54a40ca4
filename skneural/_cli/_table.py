"""Reading a CSV file with pandas: every cell as text, the shape checked.

The separator is sniffed from the first lines (comma, semicolon, tab or
bar) unless given; the encoding is UTF-8 unless given; ``.gz``, ``.zip``,
``.bz2`` and ``.xz`` files are decompressed by pandas from their extension.
Cells stay text here: which columns are numbers is decided in ``_columns``.
"""

from __future__ import annotations

import codecs
import csv
import lzma
import re
import zipfile
from pathlib import Path

from ._messages import CommandError, file_row

SEPARATORS = ",;\t|"
# Lines the separator is sniffed from.
_SAMPLE_LINES = 50
# A byte that text files do not hold: reading with it as the separator gives
# each line as one cell, decoded and decompressed by pandas.
_NO_SEPARATOR = "\x1f"
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_SEPARATOR_NAMES = {"\\t": "\t", "tab": "\t", "\t": "\t"}


def separator_option(text):
    """``--sep`` as typed (``';'``, ``'\\t'``, ``tab``): one character."""
    sep = _SEPARATOR_NAMES.get(text.lower(), text)
    if len(sep) != 1:
        raise CommandError(f"--sep must be one character (or 'tab'), got {text!r}")
    return sep


def read_table(path, sep=None, encoding=None):
    """Read ``path`` into a DataFrame of stripped text cells (header stripped too).

    Parameters
    ----------
    path : str or Path
        The CSV file, possibly compressed.
    sep : str, default=None
        The separator; sniffed from the first lines when None.
    encoding : str, default=None
        The text encoding; UTF-8 (with or without a byte-order mark) when None.

    Returns
    -------
    frame : pandas.DataFrame
        One text column per header name, indexed by data row from 0;
        ``frame.attrs["decimal_comma"]`` says whether a comma may be a decimal
        point (when it does not separate the fields).
    """
    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    if path.is_dir():
        raise CommandError(f"{path} is a directory, not a CSV file")
    encoding = _checked_encoding(encoding)
    lines = _first_lines(path, encoding)
    if sep is None:
        sep = _sniff_separator(lines)
    header = _header(path, lines[0], sep)
    _check_first_row(path, lines, sep, header)
    frame = _read(
        path,
        sep=sep,
        encoding=encoding,
        dtype=str,
        keep_default_na=False,  # missing values are decided in ``_columns``
        skipinitialspace=True,
        # the python parser leaves the cells a short row lacks NaN (the C
        # parser makes them empty strings, like empty cells)
        engine="python",
    )
    if frame.empty:
        raise CommandError(f"{path} has a header but no data rows")
    short = frame.isna().any(axis=1).to_numpy()  # rows that ran out of fields
    if short.any():
        index = short.argmax()
        n_fields = int(frame.iloc[index].notna().sum())
        raise CommandError(
            f"{path}, row {file_row(frame.index[index])}: {n_fields} fields where "
            f"the header has {len(header)}"
        )
    frame.columns = header
    frame = frame.apply(lambda column: column.str.strip())
    # spreadsheets that separate fields by ';' or tabs write 3,5 for 3.5
    frame.attrs["decimal_comma"] = sep != ","
    return frame


def _check_first_row(path, lines, sep, header):
    """Fail when the first data row has more fields than the header.

    pandas would take its leading cells as the rows' index and shift every
    column (a separator at the end of each line, or the wrong separator);
    a longer row further down is pandas's own error.
    """
    if len(lines) < 2:
        return
    n_fields = len(next(csv.reader([lines[1]], delimiter=sep)))
    if n_fields > len(header):
        raise CommandError(
            f"{path}, row 2: {n_fields} fields where the header has "
            f"{len(header)} (read with the separator {sep!r}; --sep gives another)"
        )


def _checked_encoding(encoding):
    if encoding is None:
        return "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise CommandError(
            f"--encoding {encoding!r} is not an encoding Python knows "
            "(e.g. utf-8, latin-1, cp1252)"
        ) from None
    return encoding


def _first_lines(path, encoding):
    lines = _read(
        path,
        sep=_NO_SEPARATOR,
        header=None,
        nrows=_SAMPLE_LINES,
        dtype=str,
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        encoding=encoding,
    )
    if lines.empty:
        raise CommandError(f"{path} is empty: expected a header row and data rows")
    return lines[0].tolist()


def _sniff_separator(lines):
    """The separator of the sample lines: csv.Sniffer's guess, unless it splits
    them unevenly and another separator splits each into the same fields.

    (The sniffer's quote rule can take the comma inside a quoted cell such as
    ``"ds, pallas"`` of a ``;`` file for the separator.)
    """
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:  # one column, or too few lines to tell: commas
        guess = ","
    if _splits_evenly(lines, guess):
        return guess
    even = [sep for sep in SEPARATORS if _splits_evenly(lines, sep)]
    return even[0] if even else guess


def _splits_evenly(lines, sep):
    """Whether ``sep`` gives every line the same number of fields, more than one."""
    widths = {len(row) for row in csv.reader(lines, delimiter=sep)}
    return len(widths) == 1 and widths.pop() > 1


def _header(path, line, sep):
    header = [name.strip() for name in next(csv.reader([line], delimiter=sep))]
    for i, name in enumerate(header):
        if not name:
            raise CommandError(f"{path}: column {i + 1} of the header has no name")
        if header.index(name) != i:
            raise CommandError(f"{path}: the header names column {name!r} twice")
    return header


def _read(path, **options):
    """``pandas.read_csv`` with its failures told in one line, naming the file."""
    import pandas as pd

    try:
        return pd.read_csv(path, compression="infer", **options)
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path} is not {exc.encoding} text (byte {exc.object[exc.start]:#04x} "
            f"at position {exc.start} cannot be decoded); give its encoding, "
            "e.g. --encoding latin-1"
        ) from None
    except pd.errors.EmptyDataError:
        raise CommandError(
            f"{path} is empty: expected a header row and data rows"
        ) from None
    except pd.errors.ParserError as exc:
        found = _TOO_MANY_FIELDS.search(str(exc))
        if found:
            expected, line, saw = found.groups()
            raise CommandError(
                f"{path}, row {line}: {saw} fields where the header has {expected}"
            ) from None
        sep = options.get("sep")
        told = ""
        if sep and sep != _NO_SEPARATOR:
            told = f" (read with the separator {sep!r}; --sep gives another)"
        raise CommandError(f"{path} is not a valid CSV file: {exc}{told}") from None
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, ValueError) as exc:
        kind = f"a {path.suffix} file" if path.suffix else "a CSV file"
        raise CommandError(f"{path} cannot be read as {kind}: {exc}") from None
