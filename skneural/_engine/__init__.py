"""The engine: the course's blocks, losses and update rules, and the loop.

Read in this order:

* ``activations.py``: each non-linearity and its derivative, as formulas;
* ``losses.py``: cross-entropies and regression losses on raw scores, with
  their gradient "prediction minus target" (and the cross-entropies'
  curvature along a line, for conjugate gradients' Newton trial);
* ``penalties.py``: L2 (a gradient) and L1 (a proximal step);
* ``layers.py``: the block protocol (forward, backward) and the blocks:
  dense, activation, dropout;
* ``network.py``: a list of blocks plus a loss, and the objective every
  solver minimises; ``parameters.py``: where each block's arrays live in
  the one flat parameter vector;
* ``optimizers.py``: the minibatch update rules, from ``w := w - lr * g`` to
  Adam; ``full_batch.py``, ``conjugate_gradient.py`` and ``lbfgs.py``: the
  rules that look at the whole data set at each step;
* ``schedules.py``: learning rates over epochs; ``step_size.py``: the
  automatic step size;
* ``solvers.py``: the solver protocol, a minibatch rule over batches or a
  full-batch rule, one epoch at a time;
* ``fit_state.py``: the record of a fit (parameters, history, optimizer
  state) that the loop, the scorer and the callbacks share;
* ``training.py``: the training loop over epochs, with its stopping rules;
* ``kernels.py``: faster forms of a few formulas, each checked against its
  reference; ``threads.py``: the BLAS thread count of a minibatch run.
"""
