"""`newsdesk follow`: poll folders and RSS/Atom feeds, ingest what is new.

A source is a folder (its new or changed article files are ingested) or an ``http(s)://``
feed URL, fetched with httpx: a timeout and a size limit per response, a conditional GET
(the ``ETag`` and ``Last-Modified`` of the last 200 answer are sent back as
``If-None-Match`` / ``If-Modified-Since``, so an unchanged feed costs a 304), and a
backoff per source after an error (doubling from the polling interval up to
:data:`MAX_BACKOFF`, reported with the error). The state lives in the store
(``follow_sources``, ``follow_files``), and articles are stored idempotently by
``(key, id)``, so a restart resumes without duplicates. The caller runs the archive update
after a poll that added articles, which also evaluates the watches.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.clean import CleanOptions, CleanStep, RepeatedLinesStep
from newsdesk.errors import NewsdeskError, Skipped
from newsdesk.ingest import IngestOptions, ingest
from newsdesk.ingest.readers import read_feed, walk_dir
from newsdesk.model import Article
from newsdesk.store import Store

TIMEOUT = 20.0  # seconds per request (connect, read, write, pool)
MAX_BYTES = 10 * 1024 * 1024  # a feed larger than this is refused, not read to the end
MAX_BACKOFF = 6 * 3600.0  # seconds: the longest a failing feed is left alone
MIN_EVERY = 60.0  # seconds: polling a feed more often than this is not polite
HOST_GAP = 1.0  # seconds between two requests to the same host in one round
USER_AGENT = "newsdesk-follow/1 (+https://newsdesk.invalid; polls at most once a minute)"


class FollowError(NewsdeskError):
    """A source that cannot be followed as given."""


@dataclass(slots=True)
class PollResult:
    """What one poll of one source did."""

    source: str
    status: str  # new | unchanged | error | backoff
    added: int = 0  # articles stored for the first time
    existing: int = 0  # articles read that were stored already
    skipped: list[Skipped] = field(default_factory=list)
    error: str | None = None
    retry_at: str | None = None  # when a source in backoff is polled again
    http_status: int | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def parse_every(text: str) -> float:
    """Seconds of an interval like ``90``, ``30s``, ``15m``, ``2h``, ``1d``."""
    t = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if t and t[-1] in units:
            return float(t[:-1]) * units[t[-1]]
        return float(t)
    except ValueError as e:
        raise FollowError(f"--every {text!r} is not an interval: give a number with s, m, h "
                          "or d, e.g. 15m or 1h.") from e


def source_kind(source: str) -> str:
    """``feed`` for an http(s) URL, ``folder`` for an existing directory."""
    if source.startswith(("http://", "https://")):
        return "feed"
    if Path(source).is_dir():
        return "folder"
    raise FollowError(f"{source!r} is neither an http(s):// feed URL nor a folder: give a "
                      "feed's URL or the path of a directory to watch.")


class Follower:
    """Polls sources into a store; one instance per run (holds the HTTP client)."""

    def __init__(self, store: Store, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
                 every: float = 900.0, opts: IngestOptions | None = None) -> None:
        import httpx

        self.store = store
        self.max_bytes = max_bytes
        self.every = every
        self.opts = opts or IngestOptions()
        self.client = httpx.Client(timeout=timeout, follow_redirects=True,
                                   headers={"User-Agent": USER_AGENT})
        self.host_gap = HOST_GAP
        self._last_request: dict[str, float] = {}  # host -> time.monotonic() of last request

    def _polite(self, url: str) -> None:
        """Wait so that two requests to one host are at least ``host_gap`` apart."""
        from urllib.parse import urlsplit

        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.host_gap - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state --------------------------------------------------------------------------
    def _row(self, source: str, kind: str) -> tuple[str | None, str | None, int, str | None]:
        r = self.store.db.execute("SELECT etag, last_modified, errors, next_poll FROM "
                                  "follow_sources WHERE source=?", (source,)).fetchone()
        if r is None:
            with self.store.transaction() as tx:
                tx.execute("INSERT OR IGNORE INTO follow_sources (source, kind) VALUES (?,?)",
                           (source, kind))
            return None, None, 0, None
        return r[0], r[1], int(r[2]), r[3]

    def _ok(self, source: str, etag: str | None = None, last_modified: str | None = None,
            keep_validators: bool = False) -> None:
        now = _iso(_now())
        with self.store.transaction() as tx:
            if keep_validators:
                tx.execute("UPDATE follow_sources SET last_poll=?, last_ok=?, errors=0, "
                           "last_error=NULL, next_poll=NULL WHERE source=?", (now, now, source))
            else:
                tx.execute("UPDATE follow_sources SET last_poll=?, last_ok=?, errors=0, "
                           "last_error=NULL, next_poll=NULL, etag=?, last_modified=? "
                           "WHERE source=?", (now, now, etag, last_modified, source))

    def _fail(self, source: str, errors: int, error: str) -> str:
        n = errors + 1
        wait = min(max(self.every, MIN_EVERY) * 2 ** n, MAX_BACKOFF)
        retry = _iso(_now() + timedelta(seconds=wait))
        with self.store.transaction() as tx:
            tx.execute("UPDATE follow_sources SET last_poll=?, errors=?, last_error=?, "
                       "next_poll=? WHERE source=?", (_iso(_now()), n, error, retry, source))
        return retry

    # -- polling ------------------------------------------------------------------------
    def poll(self, source: str, *, force: bool = False) -> PollResult:
        """Poll one source once (a source in backoff is skipped unless ``force``)."""
        kind = source_kind(source)
        etag, modified, errors, retry_at = self._row(source, kind)
        if retry_at and not force and retry_at > _iso(_now()):
            last = self.store.db.execute("SELECT last_error FROM follow_sources WHERE "
                                         "source=?", (source,)).fetchone()[0]
            return PollResult(source, "backoff", error=last, retry_at=retry_at)
        if kind == "folder":
            return self._poll_folder(source)
        return self._poll_feed(source, etag, modified, errors)

    def _poll_folder(self, source: str) -> PollResult:
        db = self.store.db
        seen = {str(r[0]): (int(r[1]), float(r[2])) for r in db.execute(
            "SELECT path, size, mtime FROM follow_files WHERE source=?", (source,))}
        files, _ignored = walk_dir(Path(source))
        new: list[tuple[Path, int, float]] = []
        for p in files:
            try:
                st = p.stat()
            except OSError:
                continue  # removed since the listing
            if seen.get(str(p)) != (st.st_size, st.st_mtime):
                new.append((p, st.st_size, st.st_mtime))
        if not new:
            self._ok(source, keep_validators=True)
            return PollResult(source, "unchanged")
        report = ingest([p for p, _, _ in new], self.store, self.opts)
        now = _iso(_now())
        with self.store.transaction() as tx:
            tx.executemany("INSERT OR REPLACE INTO follow_files (source, path, size, mtime, at) "
                           "VALUES (?,?,?,?,?)", [(source, str(p), s, m, now)
                                                  for p, s, m in new])
        self._ok(source, keep_validators=True)
        return PollResult(source, "new", report.added, report.existing, list(report.skipped))

    def _poll_feed(self, source: str, etag: str | None, modified: str | None,
                   errors: int) -> PollResult:
        import httpx

        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        self._polite(source)
        try:
            with self.client.stream("GET", source, headers=headers) as resp:
                if resp.status_code == 304:
                    self._ok(source, keep_validators=True)
                    return PollResult(source, "unchanged", http_status=304)
                if resp.status_code >= 400:
                    raise FollowError(f"HTTP {resp.status_code} {resp.reason_phrase}")
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FollowError(f"response of {declared} bytes is over the "
                                      f"{self.max_bytes}-byte limit")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FollowError(f"response is over the {self.max_bytes}-byte "
                                          "limit; stopped reading it")
                    chunks.append(chunk)
                status = resp.status_code
                new_etag = resp.headers.get("etag")
                new_modified = resp.headers.get("last-modified")
        except (httpx.HTTPError, FollowError) as e:
            msg = f"{type(e).__name__}: {e}" if isinstance(e, httpx.HTTPError) else str(e)
            retry = self._fail(source, errors, msg)
            return PollResult(source, "error", error=msg, retry_at=retry)
        added, existing, skipped = store_feed(self.store, b"".join(chunks), source,
                                              self.opts.clean)
        self._ok(source, new_etag, new_modified)
        return PollResult(source, "new" if added else "unchanged", added, existing, skipped,
                          http_status=status)

    def poll_all(self, sources: Sequence[str], *, force: bool = False) -> list[PollResult]:
        """Poll each source once, in order; an error in one never stops the others."""
        out = []
        for s in sources:
            try:
                out.append(self.poll(s, force=force))
            except (FollowError, OSError) as e:  # e.g. a followed folder removed meanwhile
                out.append(PollResult(s, "error", error=f"{type(e).__name__}: {e}"))
        return out


def store_feed(store: Store, data: bytes, origin: str,
               clean: CleanOptions | None = None) -> tuple[int, int, list[Skipped]]:
    """Read, clean and store a feed's items (as ``newsdesk ingest`` does a feed file);
    returns (added, existing, skipped)."""
    clean = clean or CleanOptions()
    step = CleanStep(clean)
    skipped: list[Skipped] = []

    def items() -> Iterator[Article]:
        for r in read_feed(data, origin):
            if isinstance(r, Skipped):
                if r.reason != "no feed entries":  # an empty feed is not an error
                    skipped.append(r)
                continue
            out = step.process(r)
            if out is not None:
                yield out

    added, existing = store.add_articles(RepeatedLinesStep(clean).run(items()))
    store.record_skips(skipped)
    return added, existing, skipped


def follow(store: Store, sources: Iterable[str], *, every: float, once: bool,
           on_poll: Callable[[list[PollResult]], None],
           sleep: Callable[[float], None] = time.sleep,
           follower: Follower | None = None) -> None:
    """Poll the sources (once, or every ``every`` seconds until interrupted), calling
    ``on_poll`` with each round's results (it runs the archive update)."""
    srcs = list(dict.fromkeys(os.fspath(s) for s in sources))
    for s in srcs:
        source_kind(s)  # refuse a bad source before the first request
    if not once and every < MIN_EVERY:
        raise FollowError(f"--every {every:g}s is too often: poll at most once a minute "
                          f"(--every {int(MIN_EVERY)}s or more).")
    own = follower is None
    f = follower or Follower(store, every=every)
    try:
        while True:
            on_poll(f.poll_all(srcs))
            if once:
                return
            deadline = time.monotonic() + every
            while (left := deadline - time.monotonic()) > 0:
                sleep(min(left, 1.0))  # short naps: Ctrl-C is handled promptly
    finally:
        if own:
            f.close()
