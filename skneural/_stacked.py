"""StackedNetClassifier: dense blocks stacked with activations between them."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.metrics import accuracy_score, get_scorer, get_scorer_names
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from ._activations import ACTIVATIONS, RELU_FAMILY
from ._base import Architecture, BaseGDClassifier, fit_context
from ._lbfgs import LbfgsTraining
from ._optimizers import SGD, Adagrad, Adam, RMSprop
from ._training import TrainingLoop


class StackedNetClassifier(BaseGDClassifier):
    """Stacked dense layers trained by minibatch gradient descent.

    Each hidden layer is a dense block ``z = a W + b`` followed by a
    non-linear activation; the last block's scores go through a sigmoid
    (two classes, or one per label) or a softmax and a cross-entropy loss.
    With ``hidden_layer_sizes=()`` it is logistic regression, on the same
    engine as :class:`LogisticRegressionGD`.

    Its parameters and attributes are a superset of scikit-learn's
    ``MLPClassifier``, ``solver='lbfgs'`` and ``max_fun`` included: renaming
    the class is enough to switch, and with the same arguments and
    ``random_state`` it draws the same initial weights and epoch shuffles.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Number of units of each hidden layer; ``()`` for no hidden layer.
    activation : str or list of str, default='relu'
        Activation of the hidden layers, one name for all or one per layer:
        'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', 'gelu'.
    solver : {'adam', 'sgd', 'lbfgs', 'rmsprop', 'adagrad', 'adamw'}, default='adam'
        The update rule. 'sgd' uses ``momentum`` and ``nesterovs_momentum``;
        'adam' and 'adamw' use ``beta_1``, ``beta_2`` and ``epsilon``;
        'adamw' applies ``alpha`` as decoupled weight decay instead of an L2
        term in the gradient. 'lbfgs' is scipy's L-BFGS-B on the whole data
        set (the same objective and gradient): no minibatches, no learning
        rate, no early stopping and no ``partial_fit``, as in MLPClassifier.
    alpha : float, default=1e-4
        Strength of the L2 penalty, ``alpha / 2 * ||W||^2`` per unit of sample
        weight (as in MLPClassifier; ``1 / C`` of LogisticRegression).
    batch_size : int or 'auto', default='auto'
        Minibatch size; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, default='constant'
        Schedule of the learning rate over epochs, for every solver:
        'invscaling' is ``lr_0 / (t + 1) ** power_t`` (``t`` samples seen);
        'adaptive' divides it by 5 whenever the loss stalls;
        'cosine' decays it along half a cosine wave over ``max_iter`` epochs.
    learning_rate_init : float, default=1e-3
        Initial learning rate.
    power_t : float, default=0.5
        Exponent of 'invscaling'.
    max_iter : int, default=200
        Maximum number of epochs (of iterations for 'lbfgs') of each call to
        ``fit``.
    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, shuffling, dropout and the validation split.
    tol : float, default=1e-4
        Improvement of the loss (or validation score) below which an epoch
        counts as no improvement; for 'lbfgs', the tolerance on the largest
        gradient entry (scipy's ``gtol``).
    verbose : bool, default=False
        Whether to print the loss (and validation score) at each epoch.
    warm_start : bool, default=False
        Whether ``fit`` continues from the previous solution.
    momentum : float, default=0.9
        Momentum of 'sgd'.
    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.
    early_stopping : bool, default=False
        Whether to stop when the validation score stops improving; the
        parameters of the best validation epoch are kept.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping (unless
        ``X_val`` is given to ``fit``).
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float, default=1e-8
        Numerical stability term of the adaptive solvers.
    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement (by ``tol``) before stopping; ``np.inf``
        never stops early.
    max_fun : int, default=15000
        Most evaluations of the objective for 'lbfgs'.
    dropout : float or array-like of float, default=0.0
        Rate of inverted dropout after each hidden layer (training only): one
        rate for all layers or one per layer.
    class_weight : dict or 'balanced', default=None
        Weights multiplying each class's samples.
    weight_init : {'glorot_uniform', 'he_uniform', 'auto'}, default='glorot_uniform'
        Initial weights. 'glorot_uniform' is MLPClassifier's: ``U(-r, r)``
        with ``r = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` when the
        activation is 'logistic'); 'he_uniform' is ``r = sqrt(6 / fan_in)``;
        'auto' is He for the ReLU family, Glorot otherwise.
    scoring : str, callable or None, default=None
        What early stopping watches on the validation set: None is accuracy,
        'loss' the validation log-loss, or a scikit-learn scorer name or
        callable ``scorer(estimator, X, y)``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (``arange(n_labels)`` for multilabel targets).
    loss_ : float
        The loss of the last epoch (the final objective for 'lbfgs').
    best_loss_ : float or None
        The lowest training loss; None when early stopping is on.
    loss_curve_ : list of float
        The training loss of each epoch (of each iteration for 'lbfgs',
        where MLPClassifier has no curve).
    validation_scores_ : list of float or None
        Validation score of each epoch when early stopping is on, else None.
    validation_loss_curve_ : list of float or None
        Validation log-loss of each epoch when early stopping is on, else None.
    best_validation_score_ : float or None
        The best validation score when early stopping is on, else None.
    t_ : int
        Number of training samples seen.
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape ``(fan_in, fan_out)`` of the i-th block.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` has shape ``(fan_out,)``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Number of epochs run by the last call to ``fit`` or ``partial_fit``.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        'logistic' or 'softmax'.
    activations_ : tuple of str
        The activation of each hidden layer, as fitted.

    See Also
    --------
    LogisticRegressionGD : The zero-hidden-layer network with ``C``.
    sklearn.neural_network.MLPClassifier : The model this one extends.

    Notes
    -----
    The training objective of a minibatch ``B`` is::

        (sum_{i in B} s_i CE(y_i, p_i) + alpha / 2 * sum_l ||W_l||^2) / sum_{i in B} s_i

    where ``s_i`` is the sample weight times the class weight.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skneural import StackedNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = StackedNetClassifier(hidden_layer_sizes=(16,), max_iter=50,
    ...                            learning_rate_init=0.01, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> [w.shape for w in clf.coefs_]
    [(4, 16), (16, 3)]
    >>> clf.n_layers_
    3
    """

    _parameter_constraints: dict = {
        **BaseGDClassifier._parameter_constraints,
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS)), list, tuple],
        "solver": [StrOptions({"lbfgs", "sgd", "adam", "rmsprop", "adagrad", "adamw"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "weight_init": [StrOptions({"auto", "glorot_uniform", "he_uniform"})],
        "scoring": [None, StrOptions({"loss"} | set(get_scorer_names())), callable],
    }
    _supports_multilabel = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        class_weight=None,
        weight_init="glorot_uniform",
        scoring=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.class_weight = class_weight
        self.weight_init = weight_init
        self.scoring = scoring

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
        activation's without hidden layers), as MLPClassifier scales every
        block by its one ``activation``.
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

    def _make_loop(self, network, X, Y, sw, rng, incremental, optimizer_state):
        if self.solver == "lbfgs":
            return LbfgsTraining(
                network,
                X,
                Y,
                sw,
                l2=self.alpha,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                verbose=bool(self.verbose),
            )
        n = X.shape[0]
        if self.batch_size == "auto":
            batch = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(
                    f"Got `batch_size` larger than the sample size ({n}). It is "
                    "going to be clipped.",
                    stacklevel=4,
                )
            batch = min(self.batch_size, n)
        return TrainingLoop(
            network,
            X,
            Y,
            sw,
            solver=self._make_solver(network, X.dtype, optimizer_state),
            l2=0.0 if self.solver == "adamw" else self.alpha,
            learning_rate_init=self.learning_rate_init,
            schedule=self.learning_rate,
            power_t=self.power_t,
            batch_size=batch,
            shuffle=self.shuffle,
            rng=rng,
            dropout_rng=rng if any(network.dropout) else None,
            max_iter=1 if incremental else self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
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

        def split(X, y, Y, sw, rng, network, classes_, multilabel):
            if X_val is None:
                # MLPClassifier's split, drawn from the same stream: stratified
                # on the encoded target when it is a single column (two
                # classes), not otherwise
                train, val = train_test_split(
                    np.arange(X.shape[0]),
                    test_size=self.validation_fraction,
                    random_state=rng,
                    stratify=Y if Y.shape[1] == 1 else None,
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
                    accept_sparse=("csr", "csc"),
                    dtype=X.dtype,
                    reset=False,
                )
                _, yv, _ = self._validate_xy(Xv, y_val, reset=False)
                Yv = self._encode(yv, classes_, multilabel)
                swv = self._sample_weight(sample_weight_val, Xv, yv, classes_, X.dtype)
            Yv = Yv.astype(bool, copy=False)
            return X, Y, sw, self._validation_scorer(network, Xv, yv, Yv, swv)

        return split

    def _validation_scorer(self, network, X_val, y_val, Y_val, sw_val):
        s_total = X_val.shape[0] if sw_val is None else float(sw_val.sum())
        if s_total <= 0:
            raise ValueError(
                "The validation set has no sample of positive weight, so it "
                "cannot score the model. Give more samples a positive "
                "sample_weight or change validation_fraction or random_state."
            )

        def validate():
            z = network.forward(self.coefs_, self.intercepts_, X_val)[0]
            val_loss = network.loss.loss(z, Y_val, sw_val) / s_total
            if self.scoring == "loss":
                return -val_loss, val_loss
            if self.scoring is None:
                accuracy = accuracy_score(y_val, self._labels(z), sample_weight=sw_val)
                return accuracy, val_loss
            with warnings.catch_warnings():
                # the held-out rows are an array split off the validated data:
                # there are no feature names left to check them against
                warnings.filterwarnings(
                    "ignore", message="X does not have valid feature"
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
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        X_val, y_val : array-like, default=None
            A validation set for early stopping, replacing the
            ``validation_fraction`` split; needs ``early_stopping=True``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : StackedNetClassifier
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.early_stopping and self.scoring not in (None, "loss"):
            # a scorer need not take an indicator matrix (balanced accuracy
            # does not): only the default scorings are known to
            tags.classifier_tags.multi_label = False
        return tags

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

    @available_if(_has_stochastic_solver)
    @fit_context
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch of minibatch updates on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            Every class; required on the first call (except for multilabel
            targets), optional (and then checked) afterwards.

        Returns
        -------
        self : StackedNetClassifier
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)
