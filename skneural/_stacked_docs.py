"""The parameter and attribute entries the two stacked networks' docstrings share."""

# docstrings by ``stacked_doc``: one text for each fact.
_SHARED_DOC = {
    "drop_in": """\
    Its parameters and attributes are a superset of scikit-learn's
    ``{peer}``, ``solver='lbfgs'`` and ``max_fun`` included: renaming
    the class is enough to switch, and with the same arguments and
    ``random_state`` it draws the same initial weights and epoch shuffles.
""",
    "architecture": """\
    hidden_layer_sizes : array-like of int, default=(100,)
        Number of units of each hidden layer; ``()`` for no hidden layer.
    activation : str or list of str, default='relu'
        Activation of the hidden layers, one name for all or one per layer:
        'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', 'gelu'.
""",
    "training": """\
    solver : {'adam', 'sgd', 'lbfgs', 'rmsprop', 'adagrad', 'adamw'}, default='adam'
        The update rule. 'sgd' uses ``momentum`` and ``nesterovs_momentum``;
        'adam' and 'adamw' use ``beta_1``, ``beta_2`` and ``epsilon``;
        'adamw' applies ``alpha`` as decoupled weight decay instead of an L2
        term in the gradient. 'lbfgs' is scipy's L-BFGS-B on the whole data
        set (the same objective and gradient): no minibatches, no learning
        rate, no early stopping and no ``partial_fit``, as in MLPClassifier
        and MLPRegressor.
    alpha : float, default=1e-4
        Strength of the L2 penalty, ``alpha / 2 * ||W||^2`` per unit of sample
        weight (as in MLPClassifier and MLPRegressor).
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
""",
    "dropout": """\
    dropout : float or array-like of float, default=0.0
        Rate of inverted dropout after each hidden layer (training only): one
        rate for all layers or one per layer.
""",
    "weight_init": """\
    weight_init : {'glorot_uniform', 'he_uniform', 'auto'}, default='glorot_uniform'
        Initial weights. 'glorot_uniform' is MLPClassifier's and
        MLPRegressor's: ``U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))``
        (``sqrt(2 / ...)`` when the activation is 'logistic'); 'he_uniform'
        is ``r = sqrt(6 / fan_in)``; 'auto' is He for the ReLU family,
        Glorot otherwise.
""",
    "fitted": """\
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
""",
}


# the four above in the order both signatures list them
_SHARED_DOC["network_parameters"] = "".join(
    _SHARED_DOC[name] for name in ("architecture", "training", "dropout", "weight_init")
)


def stacked_doc(docstring, peer):
    """A stacked network's docstring with the shared entries put in.

    ``peer`` names the scikit-learn estimator the network is a superset of.
    """
    for name, text in _SHARED_DOC.items():
        text = text.replace("{peer}", peer).rstrip("\n").lstrip()
        docstring = docstring.replace(f"%({name})s", text)
    return docstring
