"""Parameter validation: the constraint types estimators declare, and quick checks for free functions.

Estimators declare ``_parameter_constraints`` as scikit-learn's own do and
call ``self._validate_params()`` once at the start of ``fit`` (and of every
other method that fits). The constraint types are scikit-learn's
(``sklearn.utils._param_validation``), imported here and nowhere else, so
that scikit-learn's ``check_param_validation`` exercises them; that module is
private to scikit-learn, which is why ``pyproject.toml`` pins the range of
scikit-learn releases this was tested on. :class:`Int` adds the one rule
scikit-learn's ``Interval`` lacks: ``True`` is not a count, nor a rate.

Strategies are plain functions called once per query, where a decorator that
validates every call costs far more than the work it guards (scikit-learn's
``validate_params``: about 200 µs a call); they use :func:`check_int`,
:func:`check_real` and :func:`check_option`, which take a microsecond.

Examples
--------
>>> from skal.parameters import Int, check_int
>>> Int(1).is_satisfied_by(3), Int(1).is_satisfied_by(True)
(True, False)
>>> check_int(0, "n_instances")
Traceback (most recent call last):
...
sklearn.utils._param_validation.InvalidParameterError: The 'n_instances' parameter must be an int in the range [1, inf), not a bool. Got 0 instead.
"""

import numbers
from collections.abc import Hashable

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "HasMethods",
    "Hidden",
    "Int",
    "RealNumber",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "check_int",
    "check_option",
    "check_real",
    "validate_parameter_constraints",
]


class _NotBoolInterval(Interval):
    """scikit-learn's ``Interval``, refusing bools (which ``numbers.Integral`` and ``Real`` admit)."""

    def is_satisfied_by(self, val):
        """Whether ``val`` is a number of the interval's type (not a bool) inside it.

        Parameters
        ----------
        val : object
            The value to test.

        Returns
        -------
        bool
            True when ``val`` satisfies the constraint.

        Examples
        --------
        >>> from skal.parameters import Int
        >>> Int(1).is_satisfied_by(2.0), Int(1).is_satisfied_by(True)
        (False, False)
        """
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)

    def __str__(self):
        return f"{super().__str__()}, not a bool"


class Int(_NotBoolInterval):
    """An integer in ``[left, right]`` (or open at either end), never a bool.

    Parameters
    ----------
    left : int or None
        Lower bound; None for no bound.
    right : int or None, default=None
        Upper bound; None for no bound.
    closed : {"left", "right", "both", "neither"}, default="left"
        Which bounds belong to the interval.

    Examples
    --------
    >>> from skal.parameters import Int
    >>> Int(0).is_satisfied_by(0), Int(1, 3, closed="both").is_satisfied_by(4)
    (True, False)
    """

    def __init__(self, left, right=None, closed="left"):
        super().__init__(numbers.Integral, left, right, closed=closed)


class RealNumber(_NotBoolInterval):
    """A real number in ``[left, right]`` (or open at either end), never a bool.

    Parameters
    ----------
    left : float or None
        Lower bound; None for no bound.
    right : float or None, default=None
        Upper bound; None for no bound.
    closed : {"left", "right", "both", "neither"}, default="both"
        Which bounds belong to the interval.

    Examples
    --------
    >>> from skal.parameters import RealNumber
    >>> RealNumber(0, 1).is_satisfied_by(0.3), RealNumber(0, 1).is_satisfied_by(True)
    (True, False)
    >>> RealNumber(0, None, closed="neither").is_satisfied_by(0.0)
    False
    """

    def __init__(self, left, right=None, closed="both"):
        super().__init__(numbers.Real, left, right, closed=closed)


def _describe(value, name, expected):
    return InvalidParameterError(f"The {name!r} parameter must be {expected}. Got {value!r} instead.")


def check_int(value, name, minimum=1, maximum=None, allow_none=False):
    """``value`` when it is an int (not a bool) in ``[minimum, maximum]``; else an error naming ``name``.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        Its name, for the error message.
    minimum : int or None, default=1
        Smallest value allowed; None for no bound.
    maximum : int or None, default=None
        Largest value allowed; None for no bound.
    allow_none : bool, default=False
        Accept None as well.

    Returns
    -------
    value : int or None
        ``value``, unchanged.

    Raises
    ------
    InvalidParameterError
        A ValueError (and TypeError) that names the parameter and the range.

    Examples
    --------
    >>> from skal.parameters import check_int
    >>> check_int(5, "n_neighbors")
    5
    >>> check_int(None, "max_candidates", allow_none=True) is None
    True
    """
    if value is None and allow_none:
        return value
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral)
            or (minimum is not None and value < minimum) or (maximum is not None and value > maximum)):
        low = "-inf" if minimum is None else minimum
        high = "inf" if maximum is None else maximum
        expected = f"an int in the range [{low}, {high}{']' if maximum is not None else ')'}, not a bool"
        raise _describe(value, name, expected + (" or None" if allow_none else ""))
    return value


def check_real(value, name, low=None, high=None, closed="both", allow_none=False):
    """``value`` when it is a finite real number (not a bool) in the interval; else an error naming ``name``.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        Its name, for the error message.
    low, high : float or None, default=None
        Bounds; None for no bound.
    closed : {"both", "left", "right", "neither"}, default="both"
        Which bounds belong to the interval.
    allow_none : bool, default=False
        Accept None as well.

    Returns
    -------
    value : float or None
        ``value``, unchanged.

    Raises
    ------
    InvalidParameterError
        A ValueError (and TypeError) that names the parameter and the interval.

    Examples
    --------
    >>> from skal.parameters import check_real
    >>> check_real(0.5, "p_subsample", 0, 1, closed="right")
    0.5
    >>> check_real(0, "p_subsample", 0, 1, closed="right")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'p_subsample' parameter must be a finite real number in (0, 1]. Got 0 instead.
    """
    if value is None and allow_none:
        return value
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real) and np.isfinite(value)
    if ok and low is not None:
        ok = value >= low if closed in ("both", "left") else value > low
    if ok and high is not None:
        ok = value <= high if closed in ("both", "right") else value < high
    if not ok:
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise _describe(value, name, f"a finite real number in {interval}" + (" or None" if allow_none else ""))
    return value


def check_option(value, name, options):
    """``value`` when it is one of ``options``; else an error naming ``name`` and listing them.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        Its name, for the error message.
    options : iterable
        The values allowed.

    Returns
    -------
    value : object
        ``value``, unchanged.

    Raises
    ------
    InvalidParameterError
        A ValueError (and TypeError) that names the parameter and the options.

    Examples
    --------
    >>> from skal.parameters import check_option
    >>> check_option("power", "mode", ("power", "softmax", "softrank"))
    'power'
    >>> check_option("max", "mode", ("power", "softmax"))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'mode' parameter must be one of 'power', 'softmax'. Got 'max' instead.
    """
    options = tuple(options)
    if not isinstance(value, (bool, np.bool_)) and isinstance(value, Hashable) and value in options:
        return value
    raise _describe(value, name, f"one of {', '.join(map(repr, options))}")
