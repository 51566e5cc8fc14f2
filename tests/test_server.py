"""`python -m search_app` as a user starts it: arguments, the index it serves, the port it listens on."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import SEEDS, close_index, make_app, storm_articles, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120  # the first run may build the project's index from seeds/


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launcher(*args, cwd=ROOT, env_index: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "INDEX_DIR"}
    if env_index:
        env["INDEX_DIR"] = env_index
    return subprocess.Popen([sys.executable, "-m", "search_app", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(*args, **kw) -> tuple[int, str, str]:
    proc = launcher(*args, **kw)
    out, err = proc.communicate(timeout=START_SECONDS)
    return proc.returncode, out, err


def serving_line(proc: subprocess.Popen) -> str:
    """The launcher's stdout up to the line saying where it serves (it fails the test if none comes)."""
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("Đang phục vụ tại"):
            return line
    pytest.fail("no serving line: " + "".join(seen) + proc.stderr.read())


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("args, why", [(["--port", "99999"], "--port"), (["--port", "-1"], "--port"),
                                       (["--port", "tám"], "--port"), (["--threads", "0"], "--threads"),
                                       (["--workers", "100"], "--workers: số tiến trình phải là số nguyên từ 1 đến 64, "
                                                              "không phải «100»")])
def test_bad_arguments_exit_2_with_the_usage_then_one_vietnamese_line(built_index, args, why):
    code, out, err = finished("--index", built_index.dir, *args)
    lines = err.splitlines()
    assert code == 2 and out == "" and lines[0].startswith("cách dùng: python -m search_app ")
    assert lines[-1].startswith("python -m search_app: lỗi: ") and why in lines[-1] and "Traceback" not in err


def test_the_address_is_printed_once_the_server_listens(built_index):
    port = free_port()
    proc = launcher("--index", built_index.dir, "--port", port)
    try:
        line = serving_line(proc)
        assert f"http://127.0.0.1:{port}/" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert json.load(r)["articles"] == built_index.report.indexed
    finally:
        stop(proc)


def test_a_busy_port_is_one_line_and_exit_1(built_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, out, err = finished("--index", built_index.dir, "--port", busy.getsockname()[1])
    assert code == 1 and "Đang phục vụ" not in out
    assert err.count("\n") == 1 and "đang được chương trình khác dùng" in err and "Traceback" not in err


@pytest.mark.parametrize("how", ["--index", "INDEX_DIR"])
def test_an_explicit_index_without_an_index_stops_and_says_how_to_build_one(tmp_path, how):
    missing = tmp_path / "nonexistent" / "path"
    args = ("--index", missing) if how == "--index" else ()
    code, out, err = finished(*args, "--port", free_port(), cwd=tmp_path,
                              env_index=str(missing) if how == "INDEX_DIR" else None)
    assert code == 1 and f"python -m indexer build NGUỒN --index {missing}" in err
    assert err.count("\n") == 1 and "Đang phục vụ" not in out
    assert not missing.exists() and not (tmp_path / "index_data").exists()


def test_an_index_whose_first_build_runs_stops_and_says_to_wait_for_it(tmp_path):
    """Not "build one": a second build would be refused by the lock."""
    articles = [{"id": f"bai-{n}", "title": f"Tin số {n} về giao thông", "body": "Hạ tầng giao thông đô thị. " * 40}
                for n in range(20_000)]
    source, target = tmp_path / "many.jsonl", tmp_path / "index"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(source), "--index", str(target)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        build.stderr.readline()  # the first progress line: the build holds the folder
        code, out, err = finished("--index", target, "--port", free_port())
    finally:
        build.kill()
        build.communicate()
    assert code == 1 and err.count("\n") == 1 and "Đang phục vụ" not in out
    assert f"chưa có chỉ mục ở {target}: tiến trình build (pid {build.pid}) đang xây dựng; hãy đợi" in err


def test_run_from_another_folder_it_serves_the_projects_own_index(tmp_path):
    proc = launcher("--port", free_port(), cwd=tmp_path)
    try:
        assert f"(chỉ mục: {ROOT / 'index_data'})" in serving_line(proc)
    finally:
        stop(proc)
    assert list(tmp_path.iterdir()) == []


def test_help_explains_every_option_in_vietnamese():
    code, out, _ = finished("--help")
    assert code == 0 and "cách dùng:" in out and "ví dụ:" in out
    for option in ("--index", "--host", "--port", "--threads", "INDEX_DIR"):
        assert option in out


def test_each_generation_is_searched_once_before_its_readers(tmp_path, monkeypatch):
    """A worker warms up the generation it serves (indexer.warm_up) when it opens it and again when
    an update swaps another in, so that no reader's search waits for the Lexicon and pyvi to load."""
    indexer = pytest.importorskip("indexer")
    from search_app import serve, views
    index_dir = tmp_path / "index"
    indexer.build_index([str(SEEDS)], str(index_dir))
    warm_up, warmed = indexer.warm_up, []
    monkeypatch.setattr(indexer, "warm_up", lambda index: warmed.append(index.generation) or warm_up(index))
    app = make_app(str(index_dir))
    try:
        serve.refresh_index(app)
        serve.refresh_index(app)
        assert len(warmed) == 1
        indexer.update_index([str(write_jsonl(tmp_path / "new.jsonl", storm_articles()[:1]))], str(index_dir))
        serve.refresh_index(app)
        with app.app_context():
            assert warmed == [warmed[0], views.get_index().generation] and warmed[0] != warmed[1]
    finally:
        close_index(app)
