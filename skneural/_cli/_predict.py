"""``skneural predict``: one prediction per row of a CSV file, as CSV.

The file's columns are matched to the model's by name: a missing one is an
error (naming the file's unknown columns beside it, often the same name
mistyped); columns the model does not know are ignored with a warning; the
target column, if present, is ignored quietly. With ``--id COLUMN`` (or
when the model was trained with ``--id`` and the file has that column),
the column is written beside each prediction.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import is_regressor

from ._columns import check_columns, read_features, warn_unseen_categories
from ._messages import CommandError, listing
from ._model_files import fitted_skneural_estimator, load_model
from ._table import read_table
from ._train import relayed_warnings


def prediction_input(model, frame, path, warn, identifier=None):
    """The model's input from ``frame``: its columns by name, checked."""
    columns = getattr(model, "csv_columns_", None)
    if columns is None:  # a model not saved by ``train``: numbers only
        names = getattr(model, "feature_names_in_", None)
        if names is None:
            names = [c for c in frame.columns if c != identifier]
            n_expected = fitted_skneural_estimator(model).n_features_in_
            if len(names) != n_expected:
                raise CommandError(
                    f"{path} has {len(names)} feature columns, the model expects "
                    f"{n_expected}"
                )
        names = [str(name) for name in names]
        check_columns(path, frame, names, {*names, identifier}, warn)
        X, _ = read_features(frame, names, path, warn, numeric=names)
        return X if hasattr(model, "feature_names_in_") else X.to_numpy()
    features = columns["features"]
    numeric = columns.get("numeric")  # older models name the categorical only
    if numeric is None:
        numeric = [name for name in features if name not in columns["categorical"]]
    trained_id, unused = columns.get("id"), columns.get("unused", [])
    known = {*features, columns["target"], trained_id, identifier, *unused}
    check_columns(path, frame, features, known, warn)
    X, _ = read_features(frame, features, path, warn, numeric=numeric)
    warn_unseen_categories(path, X, trained_categories(model), warn)
    return X


def trained_categories(model):
    """Each text column of a model saved by ``train``, mapped to its categories."""
    columns = model.named_steps["columns"]
    for name, transformer, names in columns.transformers_:
        if name == "categorical":
            encoder = transformer[-1]
            return dict(zip(names, encoder.categories_, strict=True))
    return {}


def id_column(args, model, frame):
    """The column written beside the predictions, or None."""
    if args.id is not None:
        if args.id not in frame.columns:
            raise CommandError(
                f"{args.data} has no column {args.id!r} (--id; its columns: "
                f"{listing(frame.columns.tolist(), limit=20)})"
            )
        return args.id
    trained_id = getattr(model, "csv_columns_", {}).get("id")
    return trained_id if trained_id in frame.columns else None


def predict(args, say, err):
    """Run ``skneural predict``; predictions go to ``--out`` or to ``say``'s stream."""
    import pandas as pd

    model = load_model(args.model)
    frame = read_table(args.data, args.sep, args.encoding)
    identifier = id_column(args, model, frame)
    X = prediction_input(model, frame, args.data, err.warn, identifier)
    estimator = fitted_skneural_estimator(model)
    with relayed_warnings(err.warn, estimator):
        labels = model.predict(X)
        proba = None if is_regressor(estimator) else model.predict_proba(X)
    if proba is None:  # a regressor: its value, one column per output
        result = pd.DataFrame(np.reshape(labels, (len(labels), -1)))
        result.columns = (
            ["prediction"]
            if result.shape[1] == 1
            else [f"prediction_{k}" for k in range(result.shape[1])]
        )
    else:
        # probabilities to six digits, which is all they tell; a label or a
        # regressor's value is written whole (the shortest exact form)
        result = pd.DataFrame(
            np.char.mod("%.6g", proba),
            columns=[f"proba_{c}" for c in estimator.classes_.tolist()],
        )
        result.insert(0, "prediction", labels)
    if identifier is not None:
        result.insert(0, identifier, frame[identifier].to_numpy())
    options = {"index": False, "lineterminator": "\n"}
    if not args.out:
        result.to_csv(say.stream, **options)
        return 0
    try:
        result.to_csv(args.out, **options)
    except OSError as exc:
        raise CommandError(f"{args.out}: cannot write ({exc.strerror})") from None
    err(f"wrote {len(labels)} predictions to {args.out}")
    return 0
