"""indexer.segmenter must segment exactly as pyvi's ViTokenizer.tokenize does, with spans."""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from indexer import segmenter
from indexer.segmenter import iter_segments, segment

ViTokenizer = pytest.importorskip("pyvi.ViTokenizer").ViTokenizer

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"

SENTENCES = [
    "",
    "   ",
    "\n",
    "!",
    "?!... ==> -> >> (…) «»",
    "Nghị quyết",
    "Thủ tướng Chính phủ yêu cầu các bộ, ngành khẩn trương triển khai Nghị quyết số 28-NQ/TU.",
    "Ngày 17/11/2019, UBND TP.HCM đã họp bàn về dự án metro Bến Thành - Suối Tiên.",
    "Bệnh nhân COVID-19 thứ 1.234 đã xuất viện lúc 9h30 sáng 3-4-2020, theo Bộ Y tế.",
    "Giá vàng SJC tăng 150.000 đồng/lượng, lên 56,5 triệu đồng; USD/VND ở mức 23.180.",
    "Liên hệ: ban.bien.tap@baomoi.vn hoặc https://www.baomoi.com/tin-moi/c/1.epi?x=1&y=2.",
    "Mr. Smith, Mrs. Lan, Ms. Hoa, Dr. Nam, ThS. Minh và Tp. Hồ Chí Minh.",
    "HÀ NỘI - ĐỘI TUYỂN VIỆT NAM GIÀNH CHIẾN THẮNG 3-0 TRƯỚC THÁI LAN tại SEA Games 30.",
    "iPhone 11 Pro Max, Samsung Galaxy S10+ và Vsmart Live được bán tại TGDĐ.",
    "Ông Nguyễn Xuân Phúc\ncho biết:\n\n\"Chúng ta phải làm ngay.\"\t(ảnh: TTXVN)",
    "anh ấy nói rằng Hà Nội mùa thu rất đẹp, nhưng mà hà nội mùa đông thì lạnh lắm",
    "Điều 5 Luật số 59/2014/QH13 quy định: a) ... b) ...; c) ___ _x_ 3_000",
    "Tỷ lệ tăng trưởng GDP quý III/2019 đạt 7,31%, cao nhất kể từ năm 2011.",
    "từ_khóa đã_nối sẵn và #hashtag @mention $100 50% 1st 2nd",
    "Xuân Thu  Hạ   Đông ĐẢNG CỘNG SẢN việt nam Quốc hội Đ. A. B.C.D.",
    "NUL\x00giữa chữ và \x00\x00 đầu dòng",
    "日本 Ελλάδα ΣΟΦΊΑ русский עברית العربية ½ ² ⅷ",
]


def rebuild(text: str, segs: list[tuple[int, int, bool]]) -> str:
    """pyvi's tokenize output, rebuilt from segment()'s spans."""
    if not segs:
        return text
    parts = [text[segs[0][0]:segs[0][1]]]
    for start, end, joins in segs[1:]:
        parts.append(("_" if joins else " ") + text[start:end])
    return "".join(parts)


def assert_like_pyvi(text: str) -> None:
    """segment(text) has pyvi's tokens, in order, and pyvi's joins."""
    segs = segment(text)
    assert [text[s:e] for s, e, _ in segs] == ViTokenizer.sylabelize(text)[1]
    assert rebuild(text, segs) == ViTokenizer.tokenize(text)


@pytest.mark.parametrize("text", SENTENCES)
def test_hand_written_sentences_match_pyvi(text):
    assert_like_pyvi(unicodedata.normalize("NFC", text))


def test_spans_are_ordered_and_index_the_given_text():
    text = SENTENCES[13] + "\n" + SENTENCES[9]
    segs = segment(text)
    assert all(0 <= s < e <= len(text) for s, e, _ in segs)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(segs))
    assert not segs[0][2]
    assert all(isinstance(j, bool) for _, _, j in segs)


def test_known_words_are_joined():
    text = "Nghị quyết của Quốc hội về phát triển kinh tế"
    words = rebuild(text, segment(text)).split()
    assert "Nghị_quyết" in words and "Quốc_hội" in words and "kinh_tế" in words


def test_punctuation_digits_and_case_rules_never_join():
    text = "Hà Nội, 17/11/2019: COVID-19 và TP.HCM - nghị quyết 28-NQ/TU"
    segs = segment(text)
    for (ps, pe, _), (s, e, joins) in zip(segs, segs[1:]):
        prev, cur = text[ps:pe], text[s:e]
        if cur[0].isdigit() or prev[0].isdigit() or not cur[0].isalnum() or not prev[0].isalnum():
            assert not joins, (prev, cur)


def long_text(n_sentences: int) -> str:
    """A long text of varied sentences, with and without newlines."""
    body = [s for s in SENTENCES if s.strip()]
    return "\n".join(" ".join(body[(i + k) % len(body)] for k in range(3))
                     for i in range(n_sentences))


def test_very_long_text_matches_pyvi_as_one_sequence():
    text = long_text(500)  # about 24,000 tokens, tagged by pyvi as one sequence
    assert len(segment(text)) > 20_000
    assert_like_pyvi(text)


@pytest.mark.parametrize("piece_chars", [1, 5, 64, 1000])
def test_piecewise_processing_changes_nothing(monkeypatch, piece_chars):
    texts = [long_text(60), long_text(40).replace("\n", " "), "x" * 3000 + " y", *SENTENCES]
    expected = [segment(t) for t in texts]
    monkeypatch.setattr(segmenter, "PIECE_CHARS", piece_chars)
    assert [segment(t) for t in texts] == expected
    assert [list(iter_segments(t)) for t in texts] == expected


def test_iter_segments_is_lazy_and_equal():
    text = long_text(200)
    it = iter_segments(text)
    assert next(it) == segment(text)[0]
    assert [segment(text)[0], *it] == segment(text)


def test_token_cache_restart_changes_nothing(monkeypatch):
    text = long_text(30)
    expected = segment(text)
    monkeypatch.setattr(segmenter, "CACHE_LIMIT", 3)
    assert segment(text) == expected
    monkeypatch.setattr(segmenter, "PIECE_CHARS", 50)
    assert segment(text) == expected


def test_threads_get_the_same_results():
    texts = [long_text(n) for n in range(1, 40)]
    expected = [segment(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(segment, texts * 3)) == expected * 3


def test_text_pyvi_cannot_handle_still_segments():
    segs = segment("a \ud800 b")  # pyvi fails on lone surrogates; we keep going
    assert [s for s, _, _ in segs] == [0, 2, 4]


def test_import_and_use_are_warning_free_and_skip_sklearn():
    code = ("import sys, indexer.segmenter as s; s.segment('Nghị quyết 28-NQ/TU'); "
            "assert 'sklearn' not in sys.modules and 'pyvi.ViTokenizer' not in sys.modules")
    subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=REPO, check=True)


def corpus_texts(name: str, count: int):
    """NFC title, lead and body of the first `count` articles of a shared corpus file."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus {path} is absent (../shared is only on the team's machines)")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in itertools.islice(f, count):
            article = json.loads(line)
            for field in ("title", "sapo", "abstract", "body"):
                if article.get(field):
                    yield unicodedata.normalize("NFC", article[field])


@pytest.mark.parametrize("name", ["baomoi.jsonl.gz", "vietnews-val.jsonl.gz"])
def test_real_articles_match_pyvi(name):
    mismatches = [t[:80] for t in corpus_texts(name, 100)
                  if rebuild(t, segment(t)) != ViTokenizer.tokenize(t)]
    assert mismatches == []
