"""Helpers of the command-line tests: run the command here, read its errors."""

import io

from skneural._cli import main


def skneural_here(*args):
    """``skneural ARGS`` in this process; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        status = main([str(a) for a in args], out=out, err=err)
    except SystemExit as exc:  # argparse's --help and usage errors
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(status, stderr, *fragments):
    """A status of 2 and one line naming every fragment, with no numpy repr."""
    assert status == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("skneural: error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "np." not in lines[0]
