"""The tuning harness of the known-item sets: kept pool indexes (benchmarks.quality --keep) and the
comparison of two runs' first ranks (benchmarks.ranks)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, write_jsonl

import indexer
from benchmarks.known_items import OurEngine, half

ARTICLES = [{"id": "a1", "title": "Giá vàng hôm nay tăng mạnh", "body": "Giá vàng trong nước tăng 200.000 đồng."},
            {"id": "a2", "title": "Bão số 3 đổ bộ Quảng Ninh", "body": "Bão số 3 gây mưa lớn ở Quảng Ninh."}]


def ranks_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.ranks", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True)


def generation_files(folder) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_kept_pool_index_is_reused_until_its_pool_changes(tmp_path):
    pool, folder = write_jsonl(tmp_path / "pool.jsonl", ARTICLES), tmp_path / "kept"
    first = OurEngine(indexer, pool, str(folder), kept=True)
    assert first.search("bão số 3") == ["a2"]
    first.close()
    built = generation_files(folder)
    again = OurEngine(indexer, pool, str(folder), kept=True)
    assert again.search("giá vàng") == ["a1"] and generation_files(folder) == built  # nothing rebuilt
    again.close()
    write_jsonl(pool, ARTICLES[:1])  # another pool in the same file: rebuilt
    changed = OurEngine(indexer, pool, str(folder), kept=True)
    assert changed.search("bão số 3") == [] and changed.index.doc_count == 1
    changed.close()


def qids_of_each_half(count: int) -> dict[str, list[str]]:
    """count query ids of each half, in the order they come."""
    found = {"tune": [], "held-out": []}
    for n in range(1000):
        qid = f"q{n:04d}"
        if len(found[half(qid)]) < count:
            found[half(qid)].append(qid)
    return found


def ranks_file(path, ranks: dict[str, int | None]):
    tops = {qid: [f"d{rank}"] if rank else [] for qid, rank in ranks.items()}
    path.write_text(json.dumps({"ours": {"pool/orig": {"ranks": ranks, "tops": tops}}}), "utf-8")
    return path


def test_the_ranks_of_two_runs_are_compared_per_half_naming_each_query_that_moved(tmp_path):
    qids = qids_of_each_half(2)
    (t1, t2), (h1, h2) = qids["tune"], qids["held-out"]
    before = ranks_file(tmp_path / "before.json", {t1: 1, t2: 2, h1: 1, h2: None})
    after = ranks_file(tmp_path / "after.json", {t1: 1, t2: 1, h1: 4, h2: None})
    done = ranks_cli(before, after)
    assert done.returncode == 0, done.stderr
    assert "| pool/orig | 0.7500 | 0.5000 | 1.0000 | 0.1250 |" in done.stdout  # tune (1 + 1/2) / 2, held-out ...
    assert f"| pool/orig | {t2} | tune | 2 | 1 |" in done.stdout and f"| pool/orig | {h1} | held-out | 1 | 4 |" in done.stdout
    assert "Top 10s changed: pool/orig 2" in done.stdout and t1 not in done.stdout.split("moved")[1]


def test_a_file_that_is_no_run_of_ranks_is_a_clear_error(tmp_path):
    done = ranks_cli(tmp_path / "missing.json")
    assert done.returncode == 1 and "not a file of benchmarks.quality --ranks" in done.stderr
    other = ranks_file(tmp_path / "run.json", {"q1": 1})
    done = ranks_cli(other, "--engine", "fold")
    assert done.returncode == 1 and "holds no ranks of engine 'fold'" in done.stderr


def test_each_half_holds_about_half_the_queries():
    tune = sum(half(f"vt{n:04d}") == "tune" for n in range(500))
    assert 200 < tune < 300  # a hash's halves, not the ids' order
