"""The session's files on disk: atomic writes and the append-only, fsync-ed event log.

Nothing here knows what a label means: :class:`EventLog` checks that each
line is a well-formed event and hands it to a callback, and
:func:`write_atomically` replaces a file so that a crash leaves either the
old or the new version.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from skal.labelling.storage import EventLog
>>> path = Path(tempfile.mkdtemp()) / "labels.jsonl"
>>> seen = []
>>> log = EventLog(path, seen.append)
>>> log.write(lambda: [{"event": "label", "id": "3", "label": "pos"}])
[{'event': 'label', 'id': '3', 'label': 'pos'}]
>>> EventLog(path, seen.append).read()
>>> len(seen)
2
"""

import json
import os
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

from ..atomic_files import fsync_dir, write_atomically

try:  # POSIX advisory locks; elsewhere a session should have one writer at a time.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = [
    "CONFIG_FILE",
    "EVENT_KINDS",
    "FORMAT",
    "LOCK_FILE",
    "LOG_FILE",
    "STATE_FILE",
    "EventLog",
    "SessionLock",
    "fsync_dir",
    "now",
    "read_config",
    "remove_stale_temporaries",
    "write_atomically",
    "write_config",
]

CONFIG_FILE = "session.json"
LOG_FILE = "labels.jsonl"
STATE_FILE = "learner.joblib"
LOCK_FILE = "server.lock"
#: Version of the session directory layout.
FORMAT = 1
#: The kinds of event the log holds.
EVENT_KINDS = ("label", "skip", "undo")
#: Temporary files older than this (seconds) were left by a killed process.
STALE_TMP_AGE = 3600


def now():
    """The current UTC time as an ISO 8601 string with milliseconds.

    Returns
    -------
    str
        E.g. ``"2026-12-01T13:35:00.123+00:00"``.

    Examples
    --------
    >>> from skal.labelling.storage import now
    >>> now().endswith("+00:00")
    True
    """
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def write_config(directory, config):
    """Write ``session.json`` of ``directory`` atomically.

    Parameters
    ----------
    directory : str or path
        The session directory.
    config : dict
        The session's settings, JSON-serialisable.

    Examples
    --------
    >>> import tempfile
    >>> from skal.labelling.storage import read_config, write_config
    >>> tmp = tempfile.mkdtemp()
    >>> write_config(tmp, {"format": 1, "labels": ["a", "b"]})
    >>> read_config(tmp)["labels"]
    ['a', 'b']
    """
    write_atomically(Path(directory) / CONFIG_FILE,
                     lambda f: f.write(json.dumps(config, indent=2).encode("utf-8")))


def read_config(directory):
    """Read and check ``session.json`` of ``directory``; errors name the file.

    Parameters
    ----------
    directory : str or path
        The session directory.

    Returns
    -------
    dict
        The session's settings.

    Raises
    ------
    FileNotFoundError
        When ``directory`` holds no ``session.json``.
    ValueError
        When it is not JSON, or of another format version.

    Examples
    --------
    >>> import tempfile
    >>> from skal.labelling.storage import read_config
    >>> read_config(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: No labelling session in ... (no session.json); start one with ...
    """
    directory = Path(directory)
    config_path = directory / CONFIG_FILE
    if not config_path.is_file():
        raise FileNotFoundError(f"No labelling session in {directory} (no {CONFIG_FILE}); "
                                "start one with LabellingSession.create or `skal label`.")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{config_path} is not valid JSON: {exc}") from exc
    if config.get("format") != FORMAT:
        raise ValueError(f"{config_path}: unsupported session format {config.get('format')!r}.")
    return config


def remove_stale_temporaries(directory, max_age=STALE_TMP_AGE):
    """Delete ``.*.tmp`` files of ``directory`` older than ``max_age`` seconds (left by killed writers).

    Parameters
    ----------
    directory : str or path
        The session directory.
    max_age : float, default=STALE_TMP_AGE
        Age in seconds above which a temporary file is stale (an hour).

    Examples
    --------
    >>> import tempfile
    >>> from skal.labelling.storage import remove_stale_temporaries
    >>> remove_stale_temporaries(tempfile.mkdtemp())
    """
    current = time.time()
    for path in Path(directory).glob(".*.tmp"):
        try:
            if current - path.stat().st_mtime > max_age:
                path.unlink()
        except OSError:
            pass


class EventLog:
    """Append-only JSON-lines log; ``apply`` is called on every event, in order, once.

    Parameters
    ----------
    path : str or path
        The JSON-lines file (created at the first write).
    apply : callable
        Called with each event (a dict) read or written, in log order.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skal.labelling.storage import EventLog
    >>> log = EventLog(Path(tempfile.mkdtemp()) / "log.jsonl", print)
    >>> _ = log.write(lambda: [{"event": "skip", "id": "1"}])
    {'event': 'skip', 'id': '1'}
    """

    def __init__(self, path, apply):
        self.path = Path(path)
        self._apply = apply
        self._offset = 0
        self._line = 0

    def read(self):
        """Apply the complete lines written since the last read (a torn tail waits).

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from skal.labelling.storage import EventLog
        >>> EventLog(Path(tempfile.mkdtemp()) / "missing.jsonl", print).read()
        """
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except FileNotFoundError:
            return
        self._consume(data)

    def _consume(self, data):
        end = data.rfind(b"\n")
        if end < 0:
            return
        events = []
        line = self._line
        for raw in data[:end].split(b"\n"):
            line += 1
            if not raw.strip():
                continue
            try:
                event = json.loads(raw)
            except ValueError as exc:
                raise ValueError(f"{self.path}, line {line}: not a JSON event ({exc}). "
                                 "Fix or remove that line by hand.") from exc
            if (not isinstance(event, dict) or event.get("event") not in EVENT_KINDS
                    or "id" not in event or (event["event"] == "label" and "label" not in event)):
                raise ValueError(f"{self.path}, line {line}: not a label, skip or undo event: {raw[:80]!r}.")
            events.append(event)
        # Advance before applying: an event that fails to apply is not read twice.
        self._offset += end + 1
        self._line = line
        for event in events:
            self._apply(event)

    def write(self, make_events):
        """Under an exclusive lock: catch up, call ``make_events()``, append and fsync its events.

        ``make_events`` sees the state with every event written so far by any
        process; it returns the events to write (possibly none) or raises,
        in which case nothing is written.

        Parameters
        ----------
        make_events : callable
            Called without arguments under the lock; returns a list of event
            dicts (``event`` one of :data:`EVENT_KINDS`, an ``id``).

        Returns
        -------
        list of dict
            The events written.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from skal.labelling.storage import EventLog
        >>> EventLog(Path(tempfile.mkdtemp()) / "log.jsonl", print).write(lambda: [])
        []
        """
        with open(self.path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            handle.seek(self._offset)
            self._consume(handle.read())
            size = handle.seek(0, os.SEEK_END)
            if size > self._offset:
                # Under the lock nobody is writing: an unterminated tail was torn by a crash.
                warnings.warn(f"{self.path}: dropping a torn last line ({size - self._offset} bytes) "
                              "left by an interrupted write.", RuntimeWarning, stacklevel=3)
                handle.truncate(self._offset)
            events = make_events()
            if events:
                data = b"".join(json.dumps(e, ensure_ascii=False).encode("utf-8") + b"\n" for e in events)
                handle.seek(0, os.SEEK_END)
                try:  # unbuffered, so a failed write leaves nothing behind to be flushed at close
                    view = memoryview(data)
                    while view:
                        view = view[os.write(handle.fileno(), view):]
                    os.fsync(handle.fileno())
                except OSError:  # full disk, I/O error: the events were not acknowledged, so take them back
                    try:
                        handle.truncate(self._offset)
                    except OSError:  # a torn tail is cut off at the next write anyway
                        pass
                    raise
                self._offset += len(data)
                self._line += len(events)
                for event in events:
                    self._apply(event)
        return events


class SessionLock:
    """An exclusive, non-blocking lock on a session directory, held while a server runs.

    The lock is an ``flock`` on ``server.lock``: the operating system drops
    it when the process ends, however it ends (``kill -9`` included), so a
    stale lock never blocks a restart.

    Parameters
    ----------
    directory : str or path
        The session directory; the lock file is ``server.lock`` in it.
    what : str, default="server"
        Written into the lock file, shown to whoever is refused.

    Examples
    --------
    >>> import tempfile
    >>> from skal.labelling.storage import SessionLock
    >>> tmp = tempfile.mkdtemp()
    >>> with SessionLock(tmp, "server on port 1"):
    ...     SessionLock(tmp).acquire()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: ... is already served (server on port 1, pid ...); stop that server first.
    """

    def __init__(self, directory, what="server"):
        self.path = Path(directory) / LOCK_FILE
        self.what = what
        self._handle = None

    def acquire(self):
        """Take the lock or raise a RuntimeError naming the holder; returns self.

        Returns
        -------
        SessionLock
            ``self``, holding the lock.

        Raises
        ------
        RuntimeError
            When another process holds it.

        Examples
        --------
        >>> import tempfile
        >>> from skal.labelling.storage import SessionLock
        >>> lock = SessionLock(tempfile.mkdtemp()).acquire()
        >>> lock.path.read_text().startswith("server, pid ")
        True
        >>> lock.release()
        """
        handle = open(self.path, "a+")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise RuntimeError(f"{self.path.parent} is already served ({holder}); "
                                   "stop that server first.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{self.what}, pid {os.getpid()}")
        handle.flush()
        self._handle = handle
        return self

    def release(self):
        """Drop the lock (a no-op when not held).

        Examples
        --------
        >>> import tempfile
        >>> from skal.labelling.storage import SessionLock
        >>> tmp = tempfile.mkdtemp()
        >>> SessionLock(tmp).acquire().release()
        >>> SessionLock(tmp).acquire().release()  # free again
        """
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
