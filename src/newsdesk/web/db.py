"""Read-only access to a store for the web app.

The file is opened with a ``file:...?mode=ro`` URI and ``PRAGMA query_only``: no route can
write, and since the store is in WAL mode a reader never blocks a running ingest (nor is
blocked by it); each request opens its own connection, so rows an ingest commits appear on
the next request. Two guards stop a statement that runs past the request's deadline
(SQLite then raises ``OperationalError("interrupted")``, answered with a 400): a progress
handler, checked between VM steps, and a watchdog thread that calls
``Connection.interrupt()`` at the deadline — FTS5 can spend seconds inside one step (a
NEAR of prefix terms over 20,000 articles: 8 s with no progress check due), where only the
interrupt reaches it (bench/bench_serve.py --pathological).
"""

from __future__ import annotations

import heapq
import itertools
import queue
import sqlite3
import threading
import time
from pathlib import Path

from newsdesk.errors import StoreError
from newsdesk.store import Store
from newsdesk.store.migrations import MIGRATIONS

# Requests answered at once by one server process (the rest wait their turn, first come
# first served). Each request is Python holding the GIL plus SQLite releasing it, so two
# threads overlap one request's SQL with another's Python; more only share one core's
# GIL ever more finely. Measured (bench/bench_serve.py, 20 clients, 2 cores): with
# anyio's default of 40 the long requests (search, entity) took 20x their own time and
# p95 was 266 ms; with 2, p95 106 ms and 35% more requests a second; 1: 110 ms; 4: 123 ms.
DEFAULT_THREADS = 2

DEFAULT_TIME_LIMIT = 5.0  # seconds of SQL per request (wall clock: a bound, not a target)

# SQLite VM steps between deadline checks (well under a millisecond of work). Each check
# takes the GIL, so checking much more often slows every concurrent request down.
PROGRESS_STEPS = 50_000


class Watchdog:
    """One daemon thread that interrupts connections whose deadline has passed."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._live: dict[int, sqlite3.Connection] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, db: sqlite3.Connection, deadline: float) -> int:
        """Interrupt ``db`` at ``deadline`` unless disarmed first; returns the ticket."""
        with self._cv:
            ticket = next(self._ids)
            self._live[ticket] = db
            heapq.heappush(self._heap, (deadline, ticket))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="newsdesk-sql-watchdog",
                                                daemon=True)
                self._thread.start()
            if self._heap[0][1] == ticket:
                # wake the thread only for a deadline earlier than any it waits for: with
                # one time limit for all, that is when nothing else is armed. (Notifying on
                # every request woke this thread twice a request to take the GIL.)
                self._cv.notify()
            return ticket

    def disarm(self, ticket: int) -> None:
        """The request finished: never interrupt it (its connection serves others next)."""
        with self._cv:
            self._live.pop(ticket, None)

    def _run(self) -> None:
        with self._cv:
            while True:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cv.wait()
                    continue
                deadline, ticket = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                heapq.heappop(self._heap)
                db = self._live.pop(ticket, None)
                if db is not None:
                    db.interrupt()  # under the lock: the request cannot have finished


WATCHDOG = Watchdog()


class ReadOnlyStore(Store):
    """A :class:`Store` opened read-only, never migrated, with a time limit per statement
    run through it (``deadline`` is a ``time.monotonic()`` value, or None for none)."""

    def __init__(self, path: str | Path, time_limit: float | None = None) -> None:
        self.path = str(path)
        p = Path(path)
        if not p.is_file():
            raise StoreError(f"There is no store at {self.path!r}. Pass --db with the file "
                             "newsdesk ingest/run wrote (e.g. --db newsdesk.db).")
        uri = p.resolve().as_uri() + "?mode=ro"
        try:
            self.db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None,
                                      check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(f"Cannot open the store at {self.path!r} read-only: {e}. Check "
                             "the file is readable.") from e
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA query_only = ON")
            have = self.schema_version
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise StoreError(f"{self.path!r} is not a newsdesk store ({e}). Point --db at a "
                             "store newsdesk made.") from e
        if have != len(MIGRATIONS):
            self.db.close()
            raise StoreError(
                f"The store {self.path!r} has schema version {have}; this newsdesk serves "
                f"version {len(MIGRATIONS)}. Run any writing command on it once (e.g. "
                f"`newsdesk events --db {self.path}`) to upgrade it, or upgrade newsdesk.")
        self.deadline: float | None = None
        self.time_limit = time_limit
        self._ticket: int | None = None
        if time_limit is not None:
            self.db.set_progress_handler(self._over_time, PROGRESS_STEPS)

    def start_request(self) -> None:
        """Start the clock of one request."""
        self.end_request()
        if self.time_limit is not None:
            self.deadline = time.monotonic() + self.time_limit
            self._ticket = WATCHDOG.arm(self.db, self.deadline)

    def end_request(self) -> None:
        """Stop the clock (the connection may serve another request)."""
        if self._ticket is not None:
            WATCHDOG.disarm(self._ticket)
            self._ticket = None
        self.deadline = None

    def close(self) -> None:
        """Close the connection (disarming its clock first)."""
        self.end_request()
        super().close()

    def _over_time(self) -> int:
        return 1 if self.deadline is not None and time.monotonic() > self.deadline else 0


class StorePool:
    """Read-only connections kept between requests, so each keeps a warm page cache.

    A connection in autocommit mode starts a new read transaction with every statement, so
    a pooled connection still sees every commit an ingest makes (WAL readers see the
    latest committed state when a statement starts)."""

    def __init__(self, path: str | Path, time_limit: float | None, keep: int = 64) -> None:
        self.path, self.time_limit, self.keep = str(path), time_limit, keep
        self._free: queue.SimpleQueue[ReadOnlyStore] = queue.SimpleQueue()

    def get(self) -> ReadOnlyStore:
        """A connection with its request clock started."""
        try:
            s = self._free.get_nowait()
        except queue.Empty:
            s = ReadOnlyStore(self.path, self.time_limit)
        s.start_request()
        return s

    def put(self, s: ReadOnlyStore) -> None:
        """Give a connection back (closed when the pool is full)."""
        s.end_request()
        if self._free.qsize() < self.keep:
            self._free.put(s)
        else:
            s.close()

    def close(self) -> None:
        """Close every pooled connection."""
        while True:
            try:
                self._free.get_nowait().close()
            except queue.Empty:
                return
