"""LogisticRegressionGD: logistic regression as a one-layer network."""

from __future__ import annotations

import functools
import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import fit_context, reject_unknown_keywords, store_hyperparameters
from ._classification import BaseGDClassifier
from ._engine.conjugate_gradient import ConjugateGradientLinearModel, score_line
from ._engine.full_batch import AcceleratedLinearModel, ProximalGradient
from ._engine.losses import total_weight
from ._engine.optimizers import SGD
from ._engine.schedules import LearningRate
from ._engine.solvers import FullBatchSolver, MinibatchSolver, batch_size
from ._engine.step_size import automatic_learning_rate, link_curvature
from ._engine.training import TrainingLoop

# Epochs without an improvement of the objective by ``tol`` after which
# stochastic descent divides its step by 5 (MLPClassifier's default patience).
_SGD_PATIENCE = 10
# What solver='auto' runs without an L1 term: the fastest full-batch solver
# to lbfgs's optimum on the three data sets of benchmarks/run.py.
_AUTO_SOLVER = "cg"
# LogisticRegression's ``penalty``: here l1_ratio and C say it all.
_PENALTY_HINT = (
    "the penalty is set by l1_ratio (0: L2, the default; 1: L1; in between: "
    "elastic-net) and C (np.inf: none), as LogisticRegression's since "
    "scikit-learn 1.8"
)


class LogisticRegressionGD(BaseGDClassifier):
    """Logistic regression trained by explicit gradient descent.

    The model separates the classes with a plane: the distance to it,
    ``z = x . w + b``, goes through a sigmoid (a softmax for more than two
    classes) to become a probability, and the cross-entropy measures how bad
    those probabilities are. Gradient descent then tweaks ``w`` and ``b``.
    In the code it is a network with a single dense block and no hidden
    layer: the same engine as :class:`StackedNetClassifier`.

    It minimises exactly the objective of scikit-learn's
    ``LogisticRegression``, so both reach the same optimum.

    Parameters
    ----------
    C : float, default=1.0
        Inverse of the regularisation strength; ``np.inf`` for no penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing: 0 is a pure L2 penalty, 1 a pure L1 penalty.
    fit_intercept : bool, default=True
        Whether to learn the intercept ``b`` (never penalised).
    class_weight : dict or 'balanced', default=None
        Weights multiplying each class's samples; 'balanced' uses
        ``n_samples / (n_classes * np.bincount(y))``.
    solver : {'auto', 'gd', 'agd', 'cg', 'sgd'}, default='auto'
        'gd' is plain full-batch gradient descent, ``w := w - lr * grad``;
        'agd' accelerates it with Nesterov momentum, restarted whenever the
        momentum points uphill; 'cg' (conjugate gradients) moves along the
        negative gradient plus a multiple of the previous step, by the step
        that minimises the objective along that line; 'sgd' takes one step
        per minibatch. L1 terms are handled by a proximal (soft-threshold)
        step; 'cg' has none and runs 'agd' when ``l1_ratio > 0``. 'auto'
        runs 'cg' without an L1 term and 'agd' with one: on the benchmark's
        three data sets 'cg' reaches lbfgs's optimum in about as many
        passes over the data as lbfgs, half those of 'agd'.
    learning_rate : float or 'auto', default='auto'
        The step size. 'auto' derives ``1 / L`` from the smoothness ``L`` of
        the loss (a power-iteration estimate of the largest eigenvalue of
        ``X^T X``) and, for the full-batch solvers, adapts it by a
        backtracking line search, so it needs no tuning. 'cg' needs no
        estimate: its first trial step is the Newton step along the first
        direction with the link's curvature at zero scores (1/4 for the
        sigmoid, 1/K for K classes) in place of the true one; its line
        search takes it from there, and each later search starts from the
        Newton step with the true curvature. A number given here replaces
        the first search's first trial.
    batch_size : int, default=None
        Minibatch size of 'sgd' and ``partial_fit``; None means
        ``min(200, n_samples)``. The full-batch solvers use every sample.
    shuffle : bool, default=True
        Whether 'sgd' shuffles the samples at each epoch.
    max_iter : int, default=1000
        Maximum number of iterations (epochs for 'sgd').
    tol : float, default=1e-4
        Full-batch solvers stop when the largest entry of the (proximal)
        gradient is below ``tol``. 'sgd' divides its step by 5 whenever the
        objective has not improved by ``tol`` for 10 consecutive epochs
        (MLPClassifier's ``n_iter_no_change`` and ``tol``), and stops at
        such a stall once the step is below 1e-6.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling of 'sgd'.
    warm_start : bool, default=False
        Whether ``fit`` starts from the previous solution.
    verbose : int, default=0
        Whether to print the objective at each iteration.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights; one row for two classes (the positive class ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    n_iter_ : int
        Number of iterations (epochs) run by the last ``fit``.
    loss_curve_ : list of float
        The objective at each iteration, divided by the total sample weight.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    StackedNetClassifier : Stacked dense layers on the same engine.
    sklearn.linear_model.LogisticRegression : The same objective, solved by
        quasi-Newton and coordinate methods.

    Notes
    -----
    The objective, for sample weights ``s_i`` (times class weights) and
    ``r = l1_ratio``, is::

        C * sum_i s_i * CE(y_i, softmax(W x_i + b))
            + (1 - r) / 2 * ||W||_2^2 + r * ||W||_1

    with the sigmoid in place of the softmax for two classes.

    'cg' iterates ``d := -grad + beta * d`` and ``w := w + t * d``: ``beta``
    by the Polak-Ribiere+ rule, ``t`` where the slope along ``d`` vanishes,
    found on the scores ``z + t X d`` without another product with ``X``.

    'sgd' minimises the same objective: each minibatch carries the
    penalty's share of its samples (its size over the number of samples), L1's
    proximal step likewise, so that the minibatch objectives average to the
    objective. A constant step would leave the iterates wandering in a ball
    around the optimum as wide as the step; the step is therefore divided
    by 5 at every stall of the objective, which shrinks the ball to the
    optimum. Its first step, ``1 / L_b``, uses the expected smoothness of a
    minibatch of ``b`` samples, which lies between the whole objective's and
    a single sample's (the largest squared row norm), so that small
    batches do not diverge. On the standardised breast-cancer and wine data
    (``batch_size=32``, ``tol=1e-8``) it comes within 1 % of the optimal
    objective in 130 to 340 epochs, L2 or L1; a full-batch solver gets
    there far sooner and tighter.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skneural import LogisticRegressionGD
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegressionGD(C=10).fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> round(float(clf.predict_proba(X[:1]).sum()), 12)
    1.0
    """

    _parameter_constraints: dict = {
        **BaseGDClassifier._parameter_constraints,
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "gd", "agd", "cg", "sgd"})],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __new__(cls, *args, **kwargs):
        # before Python's bare TypeError: a typo's close match, and what
        # LogisticRegression's ``penalty=`` is here
        parameters = _keyword_parameters(cls)
        if parameters is not None:
            reject_unknown_keywords(
                cls.__name__, kwargs, parameters, {"penalty": _PENALTY_HINT}
            )
        return super().__new__(cls)

    def __init__(
        self,
        *,
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        class_weight=None,
        solver="auto",
        learning_rate="auto",
        batch_size=None,
        shuffle=True,
        max_iter=1000,
        tol=1e-4,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        # stored unchanged, as scikit-learn's get_params and clone expect
        store_hyperparameters(self, locals())

    # -- hooks -------------------------------------------------------------------
    def _init_methods(self, architecture):
        return ["zeros"]

    def _penalty(self):
        """``(l2, l1)`` strengths per unit of sample weight."""
        if np.isinf(self.C):
            return 0.0, 0.0
        return (1 - self.l1_ratio) / self.C, self.l1_ratio / self.C

    def _make_loop(self, network, X, Y, sw, rng, incremental, state, hooks):
        l2, l1 = self._penalty()
        minibatch = incremental or self.solver == "sgd"
        batch = batch_size(self.batch_size, X.shape[0]) if minibatch else None
        auto = self.learning_rate == "auto"
        step = self.learning_rate
        # conjugate gradients bound their first step on their own line
        if auto and (minibatch or self._solver_used() != "cg"):
            step = automatic_learning_rate(
                network.loss,
                network.layer_sizes[-1],
                X,
                sw,
                l2,
                self.fit_intercept,
                batch_size=batch,
            )
        if minibatch:
            rate = LearningRate(
                step,
                # a constant step wanders in a ball around the optimum, as
                # wide as the step: shrink it whenever the objective stalls
                "constant" if incremental else "adaptive",
                n_epochs=self._max_epochs(incremental),
                value=state.history.learning_rate,
            )
            solver = MinibatchSolver(
                *(network, SGD(network.n_params, X.dtype), X, Y, sw, batch, rate),
                l2=l2,
                l1=l1,
                penalty_share=True,
                shuffle_rng=rng if self.shuffle else None,
            )
        else:
            # laid out like the output scores (column-major) for the loss's
            # elementwise work on whole arrays
            rule = self._full_batch_rule(network, X, np.asfortranarray(Y), sw, step)
            solver = FullBatchSolver(rule, network, X, sw, l1)
        return TrainingLoop(
            *(network, solver, X.shape[0], sw),
            l2=l2,
            l1=l1,
            max_iter=self._max_epochs(incremental),
            tol=self.tol,
            # the line-searched solvers stop on their own test, not on stalls
            n_iter_no_change=_SGD_PATIENCE if minibatch else np.inf,
            hooks=hooks,
            verbose=bool(self.verbose),
            warn_max_iter=not incremental,
        )

    def _solver_used(self):
        """The full-batch solver a fit runs: 'auto' and 'cg' resolved.

        'cg' has no proximal step: with an L1 term it falls back to 'agd'.
        """
        solver = self.solver
        l1 = self._penalty()[1]
        if solver == "auto":
            return "agd" if l1 else _AUTO_SOLVER
        if solver == "cg" and l1:
            return "agd"
        return solver

    def _full_batch_rule(self, network, X, Y, sw, step):
        """The iterate-rule of the full-batch solver; ``step`` its first step.

        With ``learning_rate='auto'`` a line search adapts the step; a
        fixed rate keeps it.
        """
        line_search = self.learning_rate == "auto"
        l2, l1 = self._penalty()
        s_total = total_weight(X.shape[0], sw)
        n_coef = network.n_coef
        solver = self._solver_used()
        if solver == "gd":
            return ProximalGradient(
                lambda theta: network.objective_gradient(
                    theta, X, Y, sample_weight=sw, l2=l2
                ),
                step,
                l1 / s_total,
                n_coef,
                line_search=line_search,
            )
        # one dense block: the scores are linear in the parameters
        smooth = lambda theta, z: network.linear_objective_gradient(  # noqa: E731
            theta, X, z, Y, sw, l2
        )
        scores = lambda theta: network.linear_scores(theta, X)  # noqa: E731
        if solver == "cg":
            return ConjugateGradientLinearModel(
                smooth,
                scores,
                lambda z, rate, theta, d: score_line(
                    network.loss,
                    Y,
                    sw,
                    l2,
                    s_total,
                    z,
                    rate,
                    theta[:n_coef],
                    d[:n_coef],
                ),
                None if step == "auto" else step,
                # X^T grad_z: the single block's backward pass
                lambda theta, grad_z, out: network.linear_gradient(
                    theta, X, grad_z, out
                ),
                curvature=link_curvature(
                    network.loss, network.layer_sizes[-1], at_start=True
                ),
            )
        return AcceleratedLinearModel(
            smooth,
            step,
            l1 / s_total,
            n_coef,
            line_search=line_search,
            value=lambda theta, z: network.objective_at_scores(theta, z, Y, sw, l2),
            scores=scores,
        )

    def _start_state(self, network, architecture, rng, dtype, first_call, incremental):
        state = super()._start_state(
            network, architecture, rng, dtype, first_call, incremental
        )
        if not self.fit_intercept:  # a warm start without intercept: zero, as fresh
            state.theta[network.n_coef :] = 0
        return state

    def _fitted_params(self):
        return [self.coef_.T], [self.intercept_]

    def _store_params(self, weights, biases):
        # the single dense block's weights, transposed to scikit-learn's layout
        self.coef_ = weights[0].T
        self.intercept_ = biases[0]

    # -- public API ------------------------------------------------------------
    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,)
            Class labels (ints, strings, bools...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples, multiplied by the class
            weights.

        Returns
        -------
        self : LogisticRegressionGD
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @fit_context
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch of minibatch stochastic descent on ``(X, y)``.

        Whatever the ``solver``, the update is the stochastic one: the
        full-batch solvers need the whole data set at once.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            Every class; required on the first call, optional (and then
            checked) afterwards.

        Returns
        -------
        self : LogisticRegressionGD
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def decision_function(self, X):
        """Signed distance to the separating plane(s), ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to place against the plane(s).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Positive scores favour ``classes_[1]`` for two classes.
        """
        z = self._raw_scores(X)
        return z[:, 0] if z.shape[1] == 1 else z


@functools.cache
def _keyword_parameters(cls):
    """The names ``cls.__init__`` accepts, read once per class; None when it
    takes ``**kwargs`` (a subclass that forwards what it is given)."""
    parameters = inspect.signature(cls.__init__).parameters
    if any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        return None
    return tuple(parameters)


# inspect.signature(LogisticRegressionGD), which scikit-learn's checks read,
# looks at __new__ before __init__: let it see __init__'s parameters
LogisticRegressionGD.__new__.__signature__ = inspect.signature(
    LogisticRegressionGD.__init__
)
