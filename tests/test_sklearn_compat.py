"""scikit-learn's own estimator checks on ActiveLearner wrapping plain scikit-learn models."""

from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from skal import ActiveLearner

# Checks that do not apply, and why.
INAPPLICABLE = {
    # Its last step fits binary labels named -1 and 1. Under scikit-learn's
    # semi-supervised convention, which ActiveLearner.fit follows for
    # classifiers (as SelfTrainingClassifier does), -1 marks an unlabelled row,
    # so only one labelled class remains and fit rightly refuses it.
    "check_classifiers_classes": "y == -1 marks unlabelled rows (semi-supervised convention)",
}


def _expected_failures(estimator):
    return INAPPLICABLE if is_classifier(estimator) else {}


@parametrize_with_checks(
    [ActiveLearner(LogisticRegression()), ActiveLearner(Ridge())],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
