"""Nothing is lost (issue 9 §5): unique ids across sources, an index with no articles, over-long articles.

Through the command line (`python -m indexer`), the Python API and the web app.
"""

import gzip
import json
import os
import subprocess
import sys

import pytest
from conftest import REPO, close_index, make_app, write_jsonl

import indexer
from indexer.articles import MAX_ARTICLE_CHARS, Replaced


def run_cli(*args, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write_article(path, title: str, body: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n08:00 01/06/2024\n{body}\n", encoding="utf-8")
    return path


def titles_by_id(index_dir) -> dict[str, str]:
    with indexer.open_index(index_dir) as index:
        found = index.search("khánh thành OR hội chợ OR lúa", limit=100)
        return {hit.doc_id: hit.title for hit in found}


@pytest.fixture
def two_sources(tmp_path):
    """Two folders that each hold x.txt, with different articles."""
    write_article(tmp_path / "colA" / "x.txt", "Khánh thành cầu mới ở Cần Thơ", "Cây cầu dài hai cây số.")
    write_article(tmp_path / "colB" / "x.txt", "Hội chợ nông sản ở Đồng Tháp", "Hàng trăm gian hàng lúa gạo.")
    return tmp_path


# --------------------------------------------------------------------------- ids

def test_build_of_two_folders_with_the_same_file_name_keeps_both(two_sources):
    done = run_cli("build", two_sources / "colA", two_sources / "colB", "--index", two_sources / "ix")
    assert done.returncode == 0 and "indexed 2 articles, skipped 0" in done.stdout, done.stderr
    assert titles_by_id(two_sources / "ix") == {"colA/x.txt": "Khánh thành cầu mới ở Cần Thơ",
                                                "colB/x.txt": "Hội chợ nông sản ở Đồng Tháp"}


def test_updating_one_source_never_touches_another_sources_articles(two_sources):
    ix = two_sources / "ix"
    assert run_cli("build", two_sources / "colA", "--index", ix).returncode == 0
    added = run_cli("update", two_sources / "colB", "--index", ix)
    assert added.returncode == 0 and "added 1, updated 0, removed 0" in added.stdout, added.stdout
    assert set(titles_by_id(ix)) == {"colA/x.txt", "colB/x.txt"}
    write_article(two_sources / "colB" / "x.txt", "Hội chợ lúa gạo ở Đồng Tháp", "Gian hàng mới.")
    changed = run_cli("update", two_sources / "colB", "--index", ix)
    assert "added 0, updated 1, removed 0" in changed.stdout, changed.stdout
    (two_sources / "colB" / "x.txt").unlink()
    removed = run_cli("update", two_sources / "colB", "--index", ix)
    assert "added 0, updated 0, removed 1" in removed.stdout, removed.stdout
    assert titles_by_id(ix) == {"colA/x.txt": "Khánh thành cầu mới ở Cần Thơ"}


def test_ids_are_stable_across_runs_and_working_folders(two_sources):
    relative = run_cli("build", "colA", "colB/x.txt", "--index", "ix1", cwd=two_sources)
    assert relative.returncode == 0, relative.stderr
    inside = run_cli("build", ".", "--index", two_sources / "ix2", cwd=two_sources / "colA")
    assert inside.returncode == 0, inside.stderr
    assert set(titles_by_id(two_sources / "ix1")) == {"colA/x.txt", "colB/x.txt"}
    assert set(titles_by_id(two_sources / "ix2")) == {"colA/x.txt"}


def test_an_update_does_not_replace_an_article_indexed_from_a_same_named_folder(tmp_path):
    first = write_article(tmp_path / "2023" / "tin" / "x.txt", "Khánh thành cầu mới ở Cần Thơ", "Cầu dài.")
    write_article(tmp_path / "2024" / "tin" / "x.txt", "Hội chợ nông sản ở Đồng Tháp", "Lúa gạo.")
    assert run_cli("build", tmp_path / "2023" / "tin", "--index", tmp_path / "ix").returncode == 0
    done = run_cli("update", tmp_path / "2024" / "tin", "--index", tmp_path / "ix")
    assert done.returncode == 3
    assert f"duplicate id 'tin/x.txt', already indexed from {first}" in done.stderr
    assert titles_by_id(tmp_path / "ix") == {"tin/x.txt": "Khánh thành cầu mới ở Cần Thơ"}


def test_an_update_names_the_line_of_each_record_it_skips(tmp_path):
    first = write_article(tmp_path / "tin" / "bm-42", "Khánh thành cầu mới ở Cần Thơ", "Cầu dài.")
    record = {"id": "bm-43", "title": "Khánh thành cầu mới ở Cần Thơ", "body": "Cầu dài."}
    second = write_jsonl(tmp_path / "b.jsonl", [record, dict(record, id="tin/bm-42")])
    assert run_cli("build", tmp_path / "tin", "--index", tmp_path / "ix").returncode == 0
    done = run_cli("update", second, "--index", tmp_path / "ix")
    assert done.returncode == 3
    assert f"skipped {second}:2: duplicate id 'tin/bm-42', already indexed from {first}" in done.stderr, done.stderr


STORY = {"id": "nr-1", "title": "Khánh thành cầu mới ở Quảng Ngãi", "body": "Cầu dài hai cây số, nối hai huyện."}
CORRECTION = dict(STORY, title="Khánh thành cầu mới ở Quảng Nam (đính chính)",
                  body="Cầu dài hai cây số ở Quảng Nam, không phải Quảng Ngãi như tin trước.")
OTHER = {"id": "nr-2", "title": "Hội chợ nông sản ở Đồng Tháp", "body": "Hàng trăm gian hàng lúa gạo."}


def test_a_correction_later_in_the_same_export_replaces_the_story_in_a_build(tmp_path):
    export = write_jsonl(tmp_path / "export.jsonl", [STORY, OTHER, CORRECTION])
    done = run_cli("build", export, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "indexed 2 articles, skipped 0 inputs, 1 replaced by a later record of the same id" in done.stdout
    assert f"replaced {export}:1: by the later record of id 'nr-1' at {export}:3" in done.stderr, done.stderr
    assert titles_by_id(tmp_path / "ix") == {"nr-1": CORRECTION["title"], "nr-2": OTHER["title"]}


def test_a_correction_appended_to_an_export_updates_the_indexed_story(tmp_path):
    export = write_jsonl(tmp_path / "export.jsonl", [STORY, OTHER])
    assert run_cli("build", export, "--index", tmp_path / "ix").returncode == 0
    write_jsonl(export, [STORY, OTHER, CORRECTION])
    done = run_cli("update", export, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "added 0, updated 1, removed 0, unchanged 1, 1 replaced by a later record of the same id" in done.stdout
    assert titles_by_id(tmp_path / "ix") == {"nr-1": CORRECTION["title"], "nr-2": OTHER["title"]}
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.search("Quảng Ngãi").total == 1 and index.doc_count == 2   # the correction's text, once


DAYS = {"export-2024-09-10.jsonl": 1_725_958_800, "export-2024-09-11.jsonl": 1_726_045_200}  # 18:00 each day


def daily_export(folder, name: str, records: list):
    """A newsroom's export of one day: records (a text is a line as is) in folder/name, modified at 18:00 that day."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records),
                    "utf-8")
    os.utime(path, (DAYS[name], DAYS[name]))
    return path


def test_a_correction_in_a_newer_export_replaces_the_story_in_a_build(tmp_path):
    old = daily_export(tmp_path / "exports", "export-2024-09-10.jsonl", [STORY, OTHER])
    new = daily_export(tmp_path / "exports", "export-2024-09-11.jsonl", [CORRECTION])
    done = run_cli("build", tmp_path / "exports", "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "indexed 2 articles, skipped 0 inputs, 1 replaced by a later record of the same id" in done.stdout
    assert f"replaced {old}:1: by the later record of id 'nr-1' at {new}:1" in done.stderr, done.stderr
    assert titles_by_id(tmp_path / "ix") == {"nr-1": CORRECTION["title"], "nr-2": OTHER["title"]}


def test_an_update_from_a_newer_export_replaces_the_story_and_the_older_export_does_not_bring_it_back(tmp_path):
    old = daily_export(tmp_path, "export-2024-09-10.jsonl", [STORY, OTHER])
    assert run_cli("build", old, "--index", tmp_path / "ix").returncode == 0
    new = daily_export(tmp_path, "export-2024-09-11.jsonl", [CORRECTION])
    done = run_cli("update", new, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "added 0, updated 1, removed 0, unchanged 0, 1 replaced by a later record of the same id" in done.stdout
    # the index keeps the file an article came from, not its line: the note says which version it was
    assert f"replaced the version indexed from {old}: by the later record of id 'nr-1' at {new}:1\n" in done.stderr
    assert titles_by_id(tmp_path / "ix") == {"nr-1": CORRECTION["title"], "nr-2": OTHER["title"]}
    again = run_cli("update", old, "--index", tmp_path / "ix")
    assert again.returncode == 0, again.stderr
    # the correction stands as before: counted, not listed again at each update of the older export
    assert ("added 0, updated 0, removed 0, unchanged 1, 1 replaced by a later record already indexed (not listed)"
            in again.stdout) and "replaced" not in again.stderr, again.stderr
    report = indexer.update_index([old], tmp_path / "ix", procs=1, notice=lambda m: None)
    assert report.replaced == [] and report.replaced_before == [Replaced(f"{old}:1", str(new), "nr-1", "by")]
    assert titles_by_id(tmp_path / "ix") == {"nr-1": CORRECTION["title"], "nr-2": OTHER["title"]}
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.search("Quảng Ngãi").total == 1 and index.doc_count == 2   # the correction's text, once


def test_an_update_removes_a_corrected_story_only_when_the_export_it_came_from_no_longer_holds_it(tmp_path):
    old = daily_export(tmp_path, "export-2024-09-10.jsonl", [STORY, OTHER])
    new = daily_export(tmp_path, "export-2024-09-11.jsonl", [CORRECTION])
    assert run_cli("build", old, new, "--index", tmp_path / "ix").returncode == 0
    daily_export(tmp_path, "export-2024-09-10.jsonl", [OTHER])
    assert "removed 0" in run_cli("update", old, "--index", tmp_path / "ix").stdout
    assert titles_by_id(tmp_path / "ix") == {"nr-1": CORRECTION["title"], "nr-2": OTHER["title"]}
    daily_export(tmp_path, "export-2024-09-11.jsonl", [dict(OTHER, id="nr-3")])
    assert "added 1, updated 0, removed 1" in run_cli("update", new, "--index", tmp_path / "ix").stdout
    assert titles_by_id(tmp_path / "ix") == {"nr-2": OTHER["title"], "nr-3": OTHER["title"]}


@pytest.mark.parametrize("command", ["build", "update"])
def test_a_newer_export_whose_record_of_the_story_is_broken_leaves_the_story(tmp_path, command):
    old = daily_export(tmp_path, "export-2024-09-10.jsonl", [STORY, OTHER])
    new = daily_export(tmp_path, "export-2024-09-11.jsonl", ['{"id": "nr-1", "title": "Khánh thành", "body": }'])
    if command == "update":
        assert run_cli("build", old, "--index", tmp_path / "ix").returncode == 0
    done = run_cli(command, *([old, new] if command == "build" else [new]), "--index", tmp_path / "ix")
    assert done.returncode == 3
    assert f"skipped {new}:1: invalid JSON" in done.stderr and "replaced" not in done.stderr, done.stderr
    assert titles_by_id(tmp_path / "ix") == {"nr-1": STORY["title"], "nr-2": OTHER["title"]}



def compressed(path):
    """path gzipped into path.gz, modified at the same time; path itself removed."""
    packed = path.with_name(path.name + ".gz")
    packed.write_bytes(gzip.compress(path.read_bytes()))
    os.utime(packed, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    path.unlink()
    return packed


@pytest.mark.parametrize("command", ["build", "update"])
def test_a_newer_compressed_export_whose_record_of_the_story_is_broken_leaves_the_story(tmp_path, command):
    exports = tmp_path / "exports"
    old = compressed(daily_export(exports, "export-2024-09-10.jsonl", [STORY, OTHER]))
    if command == "update":
        assert run_cli("build", old, "--index", tmp_path / "ix").returncode == 0
    broken = '{"id": "nr-1", "title": "Khánh thành", "body": }'
    new = compressed(daily_export(exports, "export-2024-09-11.jsonl", [broken, dict(OTHER, id="nr-3")]))
    done = run_cli(command, exports, "--index", tmp_path / "ix")   # the older export read first
    assert done.returncode == 3
    assert f"skipped {new}:1: invalid JSON" in done.stderr and "replaced" not in done.stderr, done.stderr
    assert command == "build" or "added 1, updated 0, removed 0, unchanged 2" in done.stdout, done.stdout
    assert titles_by_id(tmp_path / "ix") == {"nr-1": STORY["title"], "nr-2": OTHER["title"], "nr-3": OTHER["title"]}

# --------------------------------------------------------------------------- an index with no articles

EMPTY_QUERIES = ["bão", "nghi quyet", '"giao thông"', "title:bão", "bão -lũ", "a OR b"]


@pytest.fixture(scope="module")
def empty_index(tmp_path_factory):
    """An index built from one empty file: every input skipped."""
    root = tmp_path_factory.mktemp("empty")
    (root / "rong.txt").write_bytes(b"")
    done = run_cli("build", root / "rong.txt", "--index", root / "ix")
    assert done.returncode == 3 and f"skipped {root / 'rong.txt'}: empty file" in done.stderr
    return root / "ix"


def test_an_index_with_no_articles_opens_and_finds_nothing(empty_index):
    with indexer.open_index(empty_index) as index:
        assert index.doc_count == 0 and index.get("rong.txt") is None
        for query in EMPTY_QUERIES:
            for sort in ("relevance", "newest"):
                results = index.search(query, sort=sort)
                assert (results.total, results.hits) == (0, []), query


def test_the_cli_searches_an_index_with_no_articles(empty_index):
    found = run_cli("search", "bão", "--index", empty_index)
    assert found.returncode == 0 and found.stdout.startswith("0 results"), found.stderr
    as_json = run_cli("search", "nghi quyet", "--json", "--index", empty_index)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["hits"] == []
    stats = run_cli("stats", "--index", empty_index)
    assert stats.returncode == 0 and "articles: 0" in stats.stdout


def test_the_web_app_serves_an_index_with_no_articles(empty_index):
    app = make_app(str(empty_index))
    try:
        client = app.test_client()
        for query in EMPTY_QUERIES:
            assert client.get("/search", query_string={"q": query}).status_code == 200, query
            api = client.get("/api/search", query_string={"q": query})
            assert api.status_code == 200 and api.get_json()["hits"] == [], query
        assert client.get("/healthz").get_json()["articles"] == 0
    finally:
        close_index(app)


# --------------------------------------------------------------------------- an article over the limit

def test_an_article_over_the_limit_is_indexed_in_part_stored_whole_and_warned_about(tmp_path):
    title = "Toàn văn báo cáo tổng kết công tác đê điều năm 2023"
    lead = "Ban chỉ huy phòng chống thiên tai tỉnh Nam Định tổng kết công tác gia cố đê biển."
    filler = "Các xã ven biển tiếp tục kiểm tra, gia cố những đoạn đê xung yếu trước mùa mưa.\n"
    body = lead + "\n" + filler * (MAX_ARTICLE_CHARS // len(filler) + 1) + "Đoạn cuối nói về rừng ngập mặn."
    path = write_article(tmp_path / "baocao" / "dai.txt", title, body)
    done = run_cli("build", tmp_path / "baocao", "--index", tmp_path / "ix")
    assert done.returncode == 0 and "indexed 1 article, skipped 0 inputs" in done.stdout, done.stderr
    assert f"warning {path}: article of {len(title) + len(body):,} characters; only its first " \
           f"{MAX_ARTICLE_CHARS:,} are indexed" in done.stderr
    with indexer.open_index(tmp_path / "ix") as index:
        for query in (title, indexer.fold(title), "gia cố đê biển Nam Định"):
            assert [hit.doc_id for hit in index.search(query)] == ["baocao/dai.txt"], query
        assert index.search("rừng ngập mặn").total == 0         # past the first 1,000,000 characters
        assert index.get("baocao/dai.txt").body == body


def test_an_update_lists_only_the_replacements_it_indexes_and_counts_those_already_indexed(tmp_path):
    """A daily update of the export folder had listed every correction again (508 lines on the trial)."""
    exports = tmp_path / "exports"
    old = daily_export(exports, "export-2024-09-10.jsonl", [STORY, OTHER])
    new = daily_export(exports, "export-2024-09-11.jsonl", [CORRECTION])
    assert run_cli("build", exports, "--index", tmp_path / "ix").returncode == 0
    again = run_cli("update", exports, "--index", tmp_path / "ix")
    assert again.returncode == 0 and "replaced" not in again.stderr, again.stderr
    assert ("added 0, updated 0, removed 0, unchanged 2, 1 replaced by a later record already indexed (not listed), "
            "skipped 0 inputs") in again.stdout, again.stdout
    fixed = dict(OTHER, title="Hội chợ nông sản ở Đồng Tháp (đính chính)")
    daily_export(exports, "export-2024-09-11.jsonl", [CORRECTION, fixed])
    report = indexer.update_index([exports], tmp_path / "ix", procs=1, notice=lambda m: None)
    assert (report.updated, report.unchanged) == (1, 1)
    assert report.replaced == [Replaced(f"{old}:2", f"{new}:2", "nr-2")]
    assert report.replaced_before == [Replaced(f"{old}:1", f"{new}:1", "nr-1")]


def test_an_update_says_an_emptied_export_keeps_its_articles_until_the_file_is_deleted(tmp_path):
    """An export emptied to 0 bytes had been reported as "kept 2 not read (their files were not read whole)"."""
    exports = tmp_path / "exports"
    emptied = daily_export(exports, "export-2024-09-10.jsonl", [STORY, OTHER])
    daily_export(exports, "export-2024-09-11.jsonl", [dict(OTHER, id="nr-3")])
    assert run_cli("build", exports, "--index", tmp_path / "ix").returncode == 0
    emptied.write_bytes(b"")
    done = run_cli("update", exports, "--index", tmp_path / "ix")
    assert done.returncode == 3 and f"skipped {emptied}: empty file" in done.stderr, done.stderr
    assert "removed 0, unchanged 1, kept 2 not read (in 1 empty file: delete it to remove them), " in done.stdout
    report = indexer.update_index([exports], tmp_path / "ix", procs=1, notice=lambda m: None)
    assert (report.kept, report.kept_empty) == (2, {str(emptied): 2})
    emptied.unlink()
    done = run_cli("update", exports, "--index", tmp_path / "ix")
    assert done.returncode == 0 and "removed 2, unchanged 1, skipped 0 inputs" in done.stdout, done.stdout


def test_an_update_tells_articles_kept_in_empty_files_from_those_kept_in_files_not_read_whole(tmp_path):
    exports = tmp_path / "exports"
    emptied = daily_export(exports, "export-2024-09-10.jsonl", [STORY, OTHER])
    broken = daily_export(exports, "export-2024-09-11.jsonl", [dict(OTHER, id="nr-3")])
    assert run_cli("build", exports, "--index", tmp_path / "ix").returncode == 0
    emptied.write_bytes(b"")
    broken.write_text('{"id": "nr-3", "title": "Hội chợ", "body": }\n', encoding="utf-8")
    done = run_cli("update", exports, "--index", tmp_path / "ix")
    assert done.returncode == 3, done.stderr
    assert "kept 3 not read (2 in 1 empty file: delete it to remove them; 1 in files not read whole), " in done.stdout
