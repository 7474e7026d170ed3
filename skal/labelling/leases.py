"""Short leases on handed-out texts, so that two annotators never get the same text at once.

A lease is held in memory by the one server of a session (a second server
is refused, :class:`~skal.labelling.storage.SessionLock`); it expires after
``ttl`` seconds without a renewal, so a closed tab frees its text. Losing
the leases in a crash loses no label: they only decide who sees what next.

Examples
--------
>>> from skal.labelling.leases import Leases
>>> now = [0.0]
>>> leases = Leases(ttl=60, clock=lambda: now[0])
>>> leases.grant("7", "ann")
>>> leases.held_by_others("bob"), leases.of("ann")
({'7'}, '7')
>>> now[0] = 61.0
>>> leases.held_by_others("bob")
set()
"""

import threading
import time

__all__ = ["Leases"]


class Leases:
    """One lease per annotator: ``row id -> (annotator, expiry)``.

    Parameters
    ----------
    ttl : float, default=300
        Seconds a lease lasts without renewal.
    clock : callable, default=time.monotonic
        Returns the time in seconds (a test passes its own).

    Examples
    --------
    >>> from skal.labelling.leases import Leases
    >>> leases = Leases(ttl=60)
    >>> leases.grant("3", "ann")
    >>> leases.count()
    1
    """

    def __init__(self, ttl=300.0, clock=time.monotonic):
        self.ttl = float(ttl)
        self.clock = clock
        self._rows = {}  # row -> (annotator, expiry)
        self._lock = threading.Lock()

    def _purge(self):
        current = self.clock()
        for row in [r for r, (_, expiry) in self._rows.items() if expiry <= current]:
            del self._rows[row]

    def held_by_others(self, annotator):
        """Rows leased to anyone but ``annotator`` now.

        Parameters
        ----------
        annotator : str
            Who asks.

        Returns
        -------
        set of str
            The row ids the others hold.

        Examples
        --------
        >>> from skal.labelling.leases import Leases
        >>> leases = Leases()
        >>> leases.grant("3", "ann")
        >>> leases.held_by_others("ann"), leases.held_by_others("bob")
        (set(), {'3'})
        """
        with self._lock:
            self._purge()
            return {row for row, (who, _) in self._rows.items() if who != annotator}

    def of(self, annotator):
        """The row leased to ``annotator``.

        Parameters
        ----------
        annotator : str
            Whose lease.

        Returns
        -------
        str or None
            The row id, or None when the annotator holds none.

        Examples
        --------
        >>> from skal.labelling.leases import Leases
        >>> leases = Leases()
        >>> leases.grant("3", "ann")
        >>> leases.of("ann"), leases.of("bob")
        ('3', None)
        """
        with self._lock:
            self._purge()
            return next((row for row, (who, _) in self._rows.items() if who == annotator), None)

    def grant(self, row, annotator):
        """Lease ``row`` to ``annotator`` (replacing the annotator's earlier lease, renewing this one).

        Parameters
        ----------
        row : str
            The row id handed out.
        annotator : str
            Who gets it.

        Examples
        --------
        >>> from skal.labelling.leases import Leases
        >>> leases = Leases()
        >>> leases.grant("3", "ann")
        >>> leases.grant("4", "ann")
        >>> leases.of("ann"), leases.count()
        ('4', 1)
        """
        with self._lock:
            self._purge()
            for held in [r for r, (who, _) in self._rows.items() if who == annotator and r != row]:
                del self._rows[held]
            self._rows[str(row)] = (annotator, self.clock() + self.ttl)

    def release(self, row):
        """Drop the lease on ``row`` (answered, skipped or abandoned).

        Parameters
        ----------
        row : str
            The row id; one without a lease is ignored.

        Examples
        --------
        >>> from skal.labelling.leases import Leases
        >>> leases = Leases()
        >>> leases.grant("3", "ann")
        >>> leases.release("3")
        >>> leases.of("ann") is None
        True
        """
        with self._lock:
            self._rows.pop(str(row), None)

    def count(self):
        """How many leases are live.

        Returns
        -------
        int
            Leases not expired.

        Examples
        --------
        >>> from skal.labelling.leases import Leases
        >>> Leases().count()
        0
        """
        with self._lock:
            self._purge()
            return len(self._rows)
