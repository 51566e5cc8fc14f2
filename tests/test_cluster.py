"""Sharded builds and searches on a real Dask cluster (issue 11).

A fixture starts a real `dask scheduler` and `dask worker` processes on 127.0.0.1 (free ports,
stopped after). Tests: a sharded build through the command line puts each article in its hash's
shard; searches through the cluster equal the embedded index of the same articles (ids, order,
scores, totals, undated counts, facets, snippets; pages, facet filters, newest first, date
ranges), syndicated copies held by different shards grouped as one index groups them; an update goes
to the right shards; a worker killed during a stream of searches with two replicas fails no search; with
both holders of a shard killed the search answers at once from the others, naming the shard (so
does the web page) and the shard comes back; related() with a shard down gives what an index of
the other shards' articles gives; an unreachable scheduler is one line and exit 1. Some tests
start their own small cluster in this process (a worker closed, the other's threads held).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from conftest import REPO, failure_line, other_articles, storm_articles, write_jsonl
from test_duplicates import COPY, FIRST, RELIEF
from test_reliability import KILL_QUERIES, holds_lock, news
from test_server import free_port
from test_storage import baomoi_articles

pytest.importorskip("distributed")

import indexer  # noqa: E402
from indexer import fold, search  # noqa: E402
from indexer.analysis import canonical  # noqa: E402
from indexer.cluster import (ANSWERS_KEPT, CONNECT_SECONDS, HEDGE_FLOOR, HEDGE_MEASURED, SHARD_SECONDS,  # noqa: E402
                             STABLE_COUNTS, AnswerTimes, ClusterIndex, CorpusTable, ShardActor, TableChange,
                             _update_shard, build_sharded, decided_alike, shard_dirs, shard_of, update_sharded)
from indexer.scorer import COMPARISONS, DECIDING  # noqa: E402
from search_app import create_app  # noqa: E402
from benchmarks.cluster import Stall  # noqa: E402  (an actor that holds its worker's actor thread)

SHARDS = 3
START_SECONDS = 60
QUERIES = KILL_QUERIES + ["bão", "Bão số 3", "giao thông", "cầu sông Hàn", "lần thứ 7", '"tổ chức sự kiện"',
                          "title:Trung Quốc Mỹ", "bao -quang ninh",  # an operator binding a name (pyvi's, read)
                          "Hải Bình",  # a name no article holds: relaxed as its syllables (search._names_apart)
                          'cầu sông Hàn "khánh thành"', "sơ tán Quảng Ninh", "bão Đà Nẵng",  # these two
                          # relax within the filters: to the articles holding the rarest word some of the filter's hold
                          "Quảng Ninh Đà Nẵng Hà Tĩnh Nghệ An",  # names only: all of them where a page holds them
                          '"Bão số 3" Đà Nẵng mèo']  # beside a quoted phrase: in the end every article holding it
SEARCHES = [{}, {"sort": "newest", "page": 2, "limit": 5}, {"date_from": "2015-01-01", "date_to": "2023-06-30"},
            {"source": ["Báo Mẫu", "Báo Đà Nẵng"], "month": "2023-02"}]
QUIET = {"notice": lambda message: None}


def run(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


class Cluster:
    """A real Dask scheduler and workers on 127.0.0.1, each a process of its own."""

    def __init__(self, workers: int):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.procs: list[subprocess.Popen] = []
        self._start("scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1])
        self.workers: dict[str, subprocess.Popen] = {}
        self.add_workers(workers)

    def add_workers(self, count: int) -> None:
        """Start count more workers (w0, w1, …) and wait until the scheduler has them all."""
        for n in range(len(self.workers), len(self.workers) + count):
            self.workers[f"w{n}"] = self._start("worker", self.address, "--host", "127.0.0.1", "--name", f"w{n}",
                                                "--nthreads", "2", "--no-nanny")
        from distributed import Client
        with Client(self.address, timeout=START_SECONDS) as client:
            client.wait_for_workers(len(self.workers), timeout=START_SECONDS)

    def _start(self, kind: str, *args) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "dask", kind, *args, "--no-dashboard"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
        self.procs.append(proc)
        return proc

    def kill(self, name: str) -> None:
        """SIGKILL one worker by its pid."""
        proc = self.workers[name]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def cluster():
    started = Cluster(workers=2)
    yield started
    started.stop()


def copies() -> list[dict]:
    """Storm reports syndicated by two other outlets, lightly edited (copies of one story in
    several shards), and a flood report with its copy."""
    edits = [("Chiều qua", "Chiều hôm qua"), ("Mưa lớn", "Mưa to"), ("vùng trũng thấp", "vùng trũng")]
    carried = []
    for outlet, kept in (("bao-khac", 8), ("tin-nhanh", 3)):
        for article in storm_articles()[:kept]:
            body = article["body"]
            for old, new in edits[:1 + len(carried) % 3]:
                body = body.replace(old, new)
            carried.append({**article, "id": f"{outlet}/{article['id'].split('/')[1]}", "body": body,
                            "source": outlet, "url": f"https://{outlet}.vn/{article['id']}.html"})
    return carried + [FIRST, COPY, RELIEF]


def articles() -> list[dict]:
    return storm_articles() + other_articles() + news(range(240)) + copies()


@pytest.fixture(scope="module")
def sharded(cluster, tmp_path_factory):
    """The test articles built into 3 shards on the cluster (command line) and into one embedded index."""
    folder = tmp_path_factory.mktemp("sharded")
    corpus = write_jsonl(folder / "articles.jsonl", articles())
    built = run("build", corpus, "--index", folder / "shards", "--cluster", cluster.address, "--shards", SHARDS)
    assert built.returncode == 0, built.stderr
    indexer.build_index([str(corpus)], str(folder / "one"), **QUIET)
    return folder, built


def shard_ids(folder: Path) -> list[set[str]]:
    """The article ids each shard holds, read from the shards' folders."""
    ids = []
    for shard in shard_dirs(folder):
        with indexer.open_index(shard) as index:
            ids.append({doc_id for doc_id in (a["id"] for a in articles() + news(range(240, 260)))
                        if index.get(doc_id) is not None})
    return ids


def test_a_sharded_build_puts_every_article_in_the_shard_of_its_id_hash(sharded):
    folder, built = sharded
    assert f"indexed {len(articles())} articles" in built.stdout
    held = shard_ids(folder / "shards")
    assert [len(ids) for ids in held] == [sum(shard_of(a["id"], SHARDS) == n for a in articles())
                                          for n in range(SHARDS)]
    assert all(shard_of(doc_id, SHARDS) == n for n, ids in enumerate(held) for doc_id in ids)
    stats = run("stats", "--index", folder / "shards")
    assert stats.returncode == 0
    assert [line.split(":")[0] for line in stats.stdout.splitlines()[1:4]] == ["shard-0", "shard-1", "shard-2"]
    assert f"articles: {len(articles())}" in stats.stdout


def assert_same_results(got, want, what) -> None:
    what = f"{what} (rounds: {got.rounds})"  # a search that took more than its usual one or two saw generations change
    assert [h.doc_id for h in got] == [h.doc_id for h in want], what
    assert all(math.isclose(a.score, b.score, rel_tol=1e-4) for a, b in zip(got, want)), what
    assert (got.total, got.undated, got.partial) == (want.total, want.undated, False), what
    assert (got.dropped, got.kept) == (want.dropped, want.kept), what
    assert (got.facets, got.facet_missing) == (want.facets, want.facet_missing), what
    assert [h.snippet for h in got] == [h.snippet for h in want], what
    assert [h.title_html for h in got] == [h.title_html for h in want], what


def test_a_cluster_refuses_a_yes_or_no_option_that_is_not_a_bool(cluster, sharded):
    folder, _ = sharded  # exact="false" had searched exactly, as an embedded index did
    with indexer.open_index(folder / "shards", cluster=cluster.address) as sharded_index:
        for option in ("exact", "group"):
            with pytest.raises(TypeError, match=f"{option} is True or False"):
                sharded_index.search("bão", **{option: "false"})
        with pytest.raises(TypeError, match="exact is True or False"):
            sharded_index.marks("bão", exact="no")
        with pytest.raises(TypeError, match="wait is True or False"):
            sharded_index.lexicon(wait="yes")


def test_searches_through_the_cluster_equal_the_embedded_index(cluster, sharded):
    folder, _ = sharded
    with indexer.open_index(folder / "one") as one, \
            indexer.open_index(folder / "shards", cluster=cluster.address) as sharded_index:
        assert sharded_index.doc_count == one.doc_count == len(articles())
        for q in QUERIES + ['"tổ chuc sự kiện"']:  # a phrase typed partly with accents: a word looked up folded
            for kw in SEARCHES:
                for exact in (False, True):
                    assert_same_results(sharded_index.search(q, exact=exact, group=False, **kw),
                                        one.search(q, exact=exact, group=False, **kw),
                                        (q, kw, exact))
        for q in QUERIES:  # again, and the next page: ranked with the counts the front kept from the first time
            for kw in ({}, {"page": 2, "limit": 3}, {"page": 3, "limit": 3}):
                assert_same_results(sharded_index.search(q, group=False, **kw), one.search(q, group=False, **kw),
                                    (q, kw, "again"))
        for typed in ("baox soos 3", "giao thoong cauf"):  # keystrokes decoded with all shards' word counts
            assert sharded_index.search(typed).rewritten == one.search(typed).rewritten != None  # noqa: E711
        assert sharded_index.get("thoi-tiet/bao-so-3").title == one.get("thoi-tiet/bao-so-3").title
        assert sharded_index.get("no-such-id") is None
        related = sharded_index.related("thoi-tiet/bao-so-3")
        assert related and "thoi-tiet/bao-so-3" not in [h.doc_id for h in related]
        assert all("/bao-so-" in h.doc_id for h in related) and sharded_index.related("no-such-id") is None


DEV_POOL = REPO.parent / "shared" / "eval" / "dev" / "baomoi-title" / "pool.jsonl.gz"
DEV_QUERIES = [  # headlines whose rare words have under 20 exact matches in every shard but more in all
    "West Ham gia nhập cuộc đua lấy chữ kí Joe Hart", "Quảng Nam đề nghị đóng cửa mỏ vàng Bồng Miêu",
    "Clip hot Wimbledon: Nadal \"quần chiến\" Muller , vô vàn siêu phẩm",
    "Thành kính lễ hội báo ân Đô đài Ngự sử Bùi Cầm Hổ",
    # a third of whose words fewer than a page of articles hold in some shards, more in all
    "Đức kêu gọi Nga chặn xung đột miền Đông Ukraine", "Nữ phóng viên Nga tố Maradona quấy rối tình dục",
    # abbreviations standing in for their words where an article lacks them (DN, VN, TP.HCM), and back
    "Doanh nghiệp Việt Nam tìm lao động ở thành phố Hồ Chí Minh", "DN VN tuyển lao động TP.HCM",
    # more articles hold its words than proximity ranks, fewer its words of two syllables as words
    "doanh nghiệp việt nam lao động thành phố",
    # synonyms standing in by BM25 of a word or of a phrase's runs, with proximity of their own
    "giá thịt lợn tăng", "nhập khẩu xe hơi", "thit heo",
    "mỏ vàng qwzx"]  # a word no article holds: said dropped alike


CORPUS = REPO.parent / "shared" / "corpus"
SYNDICATED = [  # real groups of syndicated copies of the corpus, most titled apart, many spread over the 3 shards
    ("train/071858", "val/014976"), ("train/060871", "val/017778"), ("train/035173", "baomoi-22444758"),
    ("test/011157", "train/031056"), ("train/029708", "train/032233"), ("test/013285", "train/065571", "val/013447"),
    ("train/032160", "train/035205"), ("test/013850", "train/063470")]


def corpus_articles(ids: set[str]) -> list[dict]:
    """The shared corpus's articles with these ids."""
    found = []
    for path in sorted(CORPUS.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            found += [json.loads(line) for line in f if any(f'"{i}"' in line for i in ids)]
    return [article for article in found if article["id"] in ids]


@pytest.fixture(scope="module")
def dev_slice(cluster, tmp_path_factory):
    """The first 2,000 articles of the baomoi-title dev pool and the SYNDICATED articles of the
    corpus in 3 shards and in one index."""
    if not DEV_POOL.exists():
        pytest.skip(f"shared dev pool {DEV_POOL} is absent (../shared is only on the team's machines)")
    folder = tmp_path_factory.mktemp("dev-slice")
    with gzip.open(DEV_POOL, "rt", encoding="utf-8") as f:
        pool = [json.loads(line) for line in itertools.islice(f, 2000)]
    syndicated = corpus_articles({i for group in SYNDICATED for i in group} - {a["id"] for a in pool})
    corpus = write_jsonl(folder / "articles.jsonl", pool + syndicated)
    build_sharded([str(corpus)], folder / "shards", cluster.address, SHARDS)
    indexer.build_index([str(corpus)], str(folder / "one"), **QUIET)
    return folder


def test_decisions_a_shard_would_make_otherwise_with_its_own_counts_rank_as_the_embedded_index(cluster, dev_slice):
    """A word under 20 exact matches in every shard, over 20 in all, has no folded matches: the
    articles a shard counted with them for relaxing the query (before it knew) are not counted again."""
    with indexer.open_index(dev_slice / "one") as one, \
            indexer.open_index(dev_slice / "shards", cluster=cluster.address) as sharded_index:
        for q in DEV_QUERIES:
            for kw in ({}, {"page": 2}, {"exact": True}):
                assert_same_results(sharded_index.search(q, **kw), one.search(q, **kw), (q, kw))


def test_counts_summed_over_the_shards_equal_the_embedded_index_counts_whatever_the_shards_decided(dev_slice):
    """Every count key a search reads means one set of articles: summed over the shards that all
    report it, it equals the embedded index's count, whether the shards decided with their own
    counts (a first round: as they are, or times the number of shards, as the cluster estimates
    sums) or with the embedded index's stable ones (then how many articles each tier holds and
    which one the shard shows are still its own)."""
    with ExitStack() as opened:
        shards = [opened.enter_context(indexer.open_index(shard)) for shard in shard_dirs(dev_slice / "shards")]
        one = opened.enter_context(indexer.open_index(dev_slice / "one"))
        for q in DEV_QUERIES + QUERIES:
            for exact in (False, True):
                search = (q, None, exact, None, "relevance", 10)
                want = one.find(*search, {}).missing  # its own counts, as it decides with them
                stable = {k: v for k, v in want.items() if k[0] in STABLE_COUNTS}
                for given, estimate in itertools.product(({}, stable), (1, SHARDS)):
                    reported = [shard.find(*search, given, counts_only=True, shards=estimate).missing
                                for shard in shards]
                    for key in want.keys() & set.intersection(*(set(r) for r in reported)):
                        assert sum(r[key] for r in reported) == want[key], (q, exact, bool(given), estimate, key)


@pytest.mark.parametrize("tier, limits", [("all words", {"NEAR_MAX": 25}),
                                          ("compounds", {"NEAR_MAX": 5, "NEAR_MAX_COMPOUNDS": 25})])
def test_shards_rank_the_articles_holding_every_word_as_the_embedded_index_when_too_many_match(
        dev_slice, monkeypatch, tier, limits):
    """With more matches than proximity ranks (NEAR_MAX made small: the slice has 2,000 articles),
    it ranks those holding every query word (or, when they are too many too, those holding its
    words of several syllables as words): given the embedded index's other counts, the shards'
    counts of them sum to its own, and given all its counts the shards score their articles as it does."""
    for name, value in limits.items():
        monkeypatch.setattr(search, name, value)
    used = 0
    with ExitStack() as opened:
        shards = [opened.enter_context(indexer.open_index(shard)) for shard in shard_dirs(dev_slice / "shards")]
        one = opened.enter_context(indexer.open_index(dev_slice / "one"))
        for q in DEV_QUERIES:
            for exact in (False, True):
                asked = (q, None, exact, None, "relevance", 10)
                want = one.find(*asked, {}, group=False)
                keys = [k for k in want.missing if k[0] == "pool" and k[-1] == tier]
                used += bool(keys) and want.missing[keys[0]] <= list(limits.values())[-1]
                given = {k: v for k, v in want.missing.items() if k not in keys}
                reported = [shard.find(*asked, given, group=False, counts_only=True).missing for shard in shards]
                assert [sum(r[k] for r in reported) for k in keys] == [want.missing[k] for k in keys], (q, exact)
                found = [shard.find(*asked, want.missing, group=False, shards=SHARDS) for shard in shards]
                assert all(not f.missing for f in found), (q, exact)
                merged = sorted((-score, i) for f in found for i, score in zip(f.ids, f.scores))[:10]
                assert [i for _, i in merged] == want.ids, (q, exact)
                assert all(math.isclose(-a, b, rel_tol=1e-6) for (a, _), b in zip(merged, want.scores)), (q, exact)
    assert used


def test_a_shard_counting_for_a_search_reads_every_count_its_search_reads_and_ranks_nothing(sharded):
    """The first round of a new search only counts: the counts a shard's search would read, with
    the same values (and 0 for the words it lacks), no documents and no snippets."""
    folder, _ = sharded
    for shard in shard_dirs(folder / "shards"):
        with indexer.open_index(shard) as index:
            for q in QUERIES + ["bão xyzzy", "lũ Nghệ An"]:
                for exact, sort in ((False, "relevance"), (True, "relevance"), (False, "newest")):
                    search = (q, None, exact, None, sort, 10, {})
                    full = index.find(*search, first=10)
                    counted = index.find(*search, first=10, counts_only=True)
                    assert full.missing.items() <= counted.missing.items(), (shard.name, q, exact, sort)
                    assert (counted.docs, counted.total, counted.hits) == ([], 0, None)
                    assert [k for k in counted.missing if k not in full.missing and k[0] not in ("docs", "length", "df")] == []


def test_each_decision_a_shard_makes_with_an_estimate_is_recorded_with_the_outcome_the_estimate_gave(sharded):
    """A shard ranking with its own counts times the shards (a first round) records each decision
    an estimate made as (key, op, limit, outcome); given every count, it records none; the
    front accepts the ranking when the sums decide alike, not when one decides otherwise."""
    folder, _ = sharded
    recorded = overturned = 0
    with indexer.open_index(shard_dirs(folder / "shards")[0]) as index:
        for q in QUERIES:
            search = (q, None, False, None, "relevance", 10, {})
            guessed = index.find(*search, shards=SHARDS)
            estimate = lambda side: guessed.missing[side] * SHARDS if isinstance(side, tuple) else side
            for key, op, limit, outcome in guessed.decided:
                assert key[0] in DECIDING and COMPARISONS[op](estimate(key), estimate(limit)) == outcome, (q, key)
            recorded += len(guessed.decided)
            summed = {key: value * SHARDS for key, value in guessed.missing.items()}
            assert decided_alike({0: guessed}, summed, SHARDS), q
            assert index.find(*search[:6], summed, search[6], shards=SHARDS).decided == [], q
            for key, op, limit, outcome in guessed.decided[:1]:
                flipped = next(v for v in (limit - 1, limit, limit + 1) if COMPARISONS[op](v, limit) != outcome) \
                    if not isinstance(limit, tuple) else None
                if flipped is not None and flipped >= 0:
                    assert not decided_alike({0: guessed}, {**summed, key: flipped}, SHARDS), (q, key)
                    overturned += 1
    assert recorded and overturned


def test_copies_held_by_different_shards_are_grouped_as_in_the_embedded_index(cluster, sharded):
    folder, _ = sharded
    with indexer.open_index(folder / "one") as one, \
            indexer.open_index(folder / "shards", cluster=cluster.address) as sharded_index:
        spread = [h for h in one.search("bão", limit=100) if len({shard_of(i, SHARDS) for i in [h.doc_id, *h.duplicates]}) > 1]
        assert len(spread) >= 3 and any(len(h.duplicates) == 2 for h in spread)  # copies of one story in 2 or 3 shards
        for hit in spread:
            want = sorted(hit.duplicates)
            assert [a.id for a in sharded_index.copies(hit.doc_id)] == [a.id for a in one.copies(hit.doc_id)] == want
        assert sharded_index.copies("no-such-id") is None
        for q in QUERIES + ["lũ Nghệ An", "bão số 2 Hải Phòng"]:
            for kw in SEARCHES + [{"limit": 3, "page": 3}]:
                got, want = sharded_index.search(q, **kw), one.search(q, **kw)
                assert_same_results(got, want, (q, kw))
                assert [h.duplicates for h in got] == [h.duplicates for h in want], (q, kw)
                assert got.copies == want.copies, (q, kw)
        for kw in ({}, {"group": False}, {"sort": "newest"}, {"source": "bao-khac"}, {"month": "1999-01"}):
            got, want = sharded_index.search("bão", **kw), one.search("bão", **kw)  # a group over shards counts once
            assert (got.facets, got.facet_missing) == (want.facets, want.facet_missing), kw
            for item in got.facets["month"]:
                assert sharded_index.search("bão", **{**kw, "month": item["value"]}).total == item["count"], (kw, item)


def test_the_copies_of_real_articles_through_the_cluster_are_those_the_embedded_index_gives(cluster, dev_slice):
    """Real articles have the same syndicated copies through the cluster as in the embedded index of
    them all (groups spread over shards too), even a copy titled apart that the article's title
    does not find."""
    ids = [json.loads(line)["id"] for line in (dev_slice / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    with indexer.open_index(dev_slice / "one") as one, \
            indexer.open_index(dev_slice / "shards", cluster=cluster.address) as sharded_index:
        want = {doc_id: [a.id for a in one.copies(doc_id)] for doc_id in ids}
        assert [want[i] for group in SYNDICATED for i in group] == [
            sorted(set(group) - {i}) for group in SYNDICATED for i in group]
        for doc_id in [i for group in SYNDICATED for i in group] + ids[:200]:
            assert [a.id for a in sharded_index.copies(doc_id)] == want[doc_id], doc_id


def test_the_related_articles_of_real_articles_through_the_cluster_are_those_the_embedded_index_gives(
        cluster, dev_slice):
    """Real articles have the same related articles (ids, order, scores, snippets) through the
    cluster as in the embedded index of them all: their distinctive terms weighed with corpus-wide
    counts, every shard ranking its articles for them, the copies of all shards left out."""
    ids = [json.loads(line)["id"] for line in (dev_slice / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    with indexer.open_index(dev_slice / "one") as one, \
            indexer.open_index(dev_slice / "shards", cluster=cluster.address) as sharded_index:
        for doc_id in [i for group in SYNDICATED for i in group] + ids[:120]:
            for limit in (5, 12):
                got, want = sharded_index.related(doc_id, limit=limit), one.related(doc_id, limit=limit)
                assert [h.doc_id for h in got] == [h.doc_id for h in want], (doc_id, limit)
                assert all(math.isclose(a.score, b.score, rel_tol=1e-5) for a, b in zip(got, want)), doc_id
                assert [h.snippet for h in got] == [h.snippet for h in want], doc_id
        assert sharded_index.related("no-such-id") is None


def test_unaccented_readings_come_from_bodies_sampled_among_all_shards_as_in_the_embedded_index(
        cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(indexer.search, "LEXICON_SAMPLE_DOCS", 60)  # fewer bodies than the articles
    monkeypatch.setattr(indexer.cluster, "LEXICON_SAMPLE_DOCS", 60)
    monkeypatch.setattr(indexer.scorer, "HOLDING_SAMPLE", 50)  # co-occurrence counted among fewer too
    monkeypatch.setattr(indexer.cluster, "HOLDING_SAMPLE", 50)
    real = baomoi_articles(300)
    corpus = write_jsonl(tmp_path / "articles.jsonl", real)
    indexer.build_index([str(corpus)], str(tmp_path / "one"), **QUIET)
    build_sharded([str(corpus)], tmp_path / "shards", cluster.address, 2)
    pairs = [a["body"].split()[k:k + 2] for a in real[::3] for k in (0, 10, 20)]
    unaccented = sorted({fold(" ".join(p)).lower() for p in pairs if all(w.isalpha() for w in p)})
    with indexer.open_index(tmp_path / "one") as one, \
            indexer.open_index(tmp_path / "shards", cluster=cluster.address) as sharded_index:
        one.lexicon(wait=True)
        sharded_index.lexicon(wait=True)
        held = [tuple(sorted(canonical(w) for w in p)) for p in pairs]
        assert [sharded_index.articles_holding(w) for w in held] == [one.articles_holding(w) for w in held]
        assert one.articles_holding(()) == 50 and sum(map(one.articles_holding, held)) > 0
        readings = [(q, sharded_index.search(q).suggestion, one.search(q).suggestion) for q in unaccented]
        assert [r for r in readings if r[1] != r[2]] == []
        assert sum(r[2] is not None for r in readings) > len(readings) / 2
        prefixes = sorted({fold(" ".join(a["title"].lower().split()[:3]))[:-1] for a in real[::5]})
        completions = [(p, sharded_index.suggest(p), one.suggest(p)) for p in prefixes]
        assert [c for c in completions if c[1] != c[2]] == []  # cased alike: from all shards' titles
        assert any(s != s.lower() for _, _, offered in completions for s in offered)
        errors = []
        for index in (sharded_index, one):
            with pytest.raises(indexer.QueryError) as error:
                index.suggest("a" * 201)
            errors.append(error.value.vi)
        assert errors == ["Từ khóa quá dài (tối đa 200 ký tự)."] * 2  # the web app's message either way


def test_the_command_line_and_the_web_app_search_through_the_cluster(cluster, sharded):
    folder, _ = sharded
    found = run("search", "bão số 3", "--index", folder / "shards", "--cluster", cluster.address, "--limit", "1")
    assert found.returncode == 0, found.stderr
    assert "[thoi-tiet/bao-so-3]" in found.stdout
    app = create_app({"TESTING": True, "INDEX_DIR": str(folder / "shards"), "CLUSTER": cluster.address})
    try:
        answer = app.test_client().get("/api/search?q=b%C3%A3o+s%E1%BB%91+3&per_page=1").get_json()
        assert answer["hits"][0]["id"] == "thoi-tiet/bao-so-3" and "missing_shards" not in answer
        assert "<mark>Bão</mark>" in app.test_client().get("/article/thoi-tiet/bao-so-3?q=b%C3%A3o").get_data(True)
    finally:
        app.extensions["search_index"].close()


def test_an_update_goes_to_the_shard_of_each_article(cluster, sharded, tmp_path):
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    changed = articles()[:-5] + news(range(240, 260), edition=1)  # 5 removed, 20 new, some changed
    changed[0] = {**changed[0], "title": "Bão số 1 đã tan, ngư dân Quỳnh Lưu trở về nhà"}
    sharded_index = indexer.open_index(index_dir, cluster=cluster.address)
    assert sharded_index.search("quynh luu").suggestion != "quỳnh lưu"  # its words are not indexed yet
    corpus = write_jsonl(folder / "articles.jsonl", changed)  # the path the shards were built from
    try:
        updated = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
        assert updated.returncode == 0, updated.stderr
        assert "added 20, updated 1, removed 5" in updated.stdout
        held = shard_ids(index_dir)
        assert set().union(*held) == {a["id"] for a in changed}
        assert all(shard_of(doc_id, SHARDS) == n for n, ids in enumerate(held) for doc_id in ids)
        indexer.build_index([str(corpus)], str(tmp_path / "one"), **QUIET)
        with indexer.open_index(tmp_path / "one") as one:
            # the open cluster index serves the new generations, its Lexicon built again from them
            wait_for(lambda: sharded_index.search("quynh luu").suggestion == "quỳnh lưu")
            for q in ("quynh luu", "ngư dân trở về", *QUERIES[:6]):
                assert_same_results(sharded_index.search(q, group=False), one.search(q, group=False), q)
                got, want = sharded_index.search(q), one.search(q)  # copies grouped over the new generations
                assert_same_results(got, want, q)
                assert [h.duplicates for h in got] == [h.duplicates for h in want]
                assert sharded_index.search(q).suggestion == one.search(q).suggestion
    finally:
        sharded_index.close()
        write_jsonl(folder / "articles.jsonl", articles())


def test_while_the_lexicon_of_new_generations_is_built_the_one_before_restores_accents(
        cluster, sharded, tmp_path, monkeypatch):
    folder, _ = sharded
    index_dir, corpus = tmp_path / "shards", write_jsonl(tmp_path / "more.jsonl", news(range(240, 250), edition=1))
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    monkeypatch.setattr(indexer.cluster, "LEXICON_WAIT_DOCS", 0)  # searches never wait for a Lexicon
    with indexer.open_index(index_dir, cluster=cluster.address) as sharded_index:
        old = sharded_index.lexicon(wait=True)
        before = sharded_index.search("bao so 3").suggestion
        assert before == "bão số 3"
        released, build = threading.Event(), indexer.cluster.ClusterIndex._build_lexicon
        monkeypatch.setattr(indexer.cluster.ClusterIndex, "_build_lexicon",
                            lambda self, future: released.wait(60) and build(self, future))
        updated = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
        assert updated.returncode == 0, updated.stderr
        wait_for(lambda: all(sharded_index.get(f"tin-{n}") for n in range(240, 250)))
        sharded_index.search("bao")  # sees the new generations
        assert sharded_index.lexicon(wait=False) is old  # the one before, while the new one is held
        assert sharded_index.search("bao so 3").suggestion == before
        released.set()
        assert sharded_index.lexicon(wait=True) not in (None, old)


def test_without_background_lexicon_a_large_sharded_index_starts_no_lexicon_a_search_would_abandon(
        cluster, sharded, monkeypatch):
    folder, _ = sharded  # the command line's one search: a Lexicon built in a thread dies unused at its exit
    monkeypatch.setattr(indexer.cluster, "LEXICON_WAIT_DOCS", 0)  # as an index too large to wait for
    started, build = [], indexer.cluster.ClusterIndex._build_lexicon
    monkeypatch.setattr(indexer.cluster.ClusterIndex, "_build_lexicon",
                        lambda self, future: started.append(self) or build(self, future))
    for background in (False, True):
        with indexer.open_index(folder / "shards", cluster=cluster.address, background_lexicon=background) as index:
            assert index.search("bao so 3").total > 0  # searched as typed (folded) meanwhile
            assert [s is index for s in started] == ([True] if background else [])
        started.clear()


def editions(shard: int, edition: int) -> list[dict]:
    """The test articles after edition updates of one shard's: some removed, some changed, some new."""
    mine = lambda a: shard_of(a["id"], SHARDS) == shard
    kept = [a for a in articles() if not mine(a)] + [a for a in articles() if mine(a)][edition * 3:]
    return [{**a, "body": f"{a['body']} Bản tin sửa lần {edition} về lũ quét ở bản Khe{edition}."} if mine(a) else a
            for a in kept] + [a for a in news(range(240 + edition * 10, 250 + edition * 10), edition) if mine(a)]


def shard_tables(index_dir: Path) -> list[tuple]:
    tables = []
    for shard in shard_dirs(index_dir):
        with indexer.open_index(shard) as index:
            tables.append(index.frequency_table())
    return tables


def update_shard(index_dir: Path, shard: int, corpus: Path) -> None:
    """Update one shard of index_dir with its articles of corpus, as update_sharded's task on a worker does
    (a shard's folder given to `update` is refused)."""
    report = _update_shard([str(corpus)], str(index_dir / f"shard-{shard}"), shard, SHARDS)
    assert report.added + report.updated + report.removed > 0 and not report.skipped, report


def test_a_table_changed_by_the_changes_of_updated_shards_equals_the_table_summed_anew(sharded, tmp_path):
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    before = shard_tables(index_dir)
    table, base = CorpusTable.summed(before), ("base",)
    try:
        for edition in (1, 2):  # the second change applies to the table the first one made
            mine = [a for a in editions(1, edition) if shard_of(a["id"], SHARDS) == 1]
            corpus = write_jsonl(folder / "articles.jsonl", mine)  # the path the shard was built from
            update_shard(index_dir, 1, corpus)
            after = shard_tables(index_dir)
            change = TableChange.between(base, (edition,), [before[1]], [after[1]])
            assert (change.dfs < 0).any() and (change.dfs > 0).any() and change.stable[("docs",)] != 0
            assert len(change.hashes) < len(table.hashes) / 4  # the terms that changed alone
            table, base, before = table.changed(change), (edition,), after
            assert table == CorpusTable.summed(after)
    finally:
        write_jsonl(folder / "articles.jsonl", articles())


def same_frequency_table(got: tuple, want: tuple) -> bool:
    return got[:3] == want[:3] and all(np.array_equal(a, b) for a, b in zip(got[3:], want[3:]))


def test_a_shard_replica_sends_the_front_only_what_changed_since_the_table_it_sent_it(sharded, tmp_path):
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    replica, other = ShardActor(str(index_dir / "shard-1")), ShardActor(str(index_dir / "shard-1"))
    try:
        sent = replica.frequency_table(None)
        assert replica.frequency_table(sent[0]) == (sent[0],)  # unchanged: its generation alone
        mine = [a for a in editions(1, 1) if shard_of(a["id"], SHARDS) == 1]
        corpus = write_jsonl(folder / "articles.jsonl", mine)  # the path the shard was built from
        update_shard(index_dir, 1, corpus)
        replica.index.refresh()
        other.index.refresh()
        change, fresh = replica.frequency_table(sent[0]), shard_tables(index_dir)[1]
        assert isinstance(change, TableChange) and (change.base, change.epoch) == (sent[0], fresh[0])
        before, after = (dict(zip(t[3].tolist(), t[4].tolist())) for t in (sent, fresh))
        assert change.hashes.tolist() == sorted(h for h in before.keys() | after.keys() if before.get(h) != after.get(h))
        assert same_frequency_table(change.applied(sent), fresh)
        assert same_frequency_table(other.frequency_table(sent[0]), fresh)  # it sent none: the whole table
        assert same_frequency_table(replica.frequency_table(sent[0]), fresh)  # it sent another since
    finally:
        replica.index.close()
        other.index.close()
        write_jsonl(folder / "articles.jsonl", articles())


def test_a_replica_asked_at_the_next_generation_of_its_shard_serves_it_before_it_answers(sharded, tmp_path,
                                                                                          monkeypatch):
    """A replica that checked for a new generation just before an update serves the one before until
    it checks again; asked with an epoch naming the new one (the front saw it through another
    replica), it serves the new one before it counts or ranks: counts of two generations summed as one
    epoch's would be remembered for it by every replica (the scores of a search then differed)."""
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    monkeypatch.setattr(search, "RELOAD_CHECK_SECONDS", 3600)  # they checked just before the update
    counting, ranking = ShardActor(str(index_dir / "shard-1")), ShardActor(str(index_dir / "shard-1"))
    try:
        before = counting.index.generation
        corpus = write_jsonl(folder / "articles.jsonl", [a for a in editions(1, 1) if shard_of(a["id"], SHARDS) == 1])
        update_shard(index_dir, 1, corpus)
        epoch = tuple((n, t[0]) for n, t in enumerate(shard_tables(index_dir)))
        stale = counting.counts([("length", "body")])  # no epoch: as it serves
        assert counting.index.generation == ranking.index.generation == before != epoch[1][1]
        with indexer.open_index(index_dir / "shard-1") as fresh:
            want = fresh.counts([("length", "body")])
        assert want != stale and counting.counts([("length", "body")], epoch) == want
        found, _ = ranking.find(("bão", None, False, None, "relevance", 10), {}, ({}, False, ()), 10, epoch, False,
                                SHARDS)
        assert found.generation == epoch[1][1]
    finally:
        counting.index.close()
        ranking.index.close()
        write_jsonl(folder / "articles.jsonl", articles())


def test_a_replica_asked_first_opened_after_a_share_sends_only_what_changed_after_the_next_update(sharded, tmp_path):
    """A replica 0 opened in place of a lost one (with the front's CorpusTable) makes its own shard's
    frequency table when it opens, as if it had sent it: after the next update it sends the front,
    which holds that generation's table (another replica sent it), only the change; a replica the
    front asks after it sends the whole table."""
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    tables = shard_tables(index_dir)
    shared = (tuple((n, t[0]) for n, t in enumerate(tables)), CorpusTable.summed(tables))
    first, second = (ShardActor(str(index_dir / "shard-1"), shared, asked) for asked in (True, False))
    try:
        mine = [a for a in editions(1, 1) if shard_of(a["id"], SHARDS) == 1]
        corpus = write_jsonl(folder / "articles.jsonl", mine)  # the path the shard was built from
        update_shard(index_dir, 1, corpus)
        first.index.refresh()
        second.index.refresh()
        change, fresh = first.frequency_table(tables[1][0]), shard_tables(index_dir)[1]
        assert isinstance(change, TableChange) and (change.base, change.epoch) == (tables[1][0], fresh[0])
        assert same_frequency_table(change.applied(tables[1]), fresh)
        assert same_frequency_table(second.frequency_table(tables[1][0]), fresh)
    finally:
        first.index.close()
        second.index.close()
        write_jsonl(folder / "articles.jsonl", articles())


def test_after_two_updates_and_a_delete_the_front_and_every_replica_hold_the_table_of_all_shards(cluster, sharded,
                                                                                                 tmp_path):
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    retracted = [a["id"] for a in editions(1, 2)[::40]]  # of every shard
    with indexer.open_index(index_dir, cluster=cluster.address, replicas=2) as sharded_index, ExitStack() as restore:
        restore.callback(write_jsonl, folder / "articles.jsonl", articles())
        assert sharded_index.share_table() is not None
        for step in (1, 2, "delete"):  # each change applies to the tables the one before made
            if step == "delete":
                changed = run("delete", *retracted, "--index", index_dir)
                kept = [a for a in editions(1, 2) if a["id"] not in retracted]
            else:
                kept = editions(1, step)
                corpus = write_jsonl(folder / "articles.jsonl", kept)  # the path the shards were built from
                changed = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
            assert changed.returncode == 0, changed.stderr
            tables = shard_tables(index_dir)
            epoch = tuple((n, t[0]) for n, t in enumerate(tables))
            wait_for(lambda: sharded_index.search("bão") and sharded_index.share_table() == epoch)
            assert sharded_index.front_table() == (epoch, CorpusTable.summed(tables))
            held = sharded_index.held_tables()
            assert [len(replicas) for replicas in held.values()] == [2] * SHARDS
            assert all(replica == (epoch, CorpusTable.summed(tables)) for replicas in held.values() for replica in replicas)
            one_dir = tmp_path / f"one-{step}"
            indexer.build_index([str(write_jsonl(tmp_path / f"kept-{step}.jsonl", kept))], str(one_dir), **QUIET)
            with indexer.open_index(one_dir) as one:
                for q in ("lũ quét bản Khe1", "Khe2", *QUERIES[:6]):
                    assert_same_results(sharded_index.search(q, group=False), one.search(q, group=False), q)


def test_an_unreachable_scheduler_is_one_line_and_exit_1(sharded):
    folder, _ = sharded
    started = time.monotonic()
    failed = run("search", "bão", "--index", folder / "shards", "--cluster", f"tcp://127.0.0.1:{free_port()}")
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1 and failed.stderr.startswith(
        "python -m indexer search: error: cannot reach the Dask scheduler")
    assert time.monotonic() - started < CONNECT_SECONDS + 30


def test_a_sharded_build_and_update_warn_as_one_index_does_and_delete_takes_an_article_from_its_shard(
        cluster, tmp_path):
    folder = tmp_path / "tin"
    folder.mkdir()
    write_jsonl(folder / "tin.jsonl", storm_articles()[:6] + [dict(storm_articles()[6], date="27 tháng 5")])
    (folder / "ghi-chu.md").write_text("notes", "utf-8")
    for command in (["build", folder, "--shards", 2], ["update", folder]):
        done = run(*command, "--index", tmp_path / "shards", "--cluster", cluster.address)
        assert done.returncode == 0, done.stderr
        assert f"warning {folder / 'tin.jsonl'}:7: date '27 tháng 5' not understood" in done.stderr, command
        assert done.stderr.count("not understood") == 1, command  # once, though every shard reads it
        assert "ignored 1 file not named as articles (1 .md)" in done.stderr, command
    gone = storm_articles()[0]["id"]
    deleted = run("delete", gone, "no-such-id", "--index", tmp_path / "shards")
    assert deleted.returncode == 3 and deleted.stdout.startswith("deleted 1 article, skipped 1 id"), deleted.stderr
    held = set().union(*shard_ids(tmp_path / "shards"))
    assert gone not in held and {a["id"] for a in storm_articles()[1:7]} == held


def test_a_sharded_delete_retracts_in_each_shard_until_restored_and_a_build_into_other_shards_keeps_it(
        cluster, sharded, tmp_path):
    folder, _ = sharded
    index_dir, corpus = tmp_path / "shards", folder / "articles.jsonl"  # the shards' export, read only
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    gone = [a["id"] for a in articles()[::37]]
    assert run("delete", *gone, "--index", index_dir).returncode == 0
    assert retracted_by_shard(index_dir) == [sorted(i for i in gone if shard_of(i, SHARDS) == n) for n in range(SHARDS)]
    assert all(retracted_by_shard(index_dir)), "every shard retracts some"
    updated = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
    assert updated.returncode == 0 and f"kept out {len(gone)} retracted articles: " in updated.stdout, updated.stdout
    assert set().union(*shard_ids(index_dir)).isdisjoint(gone)
    restored = run("restore", gone[0], "--index", index_dir)
    assert restored.returncode == 0 and restored.stdout.startswith("lifted the retraction of 1 article, skipped 0 ids")
    updated = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
    assert updated.returncode == 0 and updated.stdout.startswith("added 1, updated 0, removed 0"), updated.stdout
    rebuilt = run("build", corpus, "--index", index_dir, "--cluster", cluster.address, "--shards", 2)
    assert rebuilt.returncode == 0 and f"kept out {len(gone) - 1} retracted articles: " in rebuilt.stdout, rebuilt.stdout
    assert retracted_by_shard(index_dir) == [sorted(i for i in gone[1:] if shard_of(i, 2) == n) for n in range(2)]
    assert gone[0] in set().union(*shard_ids(index_dir)) and set().union(*shard_ids(index_dir)).isdisjoint(gone[1:])
    assert f"\nretracted: {len(gone) - 1} (" in run("stats", "--index", index_dir).stdout


def test_a_sharded_update_and_build_name_the_stale_lock_a_killed_writer_left_in_the_top_folder(cluster, sharded,
                                                                                               tmp_path):
    folder, _ = sharded
    index_dir, corpus = tmp_path / "shards", folder / "articles.jsonl"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    for command in (["update"], ["build", "--shards", 2]):
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        (index_dir / "writer.lock").write_text(f"{dead.stdout.strip()} {command[0]}")  # as a killed writer leaves it
        done = run(command[0], corpus, "--index", index_dir, "--cluster", cluster.address, *command[1:])
        assert done.returncode == 0, done.stderr
        assert f"cleared a stale lock left by pid {dead.stdout.strip()}, which is no longer running" in done.stderr


def test_a_sharded_build_over_one_index_keeps_its_retractions_each_in_its_shard(cluster, tmp_path):
    corpus = write_jsonl(tmp_path / "tin.jsonl", news(range(40)))
    indexer.build_index([str(corpus)], str(tmp_path / "ix"), **QUIET)
    gone = [f"tin-{n}" for n in range(0, 40, 5)]
    assert indexer.delete_articles(gone, tmp_path / "ix", **QUIET).deleted == len(gone)
    built = run("build", corpus, "--index", tmp_path / "ix", "--cluster", cluster.address, "--shards", 2)
    assert built.returncode == 0 and f"indexed {40 - len(gone)} articles" in built.stdout, built.stderr
    assert retracted_by_shard(tmp_path / "ix") == [sorted(i for i in gone if shard_of(i, 2) == n) for n in range(2)]


def test_a_sharded_build_over_a_shard_whose_CURRENT_is_garbled_keeps_that_shard_s_retractions(cluster, tmp_path):
    """The shard's retractions had been dropped (its CURRENT read as no index), and its articles came back."""
    corpus, index_dir = write_jsonl(tmp_path / "tin.jsonl", news(range(40))), tmp_path / "ix"
    assert run("build", corpus, "--index", index_dir, "--cluster", cluster.address, "--shards", 2).returncode == 0
    gone = [f"tin-{n}" for n in range(0, 40, 5)]
    assert run("delete", *gone, "--index", index_dir).returncode == 0
    shard, listed = shard_dirs(index_dir)[1], retracted_by_shard(index_dir)
    every = run("retracted", "--index", index_dir)  # all shards' ids, oldest first
    assert every.returncode == 0 and every.stdout.startswith(f"{len(gone)} retracted articles in {index_dir}, oldest first")
    assert sorted(line.split("  ")[1] for line in every.stdout.splitlines()[1:]) == sorted(gone), every.stdout
    live = indexer.store.current_generation(shard)
    (shard / "CURRENT").write_bytes(b"\xff\xfe")
    rebuilt = run("build", corpus, "--index", index_dir, "--cluster", cluster.address, "--shards", 2)
    assert rebuilt.returncode == 0 and f"indexed {40 - len(gone)} articles" in rebuilt.stdout, rebuilt.stderr
    assert (f"{shard}/CURRENT is missing or names no generation: the {len(listed[1])} ids retracted in {live.name} "
            f"stay retracted (python -m indexer retracted --index {shard} lists them)\n") in rebuilt.stderr
    assert retracted_by_shard(index_dir) == listed and all(listed)


def test_a_delete_or_restore_given_one_shard_s_folder_is_refused_naming_the_sharded_index(sharded, tmp_path):
    """Given a shard's folder, a delete had deleted and retracted there under the shard's lock alone,
    beside a sharded build under the top folder's (which reads every shard's retractions, then
    replaces the shards: the retraction lost)."""
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    doc_id = articles()[0]["id"]
    shard, live = shard_dirs(index_dir)[shard_of(doc_id, SHARDS)], generations(index_dir)
    for command in ("delete", "restore"):
        assert failure_line(run(command, doc_id, "--index", shard), command) == (
            f"python -m indexer {command}: error: {shard} is a shard of the sharded index {index_dir}: {command} by id "
            f"there, under its writer lock (python -m indexer {command} ID... --index {index_dir})\n")
    for run_on_shard, top in ((indexer.delete_articles, os.path.relpath(index_dir)), (indexer.restore_articles, index_dir)):
        with pytest.raises(indexer.ShardFolder, match=re.escape(f"is a shard of the sharded index {top}: ")):
            run_on_shard(doc_id, Path(top) / shard.name, **QUIET)  # named as given
    assert generations(index_dir) == live and indexer.retracted_articles(index_dir) == {}
    with indexer.store.writer_lock(index_dir, **QUIET):  # as a sharded build holds it
        assert "another build (pid " in failure_line(run("delete", doc_id, "--index", index_dir), "delete")
    assert run("delete", doc_id, "--index", index_dir).returncode == 0
    assert list(indexer.retracted_articles(shard)) == [doc_id]


def test_an_update_build_or_optimize_given_one_shard_s_folder_is_refused_naming_the_sharded_index(
        cluster, sharded, tmp_path):
    """Given a shard's folder, an update had added there every article of its sources, those whose id
    hashes to another shard too (a delete by id then found none of them: it asks the shard of the hash), a
    build had replaced the shard with them all (178 of 271 articles held twice), a build on the cluster
    had made a sharded index inside it (the shard's own index removed) and an optimize had merged under the
    shard's lock alone; the cluster's update still deals each article to its shard."""
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    more = news(range(300, 306))
    corpus, shard, live = write_jsonl(tmp_path / "more.jsonl", more), shard_dirs(index_dir)[0], generations(index_dir)
    assert {shard_of(a["id"], SHARDS) for a in more} > {0}, "some hash to other shards"
    at_top = {"update": ("it there on a Dask cluster", f"SOURCES --index {index_dir} --cluster ADDRESS"),
              "build": ("it there on a Dask cluster", f"SOURCES --index {index_dir} --cluster ADDRESS --shards N"),
              "optimize": ("it there", f"--index {index_dir}")}
    for command, sources, options in (("update", [corpus], []), ("update", [corpus], ["--cluster", cluster.address]),
                                      ("build", [corpus], []),
                                      ("build", [corpus], ["--cluster", cluster.address, "--shards", 2]),
                                      ("optimize", [], [])):
        how, arguments = at_top[command]
        assert failure_line(run(command, *sources, "--index", shard, *options), command) == (
            f"python -m indexer {command}: error: {shard} is a shard of the sharded index {index_dir}: {command} "
            f"{how}, under its writer lock (python -m indexer {command} {arguments})\n"), options
    top = os.path.relpath(index_dir)
    for write in (lambda ix: indexer.update_index([corpus], ix, **QUIET),
                  lambda ix: indexer.build_index([corpus], ix, **QUIET), lambda ix: indexer.optimize_index(ix, **QUIET)):
        with pytest.raises(indexer.ShardFolder, match=re.escape(f"is a shard of the sharded index {top}: ")):
            write(Path(top) / shard.name)  # named as given
    assert generations(index_dir) == live
    updated = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
    assert updated.returncode == 0 and updated.stdout.startswith(f"added {len(more)}, updated 0"), updated.stderr
    for n, folder_n in enumerate(shard_dirs(index_dir)):
        with indexer.open_index(folder_n) as index:
            held = {a["id"] for a in more if index.get(a["id"])}
        assert held == {a["id"] for a in more if shard_of(a["id"], SHARDS) == n}


def test_optimize_and_a_sharded_update_wait_for_the_top_folder_s_lock_as_a_sharded_build_holds_it(
        cluster, sharded, tmp_path):
    """optimize and a sharded update took each shard's lock alone: during a sharded build (which reads
    every shard's retractions, replaces the shards, then removes those its manifest no longer names) they
    merged shards it was replacing, or dealt articles by the number of shards the old manifest named."""
    folder, _ = sharded
    index_dir = tmp_path / "shards"
    subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
    assert run("delete", *[a["id"] for a in news(range(0, 240, 40))], "--index", index_dir).returncode == 0
    corpus, live = write_jsonl(tmp_path / "more.jsonl", news(range(300, 303))), generations(index_dir)
    with indexer.store.writer_lock(index_dir, **QUIET):  # as a sharded build holds it
        assert "another build (pid " in failure_line(run("optimize", "--index", index_dir), "optimize")
        updated = run("update", corpus, "--index", index_dir, "--cluster", cluster.address)
        assert "another build (pid " in failure_line(updated, "update")
        with pytest.raises(indexer.IndexLocked, match="another build"):
            indexer.optimize_index(index_dir, **QUIET)
    assert generations(index_dir) == live
    assert run("optimize", "--index", index_dir).returncode == 0 and generations(index_dir) != live



def writers_at_once(commands: dict[str, list], index_dir: Path, first: str | None,
                    seconds: float = 120) -> tuple[dict[str, subprocess.CompletedProcess], dict[str, int]]:
    """Start the writers (python -m indexer ...) of index_dir together, or the others once first holds its
    lock; (each one's outcome, its pid), all ended within seconds (or killed)."""
    procs, deadline, done = {}, time.monotonic() + seconds, {}
    try:
        for name in sorted(commands, key=lambda c: c != first):
            procs[name] = subprocess.Popen([sys.executable, "-m", "indexer", *map(str, commands[name])], cwd=REPO,
                                           text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           env={**os.environ, "PYTHONPATH": str(REPO)})
            while name == first and not holds_lock(index_dir, procs[name]) and procs[name].poll() is None:
                assert time.monotonic() < deadline, f"{name} never took the lock"
                time.sleep(0.002)
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
            done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        for proc in procs.values():
            proc.kill()  # only those still running after the deadline
            proc.wait()
    return done, {name: proc.pid for name, proc in procs.items()}


def test_a_sharded_optimize_and_build_started_together_both_end_or_one_is_refused_and_no_article_is_lost(
        cluster, sharded, tmp_path):
    """An optimize (each shard holds deleted articles: it rewrites them all) and a build into 2 shards (the
    third removed), started at once, or one once the other holds the lock: each ends, or says the other holds
    the index; after them the index holds every article not deleted, each in its shard, in the shards its
    manifest names."""
    folder, _ = sharded
    gone = [a["id"] for a in news(range(0, 240, 40))]
    kept = {a["id"] for a in articles()} - set(gone)
    for first in (None, "optimize", "build"):
        index_dir = tmp_path / str(first)
        subprocess.run(["cp", "-a", str(folder / "shards"), str(index_dir)], check=True)
        assert run("delete", *gone, "--index", index_dir).returncode == 0
        done, pids = writers_at_once({"optimize": ["optimize", "--index", index_dir],
                                      "build": ["build", folder / "articles.jsonl", "--index", index_dir,
                                                "--cluster", cluster.address, "--shards", 2]}, index_dir, first)
        print(f"{first or 'neither'} first:", ", ".join(f"{name} exit {d.returncode}" for name, d in done.items()))
        for name, other in (("optimize", "build"), ("build", "optimize")):
            assert done[name].returncode == 0 or failure_line(done[name], name) == (
                f"python -m indexer {name}: error: another {other} (pid {pids[other]}) is writing {index_dir}; "
                "wait for it to finish\n"), (first, name, done[name].stderr)
        assert 0 in [d.returncode for d in done.values()], (first, done)
        shards = shard_dirs(index_dir)
        assert len(shards) == (2 if done["build"].returncode == 0 else SHARDS)
        assert sorted(p.name for p in index_dir.glob("shard-*")) == [p.name for p in shards]
        held = [ids & kept for ids in shard_ids(index_dir)]
        assert [len(ids) for ids in held] == [sum(shard_of(i, len(shards)) == n for i in kept) for n in range(len(shards))]
        assert set().union(*held) == kept and set().union(*shard_ids(index_dir)).isdisjoint(gone)
        assert all(len(list(shard.glob("gen-*"))) == 1 for shard in shards)
        with indexer.open_index(index_dir, cluster=cluster.address) as index:
            assert index.doc_count == len(kept)

def generations(index_dir: Path) -> list[Path]:
    """The live generation of each shard of index_dir."""
    return [indexer.store.current_generation(shard) for shard in shard_dirs(index_dir)]


def retracted_by_shard(index_dir: Path) -> list[list[str]]:
    """The ids each shard of index_dir lists as retracted."""
    return [sorted(indexer.retracted_articles(shard)) for shard in shard_dirs(index_dir)]


def test_an_update_or_a_build_without_the_cluster_of_a_sharded_index_says_so_and_writes_nothing(sharded, tmp_path):
    """Without --cluster an update had said "no index: build one", and a build wrote an index beside
    the shards that nothing searches (exit 0)."""
    folder, _ = sharded
    subprocess.run(["cp", "-a", str(folder / "shards"), str(tmp_path / "shards")], check=True)
    corpus = write_jsonl(tmp_path / "more.jsonl", news(range(300, 303)))
    before = sorted(p.name for p in (tmp_path / "shards").iterdir())
    for command, how in (("update", "--cluster ADDRESS)"), ("build", "--cluster ADDRESS --shards N)")):
        done = run(command, corpus, "--index", tmp_path / "shards")
        assert done.returncode == 1 and done.stdout == "", (command, done.stdout)
        assert done.stderr == (f"python -m indexer {command}: error: {tmp_path / 'shards'} holds a sharded index: "
                               f"{command} it on a Dask cluster ({how}\n"), done.stderr
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == before


def test_optimize_merges_each_shard_of_a_sharded_index_in_its_folder_as_one_index(cluster, sharded, tmp_path):
    """optimize, as delete, needs no cluster: each shard merged in its folder, its deleted articles
    dropped, the searches through the cluster as before (it had said "no index: build one")."""
    folder, _ = sharded
    subprocess.run(["cp", "-a", str(folder / "shards"), str(tmp_path / "shards")], check=True)
    gone = [a["id"] for a in news(range(0, 240, 40))]
    assert run("delete", *gone, "--index", tmp_path / "shards").returncode == 0
    with indexer.open_index(tmp_path / "shards", cluster=cluster.address) as index:
        want = [(h.doc_id, h.score) for h in index.search("tin", group=False, limit=100)]
    done = run("optimize", "--index", tmp_path / "shards")
    assert done.returncode == 0, done.stderr
    rows = indexer.cluster.shard_stats(tmp_path / "shards")
    assert done.stdout == (f"{plural_merges(done.stdout)}: {sum(r[2] for r in rows)} segments, "
                           f"{sum(r[1] for r in rows):,} articles in {tmp_path / 'shards'} ({SHARDS} shards)\n")
    assert sum(r[1] for r in rows) == sum(a["id"] not in gone for a in articles())
    with indexer.open_index(tmp_path / "shards", cluster=cluster.address) as index:
        assert [(h.doc_id, h.score) for h in index.search("tin", group=False, limit=100)] == want


def plural_merges(line: str) -> str:
    """The "N merges" a line of optimize begins with, N at least 1 (a shard with deleted articles is rewritten)."""
    merges = line.split(":")[0]
    assert re.fullmatch(r"[1-9][0-9]* merges?", merges), line
    return merges


def titles_in_shards(index_dir: Path, ids: list[str]) -> dict[str, str]:
    """id -> title of each of these articles, read from the shard folders that hold them."""
    found = {}
    for shard in shard_dirs(index_dir):
        with indexer.open_index(shard) as index:
            found.update({doc_id: index.get(doc_id).title for doc_id in ids if index.get(doc_id) is not None})
    return found


def test_a_correction_in_a_newer_export_replaces_the_story_in_a_sharded_build_and_update(cluster, tmp_path):
    story, other = storm_articles()[:2]
    correction = dict(story, title="Đính chính: bão số 0 đổ bộ vào Quảng Nam")
    old = write_jsonl(tmp_path / "export-2024-09-10.jsonl", [story, other])
    new = write_jsonl(tmp_path / "export-2024-09-11.jsonl", [correction])
    for path, at in ((old, 1_725_958_800), (new, 1_726_045_200)):
        os.utime(path, (at, at))
    both = run("build", old, new, "--index", tmp_path / "both", "--shards", 2, "--cluster", cluster.address)
    assert both.returncode == 0 and "1 replaced by a later record of the same id" in both.stdout, both.stderr
    assert run("build", old, "--index", tmp_path / "ix", "--shards", 2, "--cluster", cluster.address).returncode == 0
    # each shard notes only its own ids' replacements: the correction written is not also counted as in force
    for sources, summary in (((old, new), "updated 1, removed 0, unchanged 1, 1 replaced by a later record of the same id, "
                                           "skipped"),
                             ((old,), "unchanged 1, 1 replaced by a later record already indexed (not listed), skipped")):
        done = run("update", *sources, "--index", tmp_path / "ix", "--cluster", cluster.address)
        assert done.returncode == 0 and summary in done.stdout, done.stdout
    wanted = {story["id"]: correction["title"], other["id"]: other["title"]}
    assert titles_in_shards(tmp_path / "both", list(wanted)) == wanted == titles_in_shards(tmp_path / "ix", list(wanted))


def test_a_sharded_update_says_an_emptied_export_keeps_its_articles(cluster, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    emptied = write_jsonl(exports / "export-2024-09-10.jsonl", storm_articles()[:4])
    write_jsonl(exports / "export-2024-09-11.jsonl", storm_articles()[4:6])
    assert run("build", exports, "--index", tmp_path / "ix", "--shards", 2, "--cluster", cluster.address).returncode == 0
    emptied.write_bytes(b"")
    done = run("update", exports, "--index", tmp_path / "ix", "--cluster", cluster.address)
    assert done.returncode == 3 and "kept 4 not read (in 1 empty file: delete it to remove them)" in done.stdout, done


def test_a_search_on_a_cluster_warns_of_shards_of_an_older_analysis(cluster, sharded, tmp_path):
    folder, _ = sharded
    subprocess.run(["cp", "-a", str(folder / "shards"), str(tmp_path / "shards")], check=True)
    older = indexer.store.current_generation(tmp_path / "shards" / "shard-1") / "ANALYSIS"
    older.unlink()
    older.write_text("2\n", encoding="ascii")  # as an index built before analysis 3 records it
    found = run("search", "bão", "--index", tmp_path / "shards", "--cluster", cluster.address)
    assert found.returncode == 0 and "1. " in found.stdout
    assert "warning: shard-1: built with analysis version 2" in found.stderr
    assert (f"`python -m indexer build SOURCES --index {tmp_path / 'shards'} --cluster ADDRESS --shards {SHARDS}`"
            in found.stderr)


def holders(index, shard: int) -> set[str]:
    """The names of the workers holding the shard's replicas."""
    info = index.client.scheduler_info()["workers"]
    who = index.client.who_has([f for f in index._futures[shard]])
    return {info[address]["name"] for addresses in who.values() for address in addresses}


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def reopened(index) -> None:
    """Wait (at most 30 s) until every replica of every shard is open again."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        index.search("bão")  # a search reopens lost replicas
        if all(f.status == "finished" for futures in index._futures for f in futures):
            return
        time.sleep(0.2)


def surviving_ranking(folder: Path, lost: int, query: str) -> list[str]:
    """The first page of ids for query on an embedded index of the articles the lost shard does not hold."""
    left = [a for a in articles() if shard_of(a["id"], SHARDS) != lost]
    corpus = write_jsonl(folder / f"without-{lost}.jsonl", left)
    indexer.build_index([str(corpus)], str(folder / f"without-{lost}"), **QUIET)
    with indexer.open_index(folder / f"without-{lost}") as index:
        return [h.doc_id for h in index.search(query, group=False)]


def test_killed_workers_fail_no_search_while_a_replica_is_left_and_leave_partial_results_after(cluster, sharded):
    """The last test of the module: it kills workers of the shared cluster (two more are started)."""
    folder, _ = sharded
    killed = cluster
    killed.add_workers(2)
    app = create_app({"TESTING": True, "INDEX_DIR": str(folder / "shards"), "CLUSTER": killed.address, "REPLICAS": 2})
    try:
        assert app.test_client().get("/search?q=b%C3%A3o").status_code == 200
        with app.extensions["search_index"] as index:  # the index the web app searches
            want = index.search("bão", limit=100, group=False)  # the page lists no copies' links then
            failures, done, stop = [], [0], threading.Event()

            def searches():
                while not stop.is_set():
                    got = index.search("bão", limit=100, group=False)
                    if got.partial or [h.doc_id for h in got] != [h.doc_id for h in want]:
                        failures.append(got.missing_shards)
                    done[0] += 1

            stream = threading.Thread(target=searches)
            stream.start()
            first = sorted(holders(index, 0))[0]
            wait_for(lambda: done[0] >= 3)
            killed.kill(first)
            after = done[0]
            wait_for(lambda: done[0] >= after + 10)  # ten searches at least after the kill
            stop.set()
            stream.join(timeout=60)
            assert done[0] >= after + 10 and failures == []

            reopened(index)  # the replica opened in place of the lost one holds the table shared before
            shared = index.share_table()
            assert shared is not None and all(epoch == shared and table is not None
                                              for replicas in index.held_tables().values() for epoch, table in replicas)
            held = [holders(index, n) for n in range(SHARDS)]
            # a shard whose holders hold no other shard's every replica
            shard = next(n for n in range(SHARDS) if all(held[t] - held[n] for t in range(SHARDS) if t != n))
            for name in held[shard]:
                killed.kill(name)
            started = time.monotonic()
            page = app.test_client().get("/search?q=b%C3%A3o&group=false").get_data(True)  # the first since
            assert time.monotonic() - started < 15
            assert "Kết quả chưa đầy đủ" in page and f"không nhận được trả lời từ shard-{shard}\n" in page
            listed = [unquote(i) for i in re.findall(r'<a href="/article/([^"?]+)', page)]
            assert listed == surviving_ranking(folder, shard, "bão")  # ranked by the counts of the shards left


            deadline = time.monotonic() + 30  # the lost replicas are reopened on the worker left
            while (again := index.search("bão", limit=100, group=False)).partial and time.monotonic() < deadline:
                time.sleep(0.2)
            assert [h.doc_id for h in again] == [h.doc_id for h in want]
    finally:
        app.extensions["search_index"].close()


def test_a_new_search_goes_in_one_round_once_the_shards_hold_the_corpus_counts(cluster, sharded):
    """Once every shard holds the corpus-wide document frequencies, field lengths and live documents
    of the shards' generations, a search the front has not seen is ranked at once: in one round
    when the counts a shard could only estimate (its own times the shards) decide as their sums
    do, else ranked again with the sums; either way as the embedded index ranks it."""
    folder, _ = sharded
    with indexer.open_index(folder / "one") as one, \
            indexer.open_index(folder / "shards", cluster=cluster.address) as sharded_index:
        assert sharded_index.share_table() is not None
        sharded_index.lexicon(wait=True)
        rounds = []
        for q in QUERIES:
            for kw in SEARCHES[:1] + SEARCHES[2:]:  # first pages (a later one takes a round for its hits)
                got = sharded_index.search(q, group=False, **kw)
                assert_same_results(got, one.search(q, group=False, **kw), (q, kw))
                rounds.append(got.rounds)
        assert rounds.count(1) > len(rounds) / 2, rounds


HOLDING, RELEASED = threading.Semaphore(0), threading.Event()  # tasks holding a worker's threads, and their end


def hold_a_thread() -> None:
    """A task that holds one of its worker's threads until RELEASED (at most 30 s)."""
    HOLDING.release()
    RELEASED.wait(30)


@pytest.fixture
def small_cluster():
    """A Dask scheduler and 2 workers of 2 threads each in this process, on 127.0.0.1 (free ports, no dashboard)."""
    from distributed import LocalCluster, default_client
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=False, host="127.0.0.1", protocol="tcp://",
                      dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as started:
        yield started
        try:  # the client of a build task's worker_client: Dask leaves it open when its worker closes before another
            left = default_client()
        except ValueError:  # none
            return
        if left.scheduler.address == started.scheduler_address:
            left.close()


def test_with_replica_0_of_a_shard_lost_after_an_update_another_gives_the_table_and_the_one_reopened_gets_it(
        small_cluster, tmp_path):
    """The front asks each shard's replica 0 first for what changed in its table; with replica 0 of
    shard 0 lost (its worker closed) and its replacement still opening (the live worker's threads
    held), replica 1 sends its whole table, summed with shard 1's change; the replacement, created
    with the table before, holds the new one once open."""
    address, start = small_cluster.scheduler_address, storm_articles() + other_articles() + news(range(60))
    corpus = write_jsonl(tmp_path / "articles.jsonl", start)
    build_sharded([str(corpus)], tmp_path / "shards", address, 2)
    with indexer.open_index(tmp_path / "shards", cluster=address, replicas=2) as index, ExitStack() as restore:
        before = index.share_table()
        kept = [{**start[0], "body": "Bão số 3 đã tan, ngư dân trở về."}, *start[1:-3], *news(range(60, 70), 1)]
        update_sharded([str(write_jsonl(corpus, kept))], tmp_path / "shards", address)
        tables = shard_tables(tmp_path / "shards")
        epoch, want = tuple((n, t[0]) for n, t in enumerate(tables)), CorpusTable.summed(tables)
        assert before is not None and all(old != new for old, new in zip(before, epoch))  # both shards changed
        # replica r of shard n is on worker n + r (mod 2): the first holds replica 0 of shard 0
        lost, live = sorted(index.client.scheduler_info()["workers"])
        RELEASED.clear()
        restore.callback(RELEASED.set)
        holding = [index.client.submit(hold_a_thread, pure=False, workers=[live]) for _ in range(2)]
        assert all(HOLDING.acquire(timeout=10) for _ in holding)  # no replica opens on it meanwhile
        small_cluster.sync(next(w for w in small_cluster.workers.values() if w.address == lost).close)
        wait_for(lambda: index.search("bão") and index.share_table() == epoch)
        held = index.held_tables()
        assert [len(replicas) for replicas in held.values()] == [1, 1]  # shard 0's replica 1 answered the front
        assert index.front_table() == (epoch, want)
        assert all(replica == (epoch, want) for replicas in held.values() for replica in replicas)
        indexer.build_index([str(corpus)], str(tmp_path / "one"), **QUIET)
        with indexer.open_index(tmp_path / "one") as one:
            for q in ("Bão số 3 ngư dân", "tin", *QUERIES[:6]):
                assert_same_results(index.search(q, group=False), one.search(q, group=False), q)
            RELEASED.set()  # the replacements open on the live worker
            every = lambda: [replica for replicas in index.held_tables().values() for replica in replicas]
            wait_for(lambda: every() == [(epoch, want)] * 4, 10)
            assert every() == [(epoch, want)] * 4
            for q in ("Bão số 3 ngư dân", "tin", *QUERIES[:6]):
                assert_same_results(index.search(q), one.search(q), q)
        # the next update: the reopened replica 0 of shard 0 made its table when it opened and sends its change
        update_sharded([str(write_jsonl(corpus, [*kept[:-1], *news(range(70, 76), 2)]))], tmp_path / "shards", address)
        tables = shard_tables(tmp_path / "shards")
        epoch, want = tuple((n, t[0]) for n, t in enumerate(tables)), CorpusTable.summed(tables)
        wait_for(lambda: index.search("bão") and index.share_table() == epoch)
        assert index.front_table() == (epoch, want) and every() == [(epoch, want)] * 4


async def joined_worker(address: str):
    """A new worker of 1 thread in this process, joined to the scheduler at address."""
    from distributed import Worker
    return await Worker(address, nthreads=1, host="127.0.0.1", dashboard=False)


def test_a_replica_left_waiting_for_a_worker_that_left_is_opened_on_a_worker_that_joins_after(
        small_cluster, tmp_path):
    """Every worker lost while a lost replica's replacement waits to open on one of them (its
    threads held): Dask keeps that task waiting for it when another joins; the front opens the
    replica again there, and the search is whole again."""
    address = small_cluster.scheduler_address
    build_sharded([str(write_jsonl(tmp_path / "articles.jsonl", articles()))], tmp_path / "shards", address, 2)
    with indexer.open_index(tmp_path / "shards", cluster=address) as index, ExitStack() as restore:
        want = [h.doc_id for h in index.search("bão", group=False)]
        first, second = (next(w for w in small_cluster.workers.values() if w.address == a)
                         for a in sorted(index.client.scheduler_info()["workers"]))  # shard n is on worker n
        RELEASED.clear()
        restore.callback(RELEASED.set)
        holding = [index.client.submit(hold_a_thread, pure=False, workers=[second.address]) for _ in range(2)]
        assert all(HOLDING.acquire(timeout=10) for _ in holding)  # shard 0's replacement waits on it
        small_cluster.sync(first.close)
        wait_for(lambda: index.search("bão").missing_shards == ["shard-0"] and index._futures[0][0].status == "pending")
        small_cluster.sync(second.close, executor_wait=False)  # no worker left: the replacement cannot open
        joined = small_cluster.sync(joined_worker, address)
        restore.callback(small_cluster.sync, joined.close)
        wait_for(lambda: not index.search("bão", group=False).partial)
        got = index.search("bão", group=False)
        assert not got.partial, got.missing_shards
        assert [h.doc_id for h in got] == want


def test_a_call_waits_for_one_replica_twice_the_p95_of_its_methods_recent_answers_at_least_the_floor():
    times = AnswerTimes()
    assert times.hedge_delay("find", SHARD_SECONDS) == SHARD_SECONDS / 2  # nothing measured: half the wait
    for _ in range(HEDGE_MEASURED - 1):
        times.note("find", 0.1)
    assert times.hedge_delay("find", SHARD_SECONDS) == SHARD_SECONDS / 2
    times.note("find", 0.1)
    assert times.hedge_delay("find", SHARD_SECONDS) == pytest.approx(0.2)
    assert times.hedge_delay("find", 0.3) == pytest.approx(0.15)  # at most half the wait
    times.note("counts", 0.5)  # each method its own, once measured; until then, as all calls of a search's wait
    assert times.hedge_delay("counts", SHARD_SECONDS) == pytest.approx(0.2)
    assert times.hedge_delay("lexicon_parts", 600.0) == 300.0  # a longer wait: half of it until measured
    for _ in range(ANSWERS_KEPT):
        times.note("find", 0.001)
    assert times.hedge_delay("find", SHARD_SECONDS) == HEDGE_FLOOR  # the recent answers only


def test_a_search_asks_the_next_replica_too_when_the_one_asked_is_busy_and_answers_well_before_the_shard_wait(
        small_cluster, tmp_path):
    """With every replica one worker holds busy (its actor thread held by another actor's call), a
    search hedges: after waiting a few times the usual answer time it asks the shard's other replica
    too and takes its answer, the same as the embedded index's, well before SHARD_SECONDS (each
    round waited it all for the busy replica)."""
    address, start = small_cluster.scheduler_address, storm_articles() + other_articles() + news(range(60))
    corpus = write_jsonl(tmp_path / "articles.jsonl", start)
    build_sharded([str(corpus)], tmp_path / "shards", address, 2)
    indexer.build_index([str(corpus)], str(tmp_path / "one"), **QUIET)
    with indexer.open_index(tmp_path / "shards", cluster=address, replicas=2) as index, \
            indexer.open_index(tmp_path / "one") as one:
        index.share_table()
        for q in QUERIES:  # the answer times a call's wait for one replica is measured on
            index.search(q)
        # replica r of shard n is on worker n + r (mod 2): each worker holds a replica of both shards
        busy = sorted(index.client.scheduler_info()["workers"])[0]
        with index.client.as_current():  # the actor handle finds its client through it
            holder = index.client.submit(Stall, workers=[busy], actor=True).result()
        held = holder.hold(30)
        try:
            wait_for(lambda: holder.holding().result(), 10)
            for q in ("Bão số 3 ngư dân", "tin", *QUERIES[:6]):
                started = time.monotonic()
                got = index.search(q, group=False)
                assert time.monotonic() - started < SHARD_SECONDS / 2, q
                assert_same_results(got, one.search(q, group=False), q)
            assert not held.done()  # the busy worker's replicas were held all along
        finally:
            holder.release().result()
            held.result()


def test_a_busy_replica_skips_the_calls_another_replica_answered_first_once_it_is_free(small_cluster, tmp_path):
    """The calls a search hedged to the other replica are dropped on the busy one: once its worker's
    actor thread is free it skips them, not one run (Dask cannot cancel an actor's call: one already
    running would run on, its answer unread), so a stalled replica piles up no work."""
    address, start = small_cluster.scheduler_address, storm_articles() + other_articles() + news(range(60))
    build_sharded([str(write_jsonl(tmp_path / "articles.jsonl", start))], tmp_path / "shards", address, 2)
    with indexer.open_index(tmp_path / "shards", cluster=address, replicas=2) as index:
        index.share_table()
        for q in QUERIES:  # the answer times a call's wait for one replica is measured on; the copy groups sent
            index.search(q)
        # replica r of shard n is on worker n + r (mod 2): the first holds replica 0 of shard 0 and 1 of shard 1
        busy = sorted(index.client.scheduler_info()["workers"])[0]
        before = index.replica_calls()
        with index.client.as_current():  # the actor handle finds its client through it
            holder = index.client.submit(Stall, workers=[busy], actor=True).result()
        held = holder.hold(30)
        try:
            wait_for(lambda: holder.holding().result(), 10)
            for q in ("Bão số 3 ngư dân", "tin", "lũ Nghệ An", *QUERIES[:6]):
                index.search(q, group=False)
            waiting = index.replica_calls()  # read on the busy worker's event loop meanwhile
        finally:
            holder.release().result()
            held.result()
        index.held_tables()  # one call to every replica, run after those left before it
        after = index.replica_calls()
    for n, r in ((0, 0), (1, 1)):
        assert waiting[n][r] == before[n][r]  # nothing run or skipped while held
        run, skipped = after[n][r][0] - before[n][r][0], after[n][r][1] - before[n][r][1]
        assert (run, skipped > 0) == (1, True), (n, r, before, after)  # held_tables' call alone ran
    assert all(after[n][1 - r][0] > before[n][1 - r][0] + 3 for n, r in ((0, 0), (1, 1)))  # the others answered


def test_related_with_a_shard_down_are_those_an_index_of_the_other_shards_articles_gives(small_cluster, tmp_path):
    """With a shard down (its worker closed, its replacement still opening), related() of an article
    of another shard gives what an index of the other shards' articles gives (ids, order, scores):
    the terms picked and the articles ranked with their counts alone, not with the corpus-wide ones
    the shards remembered (the CorpusTable) that still held the lost shard's; an article of a shard
    that goes down before its related articles are ranked (after its terms were picked) has none,
    as one whose shard is down; once the shard is back, all shards' again."""
    address, start = small_cluster.scheduler_address, storm_articles() + other_articles() + news(range(60)) + copies()
    corpus = write_jsonl(tmp_path / "articles.jsonl", start)
    build_sharded([str(corpus)], tmp_path / "shards", address, 3)
    indexer.build_index([str(corpus)], str(tmp_path / "one"), **QUIET)
    # replica 0 of shard n is on worker n (mod 2): the second worker holds shard 1 alone
    by_shard = [[a["id"] for a in start if shard_of(a["id"], 3) == n] for n in range(3)]
    left = [a for a in start if shard_of(a["id"], 3) != 1]
    indexer.build_index([str(write_jsonl(tmp_path / "left.jsonl", left))], str(tmp_path / "left"), **QUIET)
    with indexer.open_index(tmp_path / "shards", cluster=address) as index, ExitStack() as restore, \
            indexer.open_index(tmp_path / "one") as one, indexer.open_index(tmp_path / "left") as others:
        assert index.share_table() is not None
        for doc_id in by_shard[0] + by_shard[2]:  # the shards remember the counts and copy groups of all
            assert_same_related(index.related(doc_id), one.related(doc_id), doc_id)
        live, lost = sorted(index.client.scheduler_info()["workers"])
        RELEASED.clear()
        restore.callback(RELEASED.set)
        holding = [index.client.submit(hold_a_thread, pure=False, workers=[live]) for _ in range(2)]
        assert all(HOLDING.acquire(timeout=10) for _ in holding)  # no replica opens on it meanwhile
        terms_picked = ClusterIndex._left_out  # called between picking the terms and ranking for them

        def shard_lost(self, *args):
            small_cluster.sync(next(w for w in small_cluster.workers.values() if w.address == lost).close)
            return terms_picked(self, *args)

        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(ClusterIndex, "_left_out", shard_lost)
            assert index.related(by_shard[1][0]) is None
        for doc_id in by_shard[0] + by_shard[2]:
            assert_same_related(index.related(doc_id), others.related(doc_id), doc_id)
        assert [index.related(doc_id) for doc_id in by_shard[1]] == [None] * len(by_shard[1])
        RELEASED.set()  # shard 1's replacement opens on the live worker
        wait_for(lambda: not index.search("bão").partial)
        for doc_id in by_shard[0] + by_shard[1]:
            assert_same_related(index.related(doc_id), one.related(doc_id), doc_id)


def assert_same_related(got, want, doc_id) -> None:
    assert [h.doc_id for h in got] == [h.doc_id for h in want], doc_id
    assert all(math.isclose(a.score, b.score, rel_tol=1e-5) for a, b in zip(got, want)), doc_id


def two_shards_served(address: str, folder: Path, extra: list[dict] = ()):
    """The storm reports (and extra articles) built into 2 shards on the cluster at address, the web
    app serving them, and the articles each shard holds (shard n's replica is on worker n)."""
    start = storm_articles() + news(range(20)) + list(extra)
    build_sharded([str(write_jsonl(folder / "articles.jsonl", start))], folder / "shards", address, 2)
    app = create_app({"TESTING": True, "INDEX_DIR": str(folder / "shards"), "CLUSTER": address})
    return app, [sum(shard_of(a["id"], 2) == n for a in start) for n in range(2)]


def close_worker(small_cluster, address: str) -> None:
    small_cluster.sync(next(w for w in small_cluster.workers.values() if w.address == address).close)


def shard_1_lost(small_cluster, index, restore: ExitStack) -> str:
    """Close the worker holding shard 1 (of 2) with the other's threads held, so that its replacement
    cannot open until RELEASED is set; the other worker's address."""
    live, lost = sorted(index.client.scheduler_info()["workers"])
    RELEASED.clear()
    restore.callback(RELEASED.set)
    holding = [index.client.submit(hold_a_thread, pure=False, workers=[live]) for _ in range(2)]
    assert all(HOLDING.acquire(timeout=10) for _ in holding)
    close_worker(small_cluster, lost)
    return live


def test_healthz_of_a_cluster_is_degraded_naming_the_shards_missing_and_503_when_none_answers(small_cluster, tmp_path):
    """/healthz had said {"status": "ok", "articles": N} counting only the shards that answered (0
    with none): a monitor saw nothing wrong."""
    app, held = two_shards_served(small_cluster.scheduler_address, tmp_path)
    client = app.test_client()
    with ExitStack() as restore:
        restore.callback(lambda: app.extensions["search_index"].close())
        assert client.get("/healthz").get_json() == {"status": "ok", "articles": sum(held), "pid": os.getpid()}
        live = shard_1_lost(small_cluster, app.extensions["search_index"], restore)
        degraded = client.get("/healthz")
        assert degraded.status_code == 200 and degraded.get_json() == {
            "status": "degraded", "articles": held[0], "missing_shards": ["shard-1"], "pid": os.getpid()}
        RELEASED.set()
        close_worker(small_cluster, live)
        down = client.get("/healthz")
        assert down.status_code == 503
        said = down.get_json()
        assert {k: said[k] for k in ("status", "code", "articles", "missing_shards")} == {
            "status": "unavailable", "code": 503, "articles": 0, "missing_shards": ["shard-0", "shard-1"]}
        assert said["message"] == ("Không kết nối được kho bài: không phần nào của chỉ mục trả lời (shard-0, shard-1). "
                                   "Vui lòng thử lại sau ít phút.")


def test_a_search_that_found_nothing_with_shards_missing_says_they_could_not_be_reached_not_no_results(
        small_cluster, tmp_path):
    """The page had said "Kết quả chưa đầy đủ…" then "Không tìm thấy kết quả nào cho «…»" and tips
    about the query, though the missing shards may hold (here: do hold) what it looks for."""
    shard_1_id = next(f"rieng-{n}" for n in itertools.count() if shard_of(f"rieng-{n}", 2) == 1)
    held_by_shard_1 = {"id": shard_1_id, "title": "Nuôi cá zebrafish trong phòng thí nghiệm", "source": "Báo Thử Nghiệm",
                       "body": "Các nhà khoa học nuôi cá zebrafish để nghiên cứu tim.", "date": "2024-03-01"}
    app, _ = two_shards_served(small_cluster.scheduler_address, tmp_path, [held_by_shard_1])
    client = app.test_client()
    with ExitStack() as restore:
        restore.callback(lambda: app.extensions["search_index"].close())
        assert shard_1_id in unquote(client.get("/search?q=zebrafish").get_data(True))
        live = shard_1_lost(small_cluster, app.extensions["search_index"], restore)
        assert_unreached(client, ["shard-1"], "Chưa tìm hết được «zebrafish»", (
            "Không kết nối được shard-1 của chỉ mục: các phần còn lại không có bài nào phù hợp, nhưng bài cần tìm "
            "có thể nằm ở phần chưa kết nối được. Vui lòng thử lại sau ít phút."))
        assert cli_unreached(app.extensions["search_index"]) == [
            "partial results: no answer from shard-1, which may hold matches; try again shortly"]
        RELEASED.set()
        close_worker(small_cluster, live)
        assert_unreached(client, ["shard-0", "shard-1"], "Không kết nối được kho bài để tìm «zebrafish»",
                         "Không phần nào của chỉ mục trả lời (shard-0, shard-1) nên chưa tìm được bài nào. "
                         "Vui lòng thử lại sau ít phút.")
        assert cli_unreached(app.extensions["search_index"]) == [
            "no answer from any shard (shard-0, shard-1): nothing could be searched; try again shortly"]


def cli_unreached(index) -> list[str]:
    """What `python -m indexer search zebrafish` says on stderr, searching this open cluster index
    (its shards missing; a new one could not open them): no tips about the query."""
    from contextlib import nullcontext, redirect_stderr, redirect_stdout
    from io import StringIO
    from unittest import mock
    err = StringIO()
    with mock.patch.object(indexer.cli, "open_index", lambda *a, **k: nullcontext(index)), \
            redirect_stderr(err), redirect_stdout(StringIO()):
        assert indexer.cli.main(["search", "zebrafish", "--index", "unused"]) == 0
    return err.getvalue().splitlines()


def assert_unreached(client, missing: list[str], heading: str, why: str) -> None:
    """The page and the API for "zebrafish" with these shards missing: nothing found, said as not reached."""
    page = client.get("/search?q=zebrafish")
    text = " ".join(page.get_data(True).split())
    assert page.status_code == 200 and f"<h1>{heading}</h1>" in text and why in text, text
    assert "Vui lòng thử lại sau ít phút" in text
    assert "Không tìm thấy kết quả nào" not in text and "Gợi ý" not in text and "Kết quả chưa đầy đủ" not in text
    api = client.get("/api/search?q=zebrafish").get_json()
    assert (api["total"], api["hits"], api["missing_shards"], api["shards"]) == (0, [], missing, 2)


def test_a_sharded_build_over_one_index_replaces_it_leaving_none_of_its_generations(cluster, tmp_path):
    """A build replaces the old index: a sharded build over one index had left that index's CURRENT
    and generation on disk (40 MB on 2,000 articles), unseen by stats and by searches."""
    corpus = write_jsonl(tmp_path / "tin.jsonl", storm_articles()[:6])
    indexer.build_index([str(write_jsonl(tmp_path / "old.jsonl", news(range(3))))], str(tmp_path / "ix"), **QUIET)
    done = run("build", corpus, "--index", tmp_path / "ix", "--cluster", cluster.address, "--shards", 2)
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in (tmp_path / "ix").iterdir())
    assert "CURRENT" not in left and not [name for name in left if name.startswith("gen-")], left
    assert set().union(*shard_ids(tmp_path / "ix")) == {a["id"] for a in storm_articles()[:6]}
    stats = run("stats", "--index", tmp_path / "ix")
    assert stats.returncode == 0 and "2 shards" in stats.stdout, stats.stdout


def test_a_sharded_build_into_fewer_shards_removes_the_shards_it_no_longer_names(cluster, tmp_path):
    """A build into 2 shards over 3 had left shard-2 (a third of the old index) on disk, named by
    nothing; a folder of someone's named shard-3 that no manifest named stays."""
    corpus = write_jsonl(tmp_path / "tin.jsonl", storm_articles()[:6] + news(range(6)))
    (tmp_path / "ix" / "shard-3").mkdir(parents=True)
    for shards in (3, 2):
        done = run("build", corpus, "--index", tmp_path / "ix", "--cluster", cluster.address, "--shards", shards)
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == ["SHARDS.json", "shard-0", "shard-1", "shard-3",
                                                                   "writer.lock"]
    assert set().union(*shard_ids(tmp_path / "ix")) == {a["id"] for a in storm_articles()[:6] + news(range(6))}
