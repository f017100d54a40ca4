"""Saving and loading models for the command line (joblib, or skops for ``.skops``)."""

from __future__ import annotations

import warnings
from pathlib import Path

from ._messages import CommandError

# The skops types a model saved by ``train`` may hold besides scikit-learn's,
# which skops trusts already.
SKOPS_TRUSTED = (
    "skneural._logistic.LogisticRegressionGD",
    "skneural._stacked.StackedNetClassifier",
    "skneural._regressor.StackedNetRegressor",
    "numpy.dtype",
    # scikit-learn 1.6's record of a ColumnTransformer's remaining columns,
    # which older skops releases do not trust yet
    "sklearn.compose._column_transformer._RemainderColsList",
)


# -- saving and loading --------------------------------------------------------
def _is_skops(path):
    return str(path).endswith(".skops")


def _skops():
    try:
        import skops.io
    except ImportError:
        raise CommandError(
            "the .skops format needs skops, from the [cli] extra: "
            'pip install "skneural[cli]" (or save to a .joblib file)'
        ) from None
    return skops.io


def save_model(model, path):
    try:
        if _is_skops(path):
            _skops().dump(model, path)
        else:
            import joblib

            joblib.dump(model, path)
    except OSError as exc:
        raise CommandError(f"{path}: cannot write the model ({exc.strerror})") from None


def load_model(path):
    """Load a model saved by ``train`` (or any fitted skneural estimator)."""
    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    try:
        if _is_skops(path):
            sio = _skops()
            untrusted = sio.get_untrusted_types(file=path)
            foreign = [t for t in untrusted if t not in SKOPS_TRUSTED]
            if foreign:
                raise CommandError(
                    f"{path} is not a skneural model: it holds types "
                    f"{', '.join(foreign)} that a skneural model does not"
                )
            model = sio.load(path, trusted=untrusted)
        else:
            import joblib

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = joblib.load(path)
    except CommandError:
        raise
    except Exception:  # any unreadable file ends the same way
        raise CommandError(
            f"{path} is not a saved skneural model (it cannot be read as a "
            f"{'.skops' if _is_skops(path) else 'joblib'} file)"
        ) from None
    if fitted_skneural_estimator(model) is None:
        raise CommandError(f"{path} is not a skneural model: it holds {_held(model)}")
    return model


def _held(model):
    """What a file that is no fitted skneural model holds, for the message."""
    from .._base import BaseGDEstimator
    from ._estimators import skneural_step

    steps = getattr(model, "steps", None)
    last = steps[-1][1] if steps else model  # a Pipeline: what it ends in
    name = repr(last) if isinstance(last, str) else type(last).__name__
    if isinstance(skneural_step(last), BaseGDEstimator):
        name = f"an unfitted {name}"
    elif not isinstance(last, str):
        name = f"a {name}"
    return f"a {type(model).__name__} ending in {name}" if steps else name


def fitted_skneural_estimator(model):
    """The fitted skneural estimator in ``model`` (itself or a Pipeline's last
    step, inside a target transform for regression), or None."""
    from sklearn.pipeline import Pipeline

    from .._base import BaseGDEstimator
    from ._estimators import skneural_step

    if isinstance(model, Pipeline) and model.steps:
        model = model.steps[-1][1]
    model = skneural_step(model)
    if isinstance(model, BaseGDEstimator) and model.__sklearn_is_fitted__():
        return model
    return None
