"""Fine-tuning a user can trust: schedule, batches, validation, early stopping, class weights, progress."""

import numpy as np
import pytest
import torch
from sklearn.utils.class_weight import compute_class_weight

from skal import TransformerClassifier
from skal.fine_tuning import MAX_GRAD_NORM
from skal.text_batches import length_grouped_batches
from skal.transformer import auto_epochs


def _tiny(path, **params):
    settings = dict(model=path, max_epochs=1, lr=1e-3, batch_size=8, predict_batch_size=7,
                    max_length=16, random_state=0)
    return TransformerClassifier(**{**settings, **params})


def test_learning_rate_follows_the_trainers_linear_schedule(tiny_bert_path, text_data):
    from transformers import get_linear_schedule_with_warmup

    X, y = text_data
    clf = _tiny(tiny_bert_path, max_epochs=3, warmup_ratio=0.2).fit(X, y)
    used = [lr for epoch in clf.net_.history[:, "batches"] for lr in (b["event_lr"] for b in epoch)]
    steps = 3 * int(np.ceil(60 / 8))
    # The world's reference: the Hugging Face scheduler on a dummy optimizer.
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1e-3)
    schedule = get_linear_schedule_with_warmup(optimizer, int(np.ceil(0.2 * steps)), steps)
    expected = []
    for _ in range(steps):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    np.testing.assert_allclose(used, expected, rtol=1e-6, atol=1e-12)
    assert used[0] == 0 and max(used) == pytest.approx(1e-3)

    # partial_fit trains at a constant learning rate.
    clf.partial_fit(X, y)
    np.testing.assert_allclose([b["event_lr"] for b in clf.net_.history[-1, "batches"]], 1e-3)


def test_gradients_are_clipped(tiny_bert_path, text_data, monkeypatch):
    norms = []
    original = torch.nn.utils.clip_grad_norm_

    def spy(parameters, max_norm, *args, **kwargs):
        norms.append(max_norm)
        return original(parameters, max_norm, *args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    X, y = text_data
    _tiny(tiny_bert_path).fit(X, y)
    assert norms == [MAX_GRAD_NORM] * 8


def test_length_grouped_batches_cover_every_row_once_and_pad_less():
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 120, size=1000)
    batches = length_grouped_batches(lengths, 16, np.random.default_rng(1))
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(1000))
    assert max(map(len, batches)) == 16

    def padding(batches):
        return sum(int(lengths[b].max()) * len(b) - int(lengths[b].sum()) for b in batches)

    shuffled = np.random.default_rng(1).permutation(1000)
    random_batches = [shuffled[i:i + 16] for i in range(0, 1000, 16)]
    assert padding(batches) < 0.2 * padding(random_batches)
    # Fresh batches each epoch: the sampler draws from its generator.
    again = length_grouped_batches(lengths, 16, np.random.default_rng(2))
    assert [b.tolist() for b in again] != [b.tolist() for b in batches]


def test_training_batches_are_length_grouped(tiny_bert_path, text_data):
    X, y = text_data
    long_texts = [text + " and it goes on and on" * 3 for text in X[::2]]
    clf = _tiny(tiny_bert_path, batch_size=4).fit(X[1::2] + long_texts, y[1::2] + y[::2])
    seen = []
    original = clf.net_.train_step

    def spy(batch, **kwargs):
        seen.append(batch[0]["attention_mask"].numpy())
        return original(batch, **kwargs)

    clf.net_.train_step = spy
    clf.set_params(warm_start=True).fit(X[1::2] + long_texts, y[1::2] + y[::2])
    padded = sum(mask.size - mask.sum() for mask in seen)
    assert sum(len(mask) for mask in seen) == 60
    assert padded < 0.2 * sum(mask.size for mask in seen), "batches of similar lengths"


def test_early_stopping_stops_and_restores_the_best_epoch(tiny_bert_path, text_data):
    X, y = text_data
    flipped = ["neg" if label == "pos" else "pos" for label in y]
    # Learning y makes the loss on the flipped labels grow: the first epochs are the best.
    clf = _tiny(tiny_bert_path, max_epochs=12, early_stopping=True, patience=2, lr=2e-3)
    clf.fit(X, y, eval_set=(X[::3], flipped[::3]))
    losses = clf.net_.history[:, "valid_loss"]
    assert clf.n_epochs_ == len(losses) < 12, "stopped early"
    assert clf.best_epoch_ == int(np.argmin(losses)) + 1
    assert clf.n_epochs_ == clf.best_epoch_ + 2, "after patience epochs without improvement"
    # The kept weights are the best epoch's: their validation loss is the best one logged.
    proba = clf.predict_proba(X[::3])
    index = np.searchsorted(clf.classes_, flipped[::3])
    loss = -np.log(proba[np.arange(len(index)), index]).mean()
    assert loss == pytest.approx(min(losses), rel=1e-4)
    assert loss != pytest.approx(losses[-1], rel=1e-3)
    assert dict(clf.net_.callbacks_)["early_stopping"].best_model_weights_ is None, "no second copy of the weights kept"


def test_validation_fraction_holds_out_stratified_rows(tiny_bert_path, text_data):
    X, y = text_data
    clf = _tiny(tiny_bert_path, max_epochs=2, early_stopping=True, validation_fraction=0.2).fit(X, y)
    history = clf.net_.history
    assert sum(b.get("train_batch_size", 0) for b in history[0, "batches"]) == 48
    assert sum(b.get("valid_batch_size", 0) for b in history[0, "batches"]) == 12
    assert np.isfinite(history[:, "valid_loss"]).all()
    # eval_set without early stopping: logged, all rows trained on, the last weights kept.
    clf = _tiny(tiny_bert_path, max_epochs=2).fit(X, y, eval_set=(X[:5], y[:5]))
    assert len(clf.net_.history[:, "valid_loss"]) == 2 and clf.best_epoch_ is None
    assert sum(b.get("train_batch_size", 0) for b in clf.net_.history[0, "batches"]) == 60


def test_balanced_and_dict_class_weights(tiny_bert_path, text_data):
    X, y = text_data
    X, y = X[:30] + X[30:40], y[:30] + y[30:40]  # 30 pos, 10 neg
    clf = _tiny(tiny_bert_path, class_weight="balanced").fit(X, y)
    expected = compute_class_weight("balanced", classes=np.array(["neg", "pos"]), y=np.array(y))
    np.testing.assert_allclose(clf.net_.criterion_.weight.cpu().numpy(), expected, rtol=1e-6)
    clf = _tiny(tiny_bert_path, class_weight={"neg": 3.0}).fit(X, y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.cpu().numpy(), [3.0, 1.0])
    assert _tiny(tiny_bert_path).fit(X, y).net_.criterion_.weight is None
    with pytest.raises(ValueError, match="not classes"):
        _tiny(tiny_bert_path, class_weight={"meh": 2.0}).fit(X, y)


def test_auto_epochs_rule(tiny_bert_path, text_data):
    assert auto_epochs(60, 16) == 30 and auto_epochs(200, 16) == 12 and auto_epochs(5000, 16) == 3
    assert [auto_epochs(n, 16) for n in (25, 50, 100, 200, 500)] == sorted(
        [auto_epochs(n, 16) for n in (25, 50, 100, 200, 500)], reverse=True)
    X, y = text_data
    clf = _tiny(tiny_bert_path, max_epochs="auto", batch_size=32).fit(X[::3], y[::3])
    assert clf.n_epochs_ == auto_epochs(20, 32) == len(clf.net_.history)


def test_verbose_shows_progress_bars_and_default_is_silent(tiny_bert_path, text_data, capsys):
    X, y = text_data
    clf = _tiny(tiny_bert_path).fit(X, y)
    clf.predict_proba(X)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    clf = _tiny(tiny_bert_path, verbose=1).fit(X, y)
    clf.predict_proba(X)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out
    assert "0/8 [" in captured.err and "0/60 [" in captured.err and "text/s" in captured.err, "fit and predict bars"


@pytest.mark.parametrize("param, value", [
    ("warmup_ratio", 1.0), ("warmup_ratio", -0.1), ("validation_fraction", 0.0), ("validation_fraction", 1),
    ("patience", 0), ("threshold", 1.5), ("class_weight", "even"), ("multi_label", "yes"),
    ("multi_label", 1), ("quantize", "no"), ("keep_optimizer", None), ("early_stopping", 1),
    ("max_epochs", "many"), ("predict_token_budget", 0),
])
def test_bad_new_parameters(tiny_bert_path, text_data, param, value):
    clf = _tiny(tiny_bert_path, **{param: value})
    with pytest.raises(ValueError, match=param):
        clf.fit(*text_data)
    assert not hasattr(clf, "net_")


def test_bad_eval_set_and_tiny_validation(tiny_bert_path, text_data):
    X, y = text_data
    clf = _tiny(tiny_bert_path)
    with pytest.raises(ValueError, match="pair"):
        clf.fit(X, y, eval_set=X[:3])
    with pytest.raises(ValueError, match="never seen"):
        clf.fit(X, y, eval_set=(X[:2], ["pos", "meh"]))
    with pytest.raises(ValueError, match="mismatched lengths"):
        clf.fit(X, y, eval_set=(X[:2], ["pos"]))
    with pytest.raises(ValueError, match="only 1 training rows"):
        clf.set_params(early_stopping=True).fit(X[:1], [["pos"]])
    assert not hasattr(clf, "net_")


def test_quantize_asks_for_the_cpu(monkeypatch, tiny_bert_path, text_data):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    clf = _tiny(tiny_bert_path, quantize=True, device="cuda")
    with pytest.raises(ValueError, match="quantize=True"):
        clf.fit(*text_data)
    assert not hasattr(clf, "net_")
