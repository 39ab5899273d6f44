"""Steps and runners: *what runs* is a list of steps; *where it runs* is a runner.

A step is a plain transformation over an iterator of articles. Steps that look at one
article at a time (:class:`ArticleStep`) can be spread over processes or a cluster;
steps that need the whole batch (:class:`BatchStep`, e.g. reuse or event clustering)
run where the results meet. Runners never know what a step does, steps never know
where they run (the shape follows datatrove's ``PipelineStep``/executor split).
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import ClassVar

from newsdesk.model import Article


class Step(ABC):
    """One stage. ``reads``/``adds`` name the Article fields or annotation layers used."""

    name: ClassVar[str] = "step"
    reads: ClassVar[tuple[str, ...]] = ()
    adds: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Transform a stream of articles."""


class ArticleStep(Step):
    """A step that handles each article on its own: safe to parallelise."""

    @abstractmethod
    def process(self, article: Article) -> Article | None:
        """Return the article (changed in place or new), or None to drop it."""

    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        for a in articles:
            out = self.process(a)
            if out is not None:
                yield out


class BatchStep(Step):
    """A step that needs to see the whole batch before it can emit."""

    @abstractmethod
    def process_batch(self, articles: list[Article]) -> list[Article]:
        """Transform the whole batch."""

    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        yield from self.process_batch(list(articles))


class Runner(ABC):
    """Runs a list of steps over articles somewhere."""

    @abstractmethod
    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        """Yield the articles that come out of the last step."""


class LocalRunner(Runner):
    """Everything in this process, streaming (the default)."""

    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        stream: Iterable[Article] = articles
        for step in steps:
            stream = step.run(stream)
        yield from stream


def _apply_article_steps(args: tuple[Sequence[ArticleStep], list[Article]]) -> list[Article]:
    steps, chunk = args
    stream: Iterable[Article] = chunk
    for s in steps:
        stream = s.run(stream)
    return list(stream)


class PoolRunner(Runner):
    """Runs consecutive :class:`ArticleStep` groups in a local process pool.

    Chunks keep their order, so results equal :class:`LocalRunner`'s.
    """

    def __init__(self, workers: int = 2, chunk_size: int = 64) -> None:
        self.workers = workers
        self.chunk_size = chunk_size

    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        stream: Iterable[Article] = articles
        for group_is_local, group in itertools.groupby(
            steps, key=lambda s: isinstance(s, ArticleStep)
        ):
            group_steps = list(group)
            if group_is_local:
                stream = self._pooled(group_steps, stream)  # type: ignore[arg-type]
            else:
                for s in group_steps:
                    stream = s.run(stream)
        yield from stream

    def _pooled(self, steps: list[ArticleStep], stream: Iterable[Article]) -> Iterator[Article]:
        it = iter(stream)
        chunks = iter(lambda: list(itertools.islice(it, self.chunk_size)), [])
        with ProcessPoolExecutor(max_workers=self.workers) as ex:
            for out in ex.map(_apply_article_steps, ((steps, c) for c in chunks)):
                yield from out
