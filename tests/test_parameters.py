"""skal.parameters: the constraint types refuse bools, the quick checks name the parameter."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearningSimulation
from skal.parameters import Int, InvalidParameterError, RealNumber, check_int, check_option, check_real
from skal.stopping import StabilizingPredictions


@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_bools_are_neither_counts_nor_rates(value):
    assert not Int(0).is_satisfied_by(value)
    assert not RealNumber(0, 1).is_satisfied_by(value)
    with pytest.raises(InvalidParameterError, match="'n'"):
        check_int(value, "n", minimum=0)
    with pytest.raises(InvalidParameterError, match="'rate'"):
        check_real(value, "rate", 0, 1)


def test_integers_and_reals_in_range_pass():
    assert Int(1, 3, closed="both").is_satisfied_by(np.int64(3))
    assert RealNumber(0, 1).is_satisfied_by(1) and not RealNumber(0, 1, closed="left").is_satisfied_by(1)
    assert check_int(np.int32(4), "n") == 4 and check_real(0.5, "p", 0, 1, closed="right") == 0.5
    assert check_int(None, "n", allow_none=True) is None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "0.5", None])
def test_check_real_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValueError, match="'p' parameter must be a finite real number"):
        check_real(value, "p", 0, None)


def test_check_option_lists_the_options_and_refuses_unhashables():
    assert check_option("power", "mode", ("power", "softmax")) == "power"
    with pytest.raises(ValueError, match="'mode' parameter must be one of 'power', 'softmax'"):
        check_option(["power"], "mode", ("power", "softmax"))


def test_estimators_refuse_a_bool_for_a_real_or_integer_parameter():
    X = np.random.RandomState(0).normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(InvalidParameterError, match="'n_initial' parameter"):
        ActiveLearningSimulation(LogisticRegression(), n_initial=True).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'threshold' parameter"):
        StabilizingPredictions(threshold=True).stopping_round([0.5, 0.9])
