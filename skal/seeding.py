"""Drawing integer seeds from a ``random_state``, for code that seeds another library.

torch, hnswlib, k-means and SetFit take an int seed, not a NumPy generator;
every place in skal that hands one on draws it here, from the caller's
``random_state``, so one ``random_state`` reproduces the whole run.

Examples
--------
>>> from skal.seeding import draw_seed
>>> draw_seed(0) == draw_seed(0)
True
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["MAX_SEED", "draw_seed"]

#: Largest seed drawn (exclusive): every library skal seeds accepts a 32-bit int.
MAX_SEED = np.iinfo(np.int32).max


def draw_seed(random_state):
    """An int seed in ``[0, MAX_SEED)`` drawn from ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        Where the seed comes from; a RandomState advances by one draw, None
        draws from NumPy's global generator.

    Returns
    -------
    int
        The seed.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.seeding import draw_seed
    >>> rng = np.random.RandomState(0)
    >>> draw_seed(rng) != draw_seed(rng)
    True
    """
    return int(check_random_state(random_state).randint(MAX_SEED))
