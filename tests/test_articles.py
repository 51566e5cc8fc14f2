"""Tests for indexer.articles: text and JSONL readers, decoding, dates, chrome and skips."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from conftest import CITY_TEXT, SEED_FILE, SEED_TITLE

import indexer
from indexer import articles
from indexer.articles import Article, Replaced, Skip, SourceError, Truncated, Undated, iter_articles, parse_date

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / SEED_FILE
SHARED = REPO.parent / "shared"

ARTICLE = """Hà Nội khởi công cầu vượt nút giao Mai Dịch
08:15 02/03/2020
Sáng 2/3, UBND thành phố Hà Nội khởi công cầu vượt thép tại nút giao Mai Dịch.
Công trình dài 480 mét, dự kiến hoàn thành trong 12 tháng. Ảnh: Ngọc Thành
NGỌC THÀNH
Tags: cầu vượt, Mai Dịch
Bình luận (0)
"""


def load(*sources):
    """(articles, skipped) read from sources."""
    skipped: list = []
    return list(iter_articles(list(sources), skipped)), skipped


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write text to path (creating folders) and return path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def write_jsonl(path: Path, lines: list, compress: bool = False) -> Path:
    """Write JSONL lines (dicts are dumped, str/bytes written as is) to path."""
    raw = b"".join((line if isinstance(line, bytes) else
                    (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)).encode())
                   + b"\n" for line in lines)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def cp1258_bytes(text: str) -> bytes:
    """text in Windows-1258, tone marks written as combining characters where needed."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in parts if c in articles.TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in articles.TONE_MARKS))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


# ----------------------------------------------------------------------------- seed article

def test_seed_article_parses():
    """The real page: blank lines between paragraphs, an indented byline, a blank-only line, chrome."""
    (article,), skipped = load(SEED)
    assert skipped == []
    assert article.id == "seeds/" + SEED.name
    assert article.title == SEED_TITLE
    assert article.date == datetime(2019, 11, 17, 10, 39)
    assert article.author == "Xuân Hạ"
    assert article.origin == os.path.abspath(SEED)
    assert article.body.startswith("Sau 10 năm thực hiện Nghị quyết số 28-NQ/TU")
    assert "\nPhó Bí thư thường trực quận ủy, Chủ tịch HĐND quận Dương Kinh khen thưởng" in article.body
    assert article.body.endswith("Nguyễn Minh Phương nhấn mạnh.")
    assert "Xuân Hạ" not in article.body
    for chrome in ("Từ khóa", "captcha", "Bình luận", "Bản tin Pháp luật", "Video clip",
                   "Phóng sự ảnh", "An toàn giao thông"):
        assert chrome not in article.body
    assert "\n\n" not in article.body and "\u00a0" not in article.body


def test_article_written_for_the_tests_parses(tmp_path):
    (article,), skipped = load(write(tmp_path / "tin" / "bai.txt", CITY_TEXT))
    assert skipped == []
    assert article.title == "Thành phố triển khai Nghị quyết 28-NQ/TU về phát triển giao thông đô thị"
    assert article.date == datetime(2019, 11, 17, 10, 39)
    assert article.author == "MINH KHOA"
    assert article.body.startswith("Sáng 17/11/2019, Ban Thường vụ Thành ủy")
    assert article.body.endswith("Ảnh: Minh Khoa")      # the caption is article text
    assert "MINH KHOA" not in article.body
    for chrome in ("Từ khóa", "captcha", "Bình luận", "Bản tin Pháp luật", "Video clip",
                   "Phóng sự ảnh", "An toàn giao thông"):
        assert chrome not in article.body


def test_seed_folder_ids_start_with_the_folder_name():
    found, skipped = load(SEED.parent)
    assert skipped == []
    assert "seeds/" + SEED.name in {a.id for a in found}


# ----------------------------------------------------------------------------- text files

def test_text_article_fields(tmp_path):
    write(tmp_path / "a.txt", ARTICLE)
    (article,), skipped = load(tmp_path)
    assert skipped == []
    assert article == Article(
        id=f"{tmp_path.name}/a.txt", title="Hà Nội khởi công cầu vượt nút giao Mai Dịch",
        body="Sáng 2/3, UBND thành phố Hà Nội khởi công cầu vượt thép tại nút giao Mai Dịch.\n"
             "Công trình dài 480 mét, dự kiến hoàn thành trong 12 tháng. Ảnh: Ngọc Thành",
        date=datetime(2020, 3, 2, 8, 15), author="NGỌC THÀNH", origin=str(tmp_path / "a.txt"))


@pytest.mark.parametrize("line, expected", [
    ("10:39 17/11/2019", datetime(2019, 11, 17, 10, 39)),
    ("17/11/2019 10:39", datetime(2019, 11, 17, 10, 39)),
    ("17-11-2019", datetime(2019, 11, 17)),
    ("17/11/2019", datetime(2019, 11, 17)),
    ("Thứ hai, 17/11/2019 10:39 (GMT+7)", datetime(2019, 11, 17, 10, 39)),
    ("Chủ nhật, 5/1/2020, 07:05 (GMT+7)", datetime(2020, 1, 5, 7, 5)),
    ("17/11/2019 - 10h39", datetime(2019, 11, 17, 10, 39)),
    ("17/11/2019 03:39 GMT+0", datetime(2019, 11, 17, 10, 39)),
])
def test_date_line_formats(tmp_path, line, expected):
    write(tmp_path / "bai.txt", f"Giá xăng giảm nhẹ\n{line}\nGiá xăng RON 95 giảm 200 đồng mỗi lít.\n")
    (article,), _ = load(tmp_path)
    assert article.date == expected
    assert article.body == "Giá xăng RON 95 giảm 200 đồng mỗi lít."


def test_date_line_before_title(tmp_path):
    write(tmp_path / "bai.txt", "Thứ ba, 18/11/2019 08:00 (GMT+7)\nMưa lớn ở miền Trung\nNhiều nơi ngập sâu.\n")
    (article,), _ = load(tmp_path)
    assert (article.title, article.date, article.body) == (
        "Mưa lớn ở miền Trung", datetime(2019, 11, 18, 8, 0), "Nhiều nơi ngập sâu.")


def test_no_date_line_body_starts_after_title(tmp_path):
    write(tmp_path / "bai.txt", "\n\n  Mưa lớn ở miền Trung  \n\nNhiều nơi ngập sâu.\nĐường sá bị chia cắt.\n")
    (article,), _ = load(tmp_path)
    assert article.title == "Mưa lớn ở miền Trung"
    assert article.date is None
    assert article.body == "Nhiều nơi ngập sâu.\nĐường sá bị chia cắt."


@pytest.mark.parametrize("line", ["10:00 31/02/2019", "31/02/2019", "Thứ năm, 29/02/2019 08:00 (GMT+7)",
                                  "2019-02-31", "ngày 31 tháng 4 năm 2019"])
def test_an_impossible_date_line_is_reported_as_an_unread_date_and_not_indexed(tmp_path, line):
    path = write(tmp_path / "bai.txt", f"Tiêu đề\n{line}\nNội dung bài.\n")
    undated: list = []
    (article,) = iter_articles([tmp_path], [], [], undated=undated)
    assert (article.title, article.date, article.body) == ("Tiêu đề", None, "Nội dung bài.")
    assert undated == [Undated(str(path), line)]


def test_a_first_line_of_a_day_and_words_stays_the_title(tmp_path):
    write(tmp_path / "bai.txt", "2019-02-31 là ngày không có thật\nNội dung bài.\n")
    undated: list = []
    (article,) = iter_articles([tmp_path], [], [], undated=undated)
    assert (article.title, article.body, undated) == ("2019-02-31 là ngày không có thật", "Nội dung bài.", [])


def test_chrome_words_inside_body_sentences_are_kept(tmp_path):
    body = ("Bình luận về vụ việc, đại diện công ty cho rằng hệ thống captcha đã bị vượt qua dễ dàng.\n"
            "Ông cho biết an toàn giao thông là ưu tiên, xem thêm tại báo cáo năm.")
    write(tmp_path / "bai.txt", f"Tin tặc tấn công trang bán vé\n01/02/2020\n{body}\nAn toàn giao thông\n")
    (article,), _ = load(tmp_path)
    assert article.body == body


def test_menu_heading_mid_article_is_kept_but_trailing_menu_dropped(tmp_path):
    text = ("Tiêu đề\n01/02/2020\nĐoạn mở đầu của bài viết.\nAn toàn giao thông\n"
            "Đoạn tiếp theo dài hơn sáu chữ nói về an toàn giao thông đường bộ.\n"
            "HẢI NAM\nVideo clip\nPhóng sự ảnh\n")
    write(tmp_path / "bai.txt", text)
    (article,), _ = load(tmp_path)
    assert article.body == ("Đoạn mở đầu của bài viết.\nAn toàn giao thông\n"
                            "Đoạn tiếp theo dài hơn sáu chữ nói về an toàn giao thông đường bộ.")
    assert article.author == "HẢI NAM"


def test_related_links_heading_ends_article(tmp_path):
    write(tmp_path / "bai.txt", "Tiêu đề\nNội dung chính của bài.\nTin liên quan:\n"
                                "Một bài báo khác với tiêu đề dài về chuyện khác hoàn toàn\n")
    (article,), _ = load(tmp_path)
    assert article.body == "Nội dung chính của bài."


def test_sentence_at_end_is_not_a_byline(tmp_path):
    write(tmp_path / "bai.txt", "Tiêu đề\nĐoạn một.\nTrời mưa to.\n")
    (article,), _ = load(tmp_path)
    assert (article.author, article.body) == ("", "Đoạn một.\nTrời mưa to.")


def test_subfolder_ids_are_posix_relative_paths_in_sorted_order(tmp_path):
    write(tmp_path / "b" / "c" / "bai-2.txt", "Tiêu đề hai\nNội dung hai.")
    write(tmp_path / "a.txt", "Tiêu đề một\nNội dung một.")
    write(tmp_path / "b" / "khong-duoi", "Tiêu đề ba\nNội dung ba.")
    write(tmp_path / "b" / "anh.png", "không đọc")
    write(tmp_path / ".an" / "x.txt", "Ẩn\nKhông đọc.")
    write(tmp_path / "b" / ".nhap.txt", "Ẩn\nKhông đọc.")
    found, skipped = load(tmp_path)
    assert [a.id for a in found] == [f"{tmp_path.name}/{rel}" for rel in ("a.txt", "b/c/bai-2.txt", "b/khong-duoi")]
    assert skipped == []


def test_single_file_source_id_is_its_folder_and_name(tmp_path):
    path = write(tmp_path / "sub" / "bai.txt", ARTICLE)
    (article,), _ = load(path)
    assert article.id == "sub/bai.txt"
    assert article.origin == str(path)


def test_symlink_loop_is_followed_once(tmp_path):
    write(tmp_path / "tin" / "bai.txt", ARTICLE)
    (tmp_path / "tin" / "vong").symlink_to(tmp_path / "tin")
    (tmp_path / "tin" / "len").symlink_to(tmp_path)
    found, skipped = load(tmp_path)
    assert [a.id for a in found] == [f"{tmp_path.name}/tin/bai.txt"]
    assert skipped == []


def test_broken_symlink_is_skipped(tmp_path):
    (tmp_path / "mat.txt").symlink_to(tmp_path / "khong-co.txt")
    found, skipped = load(tmp_path)
    assert found == [] and [s.where for s in skipped] == [str(tmp_path / "mat.txt")]


def test_same_file_name_in_two_sources_keeps_both(tmp_path):
    write(tmp_path / "x" / "bai.txt", "Bài thứ nhất\nNội dung.")
    write(tmp_path / "y" / "bai.txt", "Bài thứ hai\nNội dung.")
    found, skipped = load(tmp_path / "x", tmp_path / "y")
    assert [(a.id, a.title) for a in found] == [("x/bai.txt", "Bài thứ nhất"), ("y/bai.txt", "Bài thứ hai")]
    assert skipped == []


def test_duplicate_ids_keep_the_first_and_name_it(tmp_path):
    first = write(tmp_path / "2023" / "tin" / "bai.txt", "Bài thứ nhất\nNội dung.")
    write(tmp_path / "2024" / "tin" / "bai.txt", "Bài thứ hai\nNội dung.")
    found, skipped = load(tmp_path / "2023" / "tin", tmp_path / "2024" / "tin")
    assert [a.title for a in found] == ["Bài thứ nhất"]
    assert skipped == [Skip(str(tmp_path / "2024" / "tin" / "bai.txt"),
                            f"duplicate id 'tin/bai.txt', first read from {first}")]


# ----------------------------------------------------------------------------- decoding

def test_utf8_bom_and_crlf(tmp_path):
    write(tmp_path / "bai.txt", "\ufeffTiêu đề\r\n17/11/2019\r\nNội dung.\r\n")
    (article,), _ = load(tmp_path)
    assert (article.title, article.body) == ("Tiêu đề", "Nội dung.")


def test_utf16_with_bom(tmp_path):
    write(tmp_path / "bai.txt", "\ufeff" + ARTICLE, encoding="utf-16-le")
    (article,), skipped = load(tmp_path)
    assert skipped == []
    assert article.title == "Hà Nội khởi công cầu vượt nút giao Mai Dịch"
    assert article.author == "NGỌC THÀNH"


def test_windows_1258_vietnamese(tmp_path):
    (tmp_path / "bai.txt").write_bytes(cp1258_bytes(ARTICLE))
    assert b"\xec" in (tmp_path / "bai.txt").read_bytes()     # a combining tone mark byte
    (article,), skipped = load(tmp_path)
    assert skipped == []
    assert article.title == "Hà Nội khởi công cầu vượt nút giao Mai Dịch"
    assert unicodedata.is_normalized("NFC", article.body)
    assert "hoàn thành trong 12 tháng" in article.body


def test_nfd_text_becomes_nfc(tmp_path):
    write(tmp_path / "bai.txt", unicodedata.normalize("NFD", ARTICLE))
    (article,), _ = load(tmp_path)
    assert article.title == "Hà Nội khởi công cầu vượt nút giao Mai Dịch"
    assert all(unicodedata.is_normalized("NFC", t) for t in (article.title, article.body, article.author))


def test_binary_png_renamed_txt_is_skipped(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    (tmp_path / "anh.txt").write_bytes(png)
    found, skipped = load(tmp_path)
    assert found == []
    assert len(skipped) == 1 and skipped[0].where == str(tmp_path / "anh.txt")
    assert "not text" in skipped[0].reason


def test_latin1_non_vietnamese_bytes_are_skipped(tmp_path):
    (tmp_path / "bai.txt").write_bytes("Café crème à Paris\nTrès bien.".encode("latin-1"))
    found, skipped = load(tmp_path)
    assert found == [] and "not text" in skipped[0].reason


def test_empty_and_blank_files_are_skipped(tmp_path):
    (tmp_path / "rong.txt").write_bytes(b"")
    write(tmp_path / "trang.txt", " \n\n\t\n")
    found, skipped = load(tmp_path)
    assert found == []
    assert sorted(skipped) == [Skip(str(tmp_path / "rong.txt"), "empty file"),
                               Skip(str(tmp_path / "trang.txt"), "empty file")]


def test_50mb_file_is_skipped_unread_and_too_long_article_is_read_whole(tmp_path):
    paragraph = " ".join(["Đây là một đoạn văn bản tiếng Việt khá dài dùng để kiểm tra."] * 40)
    count = 50 * 1024 * 1024 // len(paragraph.encode()) + 1
    big = "Bài rất dài\n17/11/2019\n" + (paragraph + "\n") * count
    assert write(tmp_path / "dai.txt", big).stat().st_size > 50 * 1024 * 1024
    found, skipped = load(tmp_path)
    assert found == [] and skipped[0].where == str(tmp_path / "dai.txt")
    assert skipped[0].reason.startswith("file too large (")
    (tmp_path / "dai.txt").unlink()
    limit = articles.MAX_ARTICLE_CHARS
    write(tmp_path / "vua.txt", "Vừa đủ\n" + "a" * (limit - len("Vừa đủ")))
    write(tmp_path / "qua.txt", "Quá dài\n" + "a" * (limit - len("Quá dài") + 1))
    skipped, truncated = [], []
    found = list(iter_articles([tmp_path], skipped, truncated))
    assert [a.id for a in found] == [f"{tmp_path.name}/qua.txt", f"{tmp_path.name}/vua.txt"]
    assert len(found[0].body) == limit - len("Quá dài") + 1 and skipped == []
    assert truncated == [Truncated(str(tmp_path / "qua.txt"), limit + 1)]


def test_unreadable_file_is_skipped(tmp_path, monkeypatch):
    write(tmp_path / "a.txt", "Tiêu đề\nNội dung.")
    write(tmp_path / "b.txt", "Tiêu đề khác\nNội dung khác.")

    def deny(path, *args, **kwargs):
        if str(path).endswith("a.txt"):
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kwargs)

    monkeypatch.setattr(articles, "open", deny, raising=False)
    found, skipped = load(tmp_path)
    assert [a.id for a in found] == [f"{tmp_path.name}/b.txt"]
    assert skipped == [Skip(str(tmp_path / "a.txt"), "cannot read: Permission denied")]


# ----------------------------------------------------------------------------- sources

def test_missing_source_raises(tmp_path):
    missing = tmp_path / "khong-co"
    with pytest.raises(SourceError, match=f"source not found: {missing}"):
        iter_articles([missing])


def test_single_string_source_is_accepted():
    assert [a.id for a in iter_articles(str(SEED))] == ["seeds/" + SEED.name]


# ----------------------------------------------------------------------------- JSONL

def test_jsonl_fields_and_bad_lines(tmp_path):
    path = write_jsonl(tmp_path / "tin.jsonl", [
        {"id": 7, "title": "Tiêu đề", "body": ["Câu một.", "Câu hai."], "sapo": "Tóm tắt",
         "date": "2019-11-17T03:39:00+00:00", "url": "https://vd.vn/7", "category": "Thời sự",
         "source": "VnExpress", "author": ["Minh Khoa", "Hải Nam"], "extra": {"x": 1}},
        "không phải JSON",
        [1, 2, 3],
        {"title": "Không có id", "body": "Nội dung"},
        {"id": "rong", "title": "", "body": None},
        "",
        {"id": "chi-than", "title": "", "body": "Chỉ có thân bài.", "abstract": "Tóm tắt khác"},
        b'{"id": "x", "title": "\xff\xfe", "body": "a"}',
        {"id": "ngay", "title": "Ngày", "body": "Nội dung", "published": "Thứ hai, 17/11/2019 10:39 (GMT+7)",
         "summary": 42},
    ])
    found, skipped = load(path)
    first = found[0]
    assert first == Article(id="7", title="Tiêu đề", body="Câu một.\nCâu hai.", lead="Tóm tắt",
                            date=datetime(2019, 11, 17, 10, 39), url="https://vd.vn/7",
                            source="VnExpress", category="Thời sự", author="Minh Khoa, Hải Nam",
                            origin=str(path))
    assert [(a.id, a.title, a.lead) for a in found[1:]] == [
        ("chi-than", "", "Tóm tắt khác"), ("ngay", "Ngày", "42")]
    assert found[2].date == datetime(2019, 11, 17, 10, 39)
    where = [s.where for s in skipped]
    assert where == [f"{path}:{n}" for n in (2, 3, 4, 5, 8)]
    reasons = [s.reason for s in skipped]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1].startswith("not a JSON object")
    assert reasons[2:4] == ["missing id", "no title or body"]
    assert reasons[4].startswith("invalid UTF-8")



def test_a_later_record_of_an_id_in_the_same_file_replaces_the_earlier(tmp_path):
    story = {"id": "nr-1", "title": "Bão đổ bộ Quảng Ngãi", "body": "Tin đầu."}
    path = write_jsonl(tmp_path / "tin.jsonl.gz", [
        story, {"id": "nr-2", "title": "Giá xăng giảm", "body": "Tin khác."}, dict(story, title="Bão đổ bộ Quảng Nam"),
        {"id": "nr-2", "title": "", "body": ""}, dict(story, title="Bão đổ bộ Quảng Nam (bản cuối)")], compress=True)
    skipped, replaced = [], []
    found = list(iter_articles([path], skipped, replaced=replaced))
    assert [(a.id, a.title) for a in found] == [("nr-2", "Giá xăng giảm"), ("nr-1", "Bão đổ bộ Quảng Nam (bản cuối)")]
    assert replaced == [Replaced(f"{path}:1", f"{path}:3", "nr-1"), Replaced(f"{path}:3", f"{path}:5", "nr-1")]
    assert skipped == [Skip(f"{path}:4", "no title or body")]     # a broken correction replaces nothing


def exports(tmp_path, older: list, newer: list, names=("export-2024-09-10.jsonl", "export-2024-09-11.jsonl"),
            seconds=(1_725_958_800, 1_726_045_200)) -> tuple:
    """Two JSONL exports: older's records in names[0] modified at seconds[0], newer's in names[1] at seconds[1]."""
    paths = tuple(write_jsonl(tmp_path / name, records) for name, records in zip(names, (older, newer)))
    for path, at in zip(paths, seconds):
        os.utime(path, (at, at))
    return paths


@pytest.mark.parametrize("names, seconds", [
    (("export-2024-09-10.jsonl", "export-2024-09-11.jsonl"), (1_725_958_800, 1_726_045_200)),
    (("b.jsonl", "a.jsonl"), (1_725_958_800, 1_726_045_200)),  # modified later, though named before
    (("a.jsonl", "b.jsonl"), (1_725_958_800, 1_725_958_800)),  # the same time: the later path
])
@pytest.mark.parametrize("newer_first", [False, True])
def test_the_record_of_an_id_in_the_newer_export_replaces_the_older_exports(tmp_path, names, seconds, newer_first):
    story = {"id": "nr-1", "title": "Bão đổ bộ Quảng Ngãi", "body": "Tin đầu."}
    other = {"id": "nr-2", "title": "Giá xăng giảm", "body": "Tin khác."}
    older, newer = exports(tmp_path, [story, other], [dict(story, title="Bão đổ bộ Quảng Nam"),
                                                      dict(story, title="Bão đổ bộ Quảng Nam (bản cuối)")],
                           names, seconds)
    skipped, replaced = [], []
    found = iter_articles([newer, older] if newer_first else [older, newer], skipped, replaced=replaced)
    assert sorted((a.id, a.title, a.where) for a in found) == [
        ("nr-1", "Bão đổ bộ Quảng Nam (bản cuối)", f"{newer}:2"), ("nr-2", "Giá xăng giảm", f"{older}:2")]
    assert sorted(replaced) == sorted([Replaced(f"{newer}:1", f"{newer}:2", "nr-1"),
                                       Replaced(f"{older}:1", f"{newer}:2", "nr-1")])
    assert skipped == []


@pytest.mark.parametrize("broken", ['{"id": "nr-1", "title": "Bão đổ bộ Quảng Nam", "body": }',
                                    {"id": "nr-1", "title": "", "body": ""}])
def test_a_record_of_the_newer_export_that_cannot_be_read_replaces_nothing(tmp_path, broken):
    story = {"id": "nr-1", "title": "Bão đổ bộ Quảng Ngãi", "body": "Tin đầu."}
    older, newer = exports(tmp_path, [story], [broken, {"id": "nr-2", "title": "Giá xăng giảm", "body": "Tin khác."}])
    skipped, replaced = [], []
    found = list(iter_articles([tmp_path], skipped, replaced=replaced))
    assert sorted((a.id, a.title) for a in found) == [("nr-1", "Bão đổ bộ Quảng Ngãi"), ("nr-2", "Giá xăng giảm")]
    assert replaced == [] and [s.where for s in skipped] == [f"{newer}:1"]



@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("newer_first", [False, True])
def test_a_broken_newer_record_leaves_the_older_exports_of_several_ids(tmp_path, compress, newer_first):
    stories = [{"id": f"nr-{n}", "title": f"Tin số {n}", "body": "Tin đầu."} for n in range(1, 5)]
    broken = ['{"id": "nr-3", "title": "Tin số 3", "body": }', dict(stories[1], title="Sửa"),
              {"id": "nr-1", "title": "", "body": ""}, dict(stories[3], title="Sửa")]
    names = [f"export-2024-09-1{day}.jsonl" + (".gz" if compress else "") for day in (0, 1)]
    older, newer = (write_jsonl(tmp_path / name, records, compress) for name, records in zip(names, (stories, broken)))
    os.utime(older, (1_725_958_800, 1_725_958_800))
    skipped, replaced = [], []
    found = iter_articles([newer, older] if newer_first else [older, newer], skipped, replaced=replaced)
    assert sorted((a.id, a.title, a.where) for a in found) == [
        ("nr-1", "Tin số 1", f"{older}:1"), ("nr-2", "Sửa", f"{newer}:2"),
        ("nr-3", "Tin số 3", f"{older}:3"), ("nr-4", "Sửa", f"{newer}:4")]
    assert sorted(replaced) == [Replaced(f"{older}:2", f"{newer}:2", "nr-2"),
                                Replaced(f"{older}:4", f"{newer}:4", "nr-4")]
    assert sorted(s.where for s in skipped) == [f"{newer}:1", f"{newer}:3"]


@pytest.mark.parametrize("compress", [False, True])
def test_records_held_in_a_file_whose_corrections_are_broken_come_back_in_the_order_the_file_gives(tmp_path,
                                                                                                  compress):
    first, second = ({"id": f"nr-{n}", "title": f"Tin số {n}", "body": "Tin đầu."} for n in (1, 2))
    path = write_jsonl(tmp_path / ("tin.jsonl.gz" if compress else "tin.jsonl"), [
        first, second, {"id": "nr-2", "title": "", "body": ""}, '{"id": "nr-1", "body": }'], compress=compress)
    skipped, replaced = [], []
    found = list(iter_articles([path], skipped, replaced=replaced))
    assert [(a.id, a.where) for a in found] == [("nr-2", f"{path}:2"), ("nr-1", f"{path}:1")]
    assert [s.where for s in skipped] == [f"{path}:3", f"{path}:4"] and replaced == []


def test_an_older_export_changed_while_it_was_read_is_a_skip_not_another_story(tmp_path):
    story = {"id": "nr-1", "title": "Bão đổ bộ Quảng Ngãi", "body": "Tin đầu."}
    other = {"id": "nr-2", "title": "Giá xăng giảm", "body": "Tin khác."}
    older, newer = exports(tmp_path, [story, other], ['{"id": "nr-1", "body": }', dict(other, id="nr-3")])
    skipped = []
    found = iter_articles([older, newer], skipped)
    assert next(found).id == "nr-2"                       # nr-1 is held until the newer export is read
    write_jsonl(older, [dict(other, id="nr-4"), other])   # the newsroom rewrites the older export meanwhile
    assert [a.id for a in found] == ["nr-3"]
    assert Skip(f"{older}:1", "changed while read: no longer the record of id 'nr-1'") in skipped

def test_a_text_article_of_the_same_id_in_a_same_named_folder_keeps_the_first_read(tmp_path):
    first = tmp_path / "2024" / "tin" / "x.txt"
    second = tmp_path / "2023" / "tin" / "x.txt"
    for path, title in ((first, "Bản năm 2024"), (second, "Bản năm 2023")):
        path.parent.mkdir(parents=True)
        path.write_text(f"{title}\nThân bài.\n", encoding="utf-8")
    os.utime(first, (1_725_958_800, 1_725_958_800))  # older: modification times do not decide text ids
    skipped, replaced = [], []
    found = list(iter_articles([first.parent, second.parent], skipped, replaced=replaced))
    assert [a.title for a in found] == ["Bản năm 2024"] and replaced == []
    assert skipped == [Skip(str(second), f"duplicate id 'tin/x.txt', first read from {first}")]


@pytest.mark.parametrize("value, expected", [
    ("2019-11-17", datetime(2019, 11, 17)),
    ("2019-11-17T10:39:00", datetime(2019, 11, 17, 10, 39)),
    ("2019-11-17T03:39:00Z", datetime(2019, 11, 17, 10, 39)),
    ("2019-11-17T10:39:00+07:00", datetime(2019, 11, 17, 10, 39)),
    ("2019-11-16 22:39:00-05:00", datetime(2019, 11, 17, 10, 39)),
    ("10:39 17/11/2019", datetime(2019, 11, 17, 10, 39)),
    (1573962000, datetime(2019, 11, 17, 10, 40)),
    ("hôm qua", None), ("", None), (None, None), (["2019"], None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_jsonl_gz_and_nfc_and_bom(tmp_path):
    record = {"id": "a", "title": unicodedata.normalize("NFD", "Thuỷ điện"), "body": "Nội dung"}
    path = tmp_path / "tin.jsonl.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + json.dumps(record).encode() + b"\n"))
    (article,), skipped = load(path)
    assert skipped == [] and article.title == "Thuỷ điện"
    assert unicodedata.is_normalized("NFC", article.title)


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    lines = [{"id": i, "title": f"Bài {i}", "body": "Nội dung " * 50 + str(i)} for i in range(2000)]
    whole = write_jsonl(tmp_path / "du.jsonl", lines, compress=True).read_bytes()
    (tmp_path / "du.jsonl").unlink()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    found, skipped = load(cut)
    assert 0 < len(found) < 2000
    assert [a.id for a in found] == [str(i) for i in range(len(found))]
    assert len(skipped) == 1 and "truncated" in skipped[0].reason
    assert skipped[0].where.startswith(f"{cut}:")


def test_not_gzip_and_empty_jsonl(tmp_path):
    (tmp_path / "gia.jsonl.gz").write_bytes(b'{"id": 1, "title": "a", "body": "b"}\n')
    (tmp_path / "rong.jsonl").write_bytes(b"")
    found, skipped = load(tmp_path)
    assert found == []
    assert skipped[0].where == str(tmp_path / "gia.jsonl.gz")
    assert skipped[1] == Skip(str(tmp_path / "rong.jsonl"), "empty file")


def test_jsonl_in_utf16_or_windows_1258_reads_as_in_utf8(tmp_path):
    """As docs/input.md says of every file: UTF-8, UTF-16 (a JSONL file with or without a BOM, as some
    Windows exporters write it), or Vietnamese Windows-1258."""
    (seed,), _ = load(SEED)
    (city,), _ = load(write(tmp_path / "city.txt", ARTICLE))
    text = "".join(json.dumps({"id": a.id, "title": a.title, "body": a.body, "date": a.date.isoformat()},
                              ensure_ascii=False) + "\n" for a in (seed, city))
    encodings = {"utf8.jsonl": text.encode(), "utf16.jsonl": text.encode("utf-16"),
                 "utf16be.jsonl": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
                 "utf16.jsonl.gz": gzip.compress(text.encode("utf-16")), "cp1258.jsonl": cp1258_bytes(text),
                 "utf16le-nobom.jsonl": text.encode("utf-16-le"), "utf16be-nobom.jsonl.gz": gzip.compress(text.encode("utf-16-be"))}
    read = {}
    for name, data in encodings.items():
        (tmp_path / name).write_bytes(data)
        found, skipped = load(tmp_path / name)
        assert skipped == [], name
        read[name] = [(a.id, a.title, a.body, a.date) for a in found]
    assert read["utf8.jsonl"][0][:2] == (seed.id, SEED_TITLE)
    assert all(found == read["utf8.jsonl"] for found in read.values()), read


def test_a_utf16_jsonl_cut_in_the_middle_keeps_its_whole_lines(tmp_path):
    records = [{"id": f"b{n}", "title": f"Bão số {n}", "body": "Mưa lớn ở miền Trung."} for n in range(4)]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-16")
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) * 5 // 8 + 1])  # an odd length: half a UTF-16 character at the end
    found, skipped = load(cut)
    assert [a.id for a in found] == ["b0", "b1"]
    assert [s.where for s in skipped] == [f"{cut}:3"] and "rest skipped" in skipped[0].reason


def test_a_bad_json_line_is_named_in_plain_words(tmp_path):
    path = write_jsonl(tmp_path / "tin.jsonl", ['{"id": "a", "title": "Bão\tlớn"}', "null", "[1]", '"Bão"', "42",
                                                "true"])
    _, skipped = load(path)
    assert [s.reason for s in skipped] == [
        "invalid JSON: Invalid control character at character 26", "not a JSON object: null",
        "not a JSON object: an array", "not a JSON object: a string", "not a JSON object: a number",
        "not a JSON object: true"]


def test_an_unusable_id_says_what_it_is(tmp_path):
    lines = [{"title": "Bão", "body": "Mưa"}] + [{"id": v, "title": "Bão", "body": "Mưa"} for v in
                                                  (None, " ", True, [1], {"so": 1})]
    _, skipped = load(write_jsonl(tmp_path / "tin.jsonl", lines))
    assert [s.reason for s in skipped] == [
        "missing id", "missing id", "empty id", "id must be text or a number, not true",
        "id must be text or a number, not an array", "id must be text or a number, not an object"]


def test_a_title_body_or_lead_that_is_no_text_skips_the_record_saying_what_it_is(tmp_path):
    lines = [{"id": "a", "title": {"rendered": "Bão"}, "body": "Mưa"},
             {"id": "b", "title": "Bão", "body": [{"p": "Mưa"}]},
             {"id": "c", "title": True, "body": "Mưa"},
             {"id": "d", "title": "Bão", "body": "Mưa", "sapo": {"text": "Tóm tắt"}},
             {"id": "e", "title": 2019, "body": ["Mưa", 5], "sapo": None},
             {"id": "f", "title": "Bão", "body": "Mưa", "sapo": "Tóm tắt", "summary": {"x": 1}}]  # not read
    path = write_jsonl(tmp_path / "tin.jsonl", lines)
    found, skipped = load(path)
    assert [(a.id, a.title, a.body, a.lead) for a in found] == [("e", "2019", "Mưa\n5", ""),
                                                                ("f", "Bão", "Mưa", "Tóm tắt")]
    assert skipped == [Skip(f"{path}:1", "title must be text, not an object"),
                       Skip(f"{path}:2", "body must be text, not an object"),
                       Skip(f"{path}:3", "title must be text, not true"),
                       Skip(f"{path}:4", "sapo must be text, not an object")]


def test_a_lone_surrogate_escape_is_replaced_and_the_article_kept(tmp_path):
    """JSON may escape half of a character (an exporter cut an emoji in two); no file can hold it."""
    path = tmp_path / "tin.jsonl"
    path.write_text('{"id": "a\\udc00", "title": "Bão \\ud83c lớn", "body": ["Mưa \\udfff to"], "author": "\\ud800"}\n')
    (article,), skipped = load(path)
    assert skipped == []
    assert (article.id, article.title, article.body, article.author) == ("a\ufffd", "Bão \ufffd lớn", "Mưa \ufffd to",
                                                                         "\ufffd")


def test_a_date_that_cannot_be_read_is_reported_with_its_line(tmp_path):
    path = write_jsonl(tmp_path / "tin.jsonl", [
        {"id": "a", "title": "Bão", "body": "Mưa", "date": "31/02/2017 10:00"},
        {"id": "b", "title": "Bão", "body": "Mưa", "date": "", "published": "27 tháng 5"},
        {"id": "c", "title": "Bão", "body": "Mưa", "date": "32/13/2017", "published": "2017-05-27"},
        {"id": "d", "title": "Bão", "body": "Mưa", "date": [2017, 5]},
        {"id": "e", "title": "Bão", "body": "Mưa", "date": None, "published": " "}])
    undated: list = []
    found = list(iter_articles([path], [], [], undated=undated))
    assert [a.date for a in found] == [None, None, datetime(2017, 5, 27), None, None]
    assert undated == [Undated(f"{path}:1", "31/02/2017 10:00"), Undated(f"{path}:2", "27 tháng 5"),
                       Undated(f"{path}:4", "[2017, 5]")]


def test_epoch_seconds_exported_as_text_are_read_as_the_number_is(tmp_path):
    """A JSONL date of epoch seconds written as a string ("1573962000") had been "not understood",
    while the warning listed epoch seconds among the forms read; 8 digits stay a YYYYMMDD, unread."""
    path = write_jsonl(tmp_path / "tin.jsonl", [
        {"id": "a", "title": "Bão", "body": "Mưa", "date": "1573962000"},
        {"id": "b", "title": "Bão", "body": "Mưa", "date": "1573962000000"},
        {"id": "c", "title": "Bão", "body": "Mưa", "published": " 1573962000 "},
        {"id": "d", "title": "Bão", "body": "Mưa", "date": "20191117"}])
    undated: list = []
    found = list(iter_articles([path], [], [], undated=undated))
    assert [a.date for a in found] == [datetime(2019, 11, 17, 10, 40)] * 3 + [None]
    assert undated == [Undated(f"{path}:4", "20191117")]


def test_a_placeholder_date_outside_the_years_of_news_is_reported_and_the_article_indexed_undated(tmp_path):
    next_year = datetime.now().year + 1
    path = write_jsonl(tmp_path / "tin.jsonl", [
        {"id": "a", "title": "Bão", "body": "Mưa", "date": "0001-01-01"},
        {"id": "b", "title": "Bão", "body": "Mưa", "date": "9999-12-31T23:59:59-05:00"},
        {"id": "c", "title": "Bão", "body": "Mưa", "date": "1899-12-31", "published": "1900-01-01"},
        {"id": "d", "title": "Bão", "body": "Mưa", "date": f"31/12/{next_year}"},
        {"id": "e", "title": "Bão", "body": "Mưa", "date": f"01/01/{next_year + 1}"}])
    write(tmp_path / "bai.txt", "Tiêu đề\nThứ hai, 01/01/0001 08:00 (GMT+7)\nNội dung bài.\n")
    undated: list = []
    found = list(iter_articles([path, tmp_path / "bai.txt"], [], [], undated=undated))
    assert [a.date for a in found] == [None, None, datetime(1900, 1, 1), datetime(next_year, 12, 31), None, None]
    assert [a.body for a in found][-1] == "Nội dung bài."
    assert undated == [Undated(f"{path}:1", "0001-01-01"), Undated(f"{path}:2", "9999-12-31T23:59:59-05:00"),
                       Undated(f"{path}:5", f"01/01/{next_year + 1}"),
                       Undated(str(tmp_path / "bai.txt"), "Thứ hai, 01/01/0001 08:00 (GMT+7)")]


def test_files_in_a_folder_that_hold_no_articles_are_counted(tmp_path):
    write(tmp_path / "tin" / "a.txt", ARTICLE)
    write(tmp_path / "tin" / "2020" / "b", ARTICLE.replace("Mai Dịch", "Cầu Giấy"))
    for name in ("ghi-chu.md", "2020/anh.JPG", "2020/anh2.jpg", "bai.json", ".DS_Store"):
        write(tmp_path / "tin" / name, "{}")
    ignored = Counter()
    found = list(iter_articles([tmp_path / "tin"], [], ignored=ignored))
    assert len(found) == 2 and ignored == {".jpg": 2, ".md": 1, ".json": 1}


def test_an_index_folder_is_not_read_as_articles(tmp_path):
    """Its CURRENT, FORMAT and ANALYSIS files have no extension, as text articles; `build tin --index tin/ix`."""
    write(tmp_path / "tin" / "a.txt", ARTICLE)
    indexer.build_index([SEED], tmp_path / "tin" / "ix", procs=0)
    assert [a.id for a in iter_articles([tmp_path / "tin"])] == ["tin/a.txt"]
    with pytest.raises(SourceError, match="is an index folder, not articles"):
        list(iter_articles([tmp_path / "tin" / "ix"]))


def test_folder_mixes_text_and_jsonl(tmp_path):
    write(tmp_path / "a.txt", ARTICLE)
    write_jsonl(tmp_path / "b.jsonl", [{"id": "j1", "title": "Tin JSON", "body": "Nội dung"}])
    found, skipped = load(tmp_path)
    assert [a.id for a in found] == [f"{tmp_path.name}/a.txt", "j1"] and skipped == []


# ----------------------------------------------------------------------------- shared corpus

SHARED_COUNTS = {
    "corpus/baomoi.jsonl.gz": 35_431,
    "corpus/vietnews-test.jsonl.gz": 22_497,
    "corpus/vietnews-train.jsonl.gz": 99_139,
    "corpus/vietnews-val.jsonl.gz": 22_184,
    "eval/dev/baomoi-sapo/pool.jsonl.gz": 5_000,
    "eval/dev/baomoi-title/pool.jsonl.gz": 5_000,
    "eval/dev/vietnews-abstract/pool.jsonl.gz": 5_000,
    "eval/dev/vietnews-title/pool.jsonl.gz": 5_000,
}


@pytest.mark.parametrize("name", sorted(SHARED_COUNTS))
def test_shared_corpus_loads_without_skips(name):
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared corpus file {path} not present (../shared is optional)")
    skipped: list = []
    count = sum(1 for _ in iter_articles([path], skipped))
    assert skipped == []
    assert count == SHARED_COUNTS[name]
