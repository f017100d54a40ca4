"""How many BLAS threads the products of a minibatch get.

Matrix products stay in BLAS, which spreads a large one over its threads:
on a 2-core machine the products alone of a 60,000 x 784 set's batches
take about 0.6 of their one-thread time. A small product gains nothing
(the threads' handoff costs as much as they save) and loses when another
process holds a core, as the product then waits for its descheduled
thread; so a minibatch whose largest product is small, and a prediction on
an input of that size, run on one BLAS thread, and larger ones keep the
machine's default, as MLPClassifier does. On a loaded machine those larger
products wait too (about three times their one-thread time on two cores
with one busy, as MLPClassifier's do): pin BLAS to one thread there with
threadpoolctl's ``threadpool_limits(1)``, which every fit respects. The
full-batch solvers keep the machine's default.

The rule depends only on the sizes, never on timings, so that the same
settings give bit-identical parameters on the same machine (BLAS does not
always sum in the same order on one thread and on two).
"""

from __future__ import annotations

import threading
from contextlib import nullcontext

# Multiply-adds of the largest product of a batch from which BLAS keeps its
# threads: about 0.2 ms on one thread of a 2020s core. With the threshold
# lowered to 2**20, a second thread saved nothing over a digits epoch
# ((100,), a largest product of 1.3 million: 1.01 of the one-thread time);
# epochs of 5,000 and 20,000 x 784 took 0.79 and 0.77 of it (quiet 2 cores).
LARGE_PRODUCT = 2**22

_blas_controller = None
# BLAS limits are process-wide: fits and predictions running in several
# threads share one limit, set by the first to enter and restored by the
# last to leave (each restoring what it saw would leave BLAS at one thread)
_lock = threading.Lock()
_holders = 0
_saved = []  # (library controller, its thread count) while limited


def _blas():
    """threadpoolctl's controller of the loaded BLAS libraries, made once.

    threadpoolctl comes with scikit-learn; finding the libraries takes about
    a millisecond, so it is done at the first minibatch fit only.
    """
    global _blas_controller
    if _blas_controller is None:
        from threadpoolctl import ThreadpoolController

        _blas_controller = ThreadpoolController().select(user_api="blas")
    return _blas_controller


def largest_batch_product(layer_sizes, batch_size):
    """Multiply-adds of the largest product of a batch: rows x fan-in x fan-out."""
    return batch_size * max(
        fan_in * fan_out
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
    )


def blas_threads_for(layer_sizes, batch_size):
    """A context for the products of a batch: one BLAS thread unless they are large.

    Used for every minibatch epoch and every prediction (whose batch is the
    whole input). The context may be kept and entered again (a minibatch
    run decides once and enters it at every epoch), also from several
    threads at once: the setting from before is restored once no thread is
    inside any more; a limit the user has set lower stays as it is.
    """
    if largest_batch_product(layer_sizes, batch_size) >= LARGE_PRODUCT:
        return nullcontext()
    return _ONE_BLAS_THREAD


class _OneBlasThread:
    """One BLAS thread inside, the setting from before once no one needs it.

    A class rather than a generator: one instance serves every epoch (a
    generator's context is made afresh at each entry, a cost paid per epoch).
    """

    def __enter__(self):
        global _holders, _saved
        with _lock:
            if _holders == 0:
                # each library's own controller: no library lookup per epoch
                _saved = [
                    (library, library.get_num_threads())
                    for library in _blas().lib_controllers
                ]
                for library, n_threads in _saved:
                    if n_threads > 1:
                        library.set_num_threads(1)
            _holders += 1
        return self

    def __exit__(self, *exc_info):
        global _holders, _saved
        with _lock:
            _holders -= 1
            if _holders == 0:
                for library, n_threads in _saved:
                    if n_threads > 1:
                        library.set_num_threads(n_threads)
                _saved = []
        return False


_ONE_BLAS_THREAD = _OneBlasThread()
