"""The storage layer (issue 10): updates score like a fresh build, merges, optimize, the format.

- After seeded random updates (new, changed and deleted articles) the index answers a query set
  exactly like a fresh build of the same articles: ids, order and scores (with or without merges).
- Many small updates leave a bounded number of segments: the build's and at most two small ones
  (the larger not rewritten after every update, nor at all once it reaches the cap); `optimize`
  merges to one per core while another thread searches the open index.
- The table of contents names no module of ours; another format version is refused with
  "rebuild it"; an index committed under tests/data in the current format opens and answers.
- Saved arrays read by several threads at once while collections run finalizers are read whole
  (numpy parses their headers with ast, which CPython 3.11 cannot run in two threads at once).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import os
import random
import shutil
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, write_jsonl
from test_reliability import KILL_QUERIES, news

import indexer
import indexer.search
import indexer.storage.merge
import indexer.store
from indexer.analysis import fold

QUERIES = KILL_QUERIES + ["lần thứ 7", "Quảng Ninh", "hoàn thành kế hoạch", '"tổ chức sự kiện"', "Báo"]
FORMAT_DATA = Path(__file__).parent / "data" / "format-3"
QUIET = {"notice": lambda message: None}


def rankings(index_dir: Path) -> dict:
    """Every query's whole ranking, (id, score), by relevance and by date."""
    with indexer.open_index(index_dir) as index:
        return {(q, sort): [(h.doc_id, h.score) for h in index.search(q, limit=1000, sort=sort)]
                for q in QUERIES for sort in ("relevance", "newest")}


def assert_same_answers(got: dict, want: dict, what: str) -> None:
    for key, expected in want.items():
        assert [i for i, _ in got[key]] == [i for i, _ in expected], f"{what}: {key}"
        for (doc_id, a), (_, b) in zip(got[key], expected):
            assert math.isclose(a, b, rel_tol=1e-4), f"{what}: {key} {doc_id} scores {a} vs {b}"


def random_update(rng: random.Random, editions: dict[int, int], next_number: int, scale: int = 1) -> int:
    """Delete, change and add a few articles of editions (number -> edition), scale times as many;
    the next free number."""
    for n in rng.sample(sorted(editions), k=min(len(editions), rng.randint(0, 4 * scale))):
        del editions[n]
    for n in rng.sample(sorted(editions), k=min(len(editions), rng.randint(0, 4 * scale))):
        editions[n] += 1
    for _ in range(rng.randint(0, 5 * scale)):
        editions[next_number] = 0
        next_number += 1
    return next_number


def never_merge(monkeypatch) -> None:
    """Make the merge policy allow any number of segments and deleted documents."""
    monkeypatch.setattr(indexer.storage.merge, "SEGMENTS_PER_TIER", 10**6)
    monkeypatch.setattr(indexer.storage.merge, "FLOOR_DOCS", 1)
    monkeypatch.setattr(indexer.storage.merge, "DELETES_ALLOWED", 1.0)
    monkeypatch.setattr(indexer.storage.merge, "SMALL_SHARE", 0.0)


def write_source(src: Path, editions: dict[int, int]) -> None:
    write_jsonl(src / "tin.jsonl", [news([n], edition=e)[0] for n, e in sorted(editions.items())])


@pytest.mark.parametrize("merges", [True, False], ids=["merging", "not-merging"])
def test_after_random_updates_the_index_answers_like_a_fresh_build(tmp_path, monkeypatch, merges):
    if not merges:  # deleted documents stay in their segments: statistics must ignore them
        never_merge(monkeypatch)
    monkeypatch.setattr(indexer.storage.merge, "COPY_CHUNK", 7)  # merges copy postings in many runs
    seed = int(os.environ.get("STORAGE_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    editions, src = {n: 0 for n in range(40)}, tmp_path / "src"
    src.mkdir()
    write_source(src, editions)
    indexer.build_index([src], tmp_path / "live", procs=2, **QUIET)
    next_number = len(editions)
    for round_ in range(6):
        next_number = random_update(rng, editions, next_number)
        write_source(src, editions)
        indexer.update_index([src], tmp_path / "live", procs=2, **QUIET)
        shutil.rmtree(tmp_path / "fresh", ignore_errors=True)
        indexer.build_index([src], tmp_path / "fresh", procs=2, **QUIET)
        what = f"update {round_ + 1} (seed {seed}: STORAGE_SEED={seed} repeats it)"
        assert_same_answers(rankings(tmp_path / "live"), rankings(tmp_path / "fresh"), what)
    with indexer.open_index(tmp_path / "live") as index:
        assert index.doc_count == len(editions)
        assert (index.segment_count > 2) != merges, "the test must run with and without merges"


CORPUS = REPO.parent / "shared" / "corpus" / "baomoi.jsonl.gz"


def baomoi_articles(count: int) -> list[dict]:
    """The first count articles of the shared baomoi corpus (skips the test when it is absent)."""
    if not CORPUS.exists():
        pytest.skip(f"shared corpus {CORPUS} is absent (../shared is only on the team's machines)")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, count)]


def baomoi_editions(articles: list[dict], editions: dict[int, int]) -> list[dict]:
    """The articles numbered in editions; a later edition adds another article's body to its own."""
    return [{**articles[n], "body": "\n".join([articles[n]["body"]] + [articles[(n + 37 * e) % len(articles)]["body"]
                                               for e in range(1, e_ + 1)])}
            for n, e_ in sorted(editions.items())]


def test_what_a_spilling_writer_holds_after_each_spill_does_not_grow_with_the_articles_before(tmp_path, monkeypatch):
    """Issue 10: a build worker's memory must not grow with the length of the build. After each
    spill its segment writer holds no more than after the first: the other fields' postings (ids,
    dates) go to the runs too (they were held for the whole segment: ~700 bytes an article)."""
    src = write_jsonl(tmp_path / "news.jsonl", baomoi_articles(300))
    monkeypatch.setattr(indexer.build, "RUN_POSTINGS", 20_000)  # a run every ~30 articles
    monkeypatch.setattr(indexer.build, "WORKER_BATCH", 1)  # only one article's postings in flight at a spill
    held, spill, writer_code = [], indexer.storage.SpillingWriter.spill, indexer.storage.writer.__file__

    def measured_spill(writer):
        spill(writer)
        traced = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, writer_code)])
        held.append(sum(stat.size for stat in traced.statistics("filename")))

    monkeypatch.setattr(indexer.storage.SpillingWriter, "spill", measured_spill)
    tracemalloc.start()
    try:
        indexer.build_index([src], tmp_path / "index", procs=0, **QUIET)
    finally:
        tracemalloc.stop()
    assert len(held) >= 8 and max(held[1:]) - held[0] < 20_000, held


def abbreviations() -> list[str]:
    """The abbreviations the index also finds written out (UBND: ủy ban nhân dân)."""
    lines = (Path(indexer.__file__).parent / "abbreviations.tsv").read_text("utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line and not line.startswith("#")]


def understood(index_dir: Path, queries: list[str]) -> dict:
    """Each query's restored reading, rewriting and first 20 (id, score), the Lexicon built first."""
    with indexer.open_index(index_dir) as index:
        index.lexicon(wait=True)
        return {q: (r.suggestion, r.rewritten, [(h.doc_id, h.score) for h in r])
                for q in queries for r in [index.search(q, limit=20)]}


def test_after_updates_of_real_articles_readings_and_headline_scores_equal_a_fresh_build(tmp_path, monkeypatch):
    never_merge(monkeypatch)  # deleted documents stay; document numbers differ from a fresh build's
    monkeypatch.setattr(indexer.search, "LEXICON_SAMPLE_DOCS", 40)  # bodies sampled for the Lexicon
    articles, seed = baomoi_articles(360), int(os.environ.get("STORAGE_SEED") or random.randrange(2**32))
    rng, editions, src = random.Random(seed), {n: 0 for n in range(200)}, tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "tin.jsonl", baomoi_editions(articles, editions))
    indexer.build_index([src], tmp_path / "live", procs=2, **QUIET)
    next_number = len(editions)
    for _ in range(4):
        next_number = random_update(rng, editions, next_number, scale=8)
        write_jsonl(src / "tin.jsonl", baomoi_editions(articles, editions))
        indexer.update_index([src], tmp_path / "live", procs=2, **QUIET)
    indexer.build_index([src], tmp_path / "fresh", procs=2, **QUIET)
    titles = [articles[n]["title"] for n in sorted(editions)]  # headlines, quoted words among them
    bodies = [articles[n]["body"].split()[k:k + 2] for n in sorted(editions)[::2] for k in (0, 10, 20)]
    unaccented = sorted({fold(" ".join(words)).lower() for words in bodies if all(w.isalpha() for w in words)})
    queries = unaccented + titles + abbreviations()  # a headline or abbreviation also matches other spellings
    got, want = understood(tmp_path / "live", queries), understood(tmp_path / "fresh", queries)
    what = f"seed {seed}: STORAGE_SEED={seed} repeats it"
    assert [q for q in unaccented if got[q][:2] != want[q][:2]] == [], f"readings differ ({what})"
    assert_same_answers({q: r[2] for q, r in got.items()}, {q: r[2] for q, r in want.items()}, what)


def test_many_small_updates_keep_the_segment_count_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(indexer.storage.merge, "FLOOR_DOCS", 2)  # tiers at 2, 16, 128 articles
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "tin.jsonl", news(range(60)))
    indexer.build_index([src], tmp_path / "ix", procs=1, **QUIET)
    counts, editions = [], {n: 0 for n in range(60)}
    for n in range(25):  # one changed article each time
        editions[n] = 1
        write_source(src, editions)
        indexer.update_index([src], tmp_path / "ix", procs=1, **QUIET)
        with indexer.open_index(tmp_path / "ix") as index:
            counts.append(index.segment_count)
            assert index.doc_count == 60
    assert max(counts) <= 11, counts  # Lucene's tiers allow 8 + 3 segments for 60 articles here
    assert len(set(counts)) > 1, f"merges never ran or ran every time: {counts}"
    assert len(list((tmp_path / "ix").glob("gen-*"))) == 1


def test_many_small_updates_leave_the_build_segments_and_at_most_two_small_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(indexer.storage.merge, "FLOOR_DOCS", 2)  # the tiers alone would allow 8 + 8 segments
    src = tmp_path / "src"
    src.mkdir()
    editions, counts = {n: 0 for n in range(120)}, []
    write_source(src, editions)
    indexer.build_index([src], tmp_path / "ix", procs=2, **QUIET)
    with indexer.open_index(tmp_path / "ix") as index:
        built = index.segment_count
    for n in range(12):  # one new article each time, fewer than a tenth of the index in all
        editions[120 + n] = 0
        write_source(src, editions)
        indexer.update_index([src], tmp_path / "ix", procs=1, **QUIET)
        with indexer.open_index(tmp_path / "ix") as index:
            counts.append(index.segment_count)
    assert built == 2 and max(counts) <= built + 2, counts
    # once the larger small segment holds 9 articles, a new one stays beside it: not rewritten each time
    assert built + 2 in counts, counts


def test_a_small_segment_at_the_cap_is_no_longer_rewritten_by_the_next_updates(tmp_path, monkeypatch):
    monkeypatch.setattr(indexer.storage.merge, "FLOOR_DOCS", 2)  # the tiers alone would allow 8 + 5 segments
    monkeypatch.setattr(indexer.storage.merge, "SMALL_CAP", 4)  # 4 articles, under a tenth of the index
    src = tmp_path / "src"
    src.mkdir()
    editions, counts = {n: 0 for n in range(80)}, []
    write_source(src, editions)
    indexer.build_index([src], tmp_path / "ix", procs=2, **QUIET)
    for added in (5, 1, 1, 1):  # a segment over the cap, then segments that are small beside it
        editions.update({n: 0 for n in range(len(editions), len(editions) + added)})
        write_source(src, editions)
        indexer.update_index([src], tmp_path / "ix", procs=1, **QUIET)
        with indexer.open_index(tmp_path / "ix") as index:
            counts.append(index.segment_count)
            assert index.doc_count == len(editions)
    assert counts == [3, 4, 4, 4], counts  # the build's 2, the 5 articles', one small one


def test_optimize_merges_to_one_segment_per_core_while_searches_go_on(tmp_path, monkeypatch):
    src = write_jsonl(tmp_path / "tin.jsonl", news(range(120)))
    monkeypatch.setattr(indexer.build, "SEGMENT_POSTINGS", 10)
    monkeypatch.setattr(indexer.build, "WORKER_BATCH", 8)
    never_merge(monkeypatch)
    indexer.build_index([src], tmp_path / "ix", procs=2, **QUIET)
    write_jsonl(tmp_path / "tin.jsonl", news(range(10, 120)))
    indexer.update_index([tmp_path / "tin.jsonl"], tmp_path / "ix", procs=1, **QUIET)
    before = rankings(tmp_path / "ix")
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.segment_count > os.cpu_count()
        stop, seen = threading.Event(), []

        def search_meanwhile():
            while not stop.is_set():
                seen.append([(h.doc_id, h.score) for h in index.search("Quảng Ninh", limit=1000)])
        thread = threading.Thread(target=search_meanwhile)
        thread.start()
        try:
            done = subprocess.run([sys.executable, "-m", "indexer", "optimize", "--index", str(tmp_path / "ix")],
                                  cwd=REPO, capture_output=True, text=True, timeout=120)
        finally:
            stop.set()
            thread.join()
        assert done.returncode == 0, done.stderr
        assert seen and all(s == before[("Quảng Ninh", "relevance")] for s in seen)
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.segment_count <= os.cpu_count() and index.doc_count == 110
    assert_same_answers(rankings(tmp_path / "ix"), before, "after optimize")
    assert len(list((tmp_path / "ix").glob("gen-*"))) == 1


def test_cleaning_old_generations_deletes_only_generations_never_an_index_or_files_named_gen(tmp_path):
    outer, inner, mine = tmp_path / "ix", tmp_path / "ix" / "gen-inner", tmp_path / "ix" / "gen-notes"
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", news(range(3)))], outer, procs=1, **QUIET)
    indexer.build_index([write_jsonl(tmp_path / "b.jsonl", news(range(3, 5)))], inner, procs=1, **QUIET)
    mine.mkdir()
    (mine / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    stale = live_generation(outer)
    indexer.update_index([write_jsonl(tmp_path / "a.jsonl", news(range(4)))], outer, procs=1, **QUIET)
    indexer.optimize_index(outer, procs=1, **QUIET)
    assert not stale.exists()
    assert sorted(p.name for p in outer.glob("gen-*")) == sorted([live_generation(outer).name, "gen-inner", "gen-notes"])
    assert (mine / "ghi-chu.txt").read_text(encoding="utf-8") == "của tôi"
    with indexer.open_index(inner) as index:
        assert index.doc_count == 2


def test_a_generation_made_before_generations_were_marked_is_still_cleaned(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", news(range(3)))], tmp_path / "ix", procs=1, **QUIET)
    older = live_generation(tmp_path / "ix")
    (older / indexer.store.GENERATION_MARK).unlink()  # as an index built before the mark
    indexer.update_index([write_jsonl(tmp_path / "a.jsonl", news(range(4)))], tmp_path / "ix", procs=1, **QUIET)
    assert [p.name for p in (tmp_path / "ix").glob("gen-*")] == [live_generation(tmp_path / "ix").name]


def test_optimize_without_an_index_is_a_one_line_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "indexer", "optimize", "--index", str(tmp_path / "none")],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no index" in done.stderr
    assert not (tmp_path / "none").exists()


def live_generation(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text(encoding="ascii").strip()


def test_the_stored_index_names_no_module_of_ours(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", news(range(3)))], tmp_path / "ix", procs=1, **QUIET)
    tocs = list(live_generation(tmp_path / "ix").glob("*.toc"))
    assert tocs and not any(b"indexer" in toc.read_bytes() for toc in tocs)


def test_an_index_of_another_format_is_refused_with_a_rebuild_message(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", news(range(3)))], tmp_path / "ix", procs=1, **QUIET)
    (live_generation(tmp_path / "ix") / "FORMAT").write_text("1\n", encoding="ascii")
    with pytest.raises(indexer.IndexNotFound, match="rebuild it") as refused:
        indexer.open_index(tmp_path / "ix")
    # the command that rebuilds this folder, not index_data/
    assert "in format 1" in str(refused.value) and f"--index {tmp_path / 'ix'}`" in str(refused.value)


def test_an_empty_live_generation_is_no_index_not_an_old_format(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", news(range(3)))], tmp_path / "ix", procs=1, **QUIET)
    for path in live_generation(tmp_path / "ix").iterdir():
        path.unlink()
    with pytest.raises(indexer.IndexNotFound) as refused:
        indexer.open_index(tmp_path / "ix")
    assert "holds no index" in str(refused.value) and "format" not in str(refused.value)
    assert f"--index {tmp_path / 'ix'}`" in str(refused.value)


def test_the_committed_index_of_the_current_format_opens_and_answers(tmp_path):
    shutil.copytree(FORMAT_DATA, tmp_path / "ix")
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.doc_count == 5
        assert [h.doc_id for h in index.search("Quảng Ninh")][:1] == ["tin-0"]
        assert index.get("tin-1").title.startswith("Hải Phòng")
        newest = index.search("lần thứ", sort="newest")  # dates read from the recency column
        assert [h.doc_id for h in newest] == [f"tin-{n}" for n in range(4, -1, -1)]
        assert sorted(m["value"] for m in newest.facets["month"]) == ["2010-01", "2011-02", "2012-03", "2013-04", "2014-05"]


def test_the_retracted_ids_go_with_every_generation_after_the_delete_updates_merges_and_a_rebuild(tmp_path):
    ix = shutil.copytree(FORMAT_DATA, tmp_path / "ix")  # written before deletes retracted: none listed
    assert indexer.retracted_articles(ix) == {}
    assert indexer.delete_articles(["tin-1", "tin-3"], ix, procs=1, **QUIET).deleted == 2
    listed = indexer.retracted_articles(ix)
    assert sorted(listed) == ["tin-1", "tin-3"]
    assert (indexer.store.current_generation(ix) / indexer.store.MERGED_FROM).is_file()  # merged after the delete
    more = write_jsonl(tmp_path / "more.jsonl", news(range(5, 9)))
    assert indexer.update_index([more], ix, procs=1, **QUIET).added == 4
    assert (indexer.store.current_generation(ix) / indexer.store.MERGED_FROM).is_file()  # and after the update
    assert indexer.retracted_articles(ix) == listed
    report = indexer.build_index([write_jsonl(tmp_path / "all.jsonl", news(range(9)))], ix, procs=1, **QUIET)
    assert (report.indexed, sorted(report.retracted)) == (7, ["tin-1", "tin-3"])
    assert indexer.retracted_articles(ix) == listed


def test_an_index_of_an_older_analysis_says_rebuild_it_until_rebuilt(tmp_path):
    shutil.copytree(FORMAT_DATA, tmp_path / "ix")  # written before indexes recorded their analysis
    indexer.update_index([write_jsonl(tmp_path / "more.jsonl", news(range(5, 7)))], tmp_path / "ix", procs=1, **QUIET)
    with indexer.open_index(tmp_path / "ix") as index:  # the update's articles mix with the old ones'
        assert index.doc_count == 7 and "tone-mark" in index.outdated_analysis
        assert f"`python -m indexer build SOURCES --index {tmp_path / 'ix'}`" in index.outdated_analysis
    stats = subprocess.run([sys.executable, "-m", "indexer", "stats", "--index", str(tmp_path / "ix")],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert stats.returncode == 0 and "Rebuild it" in stats.stderr and "articles: 7" in stats.stdout
    indexer.build_index([tmp_path / "more.jsonl"], tmp_path / "ix", procs=1, **QUIET)
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.outdated_analysis is None


def test_searching_or_serving_an_index_of_an_older_analysis_says_rebuild_it(tmp_path, capsys, monkeypatch):
    from search_app import __main__ as app_main
    shutil.copytree(FORMAT_DATA, tmp_path / "ix")  # its terms were made before names were cut off codes (TP.HCM-Hà Nội)
    found = subprocess.run([sys.executable, "-m", "indexer", "search", "Quảng Ninh", "--index", str(tmp_path / "ix")],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0 and "tin-0" in found.stdout
    assert "Rebuild it" in found.stderr and "TP.HCM-Hà Nội" in found.stderr
    assert app_main.check_index(str(tmp_path / "ix")) == str(tmp_path / "ix")  # served, saying so
    assert "xây dựng lại" in capsys.readouterr().err
    monkeypatch.setattr(app_main, "DEFAULT_INDEX", tmp_path / "ix")  # the project's own index is rebuilt from seeds/
    assert app_main.check_index(None) == str(tmp_path / "ix")
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.outdated_analysis is None and index.get("tin-0") is None


def assert_titles(folder: Path, want: list[str]) -> None:
    reader = indexer.storage.open_reader(indexer.store.current_generation(folder))
    try:
        assert sorted(reader.titles()) == sorted(want)
    finally:
        reader.close()


def test_the_titles_the_lexicon_reads_are_the_stored_ones_after_updates_merges_and_in_an_older_index(tmp_path):
    """The live articles' titles (the Lexicon's casing) as stored, an author named "title" not
    taken for one; updates and merges carry them; an index written before the titles' column gives them too."""
    articles = news(range(5))
    articles[1] = {**articles[1], "author": "title"}
    src = write_jsonl(tmp_path / "news.jsonl", articles[:3])
    indexer.build_index([src], tmp_path / "ix", procs=1, **QUIET)
    assert_titles(tmp_path / "ix", [a["title"] for a in articles[:3]])
    changed = [{**articles[0], "title": "Quảng Ninh: khánh thành cầu mới"}, *articles[1:]]
    write_jsonl(src, changed)
    indexer.update_index([src], tmp_path / "ix", procs=1, **QUIET)
    assert_titles(tmp_path / "ix", [a["title"] for a in changed])
    indexer.optimize_index(tmp_path / "ix", procs=1, **QUIET)
    assert_titles(tmp_path / "ix", [a["title"] for a in changed])
    shutil.copytree(FORMAT_DATA, tmp_path / "old")
    assert_titles(tmp_path / "old", [a["title"] for a in news(range(5))])
    indexer.update_index([write_jsonl(tmp_path / "more.jsonl", news(range(5, 7)))], tmp_path / "old", procs=1, **QUIET)
    assert_titles(tmp_path / "old", [a["title"] for a in news(range(7))])


def test_an_empty_index_opens_and_finds_nothing(tmp_path):
    (tmp_path / "empty.jsonl").write_text("not json\n", encoding="utf-8")
    indexer.build_index([tmp_path / "empty.jsonl"], tmp_path / "ix", procs=1, **QUIET)
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.doc_count == 0 and index.search("cầu").total == 0


def phrase_by_scan(reader, field: str, words: list[str]) -> list[int]:
    """The documents holding the words in a row in field, from each word's every occurrence."""
    occurrences = [set(zip(*(a.tolist() for a in reader.positions(field, w, np.arange(reader.size)))))
                   for w in words]
    return sorted({d for d, p in occurrences[0] if all((d, p + k) in occurrences[k] for k in range(1, len(words)))})


@pytest.fixture
def two_segments(tmp_path, monkeypatch):
    """A reader of an index of 300 baomoi articles in two segments (a build, then an update)."""
    never_merge(monkeypatch)
    articles, src = baomoi_articles(300), tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "news.jsonl", articles[:200])
    indexer.build_index([src], tmp_path / "index", procs=1, **QUIET)
    write_jsonl(src / "news.jsonl", articles)
    indexer.update_index([src], tmp_path / "index", procs=1, **QUIET)
    reader = indexer.storage.open_reader(indexer.store.current_generation(tmp_path / "index"))
    assert len(reader.segments) == 2
    yield reader, articles, tmp_path / "index"
    reader.close()


def test_phrases_and_positions_of_frequent_and_rare_words_agree_with_a_scan(two_segments):
    reader, articles, _ = two_segments
    rng = random.Random(7)
    bodies = [[t for t, *_ in indexer.analysis.analyze(a["body"])] for a in rng.sample(articles, 40)]
    runs = [terms[k:k + n] for terms in bodies for n in (2, 3) for k in rng.sample(range(len(terms) - n), 3)]
    runs += [["của", "các"], ["và", "các"], ["cho", "biết"], ["không", "có", "mặt"]]  # words most articles hold
    everyone, some = np.arange(reader.size), np.flatnonzero(np.arange(reader.size) % 3 == 1)
    for words in runs:
        assert reader.phrase("body", words).tolist() == phrase_by_scan(reader, "body", words), words
        doc, pos = reader.positions("body", words[0], some)  # some of the word's postings
        every = zip(*(a.tolist() for a in reader.positions("body", words[0], everyone)))
        assert set(zip(doc.tolist(), pos.tolist())) == {(d, p) for d, p in every if d % 3 == 1}, words


def test_occurrences_read_document_by_document_are_those_read_term_by_term(two_segments):
    reader, _, _ = two_segments
    for segment in reader.segments:
        terms = [t for t, _ in segment.terms("body")]
        for docs in (np.arange(segment.size) % 3 == 1, np.isin(np.arange(segment.size), [0, 7, segment.size - 1]),
                     np.zeros(segment.size, dtype=bool)):
            found, numbers, doc, positions = segment.document_occurrences("body", docs)
            read = {(found[n], d, p) for n, d, p in zip(numbers.tolist(), doc.tolist(), positions.tolist())}
            numbers, doc, positions = segment.occurrences("body", terms, docs)
            assert read == {(terms[n], d, p) for n, d, p in zip(numbers.tolist(), doc.tolist(), positions.tolist())}
            assert len(read) == len(doc) and (len(read) > 1000 or not docs.any())


def test_terms_looked_up_together_have_the_rows_of_terms_looked_up_alone(two_segments):
    reader, _, _ = two_segments
    terms = [(f, t) for f in ("title", "body", "body_fold") for t in ("của", "cua", "việt_nam", "không", "zzz")]
    alone = {t: reader.rows(*t) for t in terms}
    reader._rows.clear()
    reader.look_up(terms)
    assert {t: reader.rows(*t) for t in terms} == alone
    assert any(alone.values()) and not all(alone.values())


def test_many_terms_looked_up_together_have_the_rows_and_frequencies_of_terms_looked_up_alone(two_segments):
    reader, _, _ = two_segments
    words = list(dict.fromkeys(t for t, _ in reader.terms("body")))[::40] + ["zzz"]  # enough to compare at once
    terms = [(f, w) for f in ("title", "body") for w in words]
    alone = {t: (reader.rows(*t), reader.doc_frequency(*t)) for t in terms}
    reader._rows.clear()
    reader.look_up(terms)
    assert {t: (reader.rows(*t), reader.doc_frequency(*t)) for t in terms} == alone
    assert len(words) > 2 * indexer.storage.flat.COMPARED_AT_ONCE and not all(rows for rows, _ in alone.values())


def test_terms_most_articles_hold_score_alike_spread_over_all_articles_or_not(two_segments, monkeypatch):
    reader, articles, index_dir = two_segments
    common = [t for t, df in reader.terms("body") if df * indexer.scorer.SPREAD > reader.size]
    queries = [" ".join(common[k:k + 3]) for k in range(0, 30, 3)] + [a["title"] for a in articles[:300:30]]

    def ranked():
        with indexer.open_index(index_dir) as index:
            return {q: [(h.doc_id, h.score) for h in index.search(q, limit=1000, group=False)] for q in queries}

    spread = ranked()
    monkeypatch.setattr(indexer.scorer, "SPREAD", 10**9)  # every term scored at its postings
    assert ranked() == spread
    assert len(common) >= 30 and all(spread.values())


def test_updates_write_the_live_counts_of_segments_with_deletions_and_an_index_without_them_answers_alike(
        tmp_path, monkeypatch):
    never_merge(monkeypatch)  # deletions accumulate in the segments, update after update
    editions, src = {n: 0 for n in range(40)}, tmp_path / "src"
    src.mkdir()
    write_source(src, editions)
    indexer.build_index([src], tmp_path / "live", procs=1, **QUIET)
    for round_ in range(3):  # the first segment loses an article each time; tin-1's last edition its own
        del editions[10 + round_]
        editions[1] += 1
        write_source(src, editions)
        indexer.update_index([src], tmp_path / "live", procs=1, **QUIET)
    gen = indexer.store.current_generation(tmp_path / "live")
    reader = indexer.storage.open_reader(gen)
    with_deletions = sorted(s.segment.segment_id() for s in reader.segments if s.deleted)
    reader.close()
    written = sorted(p.name.split(".")[0] for p in gen.glob(f"*{indexer.storage.flat.LIVE}"))
    assert written == with_deletions and len(written) == 3  # one each, those of earlier deletions removed
    shutil.copytree(tmp_path / "live", tmp_path / "older")  # as an earlier version wrote it: without them
    for path in indexer.store.current_generation(tmp_path / "older").glob(f"*{indexer.storage.flat.LIVE}"):
        path.unlink()
    assert rankings(tmp_path / "older") == rankings(tmp_path / "live")


def test_saved_arrays_read_by_threads_at_once_during_collections_are_read_whole(tmp_path):
    one, many = tmp_path / "groups.npy", tmp_path / "kept.npz"
    np.save(one, np.arange(7))
    np.savez(many, a=np.arange(3), b=np.array([b"x"]))
    # in a process of its own: inside the whole suite's process the readers starved (CI: 15 reads in 20 s; alone 3,000 in 2 s)
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "read_race.py"), str(one), str(many)],
                          capture_output=True, text=True, timeout=180, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    for kind, found in json.loads(done.stdout).items():
        assert not found["errors"], (kind, found["errors"][0])
        assert found["reads"] >= 200 and found["right"], (kind, found)
