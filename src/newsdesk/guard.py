"""The stage guard: one article that makes a stage raise is reported, never fatal.

Every per-article stage after ingest (parsing, the extractors, the reuse sketch, the
events features, the cross-check, the brief's sections) runs each article under
:func:`guarded` (or a batch under :func:`isolate`). An exception becomes a
:class:`StageFailure` naming the article and the stage; the article goes on without
that stage's results and the rest of the batch completes.

Failures go to the innermost :func:`collect_failures` block (and every block around it),
so a command can print them on stderr as they happen and put them in its JSON, without
each stage's signature carrying a list. Outside any block they are logged as warnings.
``NewsdeskError`` (a missing model, a store that cannot be written) is not about one
article and is never swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from newsdesk.errors import NewsdeskError
from newsdesk.model import Article

T = TypeVar("T")
log = logging.getLogger("newsdesk")


@dataclass(frozen=True, slots=True)
class StageFailure:
    """One article one stage could not handle."""

    stage: str
    key: str
    id: str
    reason: str  # exception type and message

    def __str__(self) -> str:
        return (f"stage {self.stage} failed on article {self.key} ({self.id}): {self.reason}; "
                "the article is kept without that stage's results and the rest of the batch "
                "went on (please report this with the article)")

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form (the ``failures`` lists of the JSON outputs)."""
        return {"article": self.key, "id": self.id, "stage": self.stage,
                "reason": self.reason}


@dataclass(slots=True)
class FailureLog:
    """The failures seen inside one :func:`collect_failures` block (each once)."""

    on_failure: Callable[[StageFailure], None] | None = None
    parent: FailureLog | None = None
    items: list[StageFailure] = field(default_factory=list)

    def add(self, failure: StageFailure) -> None:
        """Record a failure here and in every enclosing log."""
        if failure in self.items:
            return
        self.items.append(failure)
        if self.on_failure is not None:
            self.on_failure(failure)
        if self.parent is not None:
            self.parent.add(failure)

    def of(self, key: str, id: str | None = None) -> list[StageFailure]:
        """The failures of one article."""
        return [f for f in self.items if f.key == key and (id is None or f.id == id)]

    def refs(self) -> set[tuple[str, str]]:
        """(key, id) of every article that failed somewhere."""
        return {(f.key, f.id) for f in self.items}


_CURRENT: ContextVar[FailureLog | None] = ContextVar("newsdesk_failures", default=None)


@contextmanager
def collect_failures(on_failure: Callable[[StageFailure], None] | None = None
                     ) -> Iterator[FailureLog]:
    """``with collect_failures() as log:`` — the stage failures raised inside the block."""
    log_ = FailureLog(on_failure, _CURRENT.get())
    token = _CURRENT.set(log_)
    try:
        yield log_
    finally:
        _CURRENT.reset(token)


def record(stage: str, article: Article, exc: BaseException) -> StageFailure:
    """Report that ``stage`` raised ``exc`` on ``article``."""
    reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    failure = StageFailure(stage, article.key, article.id, " ".join(reason.split())[:300])
    _report(failure)
    return failure


def _report(failure: StageFailure) -> None:
    """Hand a failure to the innermost :func:`collect_failures` block (a warning outside
    any)."""
    current = _CURRENT.get()
    if current is None:
        log.warning("%s", failure)
    else:
        current.add(failure)


def guarded(stage: str, article: Article, fn: Callable[..., T], *args: Any,
            default: T, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, or ``default`` (failure recorded) when it raises."""
    try:
        return fn(*args, **kwargs)
    except NewsdeskError:
        raise
    except Exception as e:  # noqa: BLE001 - the point: no one article stops the batch
        record(stage, article, e)
        return default


def isolate(stage: str, articles: Sequence[Article],
            fn: Callable[[list[Article]], T]) -> tuple[T, list[bool]]:
    """Run a batch-level stage (``fn`` over the whole list); when it raises, find the
    articles that make it raise by running each alone, record them, and run the batch
    again without them. Returns the result over the good articles and, per article,
    whether it was kept."""
    batch = list(articles)
    try:
        return fn(batch), [True] * len(batch)
    except NewsdeskError:
        raise
    except Exception:  # noqa: BLE001 - narrowed down below
        pass
    ok: list[bool] = []
    for a in batch:
        try:
            fn([a])
            ok.append(True)
        except NewsdeskError:
            raise
        except Exception as e:  # noqa: BLE001
            record(stage, a, e)
            ok.append(False)
    good = [a for a, keep in zip(batch, ok, strict=True) if keep]
    try:
        return fn(good), ok
    except NewsdeskError:
        raise
    except Exception as e:  # noqa: BLE001 - only a combination fails: keep none
        for a in good:
            record(stage, a, e)
        return fn([]), [False] * len(batch)


def replay_failures(failures: Sequence[dict[str, str]]) -> None:
    """Report here the failures another process met (:meth:`StageFailure.to_dict`
    records), as if its stages had run in this one."""
    for d in failures:
        _report(StageFailure(d["stage"], d["article"], d["id"], d["reason"]))
