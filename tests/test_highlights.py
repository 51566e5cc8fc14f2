"""Highlights mark what matched: accents, tone placement, NFD, multi-syllable words, titles.

Through the Python API, the Flask client and the CLI, on an index of articles written so that
words folding alike (bão/báo/bảo/bạo, thông/thống, giao/giáo, đồng/động) stand side by side.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import pytest
from conftest import REPO

FILLER = ("Theo Trung tâm Dự báo khí tượng thủy văn quốc gia, chính quyền các địa phương cần "
          "bảo đảm an toàn cho người dân, nhất là ở vùng trũng thấp và ven sông. "
          "Lực lượng chức năng cũng sẵn sàng xử lý các vụ bạo lực tại nơi sơ tán. ")
HOA_BINH_BODY = "Thông điệp hoà bình được gửi đi. Cả nước mong HÒA BÌNH lâu dài."
# indexed once for this module (conftest's index_dir, index and index_client)
ARTICLES = [
    {"id": "bao-so-5", "title": "Bão số 5 gây mưa lớn ở Bình Định",
     "body": FILLER * 2 + "Chiều qua, bão số 5 đổ bộ vào Bình Định với sức gió mạnh cấp 10.\n"
             "Nhiều nhà dân được chằng chống trước khi bão tới.",
     "date": "2023-10-02T08:00:00+07:00"},
    {"id": "bao-ve", "title": "Bảo vệ rừng đầu nguồn",
     "body": "Kiểm lâm tăng cường bảo vệ rừng đầu nguồn trong mùa khô."},
    {"id": "tong-thong", "title": "Tổng thống Pháp thăm Việt Nam",
     "body": "Tổng thống Pháp tới Hà Nội. Thông tin về chuyến thăm được đăng trên cổng thông tin Chính phủ."},
    {"id": "giao-thong", "title": "Bộ Giáo dục phối hợp bảo đảm an toàn giao thông",
     "body": "Bộ Giáo dục và Đào tạo cùng Bộ Ngoại giao bàn về an toàn giao thông cho học sinh.\n"
             "Học sinh được học luật giao thông ngay từ lớp một."},
    {"id": "giao-nhiem-vu", "title": "Chính phủ giao nhiệm vụ mới",
     "body": "Thủ tướng giao nhiệm vụ cho Bộ Thông tin và Truyền thông."},
    {"id": "gia-vang", "title": "Giá vàng biến động mạnh",
     "body": "Giá vàng tăng 200.000 đồng mỗi lượng, thị trường biến động mạnh trong phiên sáng."},
    {"id": "nghi-quyet", "title": "Hội nghị bàn về nghị quyết mới",
     "body": "Hội nghị Trung ương thảo luận dự thảo Nghị quyết về phát triển kinh tế biển."},
    {"id": "hoa-binh", "title": "Lễ kỷ niệm ngày Hòa Bình", "body": HOA_BINH_BODY},
    {"id": "doan-van-vuon", "title": "Vụ cưỡng chế ở Tiên Lãng",
     "body": "Khu đầm của gia đình ông Đoàn Văn Vươn ở huyện Tiên Lãng bị cưỡng chế."},
    {"id": "doan-van-hau", "title": "Hậu vệ trẻ",  # pyvi reads "Đoàn_Văn Hậu": the index holds đoàn_văn
     "body": "Đoàn Văn Hậu sinh ngày 19 tháng 4 năm 1999 ở Thái Bình."},
    {"id": "xss-bao", "title": "<script>alert(1)</script> Bão số 9 <img src=x onerror=alert(1)>",
     "body": "Tin bão <b>khẩn cấp</b>: bão số 9 đang vào gần."},
]


def hit(index, query: str, doc_id: str):
    """The hit for doc_id among the results of query."""
    return next(h for h in index.search(query, limit=50) if h.doc_id == doc_id)


def marked(highlight) -> list[str]:
    """The marked words, NFC and lowercase."""
    return [unicodedata.normalize("NFC", w).lower() for w in highlight.marked]


# ---------------------------------------------------------------- accents

def test_accented_word_marks_only_the_same_letters_and_tone(index):
    storm = hit(index, "bão", "bao-so-5")
    assert marked(storm.highlight) == ["bão", "bão"] and marked(storm.title_highlight) == ["bão"]
    assert "<mark>bão</mark> số 5 đổ bộ" in storm.snippet
    assert not re.search(r"<mark>(báo|bảo|bạo)", storm.snippet, re.I)


def test_snippet_shows_the_word_that_matched_past_words_that_fold_alike(index):
    storm = hit(index, "bão", "bao-so-5")
    assert storm.highlight.cut_before and "Dự báo" not in storm.snippet


def test_accentless_word_marks_every_word_folding_alike(index):
    storm = hit(index, "bao", "bao-so-5")
    assert marked(storm.title_highlight) == ["bão"] and "<mark>báo</mark>" in storm.snippet
    assert re.findall("<mark>(.*?)</mark>", index.highlight(FILLER, "bao")) == ["báo", "bảo", "bạo"]


def test_article_matched_only_by_folding_marks_what_folded(index):
    forest = hit(index, "bão", "bao-ve")  # few exact matches, so folded ones join the results
    assert marked(forest.title_highlight) == ["bảo"]


@pytest.mark.parametrize("query, doc_id, wanted, unwanted", [
    ("thông", "tong-thong", ["thông", "thông"], "thống"),
    ("đồng", "gia-vang", ["đồng"], "động"),
])
def test_tone_mark_decides(index, query, doc_id, wanted, unwanted):
    found = hit(index, query, doc_id)
    assert marked(found.highlight) == wanted and unwanted in found.snippet.lower()
    assert f"<mark>{unwanted}" not in found.snippet.lower()
    assert not marked(found.title_highlight)


QUERIES_HOA_BINH = ["hòa bình", "hoà bình", "HOÀ BÌNH", unicodedata.normalize("NFD", "hoà bình")]


@pytest.mark.parametrize("query", QUERIES_HOA_BINH)
def test_either_tone_placement_any_case(index, query):
    found = hit(index, query, "hoa-binh")
    assert marked(found.highlight) == ["hoà bình", "hòa bình"] and marked(found.title_highlight) == ["hòa bình"]
    assert "<mark>HÒA BÌNH</mark>" in found.snippet and "<mark>hoà bình</mark>" in found.snippet


@pytest.mark.parametrize("query", QUERIES_HOA_BINH)
def test_nfd_text_marked_on_its_own_characters(index, query):
    text = unicodedata.normalize("NFD", HOA_BINH_BODY)
    pieces = index.marks(query).fit(text).pieces(text)
    assert "".join(piece for piece, _ in pieces) == text
    assert [unicodedata.normalize("NFC", p) for p, is_marked in pieces if is_marked] == ["hoà bình", "HÒA BÌNH"]
    assert index.highlight(text, query) == unicodedata.normalize(
        "NFD", "Thông điệp <mark>hoà bình</mark> được gửi đi. Cả nước mong <mark>HÒA BÌNH</mark> lâu dài.")


# ---------------------------------------------------------------- multi-syllable words

def test_compound_is_one_mark_and_its_lone_syllables_stay_unmarked(index):
    school = hit(index, "giao thông", "giao-thong")
    assert marked(school.highlight) == ["giao thông", "giao thông"]
    assert marked(school.title_highlight) == ["giao thông"]
    assert "<mark>giao thông</mark>" in school.snippet and "Ngoại giao và" not in school.snippet
    assert "Bộ Ngoại giao bàn" in school.snippet and "<mark>Giáo" not in school.title_html


@pytest.mark.parametrize("doc_id, wanted", [("bao-so-5", ["bão", "bão"]), ("giao-thong", ["giao thông", "giao thông"])])
def test_a_word_on_its_own_marks_alone_beside_a_compound(index, doc_id, wanted):
    assert marked(hit(index, "bão giao thông", doc_id).highlight) == wanted


def test_nghi_quyet_marks_the_word_not_hoi_nghi(index):
    found = hit(index, "nghị quyết", "nghi-quyet")
    assert marked(found.highlight) == ["nghị quyết"] and marked(found.title_highlight) == ["nghị quyết"]
    assert "Hội nghị Trung ương" in found.snippet


def test_a_name_whose_query_words_overlap_is_marked_whole(index):
    # the query reads "Đoàn Văn_Vươn" and the index holds đoàn_văn too: both words mark, joined
    found = hit(index, "Đoàn Văn Vươn", "doan-van-vuon")
    assert marked(found.highlight) == ["đoàn văn vươn"]
    assert marked(hit(index, "Đoàn Văn Vươn", "doan-van-hau").highlight) == ["đoàn văn"]


def test_lone_syllables_marked_when_the_word_is_absent(index):
    found = hit(index, "giao thông", "giao-nhiem-vu")
    assert marked(found.highlight) == ["giao", "thông", "thông"]


def test_phrase_is_one_mark(index):
    found = hit(index, '"an toàn giao thông"', "giao-thong")
    assert marked(found.highlight) == ["an toàn giao thông"]
    assert marked(found.title_highlight) == ["an toàn giao thông"]


def test_article_view_marks_like_the_results(index, index_client):
    page = index_client.get("/article/giao-thong?q=giao thông").get_data(as_text=True)
    assert re.findall(r"<mark>(.*?)</mark>", page) == ["giao thông"] * 3
    page = index_client.get("/article/bao-so-5?q=bão").get_data(as_text=True)
    assert set(re.findall(r"<mark>(.*?)</mark>", page)) == {"Bão", "bão"}
    assert index.highlight("Dự báo bão", "bão") == "Dự báo <mark>bão</mark>"


def test_marks_sent_elsewhere_carry_no_compiled_patterns_and_mark_alike(index):
    """A cluster's shards send their Marks to the front: pickled without the patterns they compiled
    (compiling them again there cost about a millisecond a new query), they mark the same."""
    import pickle
    results = index.search("bão số 5")
    [h.snippet for h in results]  # noqa: B018 - the snippets compile the marks' patterns
    sent = pickle.dumps(results.marks)
    assert b"_compile" not in sent and b"Pattern" not in sent
    text = "Chiều qua, bão số 5 đổ bộ vào Bình Định; Dự báo khí tượng"
    assert pickle.loads(sent).article("Bão số 5", text) == results.marks.article("Bão số 5", text)


# ---------------------------------------------------------------- titles, web, JSON, CLI

def test_results_page_marks_titles_and_escapes_markup(index_client):
    page = index_client.get("/search?q=bão").get_data(as_text=True)
    titles = re.findall(r'<h2><a href="[^"]*">(.*?)</a></h2>', page)
    assert "<mark>Bão</mark> số 5 gây mưa lớn ở Bình Định" in titles
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Bão</mark> số 9 &lt;img src=x onerror=alert(1)&gt;" in titles
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>khẩn" not in page


def test_api_carries_plain_title_and_marked_title_html(index_client):
    hits = index_client.get("/api/search?q=bão").get_json()["hits"]
    storm = next(h for h in hits if h["id"] == "bao-so-5")
    assert storm["title"] == "Bão số 5 gây mưa lớn ở Bình Định"
    assert storm["title_html"] == "<mark>Bão</mark> số 5 gây mưa lớn ở Bình Định"
    assert "<mark>bão</mark>" in storm["snippet"] and "<mark>báo" not in storm["snippet"]


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_cli_marks_plain_text_and_json(index_dir):
    out = cli("search", "bão", "--index", index_dir, "--limit", "50")
    assert out.returncode == 0, out.stderr
    assert "[Bão] số 5 gây mưa lớn" in out.stdout and "[bão] số 5 đổ bộ" in out.stdout
    assert "[báo]" not in out.stdout.lower() and "<mark>" not in out.stdout and "&lt;" not in out.stdout
    assert "<script>alert(1)</script> [Bão] số 9" in out.stdout
    assert "cấp 10. Nhiều nhà dân" in out.stdout  # a snippet's line breaks do not break the listing
    data = json.loads(cli("search", "giao thông", "--index", index_dir, "--json").stdout)
    school = next(h for h in data["hits"] if h["id"] == "giao-thong")
    assert "<mark>giao thông</mark>" in school["title_html"] and school["title"] == ARTICLES[3]["title"]


def test_a_word_beside_a_code_is_marked_though_a_run_joins_it_to_the_codes_first_piece(tmp_path_factory):
    # "- Xăng E 5 RON 92" is segmented Xăng_E, so "xăng_e" is a term the bodies hold, and the query
    # `xăng E5` had the run xăng_e as one of its words: "xăng" was then only its part, never marked alone
    import indexer
    from conftest import index_of
    articles = [{"id": "a1", "title": "Ai bán xăng E5, ai xài xăng A95?",
                 "body": "Giá xăng dầu hôm nay:\n- Xăng E 5 RON 92: tăng 570 đồng / lít.\n- Xăng A95 tăng 600 đồng / lít."},
                {"id": "a2", "title": "Giá dầu thế giới giảm", "body": "Giá dầu thô giảm mạnh trong phiên hôm nay."}]
    with indexer.open_index(index_of(tmp_path_factory, "coderun", articles)) as index:
        hit = index.search("xăng E5")[0]
        assert re.findall(r"<mark>([^<]*)</mark>", hit.title_html) == ["xăng", "E5", "xăng"]
