"""Reliability and security end to end (issue 5).

- A hostile corpus built through the real command line: every good article is searchable, every
  bad file is named on stderr with its reason, the exit code says that something was skipped,
  and time and memory stay bounded (a 50 MB file, a FIFO, 1,100 nested folders...). Root reads
  a chmod 000 file anyway, so as root the build runs without CAP_DAC_OVERRIDE for that case.
- ``kill -9`` of a build and of an update at random moments: the live index still opens and
  answers exactly as before (or exactly as after, when the kill came after the swap), the
  analysis workers do not outlive the writer, and the next run succeeds and names the stale lock.
  Searching after an update that only removed articles works and never returns them.
- ``kill -9`` of a delete (at random moments and at each step of its generation) and of the update
  after it: the retracted ids are listed exactly when their articles are deleted, and the update
  keeps them so.
- XSS in the author, url, source and title fields: the HTML, parsed as a browser would, holds no
  script, no event-handler attribute and no link that is not http(s) or local; http(s) URLs are
  links with their quotes escaped. In Chromium, hovering such a link fires no dialog.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, SEED_FILE, SEED_ID, SEEDS, close_index, make_app, waitress_serving, write_jsonl
from test_articles import cp1258_bytes

import indexer
import indexer.storage.merge
from indexer.cli import EXIT_SKIPPED


def ids(results) -> list[str]:
    return [hit.doc_id for hit in results]


# ============================================================== 1. a hostile corpus, real CLI

def text_article(title: str, when: str, *paragraphs: str, byline: str = "") -> str:
    """An article text file: title line, date line, paragraphs, optional byline."""
    return "\n".join([title, when, *paragraphs, *([byline] if byline else [])]) + "\n"


def png_bytes() -> bytes:
    """A real 16x16 RGB PNG image (signature, IHDR, IDAT, IEND with their CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"".join(bytes([y * 16, x * 16, 128]) for x in range(16)) for y in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def file_permission_override_dropped():
    """A preexec_fn that makes a root child obey file permissions, None when not root.

    Root reads a chmod 000 file anyway (CAP_DAC_OVERRIDE). Dropping CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH from the bounding set before exec makes the child's root process see
    "Permission denied" like any user would. Raises OSError if the kernel refuses (no CAP_SETPCAP).
    """
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for cap in (1, 2):                       # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:   # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    return drop


def unreadable_file_possible(path: Path, preexec) -> bool:
    """Whether a child started with preexec gets "Permission denied" on path."""
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(path)!r}, 'rb')"], capture_output=True,
                              text=True, preexec_fn=preexec, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "PermissionError" in done.stderr


def run_measured(args: list[str], timeout: float, preexec=None) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, seconds, peak RSS in MiB of the process and its workers)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=err, preexec_fn=preexec,
                                start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                seconds, usage.ru_maxrss / 1024)


def make_deep(root: Path, names: list[str]) -> Path:
    """Create the nested folders root/names[0]/names[1]/... one level at a time; return the deepest."""
    path = root
    for name in names:
        path = path / name
        path.mkdir()
    return path


def remove_deep(root: Path, depth: int) -> None:
    """Remove a root/d/d/... chain of depth folders bottom-up (shutil.rmtree recurses per level)."""
    chain = [root]
    for _ in range(depth):
        chain.append(chain[-1] / "d")
    for folder in reversed(chain):
        if folder.is_dir():
            for entry in folder.iterdir():
                if not entry.is_dir() or entry.is_symlink():
                    entry.unlink()
            folder.rmdir()


VERY_DEEP = 1100          # more levels than Python's default recursion limit (1000)
FIFTY_MB = 50 * 1024 * 1024


def test_hostile_corpus_through_the_cli_indexes_every_good_article_and_names_every_bad_file(tmp_path, request):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good: dict[str, tuple[str, str]] = {}      # id -> (query, expected title)
    bad: dict[str, str] = {}                   # where (as printed) -> what the reason says

    def add_good(rel: str, data: bytes, query: str, title: str) -> Path:
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        good[f"corpus/{rel}"] = (query, title)
        return path

    # Good articles, one per encoding, each findable by words only it holds.
    title = "Đà Nẵng thử tải cầu Rồng trước ngày khánh thành"
    add_good("tot/cau-rong.txt", text_article(
        title, "08:00 12/03/2024", "Hàng chục xe tải chở cát đã được đưa lên cầu Rồng để thử tải.",
        "Kết quả thử tải sẽ được công bố trong tuần tới.", byline="Minh Khoa").encode(),
        "thử tải cầu Rồng", title)
    title = "Lâm Đồng mở hội chợ hoa Đà Lạt lần thứ mười"
    add_good("ma-hoa/utf16.txt", ("\ufeff" + text_article(
        title, "Thứ sáu, 15/12/2023 09:30 (GMT+7)", "Hội chợ hoa trưng bày hơn ba trăm giống hoa cẩm tú cầu.",
        "Du khách đổ về Đà Lạt ngắm hoa dịp cuối năm.")).encode("utf-16-le"), "hoa cẩm tú cầu", title)
    title = "Cà Mau thu hoạch tôm càng xanh vụ mới"
    add_good("ma-hoa/cp1258.txt", cp1258_bytes(text_article(
        title, "06:45 03/08/2023", "Nông dân huyện Thới Bình thu hoạch tôm càng xanh trên ruộng lúa.",
        "Giá tôm càng xanh loại một đạt hai trăm nghìn đồng mỗi ký.")), "tôm càng xanh", title)
    title = "Huế trùng tu lăng Khải Định"
    add_good("ma-hoa/nfd.txt", unicodedata.normalize("NFD", text_article(
        title, "14:00 21/09/2022", "Trung tâm Bảo tồn di tích cố đô Huế khởi công trùng tu lăng Khải Định.",
        "Công trình dự kiến hoàn thành sau hai năm.")).encode(), "trùng tu lăng Khải Định", title)
    assert b"\xec" in (corpus / "ma-hoa/cp1258.txt").read_bytes()          # a combining acute byte
    assert not unicodedata.is_normalized("NFC", (corpus / "ma-hoa/nfd.txt").read_text("utf-8"))

    # Deep folders: 60 named levels, and more levels than Python's recursion limit.
    deep60 = make_deep(corpus, [f"cap-{n:02d}" for n in range(60)])
    title = "Sơn La khai trương chợ phiên vùng cao"
    add_good(deep60.relative_to(corpus).as_posix() + "/bai-sau.txt", text_article(
        title, "07:00 05/01/2024", "Chợ phiên vùng cao họp vào sáng chủ nhật hằng tuần.").encode(),
        "chợ phiên vùng cao", title)
    very_deep = make_deep(corpus, ["rat-sau"] + ["d"] * VERY_DEEP)
    request.addfinalizer(lambda: remove_deep(corpus / "rat-sau", VERY_DEEP))
    assert len(str(very_deep)) < 4000, "the test folder path must stay under PATH_MAX"
    title = "Hà Giang vào mùa hoa tam giác mạch"
    add_good(very_deep.relative_to(corpus).as_posix() + "/bai.txt", text_article(
        title, "10:00 20/10/2023", "Những cánh đồng hoa tam giác mạch nở rộ trên cao nguyên đá.").encode(),
        "hoa tam giác mạch", title)

    # A symlink loop back to the corpus root and one to a sibling folder: followed once, no duplicates.
    (corpus / "vong").symlink_to(corpus)
    (corpus / "tot" / "sang-ma-hoa").symlink_to(corpus / "ma-hoa")

    # JSONL: good lines around a broken one; and one record far too long to index.
    records = [{"id": f"jsonl/{n}", "title": t, "body": b, "date": f"2024-04-0{n}T08:00:00+07:00"}
               for n, (t, b) in enumerate([
                   ("Bến Tre xuất khẩu dừa tươi sang châu Âu", "Lô dừa tươi đầu tiên đã lên tàu."),
                   ("Kiên Giang đón khách quốc tế tới Phú Quốc", "Sân bay Phú Quốc đón chuyến bay thuê bao."),
                   ("Điện Biên kỷ niệm chiến thắng lịch sử", "Lễ kỷ niệm có màn diễu binh trang trọng."),
                   ("Ninh Thuận phát triển điện gió ngoài khơi", "Dự án điện gió ngoài khơi được khảo sát."),
               ], start=1)]
    queries = ["dừa tươi", "Phú Quốc", "diễu binh", "điện gió ngoài khơi"]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(2, '{"id": "jsonl/hong", "title": "Dòng hỏng giữa tệp", "body": "thiếu ngoặc đóng"')
    (corpus / "tin.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for record, query in zip(records, queries):
        good[record["id"]] = (query, record["title"])
    bad[f"{corpus / 'tin.jsonl'}:3"] = "invalid JSON"
    too_long = "Bài viết dài bất thường về đê điều. " * 40_000                # 1.4 million characters
    write_jsonl(corpus / "sach.jsonl", [{"id": "sach", "title": "Một cuốn sách dán nhầm", "body": too_long}])
    good["sach"] = ("cuốn sách dán nhầm", "Một cuốn sách dán nhầm")          # indexed in part, with a warning

    # Bad files.
    (corpus / "rong.txt").write_bytes(b"")
    bad[str(corpus / "rong.txt")] = "empty file"
    (corpus / "anh.txt").write_bytes(png_bytes())
    bad[str(corpus / "anh.txt")] = "not text"
    valid = text_article("Hà Nội khởi công cầu vượt Mai Dịch", "08:15 02/03/2020",
                         "Sáng nay thành phố khởi công cầu vượt thép tại nút giao Mai Dịch.").encode()
    cut = valid.index("Nội".encode()) + 2                          # inside the three bytes of "ộ"
    (corpus / "hong-utf8.txt").write_bytes(valid[:cut] + valid[cut + 1:])
    bad[str(corpus / "hong-utf8.txt")] = "invalid UTF-8"
    paragraph = " ".join(["Đây là một đoạn văn bản tiếng Việt rất dài dùng để kiểm tra giới hạn."] * 40) + "\n"
    with open(corpus / "dai-50mb.txt", "w", encoding="utf-8") as f:
        f.write("Bài dài năm mươi megabyte\n17/11/2019\n")
        f.write(paragraph * (FIFTY_MB // len(paragraph.encode()) + 1))
    assert (corpus / "dai-50mb.txt").stat().st_size > FIFTY_MB
    bad[str(corpus / "dai-50mb.txt")] = "too large"
    os.mkfifo(corpus / "ong-dan.txt")                               # nobody will ever write to it
    bad[str(corpus / "ong-dan.txt")] = "not a regular file"

    # An unreadable file (chmod 000); as root, the build runs without the permission override.
    locked = corpus / "khoa.txt"
    locked.write_text(text_article("Bài bị khóa", "01/01/2024", "Không ai đọc được tệp này."), encoding="utf-8")
    locked.chmod(0)
    preexec = file_permission_override_dropped()
    if unreadable_file_possible(locked, preexec):
        bad[str(locked)] = "cannot read: Permission denied"
    else:
        locked.unlink()
        warnings.warn("hostile corpus: could not make a file unreadable for the build (root without "
                      "CAP_SETPCAP?); the unreadable-file case was left out")

    index_dir = tmp_path / "index"
    try:
        code, out, err, seconds, peak_mib = run_measured(
            [sys.executable, "-m", "indexer", "build", str(corpus), str(SEEDS), "--index", str(index_dir)],
            timeout=120, preexec=preexec)
    finally:
        locked.unlink(missing_ok=True)
    good[SEED_ID] = ("nghị quyết 28 Dương Kinh", None)
    report = f"exit {code} after {seconds:.1f} s, peak RSS {peak_mib:.0f} MiB\nstdout: {out}\nstderr: {err[-3000:]}"

    assert code == EXIT_SKIPPED, report
    assert "Traceback" not in err, report
    skipped_lines = dict(re.findall(r"^skipped (.+?): (.+)$", err, re.MULTILINE))
    assert set(skipped_lines) == set(bad), report
    assert re.search(rf"^warning {re.escape(str(corpus))}/sach.jsonl:1: article of 1,44\d,\d{{3}} characters; "
                     "only its first 1,000,000 are indexed", err, re.MULTILINE), report
    for where, reason in bad.items():
        assert reason in skipped_lines[where], f"{where}: {skipped_lines[where]!r} does not say {reason!r}\n{report}"
    assert f"indexed {len(good)} articles, skipped {len(bad)} inputs," in out, report
    assert seconds < 60 and peak_mib < 1024, report          # a 50 MB file must not cost minutes or GiBs

    with indexer.open_index(index_dir) as index:
        assert index.doc_count == len(good), report
        for doc_id, (query, title) in good.items():
            assert unicodedata.is_normalized("NFC", query)          # typed queries are NFC
            found = ids(index.search(query, limit=3))
            assert found and found[0] == doc_id, f"{query!r} -> {found}, expected {doc_id}"
            if title:
                assert index.get(doc_id).title == title        # decoded and in NFC
        # nothing of the broken UTF-8 file got in (exact: typo tolerance would search near words)
        assert index.search("Mai Dịch", exact=True).total == 0


# ============================================================== 2. kill -9 at a random moment

PROVINCES = ["Quảng Ninh", "Hải Phòng", "Thái Bình", "Nam Định", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
             "Đà Nẵng", "Cần Thơ", "Lâm Đồng", "Bình Định", "Sóc Trăng"]
TOPICS = [("khánh thành cầu", "Cây cầu mới nối hai bờ sông giúp người dân đi lại thuận tiện hơn."),
          ("mùa lúa gạo bội thu", "Nông dân phấn khởi vì giá lúa gạo tăng và năng suất đạt cao."),
          ("hội chợ du lịch", "Hàng trăm gian hàng giới thiệu đặc sản và điểm đến du lịch hấp dẫn."),
          ("tuyển sinh lớp mười", "Các trường công bố chỉ tiêu tuyển sinh và lịch thi năm học mới."),
          ("phòng chống sốt xuất huyết", "Ngành y tế phun thuốc diệt muỗi phòng sốt xuất huyết."),
          ("bão đổ bộ", "Bão mạnh cấp mười gây mưa lớn, nhiều tuyến đường bị ngập sâu.")]
KILL_QUERIES = ["cầu", "lúa gạo", "du lịch Quảng Ninh", "hoi cho", '"sốt xuất huyết"', "nghị quyết 28",
                "tuyển sinh -Hải", "title:bão", "Thanh Hóa OR Nghệ An", "bao do bo"]
KILLS = int(os.environ.get("RELIABILITY_KILLS", "2"))     # random moments per command


def news(numbers, edition: int = 0) -> list[dict]:
    """Generated news records "tin-N"; another edition changes the text under the same ids."""
    records = []
    for n in numbers:
        province = PROVINCES[(n + edition * 5) % len(PROVINCES)]
        topic, sentence = TOPICS[(n + edition) % len(TOPICS)]
        records.append({
            "id": f"tin-{n}", "title": f"{province}: {topic} lần thứ {n}",
            "body": "\n".join([f"Sáng nay, tỉnh {province} tổ chức sự kiện {topic} lần thứ {n}.", sentence,
                               f"Lãnh đạo tỉnh {province} cho biết kế hoạch năm {2000 + n % 25} đã hoàn thành."] * 3),
            "date": f"20{10 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}T08:00:00+07:00",
            "source": "Báo Thử Nghiệm"})
    return records


def answers(index_dir: Path) -> dict[str, tuple[int, list]]:
    """Every KILL_QUERIES query's total and (score, id) ranking on the live index of index_dir.

    All results, not a first page: equal scores (common in generated articles) may come in
    another order from another build, and a page would cut such a tie at a different place.
    """
    with indexer.open_index(index_dir) as index:
        found = {q: index.search(q, limit=1000) for q in KILL_QUERIES}
    assert all(r.total < 1000 for r in found.values())
    return {q: (r.total, sorted((-round(hit.score, 3), hit.doc_id) for hit in r)) for q, r in found.items()}


def holds_lock(index_dir: Path, proc) -> bool:
    try:
        return (index_dir / "writer.lock").read_text(encoding="ascii").split()[:1] == [str(proc.pid)]  # "PID COMMAND"
    except FileNotFoundError:
        return False


def segment_count(index_dir: Path) -> int:
    with indexer.open_index(index_dir) as index:
        return index.segment_count


def live_generation(index_dir: Path) -> str:
    return (index_dir / "CURRENT").read_text(encoding="ascii").strip()


def child_pids(pid: int) -> list[int]:
    """The direct children of pid (its analysis workers), [] once it is gone."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    """Whether pid is a live process (not gone, not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_search_after_an_update_that_only_removes_articles(tmp_path):
    """An update leaves deletions in the old segment; every search must still work around them."""
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "tin.jsonl", news(range(12)))
    indexer.build_index([src], tmp_path / "index", procs=1, notice=lambda message: None)
    write_jsonl(src / "tin.jsonl", news(range(1, 12)))
    report = indexer.update_index([src], tmp_path / "index", procs=1, notice=lambda message: None)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 11)
    with indexer.open_index(tmp_path / "index") as index:
        assert index.doc_count == 11 and index.get("tin-0") is None
        for query in KILL_QUERIES:
            assert "tin-0" not in ids(index.search(query, limit=20)), query
        assert ids(index.search("lần thứ 0"))[:1] != ["tin-0"]
    app = make_app(str(tmp_path / "index"))
    try:
        assert app.test_client().get("/search?q=cầu").status_code == 200
    finally:
        close_index(app)


def rankings(index) -> dict[str, list[tuple[str, float]]]:
    return {q: [(h.doc_id, round(h.score, 4)) for h in index.search(q, limit=20)] for q in KILL_QUERIES}


def test_deleting_articles_answers_as_a_fresh_build_without_them(tmp_path):
    records = news(range(30))
    indexer.build_index([write_jsonl(tmp_path / "tin.jsonl", records)], tmp_path / "index", procs=1)
    with indexer.open_index(tmp_path / "index") as index:  # open meanwhile: it serves the new generation
        report = indexer.delete_articles(["tin-3", "khong-co", "tin-3", "tin-17"], tmp_path / "index", procs=1,
                                         notice=lambda message: None)
        assert (report.deleted, report.skipped) == (2, [indexer.Skip("khong-co", "no article of the index has this id")])
        index.refresh()
        assert index.doc_count == 28 and index.get("tin-3") is None and index.get("tin-4") is not None
        deleted = rankings(index)
    rest = write_jsonl(tmp_path / "rest.jsonl", [r for r in records if r["id"] not in ("tin-3", "tin-17")])
    indexer.build_index([rest], tmp_path / "fresh", procs=1)
    with indexer.open_index(tmp_path / "fresh") as fresh:
        assert deleted == rankings(fresh)


def pristine_index(tmp_path: Path, src: Path, command: str, monkeypatch) -> Path:
    """The live index the killed runs start from; for optimize, many segments and deletions."""
    pristine = tmp_path / "pristine"
    if command == "optimize":
        monkeypatch.setattr(indexer.build, "SEGMENT_POSTINGS", 10)  # a segment per batch
        monkeypatch.setattr(indexer.build, "WORKER_BATCH", 16)
        monkeypatch.setattr(indexer.storage.merge, "SEGMENTS_PER_TIER", 10**6)  # no merge yet
        monkeypatch.setattr(indexer.storage.merge, "FLOOR_DOCS", 1)
        monkeypatch.setattr(indexer.storage.merge, "DELETES_ALLOWED", 1.0)
        monkeypatch.setattr(indexer.storage.merge, "SMALL_SHARE", 0.0)
    indexer.build_index([src], pristine, procs=2, notice=lambda message: None)
    if command == "optimize":
        write_jsonl(src / "tin.jsonl", news(range(20, 150)))
        indexer.update_index([src], pristine, procs=2, notice=lambda message: None)
    monkeypatch.undo()
    return pristine


@pytest.mark.parametrize("command", ["build", "update", "optimize"])
def test_kill_9_at_a_random_moment_leaves_the_live_index_answering(tmp_path, command, monkeypatch):
    seed = int(os.environ.get("RELIABILITY_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SEEDS / SEED_FILE, src / SEED_FILE)
    write_jsonl(src / "tin.jsonl", news(range(150)))
    pristine = pristine_index(tmp_path, src, command, monkeypatch)
    before = answers(pristine)
    if command == "build":            # a fresh build of other articles over the live index
        target = tmp_path / "moi"
        target.mkdir()
        shutil.copy(SEEDS / SEED_FILE, target / SEED_FILE)
        write_jsonl(target / "tin.jsonl", news(range(250), edition=1))
    elif command == "update":         # 30 removed, 50 changed, 70 unchanged, 120 added; then a merge
        target = src
        write_jsonl(src / "tin.jsonl", news(range(30, 80), edition=1) + news(range(80, 270)))

    def cmd(index_dir: Path) -> list[str]:
        sources = [] if command == "optimize" else [str(target)]
        return [sys.executable, "-m", "indexer", command, *sources, "--index", str(index_dir)]

    reference = tmp_path / "reference"          # the same run, not killed: what "after" looks like
    shutil.copytree(pristine, reference)
    started = time.monotonic()
    done = subprocess.run(cmd(reference), cwd=REPO, capture_output=True, text=True, timeout=120)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    after = answers(reference)
    if command == "optimize":         # the same answers from fewer segments
        assert segment_count(reference) < segment_count(pristine), "optimize must merge something"
    else:
        assert after != before, "the run must change the answers, or a half-applied run could go unseen"

    for n in range(KILLS):
        # The first kill falls while the workers run (analysing, or merging for optimize: the
        # moment most likely to leave orphans holding the lock); the others anywhere in the run.
        while_workers = n == 0
        moment = rng.uniform(0, 0.3) if while_workers else rng.uniform(0, duration)
        index_dir = tmp_path / f"killed-{n}"
        shutil.copytree(pristine, index_dir)
        live = live_generation(index_dir)
        started = time.monotonic()
        proc = subprocess.Popen(cmd(index_dir), cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while while_workers and not child_pids(proc.pid) and proc.poll() is None:
                time.sleep(0.005)
            assert not while_workers or child_pids(proc.pid) or proc.poll() is None, \
                f"{command} finished without starting worker processes (seed {seed})"
            while command == "optimize" and not holds_lock(index_dir, proc) and proc.poll() is None:
                time.sleep(0.005)  # python's start-up is most of the run: kill while it merges
            moment = moment / 3 if command == "optimize" else moment
            time.sleep(moment)
            workers = child_pids(proc.pid)
            what = (f"{command} killed {time.monotonic() - started:.2f} s into a {duration:.2f} s run"
                    f"{' with its workers running' if workers else ''} (seed {seed}: RELIABILITY_SEED={seed} "
                    f"repeats it), kill {n + 1} of {KILLS}")
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)      # the writer only, as `kill -9 PID` would
                proc.wait()
            else:
                what += " (it had already finished)"
            held = holds_lock(index_dir, proc)
            what += ", holding the writer lock" if held else ", not holding the writer lock"
            print(what)
            deadline = time.monotonic() + 10
            while [w for w in workers if running(w)] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not [w for w in workers if running(w)], f"{what}: workers {workers} outlived the writer"

            answered = answers(index_dir)
            if live_generation(index_dir) == live:
                assert answered == before, f"{what}: the live index answers differently"
            else:                                      # killed after the atomic swap
                assert answered == after, f"{what}: a new generation went live half-made"

            again = subprocess.run(cmd(index_dir), cwd=REPO, capture_output=True, text=True, timeout=120)
            assert again.returncode == 0, f"{what}: the next {command} failed: {again.stderr}"
            if held:
                assert f"cleared a stale lock left by pid {proc.pid}, which is no longer running" in again.stderr, what
            else:
                assert "stale lock" not in again.stderr, what
            assert answers(index_dir) == after, what
            generations = [p.name for p in index_dir.iterdir() if p.name.startswith("gen-")]
            assert generations == [live_generation(index_dir)], f"{what}: leftovers {generations}"
            assert not list(index_dir.glob(".CURRENT.*")), what
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)    # only if a check failed with workers left
            except ProcessLookupError:
                pass


RETRACTED = [f"tin-{n}" for n in range(0, 150, 7)]  # 22 of 150: more than a merge leaves deleted in a segment


def retraction(index_dir: Path) -> bool:
    """Whether the live generation of index_dir has RETRACTED deleted and listed, asserting that it
    has them either all so or all still indexed and none listed (nothing half made)."""
    with indexer.open_index(index_dir) as index:
        held = {doc_id for doc_id in RETRACTED if index.get(doc_id) is not None}
    listed = set(indexer.retracted_articles(index_dir))
    assert (held, listed) in ((set(RETRACTED), set()), (set(), set(RETRACTED))), (sorted(held), sorted(listed))
    return not held


def run_after_lock(cmd: list[str], index_dir: Path, kill_after: float | None = None) -> tuple[int | None, float]:
    """Run cmd (a writer of index_dir); once it holds the lock, let it run kill_after seconds, then kill -9
    it and wait for its workers to end (None: to its end). (exit code or None if killed, seconds after the lock)."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not holds_lock(index_dir, proc) and proc.poll() is None:
            time.sleep(0.002)
        locked = time.monotonic()
        try:
            return proc.wait(timeout=kill_after if kill_after is not None else 120), time.monotonic() - locked
        except subprocess.TimeoutExpired:
            workers = child_pids(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)  # the writer only, as `kill -9 PID` would
            proc.wait()
        deadline = time.monotonic() + 10
        while [w for w in workers if running(w)] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if running(w)], f"workers {workers} outlived the killed writer"
        return None, time.monotonic() - locked
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # only if a check failed with workers left
        except ProcessLookupError:
            pass


def writer(command: str, args: list[str], index_dir: Path) -> list[str]:
    return [sys.executable, "-m", "indexer", command, *args, "--index", str(index_dir)]


def timed_run(cmd: list[str], index_dir: Path) -> tuple[float, float]:
    """Run cmd (a writer of index_dir) to its end: (seconds from taking the lock to its first
    publishing, to its end)."""
    live, published = live_generation(index_dir), None
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not holds_lock(index_dir, proc) and proc.poll() is None:
        time.sleep(0.002)
    locked = time.monotonic()
    while proc.poll() is None:
        if published is None and live_generation(index_dir) != live:
            published = time.monotonic() - locked
        time.sleep(0.002)
    assert proc.returncode == 0, cmd
    return published or 0.0, time.monotonic() - locked


def test_kill_9_of_a_delete_and_of_the_update_after_it_leaves_the_retractions_with_their_deletions(tmp_path):
    """A delete's list of retracted ids goes live with its deletions: killed at any moment (while it
    deletes, publishes or merges), the live index has the articles and no list or neither; the update
    after it (killed too) from an export still holding them, some changed, keeps them as they were."""
    seed = int(os.environ.get("RELIABILITY_SEED") or random.randrange(2**32))
    rng, src = random.Random(seed), tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "tin.jsonl", news(range(150)))
    indexer.build_index([src], tmp_path / "pristine", procs=2, notice=lambda message: None)
    write_jsonl(src / "tin.jsonl", news(range(30, 80), edition=1) + news(range(80, 200)) + news(range(30)))
    runs = [("delete", RETRACTED), ("update", [str(src)])]
    shutil.copytree(tmp_path / "pristine", tmp_path / "reference")
    spans = [timed_run(writer(*run, tmp_path / "reference"), tmp_path / "reference") for run in runs]
    assert retraction(tmp_path / "reference")
    for n in range(KILLS):
        index_dir = shutil.copytree(tmp_path / "pristine", tmp_path / f"killed-{n}")
        # every other delete is killed before it publishes, the others after (while it merges)
        moments = [rng.uniform(*((0, spans[0][0]) if n % 2 == 0 else spans[0])), rng.uniform(0, spans[1][1])]
        run_after_lock(writer(*runs[0], index_dir), index_dir, moments[0])
        retracted = retraction(index_dir)
        run_after_lock(writer(*runs[1], index_dir), index_dir, moments[1])
        what = (f"delete killed {moments[0]:.2f} s ({'after' if retracted else 'before'} its generation went live), "
                f"update {moments[1]:.2f} s after taking the lock (seed {seed}: RELIABILITY_SEED={seed} repeats it)")
        print(what)
        assert retraction(index_dir) == retracted, what  # the update kept them out, or in, as the delete left them
        assert run_after_lock(writer(*runs[0], index_dir), index_dir)[0] == (3 if retracted else 0), what  # 3: retracted
        assert run_after_lock(writer(*runs[1], index_dir), index_dir)[0] == 0 and retraction(index_dir), what
        assert answers(index_dir) == answers(tmp_path / "reference"), what
        assert [p.name for p in index_dir.iterdir() if p.name.startswith("gen-")] == [live_generation(index_dir)], what


KILL_POINTS = {  # a delete killed there (kill -9 of itself), and whether its retraction is live after
    "before writing the list": ("write_retracted", "os.kill(os.getpid(), 9)", False),
    "the list written, before publishing": ("publish", "os.kill(os.getpid(), 9)", False),
    "just after publishing, before merging": ("publish", "published(*args); os.kill(os.getpid(), 9)", True),
}


def delete_killed_at(point: str, tmp_path: Path) -> Path:
    """Build the 150 articles of tmp_path/src into tmp_path/index, then delete RETRACTED there killed at
    point (of KILL_POINTS); the sources' folder."""
    name, then, _ = KILL_POINTS[point]
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "tin.jsonl", news(range(150)))
    indexer.build_index([src], tmp_path / "index", procs=1, notice=lambda message: None)
    killed = subprocess.run([sys.executable, "-c", f"""import os, sys, indexer.build as build
published = build.{name}
def {name}(*args):
    {then}
build.{name} = {name}
build.delete_articles(sys.argv[1:], {str(tmp_path / "index")!r})""", *RETRACTED], cwd=REPO, timeout=120)
    assert killed.returncode == -9
    return src


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_delete_killed_at_each_step_of_its_generation_leaves_the_retraction_with_the_deletions(tmp_path, point):
    live = KILL_POINTS[point][2]
    src = delete_killed_at(point, tmp_path)
    assert retraction(tmp_path / "index") == live
    done = subprocess.run(writer("update", [str(src)], tmp_path / "index"), cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and retraction(tmp_path / "index") == live, done.stderr
    assert ("kept out 22 retracted articles" in done.stdout) == live, done.stdout


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_after_a_killed_delete_and_a_garbled_CURRENT_keeps_every_retraction_a_generation_lists(tmp_path, point):
    """With CURRENT unreadable, a build keeps out the ids that any generation folder lists, the live
    one's or a killed delete's (written, not published: kept out once too often rather than let back),
    saying so; it had started an empty list, and the export brought them back."""
    src = delete_killed_at(point, tmp_path)
    listing = sorted(gen.name for gen in (tmp_path / "index").glob("gen-*") if indexer.store.retracted_in(gen))
    assert len(listing) == (point != "before writing the list")
    (tmp_path / "index" / "CURRENT").write_bytes(b"\x00" * 40)  # a crash's zeroed block
    done = subprocess.run(writer("build", [str(src)], tmp_path / "index"), cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert retraction(tmp_path / "index") == bool(listing)
    told = [f"{tmp_path / 'index'}/CURRENT is missing or names no generation: the 22 ids retracted in {name} stay "
            f"retracted (python -m indexer retracted --index {tmp_path / 'index'} lists them)" for name in listing]
    stale, *lines = done.stderr.splitlines()  # the killed delete's lock
    assert stale.startswith("cleared a stale lock left by pid ") and lines == told, done.stderr
    assert ("kept out 22 retracted articles" in done.stdout) == bool(listing), done.stdout


def test_optimize_with_nothing_to_merge_still_clears_what_a_killed_run_left(tmp_path):
    """A run killed after publishing, before deleting the generation it replaced, leaves that one
    behind; the next optimize finds nothing to merge and must clear it all the same."""
    index_dir = tmp_path / "index"
    indexer.build_index([str(SEEDS / SEED_FILE)], index_dir, procs=1, notice=lambda message: None)
    before = answers(index_dir)
    stale = index_dir / "gen-20000101-000000-1-1"
    shutil.copytree(index_dir / live_generation(index_dir), stale)
    assert indexer.optimize_index(index_dir, procs=2, notice=lambda message: None) == 0  # one segment already
    assert [p.name for p in index_dir.iterdir() if p.name.startswith("gen-")] == [live_generation(index_dir)]
    assert answers(index_dir) == before


DERIVED = {  # a derived file a search saves in the live generation: what its name holds
    "the Lexicon": "derived.lexicon.npz", "the copy groups": "derived.groups.npy",
    "a segment's title words": ".lexicon_titles_",
}
KILLED_SAVING = """import os, sys, indexer
rename = os.replace
def replace(tmp, path, *args, **kwargs):
    if {saving!r} in os.path.basename(path):
        os.kill(os.getpid(), 9)  # its temporary file written whole, not renamed yet
    return rename(tmp, path, *args, **kwargs)
os.replace = replace
with indexer.open_index(sys.argv[1]) as index:
    index.search("cầu")  # an index this small waits for its Lexicon: every derived file is made
"""
SAVING_SLOWLY = """import sys, threading, numpy as np, indexer, indexer.search
indexer.search.LEXICON_WAIT_DOCS = 0  # built in a background thread, as for a large index
saving = threading.Event()
def slowly(save):
    def slow_save(f, *args, **kwargs):
        if {saving!r} in str(getattr(f, "name", "")):
            f.write(b"PK")
            f.flush()
            print("saving", flush=True)
            saving.set()
            threading.Event().wait()  # a save that lasts longer than the process
        save(f, *args, **kwargs)
    return slow_save
np.save, np.savez = slowly(np.save), slowly(np.savez)
index = indexer.open_index(sys.argv[1])
index.search("cầu")
assert saving.wait(60), "nothing saved so"
{then}
"""


def one_segment_index(tmp_path: Path) -> Path:
    """150 generated articles built in one segment (procs=1) into tmp_path/reference, no file derived yet."""
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "tin.jsonl", news(range(150)))
    indexer.build_index([src], tmp_path / "reference", procs=1, notice=lambda message: None)
    return tmp_path / "reference"


def temporaries(index_dir: Path) -> list[str]:
    """The temporary files in the index's folder and its live generation's."""
    folders = [index_dir, index_dir / live_generation(index_dir)]
    return sorted(p.name for folder in folders for p in folder.iterdir() if p.name.endswith(".tmp"))


def search_killed_saving(index_dir: Path, saving: str) -> int:
    """Run a search of index_dir killed (kill -9) when it renames a derived file named so (see DERIVED)
    into place; its pid."""
    killed = subprocess.Popen([sys.executable, "-c", KILLED_SAVING.format(saving=saving), str(index_dir)], cwd=REPO)
    try:
        assert killed.wait(timeout=120) == -9
    finally:
        killed.kill()  # only if it outlived the timeout
    return killed.pid


@pytest.mark.parametrize("saving", DERIVED)
def test_a_search_killed_while_saving_a_derived_file_leaves_a_temporary_file_the_next_search_removes(tmp_path, saving):
    reference = one_segment_index(tmp_path)
    index_dir = shutil.copytree(reference, tmp_path / "index")
    pid = search_killed_saving(index_dir, DERIVED[saving])
    left = temporaries(index_dir)
    assert len(left) == 1 and DERIVED[saving] in left[0] and f".{pid}." in left[0], left
    assert answers(index_dir) == answers(reference)  # which makes the file again, removing what pid left
    assert temporaries(index_dir) == []
    saved = [p.name for p in (index_dir / live_generation(index_dir)).iterdir() if DERIVED[saving] in p.name]
    assert saved and not [name for name in saved if name.startswith(".")], saved


@pytest.mark.parametrize("saving", ["the Lexicon", "a segment's title words"])
def test_a_search_exiting_while_its_background_thread_saves_leaves_no_temporary_file(tmp_path, saving):
    """A daemon thread stops where it is when the process exits: its file half written, never removed."""
    index_dir = one_segment_index(tmp_path)
    exited = subprocess.run([sys.executable, "-c", SAVING_SLOWLY.format(saving=DERIVED[saving], then=""),
                             str(index_dir)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert exited.returncode == 0 and exited.stdout == "saving\n", exited.stderr
    assert temporaries(index_dir) == []
    with indexer.open_index(index_dir) as index:  # made again, saved whole
        assert index.lexicon() is not None
    assert (index_dir / live_generation(index_dir) / "derived.lexicon.npz").is_file()


def test_searches_and_writers_remove_the_temporary_files_of_processes_no_longer_running_only(tmp_path):
    """A search saving the copy groups slowly; another saves them meanwhile, and an optimize with
    nothing to merge (which keeps the live generation) runs: both leave the first one's file while
    it runs. Killed, it leaves it: the next writer removes it (nobody saves those groups again)."""
    reference = one_segment_index(tmp_path)
    index_dir = shutil.copytree(reference, tmp_path / "index")
    slow = subprocess.Popen([sys.executable, "-c", SAVING_SLOWLY.format(saving=DERIVED["the copy groups"],
                                                                        then="threading.Event().wait(120)"),
                             str(index_dir)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert slow.stdout.readline() == "saving\n"
        left = temporaries(index_dir)
        assert len(left) == 1 and left[0].startswith(f".derived.groups.npy.{slow.pid}."), left
        assert answers(index_dir) == answers(reference)  # this process saved the groups
        assert indexer.optimize_index(index_dir, procs=2, notice=lambda message: None) == 0
        assert temporaries(index_dir) == left
    finally:
        slow.kill()
        slow.wait()
        slow.stdout.close()
    assert temporaries(index_dir) == left
    assert indexer.optimize_index(index_dir, procs=2, notice=lambda message: None) == 0
    assert temporaries(index_dir) == []
    assert answers(index_dir) == answers(reference)


# ============================================================== 3. XSS in author, url, source, title

XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_AUTHOR = "<script>alert(1)</script>"
XSS_SOURCE = "<svg onload=alert(1)>"
QUOTE_URL = 'http://baomau.vn/tin?a=1&b="onmouseover=alert(1) x="'
SCRIPT_URL = "https://baomau.vn/tin/<script>alert(1)</script>"
UNSAFE_URLS = ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
               "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
               "http:alert(1)"]


def xss_records() -> list[dict]:
    """Articles about phishing whose author, url, source and title carry payloads."""
    body = ("Công an cảnh báo thủ đoạn lừa đảo qua tin nhắn giả mạo ngân hàng.\n"
            "Người dân không bấm vào đường link lạ và không cung cấp mã OTP.")
    records = [
        {"id": "xss/tac-gia", "title": f"{XSS_TITLE} Cảnh báo lừa đảo qua tin nhắn", "body": body,
         "author": XSS_AUTHOR, "url": "javascript:alert(1)", "source": XSS_SOURCE,
         "date": "2024-05-02T08:00:00+07:00"},
        {"id": "xss/link-nhay-kep", "title": "Lừa đảo qua mạng xã hội tăng mạnh", "body": body,
         "author": "Nguyễn Văn An", "url": QUOTE_URL, "source": "Báo Mẫu", "date": "2024-05-03T08:00:00+07:00"},
        {"id": "xss/link-the-script", "title": "Lừa đảo đầu tư tiền ảo", "body": body,
         "author": XSS_AUTHOR, "url": SCRIPT_URL, "source": "Báo Mẫu", "date": "2024-05-04T08:00:00+07:00"},
    ]
    records += [{"id": f"xss/url-{n}", "title": f"Lừa đảo mạo danh số {n}", "body": body,
                 "author": XSS_AUTHOR, "url": url, "source": XSS_SOURCE, "date": f"2024-04-{n + 1:02d}T08:00:00"}
                for n, url in enumerate(UNSAFE_URLS)]
    return records


class Page(HTMLParser):
    """A page parsed the way a browser tokenizes it: its tags with attributes, and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def links(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.tags if tag == "a" and "href" in attrs]


def without_app_script(html: str) -> str:
    """A page without the app's one script tag (search-as-you-type), and the <svg> tag of its
    timeline renamed (its content is still checked): both are the app's own."""
    html = html.replace('<script src="/static/suggest.js" defer></script>', "", 1)
    return re.sub(r'<svg( viewBox="[0-9 ]+" role="group" aria-labelledby="timeline-title")', r"<timeline\1", html,
                  count=1)


def assert_no_active_markup(html: str, where: str) -> Page:
    """No script but the app's own, no event handler, no javascript:/data: link: only http(s),
    local or #fragment URLs."""
    html = without_app_script(html)
    assert not re.search(r"<\s*(script|img|svg|iframe|object|embed)\b", html, re.IGNORECASE), where
    page = Page(html)
    for tag, attrs in page.tags:
        assert tag not in ("script", "img", "svg", "iframe", "object", "embed"), f"{where}: <{tag}>"
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"{where}: <{tag}> has {handlers}"
        for name in ("href", "src", "action", "formaction"):
            if name in attrs:
                value = attrs[name]
                parts = urlsplit(value)
                local = value.startswith(("/", "#")) and not value.startswith("//")
                web = parts.scheme in ("http", "https") and bool(parts.netloc)
                assert local or web, f"{where}: <{tag} {name}={value!r}>"
    return page


@pytest.fixture(scope="module")
def xss_index(tmp_path_factory) -> str:
    """An index of the xss_records() articles."""
    folder = tmp_path_factory.mktemp("xss")
    index_dir = folder / "index"
    report = indexer.build_index([write_jsonl(folder / "xss.jsonl", xss_records())], index_dir, procs=1,
                                 notice=lambda message: None)
    assert report.indexed == len(xss_records()) and not report.skipped
    return str(index_dir)


@pytest.fixture(scope="module")
def xss_client(xss_index):
    app = make_app(xss_index)
    yield app.test_client()
    close_index(app)


def test_xss_in_author_url_source_and_title_is_inert_in_results_and_article_pages(xss_client):
    records = xss_records()
    response = xss_client.get("/search?q=lừa đảo")
    results = response.get_data(as_text=True)
    assert response.status_code == 200
    page = assert_no_active_markup(results, "results")
    article_links = [link for link in page.links() if link.startswith("/article/xss")]
    assert len(article_links) == len(records), page.links()
    assert XSS_TITLE in page.text and XSS_SOURCE in page.text      # shown as text, not dropped

    for record, link in zip(sorted(records, key=lambda r: r["id"]), sorted(article_links)):
        response = xss_client.get(link)
        html = response.get_data(as_text=True)
        where = f"article {record['id']} (url {record['url']!r})"
        assert response.status_code == 200, where
        page = assert_no_active_markup(html, where)
        assert record["author"] in page.text and record["title"] in page.text, where
        originals = [href for tag, attrs in page.tags if tag == "a" and "nofollow" in attrs.get("rel", "")
                     for href in [attrs["href"]]]
        if record["url"] in (QUOTE_URL, SCRIPT_URL):
            assert originals == [record["url"]], where           # the link, its quotes kept as data
            assert 'noopener' in html and "Xem bài gốc" in page.text, where
        else:
            assert originals == [] and "Xem bài gốc" not in page.text, where
            assert "alert(1)" not in "".join(page.links()), where
        assert '"onmouseover=' not in html and "<script" not in without_app_script(html).lower(), where

    quoted = xss_client.get("/article/xss/link-nhay-kep").get_data(as_text=True)
    assert 'href="http://baomau.vn/tin?a=1&amp;b=&#34;onmouseover=alert(1) x=&#34;"' in quoted


def test_xss_fields_in_the_api_are_json_that_is_never_sniffed_as_html(xss_client):
    response = xss_client.get("/api/search?q=lừa đảo&per_page=50&group=false")  # one body: copies
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    hits = {hit["id"]: hit for hit in response.get_json()["hits"]}
    assert hits["xss/tac-gia"]["url"] == "javascript:alert(1)"    # data as stored; links are the page's job
    assert XSS_TITLE in hits["xss/tac-gia"]["title"]


# ============================================================== 4. the same articles in Chromium

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
def test_xss_author_source_and_quoted_url_run_nothing_in_chromium(xss_index):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    app = make_app(xss_index, TESTING=False)
    try:
        with waitress_serving(app, threads=2) as base, sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page()
            dialogs: list[str] = []
            tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            tab.goto(base + "/search?q=lừa đảo&group=false")  # the records share one body: grouped, they are copies
            assert tab.locator(".result").count() == len(xss_records())
            for n in range(tab.locator(".result .source").count()):
                tab.locator(".result .source").nth(n).hover()
            assert XSS_SOURCE in tab.inner_text("main")

            tab.goto(base + "/article/xss/link-nhay-kep")
            link = tab.locator(".source-link a")
            assert link.get_attribute("href") == QUOTE_URL
            assert sorted(link.evaluate("a => a.getAttributeNames()")) == ["href", "rel"]
            link.hover()

            tab.goto(base + "/article/xss/tac-gia")
            assert tab.inner_text(".author") == XSS_AUTHOR and tab.inner_text("article .source") == XSS_SOURCE
            assert XSS_TITLE in tab.inner_text("h1")
            tab.locator(".author").hover()
            for source in tab.locator(".source").all():  # the article's, then its related articles'
                source.hover()
            active = "script:not([src='/static/suggest.js']), img, svg, [onload], [onerror], [onmouseover]"
            assert tab.locator(active).count() == 0
            assert tab.locator(".source-link").count() == 0

            for n in range(len(UNSAFE_URLS)):
                tab.goto(base + f"/article/xss/url-{n}")
                assert tab.locator('a[href*="alert"], a[href^="data:"], a[href^="//"]').count() == 0
            tab.wait_for_timeout(300)
            assert dialogs == []
            browser.close()
    finally:
        close_index(app)
