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
        The state file (``learner.joblib`` of the session directory).

    Attributes
    ----------
    state : dict or None
        The state last loaded or saved.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skal.labelling.learner_cache import LearnerCache
    >>> LearnerCache(Path(tempfile.mkdtemp()) / "learner.joblib").state is None
    True
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
        """The state on disk, reread only when the file changed since the last load or save.

        Returns
        -------
        dict or None
            The state, or None when the file is missing or unreadable (with
            a RuntimeWarning for the latter).

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from skal.labelling.learner_cache import LearnerCache
        >>> path = Path(tempfile.mkdtemp()) / "learner.joblib"
        >>> _ = path.write_text("not a learner")
        >>> import warnings
        >>> with warnings.catch_warnings(record=True):
        ...     LearnerCache(path).load() is None
        True
        """
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
        """Replace the file atomically with ``state``.

        Parameters
        ----------
        state : dict
            The learner state (its ``format`` must be the storage format for
            :meth:`load` to read it back).

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from skal.labelling.learner_cache import LearnerCache
        >>> from skal.labelling.storage import FORMAT
        >>> cache = LearnerCache(Path(tempfile.mkdtemp()) / "learner.joblib")
        >>> cache.save({"format": FORMAT, "queue": []})
        >>> cache.path.is_file()
        True
        """
        write_atomically(self.path, lambda f: joblib.dump(state, f))
        self.state, self._key = state, self._stat_key()

    def unchanged(self):
        """Whether the file is still the one last loaded or saved (no other process replaced it).

        Returns
        -------
        bool
            True when the file's inode, modification time and size are
            those last seen.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from skal.labelling.learner_cache import LearnerCache
        >>> from skal.labelling.storage import FORMAT
        >>> path = pathlib.Path(tempfile.mkdtemp(), "learner.joblib")
        >>> mine, other = LearnerCache(path), LearnerCache(path)  # as two processes would
        >>> mine.save({"format": FORMAT})
        >>> before = mine.unchanged()
        >>> other.save({"format": FORMAT, "queue": ["1"]})
        >>> before, mine.unchanged()
        (True, False)
        """
        return self._stat_key() == self._key
