"""What the command says: one-line errors, warnings, and output a closed pipe ends.

Messages speak of files, rows and columns by their names, with plain Python
values (never a numpy repr); rows are counted as in a text editor, the
header being row 1.
"""

from __future__ import annotations

import io
import os

# How many names or rows a message lists before it says "..."
_LISTED = 5


class CommandError(Exception):
    """A problem with the user's files or arguments: reported in one line."""


def listing(items, limit=_LISTED):
    """``'a', 'b', 'c', ...``: the first ``limit`` items, quoted when text."""
    shown = [repr(item) if isinstance(item, str) else str(item) for item in items]
    more = ", ..." if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def rows_text(rows):
    """``row 5`` or ``rows 5, 9, ...``."""
    return f"row{'s' if len(rows) > 1 else ''} {listing(rows)}"


def file_row(index):
    """The row of a CSV file holding the data row ``index`` (0-based)."""
    return int(index) + 2


class Output:
    """Lines for the user on one stream, which the reader may close early.

    ``skneural train data.csv | head -1`` closes the pipe after one line;
    the work goes on (the model is still saved) and the later lines are
    dropped quietly instead of ending the command with an error.

    Parameters
    ----------
    stream : file-like
        Where the lines go (standard output or error).
    """

    def __init__(self, stream):
        self.stream = stream
        self.closed = False

    def __call__(self, text=""):
        """Write ``text`` and a newline, unless the reader has gone away."""
        if self.closed:
            return
        try:
            print(text, file=self.stream, flush=True)
        except BrokenPipeError:
            self.closed = True
            silence(self.stream)

    def warn(self, text):
        """Write ``text`` as a warning line."""
        self(f"warning: {text}")


def silence(stream):
    """Point ``stream``'s descriptor at /dev/null, so exiting flushes nothing."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return  # an in-memory stream: nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
