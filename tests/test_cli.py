"""The command line as a user runs it: `python -m indexer` in a subprocess."""

from __future__ import annotations

import json
import re
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import close_index, failure_line, make_app, storm_articles, usage_error, write_jsonl

import indexer
from indexer.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
UNDATED = {"id": "bao-khong-ngay", "title": "Bão gây mưa lớn ở miền Trung",
           "body": "Hoàn lưu bão gây mưa lớn, nhiều tuyến đường ở miền Trung bị ngập.",
           "url": "https://www.tinmau.vn/thoi-tiet/bao-mua-lon.html"}


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    source = write_jsonl(root / "storms.jsonl", storm_articles() + [UNDATED])
    indexer.build_index([source], root / "index", procs=1)
    return root / "index"


def one_line_error(done) -> str:
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.match(r"python -m indexer [a-z]+: error: ", done.stderr), done.stderr
    return done.stderr


@pytest.mark.parametrize("args", [
    ["search", "bão", "--index", "{tmp}/none"], ["stats", "--index", "{tmp}/none"], ["get", "khong-co", "--index", "{ix}"],
    ["related", "khong-co", "--index", "{ix}"], ["build", "{tmp}/none.jsonl", "--index", "{tmp}/new"],
    ["update", "{tmp}/none.jsonl", "--index", "{ix}"], ["delete", "x", "--index", "{tmp}/none"],
    ["restore", "x", "--index", "{tmp}/none"], ["retracted", "--index", "{tmp}/none"],
    ["retracted", "--index", "{ix}/CURRENT"],
])
def test_every_failure_is_one_line_naming_the_command_and_exits_1(index_dir, tmp_path, args):
    done = run_cli(*(a.format(tmp=tmp_path, ix=index_dir) for a in args))
    assert failure_line(done, args[0])


@pytest.mark.parametrize("args", [
    ["search", "!!!"], ["search", "bão", "--from", "2023-05-01", "--to", "2023-01-01"], ["search", "bão", "--replicas", "2"],
    ["search", "bão", "--limit", "0"], ["build", "seeds", "--cluster", "tcp://127.0.0.1:1"], ["get"],
    ["build", "seeds", "--bogus"], ["search", "bão", "--bogus"], ["stats", "extra"], ["restore"], ["retracted", "x"],
])
def test_every_usage_error_is_argparses_usage_then_the_error_and_exits_2(index_dir, args):
    assert usage_error(run_cli(*args, "--index", index_dir), args[0])


@pytest.mark.parametrize("args", [["-bão"], ["--", "-bão"], ["-hòa"], ["--limit", "3", "-bão"]])
def test_a_query_starting_with_a_dash_is_the_query(index_dir, args):
    done = run_cli("search", "--index", index_dir, *args)
    assert done.returncode == 0, done.stderr
    assert re.match(r"[0-9,]+ results? \(", done.stdout)


@pytest.mark.parametrize("args, why", [
    (["--page", "0"], "--page"), (["--limit", "0"], "--limit"), (["--limit", "many"], "--limit"),
    (["--from", "2023-05-01", "--to", "2023-01-01"], "--from 2023-05-01 is after --to 2023-01-01"),
    (["--from", "2017-02-30"], "--from"), (["--sort", "oldest"], "--sort"),
    (["lũ"], 'unrecognized arguments: lũ (quote a query of several words: "bão lũ")'),
    (["--source", ""], "argument --source: must be text of 1 to 200 characters, not ''"),
    (["--month", "2023-13"], "argument --month: '2023-13' is not a month (use YYYY-MM, e.g. 2017-05)"),
    (["--category", "x" * 201], "argument --category: must be text of 1 to 200 characters, not 201"),
])
def test_bad_usage_exits_2_saying_why(index_dir, args, why):
    done = run_cli("search", "bão", *args, "--index", index_dir)
    assert why in usage_error(done, "search")


def test_replicas_without_a_cluster_is_bad_usage_not_ignored(index_dir):
    done = run_cli("search", "bão", "--replicas", "2", "--index", index_dir)
    assert "--replicas goes with --cluster" in usage_error(done, "search")
    assert run_cli("search", "bão", "--replicas", "1", "--index", index_dir).returncode == 0


@pytest.mark.parametrize("query", ["", "  ", "!!!", "«—»"])
def test_a_query_without_letters_or_digits_asks_for_a_word_as_the_web_app_does(index_dir, query):
    done = run_cli("search", query, "--index", index_dir)
    assert done.returncode == 2 and done.stdout == ""
    assert "the query has no letters or digits to search: type at least one word" in usage_error(done, "search")


def test_a_search_that_finds_nothing_gives_the_web_apps_tips(index_dir):
    done = run_cli("search", "xyzzyqw", "--index", index_dir)
    assert done.returncode == 0 and done.stdout.startswith("0 results")
    assert "tips:\n  - check the spelling of the words\n" in done.stderr
    assert "  - type the accents in full (nghị quyết, not nghi quyet)" in done.stderr
    excluded = run_cli("search", "-bão", "--index", index_dir)
    assert "leaves out the articles holding it; to find them: bão" in excluded.stderr
    assert "spelling" not in excluded.stderr
    ranged = run_cli("search", "bão", "--from", "2030-01-01", "--source", "Báo Mẫu", "--index", index_dir)
    total = json.loads(run_cli("search", "bão", "--json", "--index", index_dir).stdout)["total"]
    assert ranged.stdout.startswith("0 results")
    assert f"  - bão finds {total} articles without the date range and filters\n" in ranged.stderr
    assert "  - search at any date (no date range)" in ranged.stderr and "spelling" not in ranged.stderr
    filtered = run_cli("search", "bão", "--source", "Không Có", "--index", index_dir)  # no date range given
    assert f"  - bão finds {total} articles without the filters\n" in filtered.stderr, filtered.stderr
    dated = run_cli("search", "bão", "--to", "1990-01-01", "--index", index_dir)  # no filter given
    assert f"  - bão finds {total} articles without the date range\n" in dated.stderr, dated.stderr


def test_a_quoted_phrase_no_article_holds_offers_its_words_without_the_quotes(index_dir):
    done = run_cli("search", '"bão Hải Phòng"', "--index", index_dir)
    total = json.loads(run_cli("search", "bão Hải Phòng", "--json", "--index", index_dir).stdout)["total"]
    assert done.stdout.startswith("0 results") and total > 0
    assert f"tips:\n  - without the quotes, bão Hải Phòng finds {total} articles\n" in done.stderr
    nowhere = run_cli("search", '"xyzzyqw"', "--index", index_dir)  # no better without the quotes: not offered
    assert "without the quotes" not in nowhere.stderr and "check the spelling" in nowhere.stderr


def test_the_tip_to_type_without_accents_is_offered_only_when_that_finds_articles(index_dir):
    nowhere = run_cli("search", '"bão Hải Phòng"', "--index", index_dir)  # no article: nor '"bao Hai Phong"'
    assert nowhere.stdout.startswith("0 results") and "without accents" not in nowhere.stderr, nowhere.stderr
    misaccented = run_cli("search", '"mưa lơn kéo dài"', "--index", index_dir)  # '"mua lon keo dai"' finds them
    assert misaccented.stdout.startswith("0 results")
    assert '  - try it without accents: "mua lon keo dai"\n' in misaccented.stderr, misaccented.stderr


def test_a_query_over_2000_characters_is_bad_usage(index_dir):
    done = run_cli("search", "a" * 2001, "--index", index_dir)
    assert "query too long" in usage_error(done, "search")


def test_stats_counts_the_files_a_search_derives_apart_from_the_index_s_own(tmp_path):
    index = indexer.build_index([write_jsonl(tmp_path / "storms.jsonl", storm_articles())], tmp_path / "ix", procs=1)
    assert index.indexed
    sizes = r"size: ([0-9,]+) bytes \([0-9,]+ bytes/article\); derived files \(.*\): ([0-9,]+) bytes"
    before = re.search(sizes, run_cli("stats", "--index", tmp_path / "ix").stdout)
    assert run_cli("search", "nghi quyet", "--index", tmp_path / "ix").returncode == 0  # makes the Lexicon's files
    after = re.search(sizes, run_cli("stats", "--index", tmp_path / "ix").stdout)
    derived = [int(found.group(2).replace(",", "")) for found in (before, after)]
    assert after.group(1) == before.group(1) and derived[1] > derived[0]  # the index's own size stays


def test_a_missing_index_is_still_a_failure(tmp_path):
    done = run_cli("search", "bão", "--index", tmp_path / "none")
    assert done.returncode == 1 and one_line_error(done)


def test_a_missing_index_names_the_command_that_builds_it_there(tmp_path):
    done = run_cli("search", "bão", "--index", tmp_path / "none")
    assert f"python -m indexer build SOURCES --index {tmp_path / 'none'}" in one_line_error(done)


def run_cli_in(folder, *args):
    """The command line run in folder (sources and index named relative to it)."""
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=folder, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_build_and_update_name_a_source_s_files_as_it_was_given(tmp_path):
    (tmp_path / "tin").mkdir()
    (tmp_path / "tin" / "a.jsonl").write_text(json.dumps(UNDATED, ensure_ascii=False) + "\nnot json\n", "utf-8")
    skip = "skipped tin/a.jsonl:2: invalid JSON"
    built = run_cli_in(tmp_path, "build", "tin", "--index", "ix")
    assert skip in built.stderr and built.stdout.splitlines()[0].endswith(" into ix"), built.stdout
    updated = run_cli_in(tmp_path, "update", "tin", "--index", "ix")
    assert updated.stderr.startswith(skip) and str(tmp_path) not in updated.stderr, updated.stderr
    assert updated.stdout.splitlines()[0].endswith(" into ix"), updated.stdout  # the folder it changed, as build names it


def test_an_update_through_a_symlinked_folder_keeps_the_ids_its_build_gave(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "bao.txt").write_text("Bão số 3\n\nBão số 3 gây mưa lớn ở miền Trung.\n", "utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert run_cli_in(tmp_path, "build", "link", "--index", "ix").returncode == 0
    updated = run_cli_in(tmp_path, "update", "link", "--index", "ix")
    assert updated.stdout.startswith("added 0, updated 0, removed 0, unchanged 1,"), updated.stdout
    assert run_cli_in(tmp_path, "get", "link/bao.txt", "--index", "ix").returncode == 0


@pytest.mark.parametrize("command", [["search", "bão"], ["update", "seeds"]])
def test_no_sharded_index_names_the_folder_as_it_was_given(tmp_path, command):
    (tmp_path / "seeds").mkdir()
    done = run_cli_in(tmp_path, *command, "--index", "ix", "--cluster", "tcp://127.0.0.1:1")
    assert "no sharded index in ix: " in failure_line(done, command[0]) and str(tmp_path) not in done.stderr


def test_an_update_of_a_missing_index_fails_without_making_its_folder(tmp_path):
    done = run_cli("update", ROOT / "seeds", "--index", tmp_path / "none")
    assert done.returncode == 1 and "no index in" in one_line_error(done)
    assert not (tmp_path / "none").exists()


def test_a_file_given_as_the_index_folder_is_one_line_and_left_as_it_was(tmp_path):
    file = tmp_path / "tin.jsonl"
    file.write_text("giữ nguyên\n", "utf-8")
    done = run_cli("build", ROOT / "seeds", "--index", file)
    assert done.returncode == 1 and "is a file, not an index folder" in one_line_error(done)
    assert file.read_text("utf-8") == "giữ nguyên\n"


def test_a_file_given_as_the_index_to_read_says_so_and_not_to_build_there(tmp_path):
    file = write_jsonl(tmp_path / "tin.jsonl", [UNDATED])
    for command in (["search", "bão"], ["stats"], ["get", "x"], ["update", ROOT / "seeds"]):
        done = run_cli(*command, "--index", file)
        line = one_line_error(done)
        assert done.returncode == 1 and f"{file} is a file, not an index folder" in line and "build" not in line


def test_a_garbled_CURRENT_is_one_line_and_a_build_replaces_it(tmp_path):
    (tmp_path / "ix").mkdir()
    (tmp_path / "ix" / "CURRENT").write_bytes(b"\xff\xfe\x00")
    for command in (["search", "bão"], ["stats"]):
        done = run_cli(*command, "--index", tmp_path / "ix")
        assert done.returncode == 1 and "CURRENT names no generation" in one_line_error(done)
    assert run_cli("build", ROOT / "seeds", "--index", tmp_path / "ix").returncode == 0
    assert run_cli("search", "Dương Kinh", "--index", tmp_path / "ix").returncode == 0


def test_a_build_without_sources_where_there_is_no_seeds_folder_says_to_give_them(tmp_path):
    done = subprocess.run([sys.executable, "-m", "indexer", "build"], cwd=tmp_path, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 1 and "source not found: seeds" in one_line_error(done)
    assert "with no SOURCES, build reads seeds/ of the current folder" in done.stderr
    assert not (tmp_path / "index_data").exists()


def test_an_article_cannot_drive_the_terminal(tmp_path):
    """Escape sequences in a JSONL article (colours, clear screen, window title) are shown, not sent."""
    article = {"id": "e\x1b[1m1", "title": "Bão \x1b[31mđỏ\x1b[0m lớn\x1b]0;tiêu đề\x07",
               "body": "Mưa to ở miền Trung\x1b[2J\r, gió \x9b6n giật mạnh.", "source": "Báo\x1b[5m Mẫu"}
    indexer.build_index([write_jsonl(tmp_path / "esc.jsonl", [article])], tmp_path / "ix", procs=0)
    for args in ([], ["--facets"]):
        out = run_cli("search", "bão", "--index", tmp_path / "ix", *args).stdout
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), out
        assert "[Bão] \ufffd[31mđỏ" in out and "\ufffd[2J" in out and "[e\ufffd[1m1]" in out
    assert "Báo\ufffd[5m Mẫu (1)" in out


def test_a_build_warns_of_dates_it_cannot_read_and_counts_the_files_it_ignores(tmp_path):
    folder = tmp_path / "tin"
    folder.mkdir()
    (folder / "bao.txt").write_text((ROOT / "seeds" / "000_40d61abefe57256a.txt").read_text("utf-8"), "utf-8")
    write_jsonl(folder / "tin.jsonl", [dict(UNDATED, date="31/02/2017 10:00"), dict(UNDATED, id="b", date="2017-05-27")])
    for name in ("anh.jpg", "ghi-chu.md", "bai.html", "bai2.html"):
        (folder / name).write_text("<p>Bão</p>", "utf-8")
    done = run_cli("build", folder, "--index", tmp_path / "ix")
    assert done.returncode == 0 and done.stdout.startswith("indexed 3 articles, skipped 0 inputs"), done.stderr
    assert f"warning {folder / 'tin.jsonl'}:1: date '31/02/2017 10:00' not understood; indexed without a date" \
        in done.stderr
    assert "ignored 4 files not named as articles (2 .html, 1 .jpg, 1 .md)" in done.stderr


def test_the_date_forms_named_after_an_unread_date_are_those_of_its_kind_of_file(tmp_path):
    # a text file's date line had been answered with the JSONL forms (epoch seconds, no "HH:MM DD/MM/YYYY")
    folder = tmp_path / "tin"
    folder.mkdir()
    (folder / "d.txt").write_text("Bão số 3 đổ bộ\n10:00 31/02/2019\nMưa lớn ở miền Trung.", "utf-8")
    text_only = run_cli("build", folder, "--index", tmp_path / "ix").stderr
    assert f"warning {folder / 'd.txt'}: date '10:00 31/02/2019' not understood" in text_only
    hints = [line for line in text_only.splitlines() if " are read as " in line]
    assert len(hints) == 1 and hints[0].startswith("date lines of text files are read as HH:MM DD/MM/YYYY")
    assert "(GMT+7)" in hints[0] and "epoch" not in hints[0]
    write_jsonl(folder / "tin.jsonl", [dict(UNDATED, date="31/02/2017 10:00")])
    both = run_cli("build", folder, "--index", tmp_path / "ix2").stderr
    assert sorted(line for line in both.splitlines() if " are read as " in line) == [
        hints[0], "dates of JSONL records are read as " + indexer.articles.DATE_FORMATS]


def test_delete_removes_an_article_by_id_and_names_the_ids_it_did_not_find(tmp_path):
    source = write_jsonl(tmp_path / "storms.jsonl", storm_articles())
    indexer.build_index([source], tmp_path / "ix", procs=0)
    done = run_cli("delete", "thoi-tiet/bao-so-3", "--index", tmp_path / "ix")
    assert done.returncode == 0 and done.stdout.startswith("deleted 1 article, skipped 0 ids"), done.stderr
    missing = run_cli("delete", "thoi-tiet/bao-so-3", "no-such-id", "--index", tmp_path / "ix")
    assert missing.returncode == 3 and missing.stdout == f"deleted 0 articles, skipped 2 ids, {seconds(missing)} from {tmp_path / 'ix'}\n"
    retracted_at = indexer.retracted_articles(tmp_path / "ix")["thoi-tiet/bao-so-3"]
    assert missing.stderr == (f"skipped thoi-tiet/bao-so-3: already retracted ({retracted_at})\n"
                              "skipped no-such-id: no article of the index has this id\n")
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.doc_count == 13 and "thoi-tiet/bao-so-3" not in [h.doc_id for h in index.search("bão", limit=20)]
    assert run_cli("delete", "x", "--index", tmp_path / "none").returncode == 1 and not (tmp_path / "none").exists()


def seconds(done) -> str:
    """The "in N.N s" of a command's summary line."""
    return re.search(r"in [0-9]+\.[0-9] s", done.stdout).group(0)


def test_a_retraction_holds_through_updates_and_builds_until_restore_lifts_it(tmp_path):
    source, ix = write_jsonl(tmp_path / "storms.jsonl", storm_articles()), tmp_path / "ix"
    assert run_cli("build", source, "--index", ix).returncode == 0
    deleted = run_cli("delete", "thoi-tiet/bao-so-3", "--index", ix)
    assert deleted.returncode == 0 and deleted.stdout.splitlines()[1] == (
        f"retracted: builds and updates of {ix} keep it out (python -m indexer restore ID... --index {ix} lets it back)")
    kept_out = f"kept out 1 retracted article: thoi-tiet/bao-so-3 (python -m indexer restore ID... --index {ix} to let it back)"
    for command in ("update", "build"):
        done = run_cli(command, source, "--index", ix)
        assert done.returncode == 0 and done.stdout.splitlines()[1] == kept_out, (command, done.stdout, done.stderr)
    assert "retracted: 1 (kept out of builds and updates" in run_cli("stats", "--index", ix).stdout
    restored = run_cli("restore", "thoi-tiet/bao-so-3", "thoi-tiet/bao-so-4", "--index", ix)
    assert restored.returncode == 3 and restored.stdout == (
        f"lifted the retraction of 1 article, skipped 1 id, {seconds(restored)} in {ix}\n"
        f"the next update from sources that hold it adds it back: python -m indexer update SOURCES --index {ix}\n")
    assert restored.stderr == "skipped thoi-tiet/bao-so-4: not retracted (no delete recorded this id)\n"
    updated = run_cli("update", source, "--index", ix)
    assert updated.returncode == 0 and updated.stdout.startswith("added 1, updated 0, removed 0, unchanged 13")
    assert "kept out" not in updated.stdout and run_cli("stats", "--index", ix).stdout.endswith("\nretracted: 0\n")


def test_an_update_counts_many_retracted_articles_without_listing_them(tmp_path):
    source, ix = write_jsonl(tmp_path / "storms.jsonl", storm_articles()), tmp_path / "ix"
    indexer.build_index([source], ix, procs=0)
    gone = [a["id"] for a in storm_articles()[:11]]
    assert run_cli("delete", *gone, "--index", ix).stdout.startswith("deleted 11 articles, skipped 0 ids")
    done = run_cli("update", source, "--index", ix)
    assert done.returncode == 0 and done.stdout.splitlines()[1] == (
        f"kept out 11 retracted articles (python -m indexer restore ID... --index {ix} to let them back)")


def test_retracted_lists_each_retracted_id_with_when_oldest_first_and_as_json(tmp_path):
    source, ix = write_jsonl(tmp_path / "storms.jsonl", storm_articles()), tmp_path / "ix"
    indexer.build_index([source], ix, procs=0)
    none = run_cli("retracted", "--index", ix)
    assert (none.returncode, none.stdout, none.stderr) == (0, f"0 retracted articles in {ix}\n", "")
    assert json.loads(run_cli("retracted", "--json", "--index", ix).stdout) == {"retracted": {}}
    for doc_id in ("thoi-tiet/bao-so-5", "thoi-tiet/bao-so-3"):  # retracted a second apart: 5 first
        assert run_cli("delete", doc_id, "--index", ix).returncode == 0
        time.sleep(1.1)
    when = indexer.retracted_articles(ix)
    assert when["thoi-tiet/bao-so-5"] < when["thoi-tiet/bao-so-3"] and when["thoi-tiet/bao-so-3"].endswith("+00:00")
    listed = run_cli("retracted", "--index", ix)
    assert listed.returncode == 0 and listed.stdout == (
        f"2 retracted articles in {ix}, oldest first (builds and updates keep them out until python -m indexer "
        f"restore ID... --index {ix} lifts a retraction):\n"
        f"{when['thoi-tiet/bao-so-5']}  thoi-tiet/bao-so-5\n{when['thoi-tiet/bao-so-3']}  thoi-tiet/bao-so-3\n")
    as_json = json.loads(run_cli("retracted", "--json", "--index", ix).stdout)["retracted"]
    assert list(as_json.items()) == [(i, when[i]) for i in ("thoi-tiet/bao-so-5", "thoi-tiet/bao-so-3")]
    assert run_cli("restore", "thoi-tiet/bao-so-5", "--index", ix).returncode == 0
    assert run_cli("retracted", "--index", ix).stdout.splitlines()[1:] == [f"{when['thoi-tiet/bao-so-3']}  thoi-tiet/bao-so-3"]


@pytest.mark.parametrize("current", [b"\xff\xfe\x00", b"gen-20261206-000000-1-1\n", b"", None])
def test_a_build_over_a_damaged_CURRENT_keeps_the_retractions_of_the_generation_it_named_and_says_so(
        tmp_path, current):
    """A CURRENT that names no generation (not text, a generation that is not there, empty, missing)
    had made a build start an empty list of retracted articles: the export brought them back."""
    source, ix = write_jsonl(tmp_path / "storms.jsonl", storm_articles()), tmp_path / "ix"
    indexer.build_index([source], ix, procs=0)
    assert run_cli("delete", "thoi-tiet/bao-so-3", "thoi-tiet/bao-so-4", "--index", ix).returncode == 0
    live, when = indexer.store.current_generation(ix), indexer.retracted_articles(ix)
    if current is None:
        (ix / "CURRENT").unlink()
    else:
        (ix / "CURRENT").write_bytes(current)
    assert run_cli("stats", "--index", ix).returncode == 1
    rebuilt = run_cli("build", source, "--index", ix)
    assert rebuilt.returncode == 0 and rebuilt.stderr == (
        f"{ix}/CURRENT is missing or names no generation: the 2 ids retracted in {live.name} stay retracted "
        f"(python -m indexer retracted --index {ix} lists them)\n"), rebuilt.stderr
    assert rebuilt.stdout.startswith("indexed 12 articles") and rebuilt.stdout.splitlines()[1].startswith(
        "kept out 2 retracted articles: thoi-tiet/bao-so-3, thoi-tiet/bao-so-4 "), rebuilt.stdout
    assert indexer.retracted_articles(ix) == when and not live.exists()
    again = run_cli("build", source, "--index", ix)  # the next build, from the same export, keeps them out too
    assert again.stderr == "" and "kept out 2 retracted articles" in again.stdout


def test_a_build_into_a_folder_of_articles_is_refused_and_leaves_it_as_it_was(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "bao.txt").write_text((ROOT / "seeds" / "000_40d61abefe57256a.txt").read_text("utf-8"), "utf-8")
    done = run_cli("build", ROOT / "seeds", "--index", folder)
    assert done.returncode == 1
    assert f"{folder} is not an index folder: it holds 'bao.txt'" in one_line_error(done)
    assert [p.name for p in folder.iterdir()] == ["bao.txt"]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("the index goes here", "utf-8")  # as index_data/ holds
    assert run_cli("build", ROOT / "seeds", "--index", tmp_path / "notes").returncode == 0
    assert run_cli("build", ROOT / "seeds", "--index", tmp_path / "notes").returncode == 0  # an index: rebuilt


def test_output_cut_short_by_the_reader_ends_quietly(index_dir):
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "search", "bão", "--limit", "50",
                             "--index", str(index_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # like `| head -1` exiting before the results are written
    stderr = proc.stderr.read()
    assert proc.wait() == 128 + signal.SIGPIPE and stderr == ""


def test_results_say_how_many_in_good_english_and_where_each_comes_from(index_dir):
    one = run_cli("search", '"Bình Định"', "--index", index_dir)
    assert one.stdout.startswith("1 result (") and "· Báo Mẫu ·" in one.stdout
    page = run_cli("search", "mưa lớn miền Trung", "--index", index_dir).stdout
    assert page.startswith("15 results (")
    assert "undated · tinmau.vn · [bao-khong-ngay]" in page


def test_a_page_past_the_last_says_which_page_is_last(index_dir):
    done = run_cli("search", "bão", "--limit", "5", "--page", "9", "--index", index_dir)
    # stdout had said "page 9 of 3"
    assert done.returncode == 0 and done.stdout.startswith("15 results (") and "page 9 (past the last, 3)" in done.stdout
    assert "page 9 of" not in done.stdout
    assert done.stderr == "page 9 is past the last page: --page 3 shows the last results\n"
    assert run_cli("search", "bão", "--limit", "5", "--page", "3", "--index", index_dir).stderr == ""


def test_undated_articles_are_mentioned_when_newest_first_or_a_date_range_leaves_them_out(index_dir):
    newest = run_cli("search", "bão", "--sort", "newest", "--limit", "20", "--index", index_dir).stdout
    assert "1 matching article has no date and is listed last" in newest
    assert newest.rstrip().split("\n\n")[-1].split("\n")[1].strip().startswith("undated")
    ranged = run_cli("search", "bão", "--from", "2023-01-01", "--index", index_dir).stdout
    assert "1 matching article has no date and is left out by the date range\n" in ranged
    monthly = run_cli("search", "bão", "--month", "2023-02", "--index", index_dir).stdout
    assert "1 matching article has no date and is left out by the months chosen\n" in monthly
    both = run_cli("search", "bão", "--month", "2023-02", "--to", "2023-12-31", "--index", index_dir).stdout
    assert "1 matching article has no date and is left out by the date range and the months chosen\n" in both
    relevance = run_cli("search", "bão", "--index", index_dir).stdout
    assert "no date" not in relevance
    data = json.loads(run_cli("search", "bão", "--sort", "newest", "--json", "--index", index_dir).stdout)
    assert data["undated"] == 1


def test_json_search_gives_what_the_web_api_gives(index_dir):
    cli = json.loads(run_cli("search", "bão miền Trung", "--limit", "3", "--page", "2", "--json",
                             "--index", index_dir).stdout)
    app = make_app(str(index_dir))
    try:
        api = app.test_client().get("/api/search", query_string={"q": "bão miền Trung", "per_page": 3,
                                                                 "page": 2}).get_json()
    finally:
        close_index(app)
    assert cli.keys() == api.keys()
    assert cli["per_page"] == 3 and cli["page"] == 2 and len(cli["hits"]) == 3
    assert {k: v for k, v in cli.items() if k != "took_ms"} == {k: v for k, v in api.items() if k != "took_ms"}


def test_help_explains_the_query_syntax_and_every_argument():
    search = run_cli("search", "--help").stdout
    for text in ("query syntax", '"a phrase"', "-word", "OR", "title:", "--limit", "--page", "--sort",
                 "--from", "--to", "--json", "--index", "examples:", "newest"):
        assert text in search, text
    build = run_cli("build", "--help").stdout
    assert "--procs" in build and "--index" in build and "examples:" in build


def test_the_help_on_ids_says_which_record_of_an_id_in_two_exports_is_indexed(tmp_path):
    """update --help had said that an id in two files keeps the first: the newer export's record is kept."""
    story, correction = {"id": "nr-1", "title": "Tin gốc", "body": "Bản đầu."}, {"id": "nr-1", "title": "Tin đính chính"}
    older, newer = write_jsonl(tmp_path / "export-1.jsonl", [story]), write_jsonl(tmp_path / "export-2.jsonl", [correction])
    os.utime(older, (1_600_000_000, 1_600_000_000))
    assert run_cli("build", newer, older, "--index", tmp_path / "ix").returncode == 0
    got = json.loads(run_cli("get", "nr-1", "--index", tmp_path / "ix", "--json").stdout)
    assert got["title"] == "Tin đính chính"
    for command in ("build", "update"):
        help_text = " ".join(run_cli(command, "--help").stdout.split())
        assert "the record of the newest file" in help_text and "keeps the first" not in help_text.split("text files")[0]


def test_build_progress_on_a_terminal_shows_the_input_read_and_the_time_left(tmp_path):
    records = [dict(a, id=f"{a['id']}-{n}") for n, a in enumerate(storm_articles() * 200)]
    source = write_jsonl(tmp_path / "many.jsonl", records)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(source), "--procs", "1",
                             "--index", str(tmp_path / "ix")], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=terminal)
    os.close(terminal)
    shown = read_all(controller)
    assert proc.wait() == 0
    lines = shown.split("\r")
    assert len(lines) > 2 and " MB read (" in shown and "ETA " in shown, shown


CTRL_C_WHILE_MERGING = """
import os, signal, sys, threading, time
import indexer.storage as storage
from indexer import cli
from indexer.store import current_generation

index = sys.argv[-1]
live = current_generation(index).name
merge_group = storage.merge_group
storage.merge_group = lambda ix, group: (time.sleep(60), merge_group(ix, group))[1]  # a merge long enough to stop
storage.merge_plan = lambda reader, bins=None: [list(range(len(reader.segments)))]


def press_ctrl_c_once_the_update_is_live():
    while current_generation(index).name == live:
        time.sleep(0.01)
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGINT)


threading.Thread(target=press_ctrl_c_once_the_update_is_live, daemon=True).start()
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_while_an_update_merges_says_the_update_is_live(tmp_path):
    source = tmp_path / "storms.jsonl"
    indexer.build_index([write_jsonl(source, storm_articles()[:7])], tmp_path / "ix", procs=1)
    write_jsonl(source, storm_articles())
    done = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_MERGING, "update", str(source), "--procs", "1",
                           "--index", str(tmp_path / "ix")], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert done.returncode == 130, done.stderr
    assert "interrupted: the update is live; merging segments after it stopped" in done.stderr
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.doc_count == 14 and len(index.search("bão", limit=20)) == 14


def read_all(fd: int) -> str:
    """Everything written to a pseudo-terminal until its other end is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the writer closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_line_gives_the_share_read_and_the_time_left():
    progress = Progress(stream=open(os.devnull, "w"))
    progress.expect(4_000_000)
    progress.read(1_000_000)
    line = progress.line(250, 30.0)
    assert line.startswith("250 articles, 8/s, 0:30 elapsed")
    assert "1.0 MB of 4.0 MB read (25%)" in line and line.endswith("ETA 1:30")
    progress.read(3_000_000)
    assert "(100%)" in progress.line(1000, 120.0) and "ETA" not in progress.line(1000, 120.0)
    assert Progress(stream=open(os.devnull, "w")).line(1, 1.0) == "1 article, 1/s, 0:01 elapsed"


def test_ctrl_c_of_the_build_process_alone_exits_130_and_keeps_the_live_index(index_dir, tmp_path):
    """SIGINT to the main process only (as `timeout -s INT` sends it): it stops, it does not hang."""
    articles = [{"id": f"bai-{n}", "title": f"Tin số {n} về giao thông đô thị",
                 "body": " ".join(f"Đoạn {k} của bài {n} nói về hạ tầng giao thông và nghị quyết." for k in range(10))}
                for n in range(40_000)]
    source = write_jsonl(tmp_path / "many.jsonl", articles)
    target = tmp_path / "index"
    indexer.build_index([write_jsonl(tmp_path / "one.jsonl", [UNDATED])], target, procs=1)
    # a shell's background job (`cmd &`) ignores SIGINT and its children inherit that: as typed at a terminal
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(source), "--index", str(target)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        proc.stderr.readline()  # the first progress line: the workers are indexing
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted: the live index is unchanged" in err, err
    with indexer.open_index(target) as index:
        assert [h.doc_id for h in index.search("bão")] == ["bao-khong-ngay"]
    again = run_cli("build", tmp_path / "one.jsonl", "--index", target)  # stopped cleanly: no stale lock to clear
    assert again.returncode == 0 and "stale lock" not in again.stderr, again.stderr


def test_a_search_during_the_first_build_says_a_build_is_writing_the_index(tmp_path):
    """Not "build one": the reader would start a second build, which the lock refuses."""
    articles = [{"id": f"bai-{n}", "title": f"Tin số {n} về giao thông", "body": "Hạ tầng giao thông đô thị. " * 40}
                for n in range(20_000)]
    source, target = write_jsonl(tmp_path / "many.jsonl", articles), tmp_path / "index"
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(source), "--index", str(target)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        proc.stderr.readline()  # the first progress line: the build holds the folder
        searched = run_cli("search", "giao thông", "--index", target)
    finally:
        proc.kill()
        proc.communicate()
    assert searched.returncode == 1, searched.stderr
    assert f"no index in {target} yet: a build (pid {proc.pid}) is writing it; wait for it to finish" in searched.stderr


def test_get_prints_one_whole_article(index_dir):
    shown = run_cli("get", "thoi-tiet/bao-so-3", "--index", index_dir)
    assert shown.returncode == 0 and shown.stdout.startswith("Bão số 3 đổ bộ vào")
    assert "Báo Mẫu · Thời tiết · [thoi-tiet/bao-so-3]" in shown.stdout and "cấm tàu thuyền ra khơi" in shown.stdout
    as_json = json.loads(run_cli("get", "thoi-tiet/bao-so-3", "--json", "--index", index_dir).stdout)
    assert as_json["id"] == "thoi-tiet/bao-so-3" and as_json["date"].startswith("2023-")
    missing = run_cli("get", "khong-co", "--index", index_dir)
    assert missing.returncode == 1 and "no article has the id 'khong-co'" in one_line_error(missing)



def test_a_search_with_several_limits_that_finds_nothing_says_what_each_one_alone_hides(index_dir):
    limits = {"--source Báo Mẫu": ["--source", "Báo Mẫu"], "--source tinmau.vn": ["--source", "tinmau.vn"],
              "--month 2023-05": ["--month", "2023-05"],
              "the dates (--from/--to)": ["--from", "2023-01-01", "--to", "2023-03-31"]}
    everything = [arg for args in limits.values() for arg in args]
    done = run_cli("search", "bão", *everything, "--index", index_dir)
    assert done.returncode == 0 and done.stdout.startswith("0 results")
    said = dict(re.findall(r"^without (.+): ((?:at least )?[0-9,]+) articles?$", done.stderr, re.M))
    assert list(said) == list(limits)
    for name, args in limits.items():  # the count said is what the search finds without that limit
        rest = [arg for other, more in limits.items() if other != name for arg in more]
        found = json.loads(run_cli("search", "bão", *rest, "--json", "--index", index_dir).stdout)
        assert said[name].removeprefix("at least ") == str(found["total"] + found["copies"])
    assert said == {"--source Báo Mẫu": "0", "--source tinmau.vn": "0", "--month 2023-05": "at least 4",
                    "the dates (--from/--to)": "at least 2"}


BENCHMARKS = ["benchmarks", *sorted(f"benchmarks.{p.stem}" for p in (ROOT / "benchmarks").glob("*.py")
                                    if "argparse" in p.read_text("utf-8") and p.stem not in ("__main__", "common"))]


@pytest.mark.parametrize("program", BENCHMARKS)
def test_each_benchmark_names_itself_in_its_help_as_the_reader_runs_it(program):
    done = subprocess.run([sys.executable, "-m", program, "--help"], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0 and done.stdout.startswith(f"usage: python -m {program} "), done.stdout + done.stderr


def test_a_build_and_an_update_leave_the_lexicon_made_for_the_next_search(tmp_path):
    # a command line's one search never builds a large index's Lexicon (its exit would abandon it):
    # the build and the update make and save it, so that such a search reads accents and typos
    built = run_cli("build", ROOT / "seeds", "--index", tmp_path / "ix")
    assert built.returncode == 0 and built.stdout.splitlines()[-1].startswith("Lexicon (accents, typos, suggestions) ready in ")
    with indexer.open_index(tmp_path / "ix", background_lexicon=False) as index:
        assert index.lexicon(wait=False) is not None  # saved: no earlier generation's to stand in
    updated = run_cli("update", ROOT / "seeds", "--index", tmp_path / "ix")
    assert updated.returncode == 0 and updated.stdout.splitlines()[-1].startswith("Lexicon (accents, typos")
