"""The saved learner of a session (``learner.joblib``): a cache, never the truth.

It holds the last trained :class:`~skal.ActiveLearner`, the labels it was
trained on and the queue it chose. It is replaced atomically; when it is
missing or unreadable the session retrains from the label log.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from skal.labelling.learner_cache import LearnerCache
>>> cache = LearnerCache(Path(tempfile.mkdtemp()) / "learner.joblib")
>>> cache.load() is None
True
>>> cache.save({"format": 1, "queue": ["3"]})
>>> LearnerCache(cache.path).load()["queue"]
['3']
"""

import warnings
from pathlib import Path

import joblib

from .storage import FORMAT, write_atomically

__all__ = ["LearnerCache"]


class LearnerCache:
    """The learner state file, reread only when it changed on disk.

    Parameters
    ----------
    path : str or path

    Attributes
    ----------
    state : dict or None, the state last loaded or saved.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.state = None
        self._key = None

    def _stat_key(self):
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def load(self):
        """The state on disk (None when missing or unreadable, with a warning for the latter)."""
        key = self._stat_key()
        if key is None:
            self.state, self._key = None, None
            return None
        if key == self._key:
            return self.state
        try:
            state = joblib.load(self.path)
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError("not a skal learner state")
        except Exception as exc:  # noqa: BLE001 - any unreadable cache is retrained from the log
            warnings.warn(f"Could not read {self.path} ({exc}); the model will be retrained from the label log.",
                          RuntimeWarning, stacklevel=4)
            state = None
        self.state, self._key = state, key
        return state

    def save(self, state):
        """Replace the file atomically with ``state``."""
        write_atomically(self.path, lambda f: joblib.dump(state, f))
        self.state, self._key = state, self._stat_key()

    def unchanged(self):
        """Whether the file is still the one last loaded or saved (no other process replaced it)."""
        return self._stat_key() == self._key
