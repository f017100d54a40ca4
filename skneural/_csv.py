"""CSV files for the command line: read with the standard library, typed by column.

A column is numeric when every present value is a number; the others are
categorical. Empty cells and ``NA`` (and the like) are missing. Every
problem ends in a :class:`CommandError` naming the file, row or column.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

# Cells that mean "no value"; compared after stripping spaces.
MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL"})


class CommandError(Exception):
    """A problem with the user's files or arguments: reported in one line."""


# -- reading CSV files ---------------------------------------------------------
class Table:
    """A CSV file read as text: its path, header and rows (lists of cells)."""

    def __init__(self, path, header, rows):
        self.path, self.header, self.rows = path, header, rows

    def column(self, name):
        return [row[self.header.index(name)] for row in self.rows]


def read_table(path):
    """Read ``path`` with the csv module, checking its shape."""
    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    if path.is_dir():
        raise CommandError(f"{path} is a directory, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            lines = list(csv.reader(f))
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path} is not a UTF-8 text file (byte {exc.start} cannot be decoded)"
        ) from None
    except csv.Error as exc:
        raise CommandError(f"{path} is not a valid CSV file: {exc}") from None
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise CommandError(f"{path} is empty: expected a header row and data rows")
    header = [name.strip() for name in lines[0]]
    for i, name in enumerate(header):
        if not name:
            raise CommandError(f"{path}: column {i + 1} of the header has no name")
        if header.index(name) != i:
            raise CommandError(f"{path}: the header names column {name!r} twice")
    rows = lines[1:]
    if not rows:
        raise CommandError(f"{path} has a header but no data rows")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise CommandError(
                f"{path}, row {number}: {len(row)} fields where the header has "
                f"{len(header)}"
            )
    return Table(path, header, [[cell.strip() for cell in row] for row in rows])


def _number(cell):
    """The float in a cell, NaN for a missing one, None for text."""
    if cell in MISSING:
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def is_numeric(cells):
    return all(_number(cell) is not None for cell in cells)


def feature_matrix(table, features, categorical):
    """An object array: floats (NaN when missing) or strings (NaN when missing)."""
    X = np.empty((len(table.rows), len(features)), dtype=object)
    for j, name in enumerate(features):
        cells = table.column(name)
        if name in categorical:
            X[:, j] = [math.nan if cell in MISSING else cell for cell in cells]
            continue
        for i, cell in enumerate(cells):
            value = _number(cell)
            if value is None:
                raise CommandError(
                    f"{table.path}, row {i + 2}, column {name!r}: {cell!r} is not "
                    "a number, but the column is numeric"
                )
            X[i, j] = value
    return X


def target_labels(table, target):
    cells = table.column(target)
    missing = [i + 2 for i, cell in enumerate(cells) if cell in MISSING]
    if missing:
        rows = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
        raise CommandError(
            f"{table.path}, row {rows}: the target column {target!r} has no value"
        )
    try:  # integer labels sort as numbers, not as text
        return np.array([int(cell) for cell in cells])
    except ValueError:
        return np.array(cells, dtype=object).astype(str)
