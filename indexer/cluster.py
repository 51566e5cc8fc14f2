"""Sharded indexes on a Dask cluster (the optional ``cluster`` extra: ``distributed``).

An index folder built with ``--shards N`` holds N ordinary indexes (``shard-0`` …, each with its
generations and ``CURRENT``) and a manifest, ``SHARDS.json``, naming them with the format
version. Articles go to a shard by a stable hash of their id. A build runs one task that reads the
sources once and deals each shard's articles in batches to analysis tasks (pyvi, segment writing)
on any worker; an update runs one task per shard; the folder must be reachable at the same path
from every worker.

A search (``open_index(DIR, cluster=ADDRESS)``) goes to one replica of every shard, each held open
by a Dask actor (and to the next replica too when the one asked is slow to answer: a hedged request,
see AnswerTimes; the replica that lost skips the call unless started: ShardActor.drop). As
Elasticsearch's dfs_query_then_fetch does, the corpus-wide counts the ranking decides with
(``Scorer.count``) are gathered from every shard and summed first, so the shards rank exactly as one
index of all the articles; every replica holds the CorpusTable of the stable counts a new search
reads most, so a shard ranks one at once and the front checks the few counts it had to estimate
(decided_alike); the best hits are merged by score (or date) then id, and the page's snippets are
cut on the shards holding them. Syndicated copies are grouped over all shards (``duplicates.groups``
run by the front on every shard's SimHashes, once per set of generations); each shard keeps the best
of a group it holds alone, the front the best of a group spread over shards. A shard with no live
replica leaves the results partial (``Results.partial``, ``Results.missing_shards``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import os
import pickle
import threading
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import Future
from contextlib import ExitStack
from functools import partial
from itertools import chain, count
from pathlib import Path

import numpy as np

from . import duplicates, storage
from .articles import is_article_file, iter_articles
from .build import (BuildReport, DeleteReport, RestoreReport, UpdateReport, _next_generation, _retracted_before,
                    _write_here, delete_in_folder, kept_out, restore_in_folder, update_in_folder)
from .facets import facet_filters, summed_facets
from .query import QueryError, halfwidth, parse
from .search import (COOC_FIELD, LEXICON_SAMPLE_DOCS, LEXICON_WAIT_DOCS, RELATED_LIMIT, UNDERSTOOD_CACHE,
                     CopyGroups, Found, Health, Index, Results, _check_paging, _sure_words, _titles_cased, check_flags, check_id, _check_prefix, _Memo, _ms, _recency_window, adjacent_sum,
                     completions, outdated_analysis, understand_query)
from .understand import Lexicon
from .scorer import COMPARISONS, DECIDING, HOLDING_SAMPLE
from .snippets import Marks
from .storage import FORMAT_VERSION
from .storage.flat import present, summed_counts, term_hash
from .store import (LOCK, MANIFEST, NONE, OLD, IndexNotFound, NoIndex, current_generation, generation_bytes,
                    refuse_foreign_folder, refuse_shard_folder, remove_index, replaced, write_retracted, writer_lock)

CONNECT_SECONDS = 5.0  # how long to try reaching the scheduler
SHARD_SECONDS = 10.0  # the longest wait for one shard's answer before it counts as missing
LEXICON_SECONDS = 300.0  # the same for the parts of a Lexicon (built in the background; seconds per shard)
COUNT_ROUNDS = 4  # rounds of gathering corpus-wide counts before ranking with what is known
STABLE_COUNTS = ("docs", "length", "df", "phrase", "matching")  # counts that change only with a generation
KNOWN_COUNTS = 200_000  # corpus-wide counts a shard's actor remembers (then it starts again)
KNOWN_SEARCHES = 4096  # searches whose corpus-wide counts the front remembers (people repeat queries)
PLACE_SECONDS = 60.0  # opening a shard's index on a worker
BUILD_BATCH = 2_000  # articles of one shard per analysis task of a build (a segment each)
SHARE_AGAIN_SECONDS = 60.0  # after a failed share of the CorpusTable (a shard down), the next one
PREFETCH_MISS = 0.02  # how often a shard may hold more of a new search's first page than it cut snippets for
# Hedged requests ("The Tail at Scale", Dean & Barroso): a call waits for the replica asked this many
# times the p95 of the method's recent answer times (at least HEDGE_FLOOR, at most half its wait; until
# HEDGE_MEASURED are known, as all the methods' answers, or half its wait: AnswerTimes.hedge_delay), then
# asks the next replica too and takes the first answer;
# twice the p95 would have asked a second replica for 0.57% of the calls of the 300-query mix (first and again,
# R = 2, load 15; once the p95: 6.8%)
HEDGE_TIMES = 2.0
HEDGE_FLOOR = 0.05  # seconds
HEDGE_MEASURED = 20  # answers a p95 is first made of, then made again after as many more
ANSWERS_KEPT = 200  # the recent answer times of a method the p95 is taken over
ANY_METHOD = ""  # the answer times of all methods: a search's call of a method not measured yet waits as they do
DROPS_KEPT = 4096  # tickets of dropped calls a replica remembers (a drop that came after its call ran stays)


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or used."""


def shard_of(doc_id: str, shards: int) -> int:
    """The shard of an article: a stable hash of its id (the same on every machine and run)."""
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def shard_dirs(index_dir) -> list[Path]:
    """The shards' folders named by the manifest; IndexNotFound without one, ClusterError for another format."""
    try:
        manifest = json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(f"no sharded index in {index_dir}: build one with `python -m indexer build "
                            f"SOURCES --index {index_dir} --cluster ADDRESS --shards N`", NoIndex(NONE)) from None
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexNotFound(f"the shards in {index_dir} are in format {manifest.get('format')}, this version "
                            f"reads format {FORMAT_VERSION}: rebuild them", NoIndex(OLD))
    return [Path(index_dir) / name for name in manifest["shards"]]


def _write_manifest(index_dir: Path, shards: int) -> None:
    """Name the shards in the manifest (written whole, then renamed into place)."""
    with replaced(index_dir / MANIFEST) as f:
        f.write(json.dumps({"format": FORMAT_VERSION, "shards": [f"shard-{n}" for n in range(shards)]}).encode())


def connect(address: str):
    """A Dask client of the scheduler at address; ClusterError (one line) when it cannot be reached."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError('the cluster needs Dask\'s distributed: pip install -e ".[cluster]"') from None
    for name in ["distributed", *logging.root.manager.loggerDict]:  # our one line says what failed
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        # direct_to_workers: actor calls go straight to the worker, not through the scheduler
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False, direct_to_workers=True)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} "
                           f"(no answer within {CONNECT_SECONDS:.0f} s): {type(e).__name__}") from None


class _InShard:
    """select= for build_index and update_index: the articles of one shard (picklable)."""

    def __init__(self, shard: int, shards: int):
        self.shard, self.shards = shard, shards

    def __call__(self, doc_id: str) -> bool:
        return shard_of(doc_id, self.shards) == self.shard


def _run_on_shards(address: str, task, index_dir: Path, sources, shards: int) -> list:
    """Run task(sources, shard folder, shard, shards) for every shard on the cluster; their reports."""
    client = connect(address)
    try:
        futures = [client.submit(task, [str(Path(s).resolve()) for s in sources], str(index_dir / f"shard-{n}"),
                                 n, shards, pure=False) for n in range(shards)]
        return client.gather(futures)
    finally:
        client.close()


def _read_and_deal(sources, index_dir: str, shards: int, retracted: dict) -> BuildReport:
    """Worker task: read the sources once, deal each shard's articles in batches to analysis tasks
    on the cluster (those retracted kept out), then publish every shard's new generation with the
    segments they wrote and its share of the retracted ids."""
    from distributed import worker_client
    report = BuildReport()
    dirs = [Path(index_dir) / f"shard-{n}" for n in range(shards)]
    with ExitStack() as held, worker_client() as client:  # worker_client: this task's thread is freed for analysis
        for shard_dir in dirs:
            held.enter_context(writer_lock(shard_dir, notice=lambda m: None))
        gens = [held.enter_context(_next_generation(shard_dir)) for shard_dir in dirs]
        for n, gen in enumerate(gens):
            storage.create(gen)
            write_retracted(gen, {i: when for i, when in retracted.items() if shard_of(i, shards) == n})
        articles = iter_articles(sources, report.skipped, report.truncated, undated=report.undated,
                                 ignored=report.ignored, replaced=report.replaced)
        written = _deal(client, kept_out(articles, retracted, report), [str(g) for g in gens])
        for gen, results in zip(gens, written):
            storage.commit(storage.open_files(gen), [s for _, segments, _ in results for s in segments])
        report.indexed = sum(count for results in written for count, _, _ in results)
        report.skipped += [skip for results in written for _, _, skips in results for skip in skips]
    return report


def _deal(client, articles, gens: list[str]) -> list[list[tuple]]:
    """Each shard's (articles indexed, segments, skips) of the analysis tasks its articles were dealt
    to, BUILD_BATCH at a time, with at most two tasks per worker thread running or waiting."""
    from distributed import wait
    batches, written, running = [[] for _ in gens], [[] for _ in gens], set()
    most = 2 * max(1, sum(client.nthreads().values()))
    for n, article in ((shard_of(a.id, len(gens)), a) for a in articles):
        batches[n].append(article)
        if len(batches[n]) >= BUILD_BATCH:
            running.add(client.submit(_analyse_batch, gens[n], batches[n], n, pure=False))
            batches[n] = []
            if len(running) >= most:
                running = _collect(wait(running, return_when="FIRST_COMPLETED"), written)
    running |= {client.submit(_analyse_batch, gens[n], batch, n, pure=False) for n, batch in enumerate(batches) if batch}
    _collect(wait(running), written)
    return written


def _collect(waited, written: list[list]) -> set:
    """Add the finished tasks' results to their shard's (raising a task's error); the others."""
    for future in waited.done:
        shard, *result = future.result()
        written[shard].append(tuple(result))
    return set(waited.not_done)


def _analyse_batch(gen: str, batch: list, shard: int) -> tuple[int, int, list, list]:
    """Worker task: analyse a batch of one shard's articles into a segment of its generation gen;
    (shard, articles indexed, segments, skips)."""
    skipped = []
    count, segments, _ = _write_here(Path(gen), [batch], skipped, None)
    return shard, count, segments, skipped


def _update_shard(sources, shard_dir: str, shard: int, shards: int) -> UpdateReport:
    """Worker task: update one shard with its articles of the sources (update_sharded holds the top folder's lock)."""
    return update_in_folder(sources, Path(shard_dir), procs=0, notice=lambda m: None, select=_InShard(shard, shards))


def _once(items) -> list:
    """Each (where, reason) once: every shard reads all the sources and reports the same skips."""
    return list({(item.where, str(item)): item for item in items}.values())


def build_sharded(sources, index_dir, cluster: str, shards: int, *, notice=print) -> BuildReport:
    """Build N shards of index_dir on the cluster (one task reads the sources, many analyse), then
    name them in the manifest; the index index_dir held before is removed then (a build replaces it): one
    index, or the shards the new manifest does not name. Its retracted ids stay so, each in its new shard."""
    index_dir, started = Path(index_dir), time.monotonic()
    refuse_shard_folder(index_dir, "build")  # it would remove that shard's index, under the shard's lock alone
    refuse_foreign_folder(index_dir, is_article_file)
    with writer_lock(index_dir, notice):  # no build or update of that one index meanwhile (notice: a stale lock cleared)
        retracted = _all_retracted_before(index_dir, notice)
        client = connect(cluster)
        try:
            report = client.submit(_read_and_deal, [str(Path(s).resolve()) for s in sources], str(index_dir.resolve()),
                                   shards, retracted, pure=False).result()
        finally:
            client.close()
        before = _named_shards(index_dir)
        _write_manifest(index_dir, shards)
        remove_index(index_dir)
        _remove_shards(before[shards:])
    report.seconds = time.monotonic() - started
    return report


def _all_retracted_before(index_dir: Path, notice) -> dict[str, str]:
    """The ids retracted in the index index_dir holds before a sharded build: one index's, its shards'
    (read with the folder's writer lock held: a sharded delete or restore takes it too)."""
    folders = [index_dir, *_named_shards(index_dir)]
    return {i: when for folder in folders for i, when in _retracted_before(folder, notice).items()}


def _named_shards(index_dir: Path) -> list[Path]:
    """The shard folders the folder's manifest names (none without one, or in another format)."""
    try:
        return shard_dirs(index_dir)
    except IndexNotFound:
        return []


def _remove_shards(shards: list[Path]) -> None:
    """Remove these shards of a sharded index that a build replaced (it built fewer): their index,
    then their folder unless something else is in it."""
    for shard in shards:
        if not shard.is_dir():
            continue
        with writer_lock(shard, notice=lambda message: None):
            remove_index(shard)
        (shard / LOCK).unlink(missing_ok=True)
        try:
            shard.rmdir()
        except OSError:  # files of someone's: left as they are
            pass


def update_sharded(sources, index_dir, cluster: str, *, notice=print) -> UpdateReport:
    """Update every shard of index_dir on the cluster, each article going to its shard, holding index_dir's
    writer lock (no sharded build, delete or optimize meanwhile)."""
    started = time.monotonic()
    refuse_shard_folder(index_dir, "update")
    shard_dirs(index_dir)  # IndexNotFound before the lock would create the folder
    with writer_lock(Path(index_dir), notice, "update"):  # notice: a stale lock it clears
        reports = _run_on_shards(cluster, _update_shard, Path(index_dir), sources, len(shard_dirs(index_dir)))
    total = UpdateReport(**{name: sum(getattr(r, name) for r in reports)
                            for name in ("added", "updated", "removed", "unchanged", "kept")})
    total.skipped = _once(s for r in reports for s in r.skipped)
    total.truncated = _once(t for r in reports for t in r.truncated)
    total.undated = _once(u for r in reports for u in r.undated)
    total.replaced = _once(r for report in reports for r in report.replaced)
    total.replaced_before = _once(r for report in reports for r in report.replaced_before)
    total.kept_empty = sum((r.kept_empty for r in reports), Counter())
    total.retracted = [i for r in reports for i in r.retracted]  # each shard keeps out its own
    for r in reports:  # every shard counted the same folders
        total.ignored |= r.ignored
    total.seconds = time.monotonic() - started
    return total


def delete_sharded(ids, index_dir, *, procs=None, notice=print) -> DeleteReport:
    """Remove and retract the articles with these ids from a sharded index, each in its shard's folder
    (as delete_articles does in one index; read from the folders, as stats)."""
    total = DeleteReport()
    reports = _by_shard(ids, index_dir, notice, "delete", total,
                        lambda shard_ids, folder: delete_in_folder(shard_ids, folder, procs=procs, notice=notice))
    total.deleted = sum(report.deleted for report in reports)
    return total


def restore_sharded(ids, index_dir, *, notice=print) -> RestoreReport:
    """Lift the retraction of these ids in a sharded index, each in its shard's folder (as
    restore_articles does in one index)."""
    total = RestoreReport()
    reports = _by_shard(ids, index_dir, notice, "restore", total,
                        lambda shard_ids, folder: restore_in_folder(shard_ids, folder, notice=notice))
    total.restored = sum(report.restored for report in reports)
    return total


def _by_shard(ids, index_dir, notice, command: str, total, run) -> list:
    """run(ids of a shard, its folder) for each shard of these ids (by the hash of the id), holding
    index_dir's writer lock (no sharded build meanwhile: it reads every shard's retractions); their
    reports, whose skips and time taken go to total."""
    started, dirs = time.monotonic(), shard_dirs(index_dir)
    by_shard = defaultdict(list)
    for doc_id in dict.fromkeys(ids):
        by_shard[shard_of(doc_id, len(dirs))].append(doc_id)
    with writer_lock(Path(index_dir), notice, command):
        reports = [run(shard_ids, dirs[shard]) for shard, shard_ids in sorted(by_shard.items())]
    total.skipped = [skip for report in reports for skip in report.skipped]
    total.seconds = time.monotonic() - started
    return reports


class ShardActor:
    """One shard's index held open on a worker (a Dask actor); the methods a search calls."""

    def __init__(self, path: str, table: tuple | None = None, asked_first: bool = False):
        self.index = Index(path)
        self.epoch, self.known = None, {}  # corpus-wide counts remembered for the shards' generations
        # the CorpusTable of all shards and the generations it counts (a replica opened after a share gets the front's)
        self.table_epoch, self.table = table or (None, None)
        self.grouping: CopyGroups | None = None  # the copy groups of all shards, for one generation of this one
        # the frequency table this replica last sent the front; a replica the front asks first for it (replica 0),
        # opened after a share, makes its own at once: the front holds that generation's (another replica sent
        # it) unless the shard changed meanwhile, so the next share after an update takes only its change
        self.made: tuple | None = self.index.frequency_table() if table and asked_first else None
        self.dropping: dict[int, None] = {}  # tickets of calls the front no longer waits for, oldest first
        self.dropping_lock = threading.Lock()  # drop runs on the worker's event loop, call on the actor thread
        self.answered = self.skipped = 0  # calls run, and calls dropped before they started

    def call(self, packed: bytes, ticket: int | None = None) -> bytes:
        """The pickled answer of a method called as pickled (method, args): one opaque message each
        way, where Dask would serialise every element of nested arguments and answers apart; nothing
        (b"") for a call whose ticket was dropped before it started."""
        with self.dropping_lock:
            dropped = self.dropping.pop(ticket, False) is None
        if dropped:
            self.skipped += 1
            return b""
        method, args = pickle.loads(packed)
        answer = _pack(getattr(self, method)(*args))
        self.answered += 1
        return answer

    async def drop(self, ticket: int) -> None:
        """Skip the call of this ticket if it has not started: another replica answered it first (a
        coroutine: run on the worker's event loop at once, while the actor thread is busy)."""
        with self.dropping_lock:
            self.dropping[ticket] = None
            if len(self.dropping) > DROPS_KEPT:
                del self.dropping[next(iter(self.dropping))]

    async def call_counts(self) -> tuple[int, int]:
        """(calls run, calls dropped before they started), read at once (a coroutine)."""
        return self.answered, self.skipped

    def find(self, args, counts: dict, options, first: int, epoch: tuple, counts_only: bool, shards: int):
        """The shard's Found, ranked with the corpus-wide counts given and those given before for the
        same epoch (the shards' generations); with it, when no count was lacking, the Hits of its
        first documents (the first page: no fetch round). Without epoch (a shard was down, so the
        counts are the other shards') nothing remembered is used or kept. counts_only: a Found of
        no documents, only the counts lacking (a first round). shards: how many the counts sum."""
        found = self.index.find(*args, self._given(counts, epoch), *options,
                                grouping=self.grouping, first=first, counts_only=counts_only, shards=shards)
        hits, found.hits = found.hits, None
        return found, hits

    def _given(self, counts: dict, epoch: tuple | None):
        """The corpus-wide counts a call ranks with: those given, and for an epoch (the shards'
        generations) those given before for it and its CorpusTable's; without one, those given alone."""
        if self._serving(epoch) is None:
            return counts
        if epoch != self.epoch or len(self.known) > KNOWN_COUNTS:
            self.epoch, self.known = epoch, {}
        self.known.update((key, value) for key, value in counts.items() if key[0] in STABLE_COUNTS)
        return _Given(counts, self.known, self.table if epoch == self.table_epoch else None)

    def _serving(self, epoch: tuple | None) -> tuple | None:
        """epoch, if this replica serves its generation of the shard, else None; a replica that
        serves another reloads at once first (the front saw the shard's next generation within the
        second a replica waits between its own checks: counts of two generations summed as one
        epoch's would be remembered by every replica for it)."""
        if epoch is None:
            return None
        names = {name for _, name in epoch}  # no two shards' generations share a name (time, pid, ns)
        if self.index.generation not in names:
            self.index.refresh()
        return epoch if self.index.generation in names else None

    def related_terms(self, doc_id: str, counts: dict, epoch: tuple | None, shards: int):
        """Index.related_terms with the corpus-wide counts given (see _given)."""
        return self.index.related_terms(doc_id, self._given(counts, epoch), shards)

    def related_found(self, terms: list, left_out: tuple, limit: int, counts: dict, epoch: tuple | None,
                      shards: int):
        """Index.related_found with the corpus-wide counts given (see _given)."""
        return self.index.related_found(terms, left_out, limit, self._given(counts, epoch), shards)

    def set_table(self, epoch: tuple, table: "CorpusTable") -> None:
        """Rank the searches of epoch (the shards' generations) with the corpus-wide counts of table."""
        self.table_epoch, self.table = epoch, table

    def change_table(self, change: "TableChange") -> bool:
        """Whether the table held counts change's base generations: then it is changed into the table
        of change's epoch (a new one: a search may still read the one before)."""
        if self.table is None or self.table_epoch != change.base:
            return False
        self.table_epoch, self.table = change.epoch, self.table.changed(change)
        return True

    def held_table(self) -> tuple:
        """(the generations the table held counts, the CorpusTable), or (None, None)."""
        return self.table_epoch, self.table

    def table_generations(self) -> tuple | None:
        """The generations the table held counts, or None (held_table without the table)."""
        return self.table_epoch

    def frequency_table(self, unless: str | None = None):
        """Index.frequency_table(unless), or the TableChange from the table of unless (the front's)
        when this replica sent that one last, with the same text fields: what changed alone."""
        table = self.index.frequency_table(unless)
        if len(table) == 1:
            return table
        made, self.made = self.made, table
        if made is None or made[0] != unless or made[2] != table[2]:
            return table
        return TableChange.of_shard(made, table)

    def set_groups(self, generation: str, size: int, docs, labels, spread) -> None:
        """Group copies as the front found them over all shards (docs: this shard's documents in
        groups of two or more, labels: their groups, spread: those with copies in other shards)."""
        groups = np.arange(-size, 0)  # a group of its own for every other document
        groups[docs] = labels
        spread_mask = np.zeros(size, dtype=bool)
        spread_mask[spread] = True
        self.grouping = CopyGroups(groups, np.sort(docs), spread_mask, generation)

    def fingerprints(self):
        return self.index.fingerprints()

    def copy_numbers(self, generation: str, docs):
        return self.index.copy_numbers(generation, docs)

    def document_number(self, doc_id: str):
        return self.index.document_number(doc_id)

    def numbered_articles(self, generation: str, docs):
        return self.index.numbered_articles(generation, docs)

    def counts(self, keys, epoch: tuple | None = None):
        self._serving(epoch)
        return self.index.counts(keys)

    def lexicon_parts(self):
        return self.index.lexicon_parts()

    def lowest_hashes(self, count: int):
        return self.index.lowest_hashes(count)

    def adjacent(self, syllables, sample):
        return self.index.adjacent(syllables, sample)

    def hits(self, found, marks, epoch: tuple | None = None):
        self._serving(epoch)
        return self.index.hits(found, marks)

    def get(self, doc_id: str):
        return self.index.get(doc_id)

    def doc_count(self) -> int:
        return self.index.doc_count


class _Given:
    """The counts given for a search, else those remembered for the epoch, else the epoch's
    CorpusTable's (remembered then): a ChainMap's get (a search reads hundreds of counts) in
    0.2-0.4 µs instead of 0.9-3.4 (timeit)."""

    def __init__(self, counts: dict, known: dict, table: "CorpusTable | None" = None):
        self.counts, self.known, self.table = counts, known, table

    def get(self, key, default=None):
        value = self.counts.get(key)
        if value is None:
            value = self.known.get(key)
        if value is None and self.table is not None:
            value = self.known[key] = self.table.get(key)
        return default if value is None else value


class CorpusTable:
    """The corpus-wide counts that change only with the shards' generations and that a new search
    reads most (live documents, field lengths, every term's document frequency), held by every
    shard so that it ranks a new search without asking the front; a term's key is held as its
    64-bit hash (storage.flat.term_hash): 12 bytes a term."""

    def __init__(self, stable: dict, fields: list[str], hashes: np.ndarray, dfs: np.ndarray):
        self.stable, self.fields, self.hashes, self.dfs = stable, fields, hashes, dfs

    def get(self, key: tuple):
        """A count the table holds (0 for a term no shard holds), else None."""
        if key[0] != "df":
            return self.stable.get(key)
        hashed = np.uint64(term_hash(self.fields, key[1], key[2]))
        at = int(self.hashes.searchsorted(hashed))
        return int(self.dfs[at]) if at < len(self.hashes) and self.hashes[at] == hashed else 0

    @classmethod
    def summed(cls, tables) -> "CorpusTable":
        """The table of all shards from each shard's Index.frequency_table()."""
        tables = list(tables)
        stable = {key: sum(t[1][key] for t in tables) for key in tables[0][1]}
        hashes, dfs = summed_counts([t[3] for t in tables], [t[4] for t in tables])
        return cls(stable, tables[0][2], hashes, dfs)

    def __eq__(self, other) -> bool:
        return isinstance(other, CorpusTable) and (self.stable, self.fields) == (other.stable, other.fields) and \
            np.array_equal(self.hashes, other.hashes) and np.array_equal(self.dfs, other.dfs)

    def changed(self, change: "TableChange") -> "CorpusTable":
        """This table with change's counts added (terms no shard holds any more left out)."""
        at, held = self.hashes.searchsorted(change.hashes), present(self.hashes, change.hashes)
        dfs = self.dfs.copy()
        dfs[at[held]] += change.dfs[held]
        hashes = np.insert(self.hashes, at[~held], change.hashes[~held])
        dfs = np.insert(dfs, at[~held], change.dfs[~held])
        if not dfs.all():
            kept = dfs != 0
            hashes, dfs = hashes[kept], dfs[kept]
        stable = {key: value + change.stable.get(key, 0) for key, value in self.stable.items()}
        return CorpusTable(stable, self.fields, hashes, dfs)


class TableChange:
    """What turns the CorpusTable of the base generations into that of epoch: the changes of the
    stable counts and of the document frequencies that changed (hashes sorted, changes not 0)."""

    def __init__(self, base: tuple, epoch: tuple, stable: dict, hashes: np.ndarray, dfs: np.ndarray):
        self.base, self.epoch, self.stable, self.hashes, self.dfs = base, epoch, stable, hashes, dfs

    @classmethod
    def between(cls, base: tuple, epoch: tuple, old: list, new: list) -> "TableChange":
        """The change from the old frequency tables of the shards that changed to their new ones."""
        return cls.summed(base, epoch, [cls.of_shard(before, after) for before, after in zip(old, new)])

    @classmethod
    def of_shard(cls, old: tuple, new: tuple) -> "TableChange":
        """The change from one shard's old frequency table (Index.frequency_table) to its new one
        (base and epoch: its generations)."""
        stable = {key: new[1][key] - old[1][key] for key in new[1]}
        hashes, dfs = _df_changes(old[3], old[4], new[3], new[4])
        order = np.argsort(hashes)
        return cls(old[0], new[0], stable, hashes[order], dfs[order])

    @classmethod
    def summed(cls, base: tuple, epoch: tuple, changes: list) -> "TableChange":
        """The change of the summed table from the changes of the shards that changed."""
        if not changes:
            return cls(base, epoch, {}, np.empty(0, np.uint64), np.empty(0, np.int32))
        stable = {key: sum(c.stable[key] for c in changes) for key in changes[0].stable}
        hashes, dfs = summed_counts([c.hashes for c in changes], [c.dfs for c in changes])
        changed = dfs != 0
        return cls(base, epoch, stable, hashes[changed], dfs[changed])

    def applied(self, table: tuple) -> tuple:
        """One shard's frequency table (of the base generation) with this change of it added."""
        changed = CorpusTable(table[1], table[2], table[3], table[4]).changed(self)
        return self.epoch, changed.stable, changed.fields, changed.hashes, changed.dfs


def _df_changes(old_hashes, old_dfs, new_hashes, new_dfs) -> tuple[np.ndarray, np.ndarray]:
    """(the hashes whose document frequency changed from one shard's old table to its new one, the
    changes): the new table's terms looked up in the old (both sorted), never sorting them all again."""
    at, held = old_hashes.searchsorted(new_hashes), present(old_hashes, new_hashes)
    change = new_dfs.astype(np.int32)  # a copy
    change[held] -= old_dfs[at[held]]
    gone = np.ones(len(old_hashes), dtype=bool)
    gone[at[held]] = False
    moved = change != 0
    return (np.concatenate([new_hashes[moved], old_hashes[gone]]),
            np.concatenate([change[moved], -old_dfs[gone].astype(np.int32)]))


def decided_alike(found: dict, summed: dict, shards: int) -> bool:
    """Whether the shards, ranking with estimates of the counts they lacked (Scorer.counted: their
    own times shards), ranked as the summed counts rank: every decision made with an estimate
    (Scorer.decide) comes out the same with the sums, no estimate of a DECIDING count was used
    as a value, and every other estimate is its sum."""
    value = lambda x: summed.get(x) if isinstance(x, tuple) else x
    for f in found.values():
        if any(key[0] not in DECIDING and own * shards != summed.get(key) for key, own in f.missing.items()):
            return False
        for key, op, limit, outcome in f.decided:
            if op == "used" or None in (value(key), value(limit)) or \
                    COMPARISONS[op](value(key), value(limit)) != outcome:
                return False
    return True


class _ShardDown(Exception):
    """No replica of a shard answered."""


_DOWN = object()  # what _gather gives for a shard none of whose replicas answered
_TICKETS = count()  # a ticket for each call of a method to a shard's replicas (used on the client's event loop)


async def _gather(method: str, calls: dict, seconds: float = SHARD_SECONDS,
                  times: "AnswerTimes | None" = None) -> dict:
    """{shard: the answer of method(*args) from the first of its actors that answers within
    seconds, or _DOWN} for calls {shard: (actors, args)}; QueryError and IndexNotFound are raised.
    With times, a call is hedged (see AnswerTimes.hedge_delay) and its answer times are noted."""
    deadline = time.monotonic() + seconds
    delay = times.hedge_delay(method, seconds) if times is not None else seconds
    answers = await asyncio.gather(*(_first_answer(actors, method, args, deadline, delay, times)
                                     for actors, args in calls.values()))
    return dict(zip(calls, answers))


async def _call_counts(actors: list) -> list[tuple[int, int] | None]:
    """Each actor's call_counts(), None for one that does not answer within SHARD_SECONDS."""
    async def counts(actor):
        try:
            return await asyncio.wait_for(actor.call_counts(), SHARD_SECONDS)
        except Exception:  # a lost worker
            return None
    return await asyncio.gather(*map(counts, actors))


def _pack(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


async def _first_answer(actors, method: str, args, deadline: float, delay: float, times: "AnswerTimes | None"):
    """The first answer of the actors, asked one after another: the next one at once when the one
    asked fails (a lost worker), or after delay without an answer (a busy one: the one before is
    still waited for); _DOWN when none answers by the deadline."""
    packed, left, asking, ticket = _pack((method, args)), list(actors), {}, next(_TICKETS)
    try:
        while left or asking:
            if left:
                actor = left.pop(0)
                asking[asyncio.ensure_future(_timed_call(actor, packed, ticket, method, times))] = actor
            wait = deadline - time.monotonic()
            done, _ = await asyncio.wait(asking, timeout=max(0.0, min(wait, delay) if left else wait),
                                         return_when=asyncio.FIRST_COMPLETED)
            asking = {call: actor for call, actor in asking.items() if call not in done}
            answer = _answer_of(done)
            if answer is not _DOWN:
                return answer
            if not done and not left:  # the deadline passed
                break
        return _DOWN
    finally:
        _drop(asking, ticket)


def _drop(asking: dict, ticket: int) -> None:
    """Stop waiting for the calls still asked and tell their replicas to skip them unless started
    (Dask cannot cancel an actor's call: one started runs on, its answer unread)."""
    for call, actor in asking.items():
        call.cancel()
        try:
            actor.drop(ticket)  # sent at once; its answer (none) is not waited for
        except Exception:  # the replica's worker was lost: nothing left to skip
            continue


async def _timed_call(actor, packed: bytes, ticket: int, method: str, times: "AnswerTimes | None") -> bytes:
    started = time.monotonic()
    answer = await actor.call(packed, ticket)
    if times is not None:
        times.note(method, time.monotonic() - started)
    return answer


def _answer_of(done) -> object:
    """The first answer of the finished calls, or _DOWN when they all failed; QueryError and
    IndexNotFound are raised (every call's outcome is read: asyncio logs an error never read)."""
    answers = []
    for call in done:
        try:
            answers.append(call.result())
        except (QueryError, IndexNotFound):
            raise
        except Exception:  # a lost worker: the next replica
            continue
    return pickle.loads(answers[0]) if answers else _DOWN


class AnswerTimes:
    """Each method's recent answer times (seconds from a call to a replica to its answer), which
    decide how long a call waits for a busy replica before asking the next one too."""

    def __init__(self):
        self.times: dict[str, deque] = defaultdict(lambda: deque(maxlen=ANSWERS_KEPT))
        self.noted: dict[str, int] = defaultdict(int)
        self.p95: dict[str, float] = {}  # made again every HEDGE_MEASURED answers (np.percentile: 20-50 µs)

    def note(self, method: str, seconds: float) -> None:
        """Note an answer of method after seconds (on the client's event loop: one at a time)."""
        for kind in (method, ANY_METHOD):
            recent = self.times[kind]
            recent.append(seconds)
            self.noted[kind] += 1
            if self.noted[kind] % HEDGE_MEASURED == 0:
                self.p95[kind] = float(np.percentile(recent, 95))

    def hedge_delay(self, method: str, seconds: float) -> float:
        """How long a call of method that may wait seconds waits for one replica before asking the next
        too; a method of a search's wait not measured yet: as the search calls measured so far."""
        p95 = self.p95.get(method, self.p95.get(ANY_METHOD) if seconds <= SHARD_SECONDS else None)
        if p95 is None:
            return seconds / 2
        return min(seconds / 2, max(HEDGE_FLOOR, HEDGE_TIMES * p95))


class ClusterIndex:
    """A sharded index searched on a Dask cluster: the same search, get, doc_count and close as Index."""

    def __init__(self, path, cluster: str, replicas: int = 1, background_lexicon: bool = True):
        self.path = Path(path).resolve()
        self._background = background_lexicon  # see open_index
        self.shards = [self.path / shard.relative_to(path) for shard in shard_dirs(path)]  # errors name path as given
        self.client = connect(cluster)
        self._turn = 0  # which replica a call tries first, in turn (the same for all its shards)
        self._opened = 0  # actors opened (their keys' numbers)
        self._lexicon_build: Future | None = None
        self._lexicon_before: Lexicon | None = None  # answers while a new generation's is built
        self._generations: dict[int, str] = {}  # the generation each shard last searched
        self._lock = threading.Lock()
        self._actors: dict[str, object] = {}  # actor handles by their future's key
        self._targets: dict[str, str] = {}  # the worker each replica opening on one was placed on, by future key
        self._groups: dict[int, tuple] = {}  # every shard's copy groups of all shards (set_groups arguments)
        self._frequencies: dict[str, int] = {}  # words' frequencies in all shards (for understand_query)
        self._searched = _Memo(KNOWN_SEARCHES)  # search -> (generations, its counts)
        self._understood_memo = _Memo(UNDERSTOOD_CACHE)  # NFC query -> understand_query() over all shards
        self._holding_bound_made: int | None = None  # see _holding_bound
        self._table_share: Future | None = None  # sharing the CorpusTable: the epoch it was shared for, or None
        self._table: tuple | None = None  # (epoch, the CorpusTable shared for it): the front reads it too
        self._shard_tables: dict[int, tuple] = {}  # each shard's frequency table the last table summed
        self._sharing = threading.Lock()  # one share at a time: each changes the table the one before shared
        self._rounds = threading.local()  # count: the calls to the shards a thread made (Results.rounds)
        self._answer_times = AnswerTimes()  # how long a call waits for a replica before asking the next too
        try:
            self._futures = self._place(replicas)
            self.client.gather([f for replicas_ in self._futures for f in replicas_])  # raises if a shard fails to open
            self._docs = self.doc_count
        except Exception:
            self.close()
            raise
        self.share_table(wait=False)

    def _place(self, replicas: int) -> list[list]:
        """Actor futures: replicas of every shard, on different workers when there are enough."""
        workers = self._workers()
        return [[self._open(n, workers[(n + r) % len(workers)] if workers else None, r == 0)
                 for r in range(max(1, min(replicas, len(workers))))] for n in range(len(self.shards))]

    def _workers(self) -> list[str]:
        return sorted(self.client.scheduler_info()["workers"])

    def _open(self, shard: int, worker: str | None, first: bool):
        """A future of a new actor holding the shard open on worker (or any worker); first: replica 0,
        the one a share asks first for the shard's frequency table."""
        self._opened += 1
        future = self.client.submit(ShardActor, str(self.shards[shard]), self._table, first, actor=True,
                                    key=f"shard-actor-{self.shards[shard].name}-{os.getpid()}-{id(self)}-{self._opened}",
                                    workers=[worker] if worker else None, allow_other_workers=bool(worker))
        if worker:
            self._targets[future.key] = worker
        # Dask runs done callbacks one at a time on one thread: the table is given from another
        future.add_done_callback(lambda done: threading.Thread(target=self._give_table, args=(done,), daemon=True).start())
        return future

    def _give_table(self, future) -> None:
        """Give a replica, once open, the front's table if a share made another while it was being
        opened (it was created with the one before, and no share reaches a replica not yet open)."""
        if future.status != "finished":
            return
        try:
            with self._sharing:
                shared = self._table
                actors = self._handle(future) if shared is not None else []
                if not actors:
                    return
                held = self.client.sync(_gather, "table_generations", {0: (actors, ())})[0]
                if held is not _DOWN and held != shared[0]:
                    self.client.sync(_gather, "set_table", {0: (actors, shared)}, LEXICON_SECONDS)
        except Exception:  # the index closed meanwhile: no replica to give it
            return

    def _replace_lost(self, shard: int) -> None:
        """Open a new replica on a live worker in place of each one whose worker was lost (Dask
        does not move actors); searches use it once it is open."""
        futures = self._futures[shard]
        lost = self._lost(futures)
        if not lost:
            return
        holders = {w for f in futures if f.status == "finished" for w in self.client.who_has([f]).get(f.key, ())}
        workers = sorted(self._workers(), key=lambda w: w in holders)
        for i, r in enumerate(lost):
            self._actors.pop(futures[r].key, None)
            if self._targets.pop(futures[r].key, None) and futures[r].status == "pending":
                futures[r].cancel()  # stranded: its task would otherwise wait on the scheduler for good
            futures[r] = self._open(shard, workers[i % len(workers)] if workers else None, r == 0)

    def _lost(self, futures) -> list[int]:
        """The replicas to open again: those whose worker was lost, and those waiting to open on a
        worker that has left (Dask keeps such a task waiting for it when others join, its placement
        though loose, once it found no worker at all)."""
        lost = [r for r, f in enumerate(futures) if f.status in ("error", "lost", "cancelled")]
        waiting = [r for r, f in enumerate(futures) if f.status == "pending" and f.key in self._targets]
        if waiting:
            live = set(self._workers())
            lost += [r for r in waiting if self._targets[futures[r].key] not in live]
        return sorted(lost)

    def _every_replica(self, shards) -> dict[tuple[int, int], object]:
        """{(shard, replica): handle} of the open replicas of these shards."""
        return {(n, r): actor for n in shards for r, actor in enumerate(self._replicas(n))}

    def _replicas(self, shard: int, turn: int = 0) -> list:
        """Handles of the shard's open replicas, starting with replica turn (modulo their number):
        the same turn for every shard of a call sends them to different workers (see _place)."""
        with self._lock:
            self._replace_lost(shard)
            futures = list(self._futures[shard])
        handles = []
        for future in (futures[(turn + i) % len(futures)] for i in range(len(futures))):
            if future.status == "finished":  # one being opened: the search does not wait for it
                handles.extend(self._handle(future))
        return handles

    def _handle(self, future) -> list:
        """[the actor of a finished future] (fetched once), or [] when it cannot be had."""
        if future.key not in self._actors:
            try:
                with self.client.as_current():  # the actor handle finds its client through it
                    self._actors[future.key] = future.result(timeout=SHARD_SECONDS)
            except Exception:  # a lost worker, a timeout
                return []
        return [self._actors[future.key]]

    def _ask(self, shard: int, method: str, *args):
        """A method's answer from one replica of the shard, trying the others; _ShardDown if none answers."""
        answers, down = self._each(method, lambda n: args, [shard])
        if down:
            raise _ShardDown(shard)
        return answers[shard]

    def _each(self, method: str, args_of, shards, seconds: float = SHARD_SECONDS,
              turn: int | None = None) -> tuple[dict, set[int]]:
        """({shard: answer} for the shards that answered method(*args_of(shard)), the shards that did
        not), all called at once on the client's event loop; turn: the replica each shard asks first
        (else the next in turn)."""
        with self._lock:
            self._turn += 1
            turn = self._turn if turn is None else turn
        calls = {n: (self._replicas(n, turn), args_of(n)) for n in shards}
        self._rounds.count = getattr(self._rounds, "count", 0) + bool(calls)
        answers = self.client.sync(_gather, method, calls, seconds, self._answer_times) if calls else {}
        return {n: a for n, a in answers.items() if a is not _DOWN}, {n for n, a in answers.items() if a is _DOWN}

    def hedge_delay(self, method: str = "find") -> float:
        """How long a call of method to a shard waits for a replica before asking the next too (seconds)."""
        return self._answer_times.hedge_delay(method, SHARD_SECONDS)

    @property
    def doc_count(self) -> int:
        """How many articles the shards that answer hold."""
        return self.health().articles

    def health(self) -> Health:
        """How many articles the shards that answer hold, and which shards did not answer."""
        answers, down = self._each("doc_count", lambda n: (), range(len(self.shards)))
        return Health(sum(answers.values()), sorted(self.shards[n].name for n in down), len(self.shards))

    @property
    def outdated_analysis(self) -> str | None:
        """Why the shards should be rebuilt (terms made by an older analysis), or None; read from their folders."""
        rebuild = (f"`python -m indexer build SOURCES --index {self.path} --cluster ADDRESS "
                   f"--shards {len(self.shards)}`")
        outdated = {shard.name: why for shard in self.shards
                    if (why := outdated_analysis(current_generation(shard), rebuild))}
        return f"{', '.join(outdated)}: {next(iter(outdated.values()))}" if outdated else None

    def marks(self, query_text: str, exact: bool = False) -> Marks:
        """What the query marks in results and articles (see Index.marks)."""
        return self.search(query_text, limit=1, exact=exact).marks

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions of a query being typed (see Index.suggest), from all shards' words."""
        _check_prefix(prefix)
        return completions(self._lexicon(), prefix, limit, self._understood)

    def _understood(self, query_text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
        """understand_query() over all shards, remembered for the last UNDERSTOOD_CACHE queries
        (as Index does) once the Lexicon is ready and every shard counted, until a shard serves
        another generation."""
        return self._understood_memo.understood(query_text, self._understanding)

    def _understanding(self, key: str) -> tuple[tuple, bool]:
        build = self._lexicon_build
        ready = build is not None and build.done() and build.exception() is None
        frequency, counted = self._frequency_of(key)
        holding, held = self._holding_of(key, frequency)
        return understand_query(key, frequency, self._lexicon, holding), ready and counted and held

    def _holding_of(self, query_text: str, frequency):
        """(articles_holding(words) for understand_query: in how many articles of all shards the words
        stand together (None for words it did not ask about), every set of words a first reading of the
        query asks about counted in one call; whether every shard counted)."""
        asked = set()
        understand_query(query_text, frequency, self._lexicon, lambda words: asked.add(words) or 1)
        if not asked:
            return (lambda words: None), True
        try:
            bound = self._holding_bound()
        except _ShardDown:
            return (lambda words: None), False
        keys = [("all", COOC_FIELD, words, bound) for words in asked]
        answers, down = self._each("counts", lambda n: (keys,), range(len(self.shards)))
        counted = {key[2]: sum(counts[key] for counts in answers.values()) for key in keys}
        return counted.get, not down

    def articles_holding(self, words: tuple[str, ...]) -> int:
        """In how many articles' bodies of all shards every one of the canonical words is, among the
        sample one index of them would count among (Index.articles_holding)."""
        key = ("all", COOC_FIELD, tuple(words), self._holding_bound())
        answers, down = self._each("counts", lambda n: ([key],), range(len(self.shards)))
        if down:
            raise _ShardDown(min(down))
        return sum(counts[key] for counts in answers.values())

    def _holding_bound(self) -> int:
        """The id-hash bound of the articles co-occurrence is counted among: the HOLDING_SAMPLE of all
        shards' articles with the lowest id hashes, as one index of them samples (until a shard
        serves another generation)."""
        bound = self._holding_bound_made
        if bound is None:
            bound = self._holding_bound_made = self._lowest_sample(HOLDING_SAMPLE)[0]
        return bound

    def _frequency_of(self, query_text: str):
        """(frequency(term) for understand_query: in how many articles of all shards' titles and
        bodies a word is (see search._frequency), every word it asks about counted in one call
        and remembered until a shard serves another generation; whether every shard counted)."""
        table = self._table_now()
        if table is not None:
            return lambda term: table.get(("df", "body", term)) + table.get(("df", "title", term)), True
        asked = set()
        understand_query(query_text, lambda term: asked.add(term) or 0, lambda: None)  # the words it asks about
        with self._lock:
            known = self._frequencies
        terms, down = asked - known.keys(), set()
        if terms:
            keys = [("df", field, term) for term in terms for field in ("body", "title")]
            answers, down = self._each("counts", lambda n: (keys,), range(len(self.shards)))
            counted = {term: sum(counts[("df", f, term)] for counts in answers.values() for f in ("body", "title"))
                       for term in terms}
            if not down:
                with self._lock:
                    if len(self._frequencies) > KNOWN_COUNTS:
                        self._frequencies = {}
                    self._frequencies.update(counted)
            known = {**known, **counted}
        return (lambda term: known.get(term, 0)), not down

    def _lexicon(self) -> Lexicon | None:
        """lexicon() for a search: it waits for a small one only (as Index does); without
        background_lexicon a large one is not started (the one before, or None, answers)."""
        small = self._docs <= LEXICON_WAIT_DOCS
        if not (small or self._background or self._lexicon_build is not None):
            return self._lexicon_before
        return self.lexicon(wait=small)

    def lexicon(self, wait: bool = True) -> Lexicon | None:
        """The Lexicon of all shards' words (see Index.lexicon), built on first use; without wait,
        while it is built, the one of the generations before (or None); the same when a shard does
        not answer."""
        check_flags(wait=wait)
        with self._lock:
            if self._lexicon_build is None:
                self._lexicon_build = Future()
                threading.Thread(target=self._build_lexicon, args=(self._lexicon_build,), daemon=True).start()
            build, before = self._lexicon_build, self._lexicon_before
        if not (wait or build.done()):
            return before
        try:
            found = build.result()
        except _ShardDown:
            with self._lock:  # tried again by the next search
                if self._lexicon_build is build:
                    self._lexicon_build = None
            return before
        with self._lock:
            if self._lexicon_build is build:
                self._lexicon_before = None  # released once the new one is ready
        return found

    def _note_generations(self, generations: dict[int, str]) -> bool:
        """Whether a shard serves another generation than before; if so, the Lexicon is built again
        (on next use), the one before answering meanwhile, as Index does."""
        with self._lock:
            changed = any(self._generations.get(n, g) != g for n, g in generations.items())
            if changed:
                build = self._lexicon_build
                if build is not None and build.done() and build.exception() is None:
                    self._lexicon_before = build.result()
                self._lexicon_build, self._frequencies = None, {}
                self._table_share = None  # shared again by the next search
                self._searched.clear()
                self._understood_memo.clear()
                self._holding_bound_made = None
            self._generations.update(generations)
        return changed

    def _build_lexicon(self, build: Future) -> None:
        try:
            every = range(len(self.shards))
            parts, down = self._each("lexicon_parts", lambda n: (), every, LEXICON_SECONDS)
            if down:
                raise _ShardDown(min(down))
            titles = [term for n in every for term in parts[n][0]]
            sample = self._lowest_sample(LEXICON_SAMPLE_DOCS)

            def adjacent(syllables):
                answers, lost = self._each("adjacent", lambda n: (syllables, sample), every, LEXICON_SECONDS)
                if lost:
                    raise _ShardDown(min(lost))
                return adjacent_sum([answers[n] for n in every])

            build.set_result(Lexicon.build(chain(titles, (term for n in every for term in parts[n][1])), adjacent,
                                     titles, (title for n in every for title in parts[n][2])))
        except BaseException as e:
            build.set_exception(e)

    def _lowest_sample(self, count: int) -> tuple[int, float]:
        """(bound, scale) of the count articles of all shards with the lowest id hashes (those hashed
        at most bound; scale: all articles per sampled one), as one index of them samples (see
        search._adjacent, the Lexicon's bodies, and Scorer._holding_count)."""
        answers, down = self._each("lowest_hashes", lambda n: (count,), range(len(self.shards)), LEXICON_SECONDS)
        if down:
            raise _ShardDown(min(down))
        live = sum(live for live, _ in answers.values())
        lowest = np.sort(np.concatenate([hashes for _, hashes in answers.values()]))[:count]
        if live <= count:
            return int(np.iinfo(np.uint64).max), 1.0
        return int(lowest[-1]), live / len(lowest)

    def share_table(self, wait: bool = True) -> tuple | None:
        """Give every shard's replicas the CorpusTable of all shards (in the background: done when the
        index opens and when a shard serves another generation), so that a new search is ranked in
        one round; the shards' generations it counts, once shared (None: not yet, or a shard was down)."""
        with self._lock:
            if self._table_share is None:
                self._table_share = Future()
                threading.Thread(target=self._share_table, args=(self._table_share,), daemon=True).start()
            share = self._table_share
        if not (wait or share.done()):
            return None
        return share.result() if share.exception() is None else None

    def _share_table(self, share: Future) -> None:
        try:
            with self._sharing:
                epoch, change = self._next_table()
                if epoch is not None:
                    self._send_table(change)
                    self._note_generations(dict(epoch))  # a first search knows them: it goes in one round
            share.finished = time.monotonic()
            share.set_result(epoch)
        except BaseException as e:
            share.finished = time.monotonic()
            share.set_exception(e)

    def _next_table(self) -> tuple[tuple | None, TableChange | None]:
        """(the shards' generations, the change from the table shared before) after making the table
        of those generations the front's, from the changes of the shards serving another generation
        than the last table counted (a shard's whole frequency table when the replica asked neither
        sent the one before nor made it when it opened); (None, None) when a shard is down, (epoch, None) when the table was
        made whole (the first, or the text fields changed)."""
        held, before = self._shard_tables, self._table
        # replica 0 first: the one that made the table the front holds sends only its change
        answers, down = self._each("frequency_table", lambda n: (held[n][0] if n in held else None,),
                                   range(len(self.shards)), LEXICON_SECONDS, turn=0)
        if down:
            return None, None
        epoch = tuple(sorted((n, a.epoch if isinstance(a, TableChange) else a[0]) for n, a in answers.items()))
        changes = {n: a for n, a in answers.items() if isinstance(a, TableChange)}
        fresh = {n: a for n, a in answers.items() if isinstance(a, tuple) and len(a) > 1}
        now = {**held, **fresh, **{n: change.applied(held[n]) for n, change in changes.items()}}
        change = None
        if before is not None and not any(t[2] != before[1].fields for t in fresh.values()):
            change = TableChange.summed(before[0], epoch, [*changes.values(), *(
                TableChange.of_shard(held[n], t) for n, t in fresh.items())])
        table = before[1].changed(change) if change is not None else CorpusTable.summed(now.values())
        self._shard_tables, self._table = now, (epoch, table)  # replicas opened from now on get it
        return epoch, change

    def _send_table(self, change: TableChange | None) -> None:
        """Give every replica the front's table: change to apply to the table it holds, the whole
        table when it holds another (or when change is None)."""
        epoch, table = self._table
        actors = self._every_replica(range(len(self.shards)))
        whole = set(actors)
        if change is not None and actors:
            applied = self.client.sync(_gather, "change_table", {k: ([a], (change,)) for k, a in actors.items()},
                                       LEXICON_SECONDS)
            whole = {k for k, done in applied.items() if done is not True}
        if whole:
            self.client.sync(_gather, "set_table", {k: ([actors[k]], (epoch, table)) for k in whole}, LEXICON_SECONDS)

    def front_table(self) -> tuple | None:
        """(the generations the front's CorpusTable counts, the table) of the last share, or None."""
        return self._table

    def held_tables(self) -> dict[int, list[tuple]]:
        """{shard: [(the generations its table counts, the CorpusTable) of each open replica]}: what
        the replicas rank a new search with."""
        every = range(len(self.shards))
        actors = self._every_replica(every)
        held = self.client.sync(_gather, "held_table", {k: ([a], ()) for k, a in actors.items()}, LEXICON_SECONDS)
        return {n: [held[k] for k in sorted(held) if k[0] == n] for n in every}

    def replica_calls(self) -> dict[int, list[tuple[int, int]]]:
        """{shard: [(calls run, calls dropped before they started: another replica had answered) of
        each open replica]}, read at once, a busy replica's too."""
        every = range(len(self.shards))
        actors = self._every_replica(every)
        counted = dict(zip(actors, self.client.sync(_call_counts, list(actors.values()))))
        return {n: [counted[k] for k in sorted(counted) if k[0] == n and counted[k] is not None] for n in every}

    def _shared_for(self, epoch: tuple) -> bool:
        """Whether every shard holds the CorpusTable of these generations; if not, and none is being
        shared, one is shared in the background (after a failed share, SHARE_AGAIN_SECONDS later)."""
        with self._lock:
            share = self._table_share
            if share is not None and share.done() and (share.exception() is not None or share.result() is None) \
                    and time.monotonic() - share.finished > SHARE_AGAIN_SECONDS:
                share = self._table_share = None
        if share is None:
            self.share_table(wait=False)
            return False
        return share.done() and share.exception() is None and share.result() == epoch

    def _table_now(self) -> CorpusTable | None:
        """The CorpusTable shared for the generations the shards last served, if any."""
        with self._lock:
            epoch, shared = tuple(sorted(self._generations.items())), self._table
        return shared[1] if shared is not None and shared[0] == epoch else None

    def refresh(self) -> None:
        """Nothing to do: each shard's actor serves the generation a build or update swapped in."""

    def get(self, doc_id: str):
        """The stored article with this id, from its shard, or None (also when the shard is down)."""
        check_id(doc_id)
        try:
            return self._ask(shard_of(doc_id, len(self.shards)), "get", doc_id)
        except _ShardDown:
            return None

    def related(self, doc_id: str, limit: int = RELATED_LIMIT):
        """Up to limit articles like this one, as one index of all shards' articles ranks them: its
        shard picks its distinctive terms with corpus-wide counts, every shard ranks its articles
        for them, never the article or its copies (grouped over all shards); None for an unknown id
        (or its shard down, also when it goes down before the ranking); with another shard down, as
        one index of the others' articles: picked and ranked with their counts alone."""
        check_id(doc_id)
        _check_paging("relevance", limit, 1)
        home, found, down = shard_of(doc_id, len(self.shards)), {}, set()
        for _ in range(2 + len(self.shards)):  # a generation swapped meanwhile, or a shard lost (never home)
            ranked = self._related_ranked(doc_id, home, limit, down)
            if ranked is None:
                return None
            found, lost = ranked
            if lost:  # the counts so far held the lost shards': picked and ranked again with the others' alone
                down |= lost
                continue
            if not found:  # the copy groups were made for another generation of home: made again
                continue
            if not self._note_generations({n: a[0] for n, a in found.items()}) and \
                    all(a[1] is not None for a in found.values()):
                break
            self._groups = {}
        hits = [hit for _, hits, _ in found.values() for hit in hits or ()]
        return sorted(hits, key=lambda hit: (-hit.score, hit.doc_id))[:limit]

    def _related_ranked(self, doc_id: str, home: int, limit: int, down: set[int]) -> tuple[dict, set[int]] | None:
        """({shard: related_found's answer}, no shard) for the article of shard home, the shards down
        left out; ({}, no shard) when the copy groups were made for another generation of home; ({},
        the shards lost) when one not down did not answer; None for an unknown id or its shard down."""
        with self._lock:
            epoch = tuple(sorted(self._generations.items()))
        answers, lost = self._counted("related_terms", lambda n: (doc_id,), [home], epoch, down)
        if home in lost or answers[home][1] is None:
            return None
        generation, docnum, terms, _ = answers[home]
        left_out = None if lost else self._left_out(home, generation, docnum)
        if left_out is None:
            return {}, lost
        found, lost = self._counted("related_found", lambda n: (terms, left_out.get(n, (None, ())), limit),
                                    range(len(self.shards)), epoch, down)
        if home in lost:
            return None
        return ({}, lost) if lost else (found, set())

    def _left_out(self, home: int, generation: str, docnum: int) -> dict[int, tuple] | None:
        """{shard: (its generation grouped, its documents)} of the article (document docnum of
        generation of shard home) and its copies over all shards; None when the groups were made
        for another generation of home (it swapped meanwhile)."""
        made = self._groups_of(home, generation)
        if home in made and made[home][0] != generation:
            return None
        members = _group_members(made, home, docnum)
        left_out = {n: (made[n][0], members.get(n, [])) for n in made}
        left_out[home] = (generation, [*members.get(home, []), docnum])
        return left_out

    def _counted(self, method: str, args_of, shards, epoch: tuple, down: set[int]) -> tuple[dict, set[int]]:
        """({shard: answer} of method(*args_of(shard), counts, epoch, shards) for the shards not down
        that answered, each asked again with the corpus-wide sums of the counts it lacked (an answer's
        last item); the shards lost meanwhile, at the first of which it stops: its counts may be in
        those so far). With shards down, the counts are the others' alone and none is remembered (no epoch)."""
        answers, counts, pending = {}, {}, set(shards) - down
        epoch, summing = None if down else epoch, len(self.shards) - len(down)
        for _ in range(COUNT_ROUNDS):
            got, lost = self._each(method, lambda n: (*args_of(n), counts, epoch, summing), pending)
            answers.update(got)
            reported = {n: answer[-1] for n, answer in got.items() if answer[-1]}
            if lost or not reported:
                return answers, lost
            summed, _, lost = self._sum_counts(reported, down, epoch)
            if lost:
                return answers, lost
            counts, pending = {**counts, **summed}, set(reported)
        return answers, set()

    def copies(self, doc_id: str):
        """The article's syndicated copies (the others of its group of copies over all shards, as a
        search folds them into one result), by id; None for an unknown id (or its shard down)."""
        check_id(doc_id)
        home = shard_of(doc_id, len(self.shards))
        for _ in range(3):
            try:
                generation, docnum = self._ask(home, "document_number", doc_id)
            except _ShardDown:
                return None
            if docnum is None:
                return None
            made = self._groups_of(home, generation)
            members = _group_members(made, home, docnum)
            answers, _ = self._each("numbered_articles", lambda n: (made[n][0], members[n]), members)
            if None not in answers.values():  # else a shard swapped generations meanwhile: grouped again
                return sorted(chain.from_iterable(answers.values()), key=lambda copy: copy.id)
            self._groups = {}
        return None

    def _groups_of(self, shard: int, generation: str) -> dict[int, tuple]:
        """The copy groups of all shards (set_groups arguments by shard), made again unless they
        were made for this generation of the shard."""
        made = self._groups
        if made.get(shard, ("",))[0] != generation:
            made = self._groups = self._copy_groups(range(len(self.shards)))
        return made

    def search(self, query_text: str, limit: int = 10, page: int = 1, date_from=None,
               date_to=None, sort: str = "relevance", exact: bool = False, source=None, category=None,
               month=None, group: bool = True) -> Results:
        """Search every shard as one index (see Index.search); partial results name the shards
        that did not answer; syndicated copies are grouped over all shards as one index groups them."""
        started = time.perf_counter()
        check_flags(exact=exact, group=group)
        _check_paging(sort, limit, page)
        parse(query_text)
        searched = halfwidth(query_text)  # Results keep the query as typed
        self._rounds.count = 0
        window = _recency_window(date_from, date_to)
        rewritten, suggestion, others = (None, None, ()) if exact else self._understood(searched)
        filters = facet_filters(source, category, month)
        text, reading, readings = _titles_cased(None if exact else self._lexicon(), rewritten or searched,
                                                suggestion, others)
        args = (text, reading, exact, window, sort, page * limit)
        options = (filters, group, readings, _sure_words(self._lexicon, reading, rewritten))
        found, prefetched, down, known = self._found(args, options, limit if page == 1 else 0, group)
        entries, twice = _merged(found, sort)
        shown = entries[(page - 1) * limit: page * limit]
        hits, fetch_down = self._fetch(shown, found, prefetched)
        if page == 1 and not down | fetch_down:
            self._remember(args, options, found, (known[0], _shares(shown, prefetched)))
        down |= fetch_down
        alike = next(iter(found.values()), None) or Found([], [], 0, 0, Marks(), {})  # what every shard decided alike
        counting = partial(summed_facets, [(f.facets, f.facet_missing) for f in found.values()],
                           [f.spread_counted for f in found.values()])
        return Results(query_text, hits, sum(f.total for f in found.values()) - twice, page, limit, _ms(started),
                       sort, alike.marks, sum(f.undated for f in found.values()), suggestion, rewritten,
                       counting=counting, dropped=alike.dropped, kept=alike.kept,
                       copies=sum(f.copies for f in found.values()) + twice,
                       missing_shards=sorted(self.shards[n].name for n in down), shards=len(self.shards),
                       rounds=self._rounds.count)

    def _found(self, args, options, first: int, group: bool) -> tuple[dict, dict, set[int], tuple]:
        """_find's answer, found again when a shard swapped generations (the counts remembered
        changed) or searched without the copy groups of all shards for its generation (sent to it now)."""
        for _ in range(3):
            found, prefetched, down, known = self._find(args, options, first)
            if not down:  # the same search again (a reload, the next page, the article page's marks) takes one round
                self._remember(args, options, found, known)
            changed = self._note_generations({n: f.generation for n, f in found.items()})
            if not (group and self._regrouped(found)) and not changed:
                break
        return found, prefetched, down, known

    def _regrouped(self, found: dict) -> bool:
        """Whether a shard searched without the copy groups of all shards made for its generation;
        if so, they are sent to every replica of those shards (made first, when the shards'
        generations changed). A shard down keeps the groups made with it."""
        stale = [n for n, f in found.items() if f.grouped_by != f.generation]
        if not stale:
            return False
        made = self._groups
        if any(made.get(n, ("",))[0] != found[n].generation for n in stale):
            made = self._groups = self._copy_groups(range(len(self.shards)))
        replicas = self._every_replica(n for n in stale if n in made)
        calls = {key: ([actor], made[key[0]]) for key, actor in replicas.items()}
        self.client.sync(_gather, "set_groups", calls)
        return True

    def _copy_groups(self, shards) -> dict[int, tuple]:
        """Each shard's set_groups arguments: the copies among all the shards' live articles, found
        with the code one index groups its own with (duplicates.groups, told apart by numbers)."""
        prints, _ = self._each("fingerprints", lambda n: (), shards)
        live = sorted(prints)
        if not live:
            return {}
        hashes = np.concatenate([prints[n][3] for n in live])
        owner = np.concatenate([np.full(len(prints[n][2]), n) for n in live])
        local = np.concatenate([prints[n][2] for n in live])
        asked = set()
        every = np.ones(len(hashes), dtype=bool)
        duplicates.groups(hashes, every, lambda a, b: asked.update((a, b)))  # the pairs apart is asked about
        numbers = self._copy_numbers(sorted(asked), owner, local, {n: prints[n][0] for n in live})
        labels = duplicates.groups(hashes, every, lambda a, b: duplicates.apart(numbers[a], numbers[b]))
        grouped = np.bincount(labels, minlength=len(labels))[labels] > 1
        lowest, highest = np.full(len(labels), len(self.shards)), np.full(len(labels), -1)
        np.minimum.at(lowest, labels, owner)
        np.maximum.at(highest, labels, owner)
        spread = lowest[labels] != highest[labels]
        return {n: (prints[n][0], prints[n][1], local[here], labels[here], local[here & spread])
                for n in live for here in [(owner == n) & grouped]}

    def _copy_numbers(self, docs: list[int], owner, local, generations: dict) -> dict:
        """{document (of the shards' documents in a row): its numbers (duplicates.numbers)}; none
        (never apart) for a shard that no longer answers or serves that generation."""
        wanted = {n: [d for d in docs if owner[d] == n] for n in generations}
        answers, _ = self._each("copy_numbers", lambda n: (generations[n], local[wanted[n]]),
                                [n for n, ds in wanted.items() if ds])
        numbers = defaultdict(lambda: (set(), set()))
        for n, values in answers.items():
            numbers.update(zip(wanted[n], values or ()))
        return numbers

    def _find(self, args, options, first: int) -> tuple[dict, dict, set[int], tuple]:
        """(every shard's best documents, ranked with corpus-wide counts gathered round by round;
        the Hits of the first ones each shard cut with them (as many as made the page the last
        time, else first); the shards that did not answer; (the counts, those shares))."""
        found, prefetched, pending, down = {}, {}, set(range(len(self.shards))), set()
        epoch, counts, shares, counting = self._remembered(args, options)
        # a new search: with the CorpusTable, every shard ranks at once, estimating the other counts it lacks
        guessing = counting and self._shared_for(epoch)
        counting = counting and not guessing
        firsts = shares if first and shares else dict.fromkeys(pending, _prefetched(first, len(self.shards)))
        for _ in range(COUNT_ROUNDS + 2):
            answers, lost = self._each("find", lambda n: (args, counts, options, firsts.get(n, first),
                                                          None if down else epoch, counting,
                                                          len(self.shards) - len(down)), pending)
            for n, (f, hits) in answers.items():
                found[n], prefetched[n] = f, hits
            pending = {n for n, (f, _) in answers.items() if f.missing}
            summed, alike = {}, True
            if pending and not lost:
                summed, alike, lost = self._sum_counts({n: found[n].missing for n in pending}, down, epoch)
            if lost:  # counts so far held the lost shards' (summed or remembered): rank with the others' alone
                down |= lost
                found = {n: f for n, f in found.items() if n not in down}
                counts, pending, guessing = {}, set(found), False
                continue
            if guessing and alike and decided_alike(found, summed, len(self.shards) - len(down)):
                pending = set()  # the estimates decided as the sums do: ranked as with them
            guessing, counts = False, {**counts, **summed}
            if not pending and not counting:
                break
            if counting or not alike:  # (or shards decided apart, some knowing counts others lacked): all, alike now
                pending, counting = set(found), False
        return found, prefetched, down, (counts, shares)

    def _remembered(self, args, options) -> tuple[tuple, dict, dict | None, bool]:
        """(the shards' generations; the counts and first-page shares remembered for the search under
        them; whether there are none: a search the front does not know first takes a round that only counts)."""
        with self._lock:
            epoch = tuple(sorted(self._generations.items()))
        served, counts, shares = self._searched.get(_search_key(args, options)) or (None, {}, None)
        if served != epoch:
            return epoch, {}, None, True
        return epoch, counts, shares, False

    def _remember(self, args, options, found: dict, known: tuple) -> None:
        """Remember a search's (counts, how many of each shard's first hits made its first page)
        for the generations the shards served."""
        served = tuple(sorted((n, f.generation) for n, f in found.items()))
        self._searched.put(_search_key(args, options), (served, *known))

    def _sum_counts(self, reported: dict[int, dict], down: set[int],
                    epoch: tuple | None) -> tuple[dict, bool, set[int]]:
        """(corpus-wide sums of the keys some shards lacked, asking the other shards their values at epoch;
        whether every shard reported the counts only a search makes, which are left out otherwise;
        the shards that did not answer)."""
        live = set(range(len(self.shards))) - down
        keys = {key for values in reported.values() for key in values}
        apart = {key for key in keys if key[0] not in STABLE_COUNTS
                 and any(key not in reported.get(n, {}) for n in live)}
        keys -= apart
        unasked = {n: keys - reported.get(n, {}).keys() for n in live}
        asked, lost = self._each("counts", lambda n: (unasked[n], epoch), [n for n, k in unasked.items() if k])
        values = {n: {**reported.get(n, {}), **asked.get(n, {})} for n in set(asked) | set(reported)}
        return {key: sum(v.get(key, 0) for v in values.values()) for key in keys}, not apart, lost

    def _fetch(self, entries, found: dict, prefetched: dict) -> tuple[list, set[int]]:
        """The page's hits, each cut on the shard that holds it (unless it came with the find), in
        the merged order."""
        by_id = {(n, hit.doc_id): hit for n, hits in prefetched.items() for hit in hits or ()}
        wanted: dict[int, list] = {}
        for _, n, doc_id, score, copies in entries:
            if (n, doc_id) not in by_id:
                wanted.setdefault(n, []).append((doc_id, score, copies))
        served = {n: ((n, found[n].generation),) for n in wanted}  # a replica serving another reloads first
        answers, down = self._each("hits", lambda n: (wanted[n], found[n].marks, served[n]), wanted)
        by_id.update({(n, hit.doc_id): hit for n, hits in answers.items() for hit in hits})
        hits = []
        for _, n, doc_id, _, copies in entries:
            if (n, doc_id) in by_id:
                hits.append(by_id[(n, doc_id)])
                hits[-1].duplicates = list(copies)  # a prefetched hit knew only its shard's copies
        return hits, down

    def close(self) -> None:
        """Release the actors and the connection."""
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _group_members(made: dict[int, tuple], home: int, docnum: int) -> dict[int, list[int]]:
    """{shard: its documents in the group of copies of document docnum of shard home} (that one
    left out) from the copy groups of all shards (set_groups arguments by shard)."""
    if home not in made:
        return {}
    _, _, docs, labels, _ = made[home]
    at = int(np.searchsorted(docs, docnum))
    if at == len(docs) or docs[at] != docnum:  # in no group of two or more
        return {}
    members = {n: m[2][m[3] == labels[at]].tolist() for n, m in made.items()}
    members[home].remove(docnum)
    return {n: docs_ for n, docs_ in members.items() if docs_}


def _shares(shown: list[tuple], prefetched: dict) -> dict[int, int]:
    """{shard: how many of its prefetched hits the page needed (up to the last it shows)}; a page
    that needed a hit not prefetched asks for as many as the page holds."""
    places = {(n, hit.doc_id): place for n, hits in prefetched.items() for place, hit in enumerate(hits or ())}
    shares = dict.fromkeys(prefetched, 0)
    for _, n, doc_id, _, _ in shown:
        shares[n] = max(shares[n], places.get((n, doc_id), len(shown) - 1) + 1)
    return shares


def _prefetched(page: int, shards: int) -> int:
    """How many of a page's hits each shard cuts for a search the front does not know: enough that a
    shard holds more of the page with a probability under PREFETCH_MISS (then they are fetched),
    articles being dealt to the shards by a hash of their id (binomially)."""
    beyond = 1.0  # the probability that a shard holds more than k of the page
    for k in range(page):
        beyond -= math.comb(page, k) * (1 / shards) ** k * (1 - 1 / shards) ** (page - k)
        if beyond <= PREFETCH_MISS:
            return k
    return page


def _search_key(args, options) -> str:
    """What the counts of a search depend on: all but how many documents it lists (the page)."""
    return repr((args[:-1], options))


def _merged(found: dict, sort: str) -> tuple[list[tuple], int]:
    """(the shards' listed documents, each group of copies spread over shards once as its best
    member: (key, shard, id, score, copies) in order; how many results the shards' totals count
    more than once: each spread group once more for every further shard holding some of it)."""
    entries = [(key, n, doc_id, score, copies) for n, f in found.items()
               for doc_id, score, copies, key in zip(f.ids, f.scores, f.duplicates, _sort_keys(f, sort))]
    spread = defaultdict(list)
    for n, f in found.items():
        for label, keys in f.spread.items():
            spread[label] += [(key, n) for key in keys]
    for members in spread.values():
        (key, n), *rest = sorted(members)
        entries.append((key, n, key[-1], -key[-2], [k[-1] for k, _ in rest]))
    return sorted(entries), sum(len({n for _, n in members}) - 1 for members in spread.values())


def _sort_keys(found, sort: str) -> list[tuple]:
    """Merge keys of a shard's documents: score then id, or (newest) date, score then id."""
    if sort == "newest":
        return [(-r, -s, i) for r, s, i in zip(found.recency, found.scores, found.ids)]
    return [(-s, i) for s, i in zip(found.scores, found.ids)]


def shard_stats(index_dir) -> list[tuple[str, int, int, tuple[int, int], str | None]]:
    """(shard folder, articles, segments, (bytes of its own files, of derived ones: store.generation_bytes),
    outdated analysis or None) of every shard, read from the folders."""
    rows = []
    for shard in shard_dirs(index_dir):
        gen = current_generation(shard)
        with Index(shard) as index:
            rows.append((shard.name, index.doc_count, index.segment_count, generation_bytes(gen),
                         index.outdated_analysis))
    return rows
