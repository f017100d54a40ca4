"""The ``skneural`` command line: the demo, ``train`` and ``predict`` on CSV files.

``_main`` parses the arguments and runs a command; ``_table`` reads a CSV file
with pandas; ``_columns`` decides which columns are numeric and what a cell
that is no number means; ``_train`` and ``_predict`` are the two commands;
``_model_files`` saves and loads models; ``_messages`` holds the one-line
error and the output that survives a closed pipe. Only the demo runs without
the ``[cli]`` extra (pandas, skops).
"""

from ._main import main

__all__ = ["main"]
