"""StackedNetClassifier: dense blocks stacked with activations between them."""

from __future__ import annotations

from sklearn.metrics import accuracy_score
from sklearn.utils.metaestimators import available_if

from ._base import fit_context
from ._classification import BaseGDClassifier
from ._stacked_base import StackedNetMixin
from ._stacked_docs import stacked_doc
from ._stacked_parameters import stacked_init


class StackedNetClassifier(StackedNetMixin, BaseGDClassifier):
    """Stacked dense layers trained by minibatch gradient descent.

    Each hidden layer is a dense block ``z = a W + b`` followed by a
    non-linear activation; the last block's scores go through a sigmoid
    (two classes, or one per label) or a softmax and a cross-entropy loss.
    With ``hidden_layer_sizes=()`` it is logistic regression, on the same
    engine as :class:`LogisticRegressionGD`.

    %(drop_in)s

    Parameters
    ----------
    %(network_parameters)s
    scoring : str, callable or None, default=None
        What early stopping watches on the validation set: None is accuracy,
        'loss' the validation log-loss, or a scikit-learn scorer name or
        callable ``scorer(estimator, X, y)``.
    class_weight : dict or 'balanced', default=None
        Weights multiplying each class's samples.

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
    %(fitted)s
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

        (sum_{i in B} s_i CE(y_i, p_i) + alpha / 2 * sum_l ||W_l||^2) / (|B| s_mean)

    where ``s_i`` is the sample weight times the class weight and ``s_mean``
    its mean over the training set. Without sample or class weights this is
    MLPClassifier's objective (the same numbers for the same seed); with
    them MLPClassifier divides by the batch's own weight ``sum_{i in B} s_i``,
    which lets a batch of light samples move the parameters as far as a
    heavy one, so weighted minibatch runs differ from MLPClassifier's.

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

    __doc__ = stacked_doc(__doc__, peer="MLPClassifier")
    _parameter_constraints: dict = {
        **BaseGDClassifier._parameter_constraints,
        **StackedNetMixin._parameter_constraints,
    }
    _supports_multilabel = True

    __init__ = stacked_init(class_weight=None)

    # -- what classification adds to the stack ---------------------------------------
    @staticmethod
    def _stratify(Y):
        # MLPClassifier stratifies its validation split on the encoded target
        # when it is one column (two classes), not otherwise
        return Y if Y.shape[1] == 1 else None

    @staticmethod
    def _default_score(y_true, y_pred, sample_weight):
        return accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.early_stopping and self.scoring not in (None, "loss"):
            # a scorer need not take an indicator matrix (balanced accuracy
            # does not): only the default scorings are known to
            tags.classifier_tags.multi_label = False
        return tags

    @available_if(StackedNetMixin._has_stochastic_solver)
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
