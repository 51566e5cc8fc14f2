"""Build and update the index: parallel analysis and writing, atomic swap.

A build reads the sources in the main process and deals batches of articles to worker
processes; each worker runs pyvi and writes its own Whoosh segment, and the main process, which
holds Whoosh's lock, publishes the workers' segments together as one index. An update (usually
small) analyses in workers and writes through one writer. Every build or update writes a new
generation (an update starts from hard links to the live one, whose files Whoosh never
rewrites) and publishes it only after Whoosh's commit, so an interrupted run leaves the live
index as it was.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import whoosh.index

from .articles import Skip, Truncated, iter_articles, source_bytes
from .schema import build_schema, fingerprint, to_document
from .segment import segment_writer
from .store import current_generation, new_generation, publish, remove_stale_generations, writer_lock

BATCH = 256  # articles per task handed to the analysis pool (update)
WORKER_BATCH = 64  # articles per task handed to a segment-writing worker (build)
SEGMENT_POSTINGS = 8_000_000  # a worker starts a new segment past this many text postings (~12k articles)


@dataclass
class BuildReport:
    """What a build did."""
    indexed: int = 0
    skipped: list[Skip] = field(default_factory=list)
    truncated: list[Truncated] = field(default_factory=list)  # indexed in part, stored whole
    seconds: float = 0.0

    @property
    def docs_per_sec(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


@dataclass
class UpdateReport:
    """What an update did."""
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)
    truncated: list[Truncated] = field(default_factory=list)  # indexed in part, stored whole
    seconds: float = 0.0


_worker_schema = None


def _analyse(article):
    """Worker: the writer's document for an article, or a Skip saying why it failed."""
    global _worker_schema
    if _worker_schema is None:
        _worker_schema = build_schema()
    try:
        return to_document(_worker_schema, article)
    except Exception as e:  # one bad article must not stop the build
        return Skip(article.origin or article.id, f"analysis failed: {type(e).__name__}: {e}")


def _batches(iterable, size):
    it = iter(iterable)
    while batch := list(islice(it, size)):
        yield batch


def _analysed_documents(pool, articles, on_skip):
    """Analyse articles in the pool, one batch ahead of the writer; yield documents in order."""
    pending = None
    for batch in _batches(articles, BATCH):
        submitted = pool.map_async(_analyse, batch, chunksize=8)
        if pending is not None:
            yield from _documents(pending.get(), on_skip)
        pending = submitted
    if pending is not None:
        yield from _documents(pending.get(), on_skip)


def _documents(results, on_skip):
    for result in results:
        if isinstance(result, Skip):
            on_skip(result)
        else:
            yield result


def _pool(procs):
    return multiprocessing.get_context("fork").Pool(procs or os.cpu_count() or 1)


@contextmanager
def _next_generation(index_dir: Path):
    """A new generation folder, published if the block completes, deleted if it fails."""
    remove_stale_generations(index_dir)
    gen = new_generation(index_dir)
    try:
        yield gen
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    publish(index_dir, gen)
    remove_stale_generations(index_dir)


def _read_articles(sources, report, progress):
    """iter_articles over sources, telling progress (an indexer.progress.Progress) the bytes read."""
    if progress is None or not hasattr(progress, "read"):
        return iter_articles(sources, report.skipped, report.truncated)
    articles = iter_articles(sources, report.skipped, report.truncated, on_read=progress.read)
    progress.expect(source_bytes(sources))
    return articles


def build_index(sources, index_dir="index_data", *, procs=None, progress=None, notice=print) -> BuildReport:
    """Index the articles in sources into a fresh generation of index_dir, then swap it in.

    progress, if given, is called with the number of articles indexed so far; an
    indexer.progress.Progress also shows the share of the input read and the time left."""
    index_dir = Path(index_dir)
    report, started = BuildReport(), time.monotonic()
    articles = _read_articles([Path(s) for s in sources], report, progress)
    with writer_lock(index_dir, notice), _next_generation(index_dir) as gen:
        report.indexed = _write_fresh(gen, articles, report.skipped, procs, progress)
    report.seconds = time.monotonic() - started
    return report


def _write_fresh(gen: Path, articles, skipped, procs, progress) -> int:
    ix = whoosh.index.create_in(str(gen), build_schema())
    count, segments = _write_segments(gen, articles, skipped, procs or os.cpu_count() or 1, progress)
    writer = ix.writer()  # publishes the workers' segments as one index
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()  # also removes the temporary folder the workers shared
    return count


class WorkerFailed(RuntimeError):
    """A segment-writing worker process failed or died."""


def _next_task(tasks, parent: int):
    """The next batch (None: finish); exits if the main process died, which holds the index lock."""
    while True:
        try:
            return tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                os._exit(1)


def _close_segment(writer, segments: list) -> None:
    """Write out a worker's segment, appending it to segments if it holds any document."""
    # Not writer._finish(): that would delete the temporary folder other workers still use.
    if writer._added:
        segments.append(writer._finalize_segment())
    else:
        writer._close_segment()


def _segment_worker(n: int, gen: str, tasks, results, parent: int) -> None:
    """Worker n: analyse batches of articles into a segment of its own; report counts, skips, segment."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides how to stop
    try:
        ix, segments = whoosh.index.open_dir(gen), []
        writer = segment_writer(ix, _lk=False)  # the main process holds the lock
        while (batch := _next_task(tasks, parent)) is not None:
            docs = [_analyse(article) for article in batch]
            skips = [d for d in docs if isinstance(d, Skip)]
            for doc in docs:
                if not isinstance(doc, Skip):
                    writer.add_document(**doc)
            results.put(("batch", n, len(docs) - len(skips), skips))
            if writer.pool.postings > SEGMENT_POSTINGS:  # bounds the worker's memory
                _close_segment(writer, segments)
                writer = segment_writer(ix, _lk=False)
        _close_segment(writer, segments)
        results.put(("segments", n, 0, segments))
    except BaseException as e:
        results.put(("error", n, 0, f"{type(e).__name__}: {e}"))


class _Workers:
    """Segment-writing worker processes, a task queue each, and what they report.

    Batches go to the workers in turn, so the same sources and worker count always give the
    same document numbers (and the same order among equal scores)."""

    def __init__(self, gen: Path, procs: int, skipped, progress):
        ctx = multiprocessing.get_context("fork")
        self.tasks, self.results = [ctx.Queue(2) for _ in range(procs)], ctx.Queue()
        self.procs = [ctx.Process(target=_segment_worker, daemon=True,
                                  args=(n, str(gen), self.tasks[n], self.results, os.getpid()))
                      for n in range(procs)]
        self.skipped, self.progress = skipped, progress
        self.count, self.segments = 0, [None] * procs  # worker n's segments, once it reports them
        for proc in self.procs:
            proc.start()

    def give(self, n: int, task) -> None:
        """Queue a task (a batch, or None: finish) for worker n, handling reports while waiting."""
        while True:
            try:
                return self.tasks[n].put(task, timeout=0.2)
            except queue.Full:
                self.collect(timeout=0)

    def collect(self, timeout: float) -> None:
        """Handle the workers' reports; fail if a worker reported an error or died."""
        try:
            while True:
                self._handle(*self.results.get(timeout=timeout))
                timeout = 0
        except queue.Empty:
            pass
        if any(p.exitcode not in (None, 0) for p in self.procs):
            raise WorkerFailed("an indexing worker process died (out of memory?)")

    def _handle(self, kind: str, n: int, count: int, payload) -> None:
        if kind == "error":
            raise WorkerFailed(f"an indexing worker failed: {payload}")
        if kind == "segments":
            self.segments[n] = payload
            return
        self.count += count
        self.skipped.extend(payload)
        if self.progress:
            self.progress(self.count)

    def finish(self) -> tuple[int, list]:
        """Tell every worker to finish its segment; wait for all of them."""
        for n in range(len(self.procs)):
            self.give(n, None)
        while any(segments is None for segments in self.segments):
            self.collect(timeout=0.5)
        for proc in self.procs:
            proc.join()
        return self.count, [s for segments in self.segments for s in segments]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
            proc.join()


def _write_segments(gen: Path, articles, skipped, procs: int, progress) -> tuple[int, list]:
    """Index articles with procs segment-writing workers; (articles indexed, their segments)."""
    workers = _Workers(gen, procs, skipped, progress)
    try:
        for i, batch in enumerate(_batches(articles, WORKER_BATCH)):
            workers.give(i % procs, batch)
            workers.collect(timeout=0)
        return workers.finish()
    finally:
        workers.stop()


def _link_copy(src: Path, dst: Path) -> None:
    """Copy a generation's files to dst as hard links (Whoosh never rewrites a file)."""
    for path in src.iterdir():
        if path.is_file() and not path.name.endswith("LOCK"):
            os.link(path, dst / path.name)


def _existing(reader) -> dict[str, tuple[str, str]]:
    """id -> (fingerprint, origin) of every live document, read from the columns."""
    ids, fps, origins = (reader.column_reader(name) for name in ("id", "fingerprint", "origin"))
    return {ids[n]: (fps[n], origins[n]) for n in range(reader.doc_count_all())
            if not reader.is_deleted(n)}


def _covers(sources: list[Path], origin: str) -> bool:
    """Whether an article's origin file lies in one of the sources given to update."""
    paths = {origin, os.path.realpath(origin)}
    return any(p == str(s) or p.startswith(str(s) + os.sep) for s in sources for p in paths)


def _read_elsewhere(sources: list[Path], origin: str) -> bool:
    """Whether an indexed article came from a file outside sources that still exists."""
    return not _covers(sources, origin) and os.path.exists(origin)


def update_index(sources, index_dir="index_data", *, procs=None, progress=None, notice=print) -> UpdateReport:
    """Add new and changed articles from sources, remove those gone from them, then swap in."""
    index_dir = Path(index_dir)
    sources = [Path(s).resolve() for s in sources]
    report, started = UpdateReport(), time.monotonic()
    with writer_lock(index_dir, notice):
        live = current_generation(index_dir)
        with _next_generation(index_dir) as gen:
            _link_copy(live, gen)
            _apply_update(gen, sources, report, procs, progress)
    report.seconds = time.monotonic() - started
    return report


def _apply_update(gen: Path, sources, report: UpdateReport, procs, progress) -> None:
    ix = whoosh.index.open_dir(str(gen))
    with ix.reader() as reader:
        existing = _existing(reader)
    seen, changed = set(), []
    for article in _read_articles(sources, report, progress):
        if progress:
            progress(len(seen) + 1)  # articles read and compared so far
        old = existing.get(article.id)
        if old is not None and _read_elsewhere(sources, old[1]):
            report.skipped.append(Skip(article.origin, f"duplicate id {article.id!r}, already indexed from {old[1]}"))
            continue
        seen.add(article.id)
        if old is not None and old[0] == fingerprint(article):
            report.unchanged += 1
        else:
            changed.append(article)
    writer = segment_writer(ix)
    try:
        _write_changes(writer, changed, existing, report, procs, progress)
        for doc_id, (_, origin) in existing.items():
            if doc_id not in seen and _covers(sources, origin):
                writer.delete_by_term("id", doc_id)
                report.removed += 1
        writer.commit(merge=False)  # a merge would read postings back from Whoosh, without positions
    except BaseException:
        writer.cancel()
        raise


def _write_changes(writer, changed, existing, report, procs, progress) -> None:
    with _pool(procs) as pool:
        for doc in _analysed_documents(pool, changed, report.skipped.append):
            if doc["id"] in existing:
                writer.update_document(**doc)
                report.updated += 1
            else:
                writer.add_document(**doc)
                report.added += 1
            if progress:
                progress(report.added + report.updated)
