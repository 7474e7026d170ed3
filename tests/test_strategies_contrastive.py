"""CAL and DAL: their picks on hand-made cases, the labelled set they default to, and bad input."""

import numpy as np
import pytest
from conftest import TableModel
from scipy.stats import entropy
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearner
from skal.strategies import contrastive_divergence, contrastive_sampling, discriminative_sampling

# rows 0-3 labelled, two per side; rows 4-6 the pool
EMBEDDINGS = [[0, 0], [0, 1], [10, 0], [10, 1], [0, 0.5], [0, 0.6], [10, 0.5]]
PROBA = [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8],
         [0.85, 0.15],   # agrees with its neighbours
         [0.2, 0.8],     # near the left labelled rows, predicted like the right ones: contrastive
         [0.3, 0.7]]     # a little off its neighbours


def test_cal_scores_are_the_mean_kl_to_the_labelled_neighbours():
    model = TableModel(EMBEDDINGS, PROBA)
    scores = contrastive_divergence(model, [4, 5, 6], X_labelled=[0, 1, 2, 3], n_neighbors=2)
    P = np.asarray(PROBA)
    expected = [np.mean([entropy(P[j], P[i]) for j in neighbours])
                for i, neighbours in ((4, (0, 1)), (5, (0, 1)), (6, (2, 3)))]
    np.testing.assert_allclose(scores, expected)
    idx, top = contrastive_sampling(model, [4, 5, 6], n_instances=3, X_labelled=[0, 1, 2, 3], n_neighbors=2)
    assert idx.tolist() == [1, 2, 0]
    np.testing.assert_allclose(top, np.asarray(expected)[[1, 2, 0]])


def test_cal_takes_the_learners_labelled_set_by_default():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    learner = ActiveLearner(LogisticRegression(), X_training=X[:20], y_training=y[:20])
    ours = contrastive_sampling(learner, X[20:], n_instances=5)
    explicit = contrastive_sampling(learner, X[20:], n_instances=5, X_labelled=X[:20])
    np.testing.assert_array_equal(ours[0], explicit[0])
    assert np.isfinite(ours[1]).all() and (ours[1] >= 0).all()


def test_cal_needs_a_labelled_set():
    with pytest.raises(ValueError, match="no labelled set"):
        contrastive_sampling(TableModel(EMBEDDINGS, PROBA), [4, 5, 6])
    with pytest.raises(ValueError, match="n_neighbors"):
        contrastive_sampling(TableModel(EMBEDDINGS, PROBA), [4, 5], X_labelled=[0], n_neighbors=0)


@pytest.fixture
def far_groups():
    rng = np.random.RandomState(0)
    labelled = rng.normal(0, 1, size=(40, 2))
    pool = np.r_[rng.normal(0, 1, size=(60, 2)), rng.normal([8, 0], 0.3, size=(5, 2)),
                 rng.normal([0, 8], 0.3, size=(5, 2))]
    return labelled, pool


def test_dal_picks_the_rows_least_like_the_labelled_set(far_groups):
    labelled, pool = far_groups
    idx, scores = discriminative_sampling(None, pool, n_instances=5, X_labelled=labelled, n_sub_batches=1)
    assert (idx >= 60).all(), "the unlabelled-looking rows are the far groups"
    assert np.all(np.diff(scores) <= 0) and (scores > 0.5).all()


def test_dal_sub_batches_move_on_to_the_other_region():
    rng = np.random.RandomState(0)
    labelled = rng.normal(0, 1, size=(40, 2))
    # pool rows 60-67: a large far group; rows 68-70: a small group in another direction
    pool = np.r_[rng.normal(0, 1, size=(60, 2)), rng.normal([8, 0], 0.3, size=(8, 2)),
                 rng.normal([0, 5], 0.3, size=(3, 2))]

    def small_group_picks(n_sub_batches):
        idx, _ = discriminative_sampling(None, pool, n_instances=6, X_labelled=labelled,
                                         n_sub_batches=n_sub_batches, random_state=0)
        assert len(set(idx.tolist())) == 6 and (idx >= 60).all()
        return int((idx >= 68).sum())

    assert small_group_picks(1) == 1, "one discriminator favours the large far group"
    assert small_group_picks(6) == 3, "retrained after each pick, it turns to the small group"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dal_seeds_the_discriminator_and_its_training_sample(far_groups):
    from sklearn.neural_network import MLPClassifier

    labelled, pool = far_groups
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300)
    runs = [discriminative_sampling(None, pool, n_instances=4, X_labelled=labelled, discriminator=mlp,
                                    n_sub_batches=2, max_unlabelled=30, random_state=3)[0] for _ in range(2)]
    np.testing.assert_array_equal(*runs)
    assert mlp.get_params()["random_state"] is None, "the caller's discriminator is cloned, never changed"


def test_dal_bad_input(far_groups):
    labelled, pool = far_groups
    with pytest.raises(ValueError, match="no labelled\nset|no labelled set"):
        discriminative_sampling(None, pool, n_instances=2)
    with pytest.raises(ValueError, match="n_sub_batches"):
        discriminative_sampling(None, pool, X_labelled=labelled, n_sub_batches=0)
    with pytest.raises(ValueError, match="predict_proba"):
        discriminative_sampling(None, pool, X_labelled=labelled, discriminator=object())
