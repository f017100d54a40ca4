"""What every stacked network shares, classifier and regressor alike.

The hooks that read MLPClassifier's and MLPRegressor's hyperparameters (and
the package's extra ones; ``_stacked_parameters.py`` holds their defaults
and constraints): the architecture, the initial weights,
the solver, the training loop, the early-stopping validation set and the
fitted attributes. A task (``_classification.py``, ``_regressor.py``) adds
its targets, its loss and its default validation score.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import validate_data

from ._base import SPARSE_FORMATS, Architecture, fit_context
from ._engine.activations import ACTIVATIONS, RELU_FAMILY
from ._engine.lbfgs import LbfgsTraining
from ._engine.losses import total_weight
from ._engine.optimizers import SGD, Adagrad, Adam, RMSprop
from ._engine.schedules import LearningRate
from ._engine.solvers import MinibatchSolver, batch_size
from ._engine.training import TrainingLoop
from ._stacked_parameters import STACKED_CONSTRAINTS


class StackedNetMixin:
    """Hyperparameters and hooks of a stack of dense layers (no task)."""

    _parameter_constraints: dict = STACKED_CONSTRAINTS

    # -- hooks -------------------------------------------------------------------
    def _architecture(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.isscalar(sizes) else list(sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {sizes}."
            )
        n_hidden = len(sizes)
        activations = self._per_layer("activation", self.activation, n_hidden)
        unknown = [a for a in activations if a not in ACTIVATIONS]
        if unknown:
            raise ValueError(
                f"activation {unknown[0]!r} is not one of {sorted(ACTIVATIONS)}."
            )
        rates = [float(r) for r in self._per_layer("dropout", self.dropout, n_hidden)]
        if not all(0 <= r < 1 for r in rates):
            raise ValueError(f"dropout rates must be in [0, 1), got {rates}.")
        return Architecture(
            tuple(int(s) for s in sizes),
            tuple(str(a) for a in activations),
            tuple(rates),
        )

    def _store_architecture(self, architecture):
        self.activations_ = architecture.activations

    def _fitted_activations(self):
        return self.activations_

    def __setstate__(self, state):
        # a model saved before the hidden activations were fitted state: they
        # are those its hyperparameters named when it was fitted
        if "coefs_" in state and "activations_" not in state:
            n_hidden = len(state["coefs_"]) - 1
            activation = state["activation"]
            state["activations_"] = tuple(
                self._per_layer("activation", activation, n_hidden)
            )
        super().__setstate__(state)

    def _per_layer(self, name, value, n_hidden):
        if isinstance(value, str) or np.isscalar(value):
            return [value] * n_hidden
        value = list(value)
        if len(value) != n_hidden:
            raise ValueError(
                f"{name} has {len(value)} entries but there are {n_hidden} hidden "
                "layers; give one value, or one per hidden layer."
            )
        return value

    def _init_methods(self, architecture):
        """One init method per block, from the activation the block feeds.

        The output block takes the last hidden activation's (the single
        activation's without hidden layers), as MLPClassifier and
        MLPRegressor scale every block by their one ``activation``.
        """
        hidden = architecture.activations
        if hidden:
            last = hidden[-1]
        else:
            last = self.activation if isinstance(self.activation, str) else "identity"
        methods = []
        for activation in [*hidden, last]:
            if self.weight_init == "he_uniform" or (
                self.weight_init == "auto" and activation in RELU_FAMILY
            ):
                methods.append("he_uniform")
            elif activation == "logistic":
                methods.append("glorot_uniform_logistic")
            else:
                methods.append("glorot_uniform")
        return methods

    def _make_solver(self, network, dtype, state):
        n = network.n_params
        if self.solver == "sgd":
            return SGD(n, dtype, self.momentum, self.nesterovs_momentum, state=state)
        if self.solver == "rmsprop":
            return RMSprop(n, dtype, epsilon=self.epsilon, state=state)
        if self.solver == "adagrad":
            return Adagrad(n, dtype, epsilon=self.epsilon, state=state)
        decay = self.alpha if self.solver == "adamw" else 0.0
        return Adam(
            n,
            dtype,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            weight_decay=decay,
            n_decayed=network.n_coef,
            state=state,
        )

    def _make_loop(self, network, X, Y, sw, rng, incremental, state, hooks):
        max_epochs = self._max_epochs(incremental)
        if self.solver == "lbfgs":
            return LbfgsTraining(
                network,
                X,
                Y,
                sw,
                l2=self.alpha,
                max_iter=max_epochs,
                max_fun=self.max_fun,
                tol=self.tol,
                verbose=bool(self.verbose),
                hooks=hooks,
            )
        n = X.shape[0]
        if self.batch_size != "auto" and self.batch_size > n:
            warnings.warn(
                f"Got `batch_size` larger than the sample size ({n}). It is "
                "going to be clipped.",
                stacklevel=4,
            )
        # AdamW decays the weights itself, outside the gradient
        l2 = 0.0 if self.solver == "adamw" else self.alpha
        rate = LearningRate(
            self.learning_rate_init,
            self.learning_rate,
            self.power_t,
            n_epochs=max_epochs,
            value=state.history.learning_rate,
        )
        solver = MinibatchSolver(
            network,
            self._make_solver(network, X.dtype, state.optimizer_state),
            X,
            Y,
            sw,
            batch_size(self.batch_size, n),
            rate,
            l2=l2,
            shuffle_rng=rng if self.shuffle else None,
            dropout_rng=rng if network.stochastic else None,
        )
        return TrainingLoop(
            network,
            solver,
            n,
            sw,
            l2=l2,
            max_iter=max_epochs,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            hooks=hooks,
            verbose=bool(self.verbose),
            warn_max_iter=not incremental,
        )

    def _fitted_params(self):
        return self.coefs_, self.intercepts_

    def _store_params(self, weights, biases):
        self.coefs_ = weights
        self.intercepts_ = biases
        self.n_layers_ = len(weights) + 1
        self.n_outputs_ = weights[-1].shape[1]
        self.out_activation_ = self._output_loss().out_activation

    @property
    def _no_improvement_count(self):
        """MLPClassifier's name for the fit record's count of epochs without
        improvement (read by scikit-learn's own tests of its MLPs)."""
        return self._continuity().get("no_improvement_count", 0)

    def _history(self, incremental):
        history = super()._history(incremental)
        history.validation_scores = list(self.validation_scores_ or [])
        history.validation_loss_curve = list(self.validation_loss_curve_ or [])
        if self.best_validation_score_ is not None:
            history.best_validation_score = self.best_validation_score_
        return history

    def _store_history(self, history):
        super()._store_history(history)
        self.t_ = history.samples_seen
        self.loss_ = history.loss_curve[-1] if history.loss_curve else np.nan
        tracked = bool(history.validation_scores)
        self.best_loss_ = None if tracked else history.best_loss
        self.validation_scores_ = history.validation_scores if tracked else None
        self.validation_loss_curve_ = history.validation_loss_curve if tracked else None
        self.best_validation_score_ = history.best_validation_score if tracked else None

    # -- validation set --------------------------------------------------------------
    def _validation(self, X_val, y_val, sample_weight_val):
        """A function splitting off (or taking) the early-stopping validation set."""

        def split(X, y, Y, sw, rng, network, task):
            if X_val is None:
                # MLPClassifier's and MLPRegressor's split, drawn from the
                # same stream (stratified as the task says)
                train, val = train_test_split(
                    np.arange(X.shape[0]),
                    test_size=self.validation_fraction,
                    random_state=rng,
                    stratify=self._stratify(Y),
                )
                if len(val) < 2:
                    raise ValueError(
                        "The validation set is too small. Increase "
                        "'validation_fraction' or the size of your dataset."
                    )
                Xv, yv, Yv = X[val], y[val], Y[val]
                swv = None if sw is None else sw[val]
                X, Y, sw = X[train], Y[train], None if sw is None else sw[train]
            else:
                Xv = validate_data(
                    self,
                    X_val,
                    accept_sparse=SPARSE_FORMATS,
                    dtype=X.dtype,
                    reset=False,
                )
                _, yv, _ = self._validate_xy(Xv, y_val, reset=False)
                Yv = self._encode_targets(yv, task, X.dtype)
                swv = self._sample_weight(sample_weight_val, Xv, yv, task, X.dtype)
            return X, Y, sw, self._validation_scorer(network, Xv, yv, Yv, swv)

        return split

    def _validation_scorer(self, network, X_val, y_val, Y_val, sw_val):
        s_total = total_weight(X_val.shape[0], sw_val)
        if s_total <= 0:
            raise ValueError(
                "The validation set has no sample of positive weight, so it "
                "cannot score the model. Give more samples a positive "
                "sample_weight or change validation_fraction or random_state."
            )

        def validate(state):
            # the estimator holds this epoch's model (the loop's publish hook):
            # the task's predictions and a scorer read it
            z = network.raw_scores(state.theta, X_val)
            val_loss = network.loss.loss(z, Y_val, sw_val) / s_total
            if self.scoring == "loss":
                return -val_loss, val_loss
            if self.scoring is None:
                score = self._default_score(y_val, self._predictions(z), sw_val)
                return score, val_loss
            with warnings.catch_warnings():
                # the held-out rows are an array split off the validated data:
                # there are no feature names left to check them against, and
                # scikit-learn's validation would warn that they are missing
                warnings.filterwarnings(
                    "ignore", category=UserWarning, module=r"sklearn\.utils\.validation"
                )
                return scorer(self, X_val, y_val, **weights), val_loss

        scorer = self.scoring
        if isinstance(scorer, str) and scorer != "loss":
            scorer = get_scorer(scorer)
        # every scorer sees the validation weights (class weights included)
        weights = {} if sw_val is None else {"sample_weight": sw_val}

        return validate

    # -- public API ------------------------------------------------------------
    @fit_context
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels or a multilabel indicator matrix (classifier);
            real targets, one column per output (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        X_val, y_val : array-like, default=None
            A validation set for early stopping, replacing the
            ``validation_fraction`` split; needs ``early_stopping=True``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together.")
        if X_val is not None and not self.early_stopping:
            raise ValueError(
                "X_val is only used for early stopping; set early_stopping=True."
            )
        if sample_weight_val is not None and X_val is None:
            raise ValueError("sample_weight_val needs X_val and y_val.")
        validation = (
            self._validation(X_val, y_val, sample_weight_val)
            if self.early_stopping and self.solver != "lbfgs"
            else None
        )
        return self._fit(X, y, sample_weight, validation=validation)

    def _check_call(self, incremental):
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        super()._check_call(incremental)

    def _has_stochastic_solver(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers; "
                "'lbfgs' works on the whole data set at once."
            )
        return True
