"""The search core on the seed article and Vietnamese articles written for these tests."""

import gzip
import json
import multiprocessing
import subprocess
import sys
import time
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CITY_FILE, CITY_TEXT, SEED_ID

import indexer
from indexer.analysis import analyze, canonical, fold, normalize_tone
from indexer.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CITY_ID = "chrome/" + CITY_FILE

ARTICLES = [
    {"id": "hoa-binh", "title": "Khánh thành cầu Hòa Bình mới",
     "body": "Cây cầu hòa bình nối hai bờ sông được khánh thành sáng nay. Người dân rất vui.",
     "date": "2020-03-02T08:00:00+07:00", "url": "https://example.vn/hoa-binh", "source": "Báo A"},
    {"id": "thuy-dien", "title": "Nhà máy thuỷ điện tích nước",
     "body": "Nhà máy thuỷ điện trên sông Đà bắt đầu tích nước. Hoà cùng niềm vui của bà con.",
     "date": "2021-05-10T09:30:00+07:00"},
    {"id": "ba-noi", "title": "Bà nội kể chuyện",
     "body": "Bà kể chuyện cổ tích cho các cháu nghe mỗi tối.", "date": "2019-01-01"},
    {"id": "ba-so", "title": "Ba con số may mắn",
     "body": "Ba con số được chọn ngẫu nhiên. Ông bá chủ thị trường nói vậy.", "date": "2019-02-01"},
    {"id": "covid", "title": "Kiểm soát dịch COVID-19 tại TP.HCM",
     "body": "TP.HCM ghi nhận thêm ca mắc COVID-19 ngày 17/11/2021, theo công văn 15-CV/UBND.",
     "date": "2021-11-17T18:00:00+07:00"},
    {"id": "xss", "title": "Tiêu đề <script>alert(1)</script>",
     "body": "Nội dung độc hại <script>alert(1)</script> và \"><img src=x onerror=alert(1)> trong bài.",
     "url": "javascript:alert(1)"},
    {"id": "nfd", "title": unicodedata.normalize("NFD", "Lễ hội đền Hùng"),
     "body": unicodedata.normalize("NFD", "Hàng nghìn người về dự lễ hội đền Hùng ở Phú Thọ.")},
    {"id": "chrome-1", "title": "Giá lúa tăng mạnh",
     "body": "Giá lúa gạo ở đồng bằng tăng mạnh trong tuần qua.\nBản tin Pháp luật\nAn toàn giao thông"},
    {"id": "atgt", "title": "Tháng cao điểm an toàn giao thông",
     "body": "Các tỉnh phát động tháng an toàn giao thông, tuyên truyền đội mũ bảo hiểm."},
]


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("core")
    src = write_jsonl(root / "articles.jsonl", ARTICLES)
    chrome = root / "chrome"
    chrome.mkdir()
    footer = "\nMINH KHOA\nTừ khóa: lúa gạo\nBình luận của bạn về bài viết...\nBản tin Pháp luật\nVideo clip\nAn toàn giao thông\n"
    (chrome / "gia-ca-phe.txt").write_text("Giá cà phê lập đỉnh\n08:00 01/03/2020\nGiá cà phê Tây Nguyên lập đỉnh mới." + footer, encoding="utf-8")
    (chrome / "mua-xuan.txt").write_text("Mùa xuân trên cao nguyên\n09:00 02/03/2020\nHoa mận nở trắng các sườn đồi." + footer, encoding="utf-8")
    (chrome / CITY_FILE).write_text(CITY_TEXT, encoding="utf-8")
    report = indexer.build_index([SEEDS, src, chrome], root / "index", procs=2)
    assert report.indexed == len(ARTICLES) + 4 and not report.skipped
    return root / "index"


def ids(results):
    return [h.doc_id for h in results]


# --- analysis -------------------------------------------------------------------------------

def test_tone_placement_is_canonical_but_never_for_qu_or_inside_a_syllable():
    assert normalize_tone("hoà") == "hòa" and normalize_tone("thuỷ") == "thủy"
    assert normalize_tone("khoẻ") == "khỏe"
    assert normalize_tone("quý") == "quý" and normalize_tone("hoàn") == "hoàn"
    assert canonical("HOÀ") == "hòa"


def test_tone_pairs_match_the_shared_lexicon():
    table = ROOT.parent / "shared" / "lexicon" / "tone_placement.tsv"
    if not table.exists():
        pytest.skip("../shared/lexicon is absent (only on the team's machines)")
    pairs = [line.split("\t") for line in table.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    for old, new in pairs:
        assert canonical("x" + new) == canonical("x" + old) == "x" + old.lower()


def test_fold_strips_diacritics_and_d():
    assert fold("Nghị quyết Đà Nẵng") == "Nghi quyet Da Nang"


def test_tokens_carry_compounds_syllables_codes_and_exact_offsets():
    text = "Nghị quyết 28-NQ/TU ngày 17/11/2019"
    tokens = analyze(text)
    texts = [t[0] for t in tokens]
    assert {"nghị_quyết", "nghị", "quyết", "28-nq/tu", "17/11/2019"} <= set(texts)
    for term, _pos, start, end in tokens:
        assert canonical(text[start:end].replace(" ", "_")) == term


def test_offsets_point_into_nfd_text():
    nfd = unicodedata.normalize("NFD", "Lễ hội đền Hùng")
    for term, _pos, start, end in analyze(nfd):
        assert canonical(nfd[start:end].replace(" ", "_")) == term


# --- finding ----------------------------------------------------------------------------------

def test_unaccented_query_finds_the_article(index):
    assert ids(index.search("nghi quyet giao thong do thi"))[0] == CITY_ID
    assert ids(index.search("nghi quyet duong kinh"))[0] == SEED_ID


def test_one_syllable_finds_the_compound(index):
    assert SEED_ID in ids(index.search("quyết"))


@pytest.mark.parametrize("query", ["Dương Kinh", "dương kinh", "DƯƠNG KINH",
                                   unicodedata.normalize("NFD", "dương kinh")])
def test_case_and_unicode_form_do_not_matter(index, query):
    assert ids(index.search(query))[0] == SEED_ID


@pytest.mark.parametrize("query,expected", [("hòa bình", "hoa-binh"), ("hoà bình", "hoa-binh"),
                                            ("thủy điện", "thuy-dien"), ("thuỷ điện", "thuy-dien")])
def test_either_tone_placement_finds_the_other(index, query, expected):
    assert ids(index.search(query))[0] == expected


def test_tone_placement_query_scores_identically(index):
    a, b = index.search("hòa bình"), index.search("hoà bình")
    assert [(h.doc_id, round(h.score, 6)) for h in a] == [(h.doc_id, round(h.score, 6)) for h in b]


def test_exact_accent_ranks_above_folded(index):
    found = ids(index.search("bà"))
    assert found[0] == "ba-noi" and "ba-so" in found


@pytest.mark.parametrize("query,grandma", [("bà", True), ("title:bà", True), ("bà OR nội", True), ("bà kể", True),
                                           ("bả", False), ("bà -cổ", False)])
def test_an_exact_search_finds_accented_words_only_as_typed_even_when_few_articles_hold_them(index, query, grandma):
    # "bà" is in fewer than FOLDED_MATCH_BELOW articles, so a search not exact lets "ba" and "bá" in
    found = set(ids(index.search(query, limit=50, exact=True)))
    assert "ba-so" not in found and "ba-so" in ids(index.search(query, limit=50))
    assert ("ba-noi" in found) == grandma  # no article holds "bả"; "bà nội" holds "cổ"


def test_an_exact_search_marks_only_what_it_matches_and_reads_either_tone_placement(index):
    assert index.marks("bà", exact=True).fit("Ba con số, ông bá chủ").html("Ba con số, ông bá chủ") == "Ba con số, ông bá chủ"
    assert "<mark>Ba</mark>" in index.marks("bà").fit("Ba con số").html("Ba con số")
    assert ids(index.search("hoà bình", exact=True))[0] == "hoa-binh"
    assert ids(index.search("ba", exact=True, limit=50))[:1] and "ba-so" in ids(index.search("ba", exact=True))  # typed without: any accents


@pytest.mark.parametrize("query,expected", [("28-NQ/TW", SEED_ID), ("17/11/2019", CITY_ID),
                                            ("12.500", CITY_ID),
                                            ("TP.HCM", "covid"), ("COVID-19", "covid"),
                                            ("15-CV/UBND", "covid")])
def test_codes_and_dates_are_findable(index, query, expected):
    assert ids(index.search(query))[0] == expected


@pytest.mark.parametrize("typed,meant", [("１５－ＣＶ／ＵＢＮＤ", "15-CV/UBND"), ("ngày １７/１１/２０２１", "ngày 17/11/2021"),
                                          ("ＣＯＶＩＤ－１９\u3000TP.HCM", "COVID-19 TP.HCM")])
def test_fullwidth_letters_digits_and_spaces_are_read_as_typed_halfwidth(index, typed, meant):
    """A Chinese or Japanese input method's fullwidth forms (１７, ＣＶ, the ideographic space) are
    the ASCII characters they stand for; the query is kept as typed."""
    found, expected = index.search(typed), index.search(meant)
    assert ids(found) == ids(expected) and ids(expected)[0] == "covid" and found.dropped == expected.dropped and found.query == typed
    assert found[0].snippet == expected[0].snippet
    assert index.highlight("Ca mắc COVID-19 theo 15-CV/UBND", typed) == index.highlight("Ca mắc COVID-19 theo 15-CV/UBND", meant)


def test_nfd_article_found_and_highlighted_on_the_right_characters(index):
    results = index.search("đền Hùng")
    assert results[0].doc_id == "nfd"
    assert "<mark>đền</mark> <mark>Hùng</mark>" in unicodedata.normalize("NFC", results[0].snippet)
    nfd_text = unicodedata.normalize("NFD", "về đền Hùng")
    marked = index.highlight(nfd_text, "den hung")
    assert marked == unicodedata.normalize("NFD", "về <mark>đền</mark> <mark>Hùng</mark>")


def test_site_chrome_is_not_indexed(index):
    found = ids(index.search("An toàn giao thông"))
    assert "atgt" in found
    assert "chrome/gia-ca-phe.txt" not in found and "chrome/mua-xuan.txt" not in found
    assert CITY_ID not in ids(index.search('"An toàn giao thông"')) and index.search("captcha").total == 0
    assert index.get("chrome/gia-ca-phe.txt").body == "Giá cà phê Tây Nguyên lập đỉnh mới."


def test_text_article_fields(index):
    city = index.get(CITY_ID)
    assert city.title.startswith("Thành phố triển khai Nghị quyết 28-NQ/TU")
    assert city.date == datetime(2019, 11, 17, 10, 39)
    assert city.author == "MINH KHOA"
    assert "Từ khóa" not in city.body and "Bản tin Pháp luật" not in city.body


# --- ranking, filters, paging -------------------------------------------------------------------

def test_title_matches_rank_above_body_matches(index):
    assert ids(index.search("thủy điện"))[0] == "thuy-dien"


def test_more_matched_words_rank_higher_and_long_queries_still_find(index):
    long_query = "cầu hòa bình khánh thành sáng nay người dân rất vui một hai ba bốn năm sáu bảy tám"
    assert ids(index.search(long_query))[0] == "hoa-binh"


def test_phrase_exclusion_or_and_title(index):
    assert ids(index.search('"hòa bình"')) == ["hoa-binh"] or ids(index.search('"hòa bình"'))[0] == "hoa-binh"
    assert "ba-noi" not in ids(index.search("bà -cổ"))
    both = set(ids(index.search('"thủy điện" OR "đền Hùng"')))
    assert {"thuy-dien", "nfd"} <= both
    assert ids(index.search("title:COVID")) == ["covid"]
    assert "covid" not in ids(index.search("title:nghị"))


def test_date_range_and_newest_sort(index):
    found = index.search("sông", date_from=date(2021, 1, 1), date_to=date(2021, 12, 31))
    assert ids(found) == ["thuy-dien"]
    newest = index.search("giao thông OR sông OR nghị", sort="newest")
    dates = [h.date for h in newest if h.date]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 3


def test_paging(index):
    first = index.search("nghị quyết sông cầu bà", limit=2, page=1)
    second = index.search("nghị quyết sông cầu bà", limit=2, page=2)
    assert first.total == second.total >= 3 and first.pages >= 2
    assert not set(ids(first)) & set(ids(second))


def test_snippets_escape_html_and_mark_words(index):
    hit = index.search("nội dung độc hại")[0]
    assert hit.doc_id == "xss"
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<img" not in hit.snippet
    assert "<mark>độc hại</mark>" in hit.snippet
    assert hit.url == "javascript:alert(1)"  # stored as given; the web app never links it


def test_results_carry_total_and_time(index):
    results = index.search("giao thông")
    assert results.total >= 2 and results.took_ms > 0
    hit = results[0]
    assert hit.score > 0 and hit.title and hit.snippet


@pytest.mark.parametrize("query", ['"unbalanced quote', "-", "title:", "x" * 1999, "!!! ??? ...",
                                   "OR", "OR OR", "- - -", '""', "title:\"\"", "*", "nghị*", "-nghị",
                                   "\x00\x01", "((()))", "title:title:quyết"])
def test_malformed_queries_return_results_or_a_clear_error(index, query):
    if not any(c.isalnum() for c in query):  # nothing to search: a clear error
        with pytest.raises(indexer.QueryError, match="no letters or digits"):
            index.search(query)
        return
    if query in ("title:", 'title:""'):  # an operator before no words: a clear error, not the word "title"
        with pytest.raises(indexer.QueryError, match="no words after its operator"):
            index.search(query)
        return
    results = index.search(query)
    assert results.total >= 0


@pytest.mark.parametrize("query", ["🌀", "!!!", "→ ★", '""', "- - -", "🌀 ✨ 🌀"])
def test_a_query_without_letters_or_digits_is_a_query_error_saying_so(index, query):
    with pytest.raises(indexer.QueryError, match="no letters or digits") as raised:
        index.search(query)
    assert "không có chữ hay số" in raised.value.vi


def test_letters_beside_emoji_are_searched_and_an_empty_query_finds_nothing(index):
    assert ids(index.search("🌀 giao thông 🚦")) == ids(index.search("giao thông")) != []
    assert index.search("").total == index.search("   ").total == 0


def test_too_long_query_is_a_clear_error_in_english_with_a_vietnamese_twin(index):
    with pytest.raises(indexer.QueryError, match="query too long") as raised:
        index.search("nghị quyết " * 1000)
    assert "quá dài" in raised.value.vi and "quá dài" not in str(raised.value)


@pytest.mark.parametrize("date_from", ["2021-01-01", date(2021, 1, 1), datetime(2021, 1, 1, 0, 0)])
def test_dates_are_accepted_as_iso_strings_dates_and_datetimes(index, date_from):
    found = index.search("sông", date_from=date_from, date_to="2021-12-31")
    assert ids(found) == ["thuy-dien"]


def test_a_datetime_bound_keeps_its_time_of_day(index):
    assert ids(index.search("sông", date_from=datetime(2021, 5, 10, 9, 30))) == ["thuy-dien"]
    assert ids(index.search("sông", date_from=datetime(2021, 5, 10, 9, 31))) == []


@pytest.mark.parametrize("bad", [20210101, "2021-02-30", "31/02/2021", "2021-1-1", "yesterday", 3.5, object()])
def test_anything_else_as_a_date_is_a_query_error_with_a_message(index, bad):
    with pytest.raises(indexer.QueryError, match="date_from.*not a date"):
        index.search("sông", date_from=bad)


def test_newest_first_lists_articles_from_before_1970_before_the_undated(tmp_path):
    """An archive's old issues (1954, the epoch's first second) are dated: only undated ones come last."""
    days = {"moi": "2019-05-01", "xua": "1954-05-07T08:00:00+07:00", "epoch": "1970-01-01T00:00:00+07:00", "khong": None}
    write_jsonl(tmp_path / "a.jsonl", [{"id": i, "title": f"Tin chiến thắng {i}", "body": "Chiến thắng lịch sử.",
                                        **({"date": d} if d else {})} for i, d in days.items()])
    indexer.build_index([tmp_path / "a.jsonl"], tmp_path / "ix", procs=1)
    with indexer.open_index(tmp_path / "ix") as ix:
        newest = ix.search("chiến thắng", sort="newest")
        assert ids(newest) == ["moi", "epoch", "xua", "khong"] and newest.undated == 1
        assert ids(ix.search("chiến thắng", date_from="1970-01-01", date_to="1970-01-01")) == ["epoch"]
        assert ids(ix.search("chiến thắng", date_to="1960-01-01")) == ["xua"]


def test_undated_matches_are_counted_when_newest_first_or_a_date_range_leaves_them_out(index):
    undated = {h.doc_id for h in index.search("giao thông", limit=50) if h.date is None}
    assert undated and index.search("giao thông").undated == 0
    newest = index.search("giao thông", sort="newest", limit=50)
    assert newest.undated == len(undated) and set(ids(newest)[-len(undated):]) == undated
    ranged = index.search("giao thông", date_from="2000-01-01")
    assert ranged.undated == len(undated) and not undated & set(ids(ranged))


def test_bad_parameters_are_clear_errors(index):
    with pytest.raises(indexer.QueryError):
        index.search("x", sort="oldest")
    with pytest.raises(indexer.QueryError):
        index.search("x", date_from=date(2022, 1, 1), date_to=date(2021, 1, 1))


# --- building ---------------------------------------------------------------------------------

def test_update_adds_changes_and_removes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "a.jsonl", ARTICLES[:3])
    (src / "extra.txt").write_text("Bão số 9 đổ bộ\n10:00 05/11/2020\nBão số 9 đổ bộ miền Trung.", encoding="utf-8")
    index_dir = tmp_path / "index"
    indexer.build_index([src], index_dir, procs=1)
    changed = dict(ARTICLES[0], body="Cây cầu đã được sơn lại màu xanh lam.")
    write_jsonl(src / "a.jsonl", [changed, ARTICLES[1], ARTICLES[3]])
    (src / "extra.txt").unlink()
    report = indexer.update_index([src], index_dir, procs=1)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 2, 1)
    with indexer.open_index(index_dir) as ix:
        assert ix.doc_count == 3
        assert ids(ix.search("xanh lam")) == ["hoa-binh"]
        assert ids(ix.search("bão đổ bộ")) == [] and ix.get("ba-noi") is None
        assert ix.get("ba-so") is not None


def test_an_update_that_changes_nothing_keeps_the_live_generation_and_its_lexicon(tmp_path):
    """A daily update with nothing new had published a new generation: open indexes swapped and
    the Lexicon was made again (5.5 s at 179,251 articles) for the same articles."""
    src, index_dir = tmp_path / "src", tmp_path / "index"
    src.mkdir()
    write_jsonl(src / "a.jsonl", ARTICLES[:3])
    indexer.build_index([src], index_dir, procs=1)
    with indexer.open_index(index_dir) as ix:
        ix.lexicon(wait=True)  # saved beside the generation
    live = indexer.store.current_generation(index_dir)
    saved = sorted(p.name for p in live.iterdir())
    (src / "b.jsonl").write_text("", encoding="utf-8")  # an empty export: a skip, no change
    report = indexer.update_index([src], index_dir, procs=1)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 3)
    assert indexer.store.current_generation(index_dir) == live
    assert sorted(p.name for p in live.iterdir()) == saved
    with indexer.open_index(index_dir) as ix:
        assert ix.doc_count == 3 and ids(ix.search("khánh thành")) == ["hoa-binh"]


def test_an_update_starts_analysing_workers_only_for_articles_to_analyse(tmp_path, monkeypatch):
    """A no-op update had forked a worker that loaded pyvi's model (at nice 10: seconds on a busy
    machine) only to be told to finish; so had an update that only removed articles."""
    source, index_dir = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:4]), tmp_path / "index"
    indexer.build_index([source], index_dir, procs=2)
    started, start = [], multiprocessing.context.ForkProcess.start
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start",
                        lambda process: (started.append(process._args[-1]), start(process))[1])  # analyse?
    steps = [(ARTICLES[:4], (0, 0, 0, 4)), (ARTICLES[:3], (0, 0, 1, 3)), (ARTICLES[:3] + ARTICLES[4:6], (2, 0, 0, 3))]
    for records, counts in steps:
        report = indexer.update_index([write_jsonl(source, records)], index_dir, procs=2)
        assert (report.added, report.updated, report.removed, report.unchanged) == counts
    assert started.count(True) == 1, started  # the update of two new articles: one batch, one worker
    with indexer.open_index(index_dir) as ix:
        assert ix.doc_count == 5 and ids(ix.search("COVID-19")) == ["covid"]


def test_one_source_or_id_given_as_text_is_one_not_its_characters(tmp_path):
    """build_index("seeds", ...) had read sources s, e, e, d, s; delete_articles("ba-noi") the ids b, a, -, n, o, i."""
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:3] + [dict(ARTICLES[3], id="a")])
    assert indexer.build_index(str(source), tmp_path / "ix", procs=0).indexed == 4
    assert indexer.update_index(source, tmp_path / "ix", procs=0).unchanged == 4
    report = indexer.delete_articles("ba-noi", tmp_path / "ix", procs=0)
    assert (report.deleted, report.skipped) == (1, [])
    with indexer.open_index(tmp_path / "ix") as ix:
        assert ix.doc_count == 3 and ix.get("a") is not None


def test_a_deleted_article_stays_out_of_updates_and_builds_until_it_is_restored(tmp_path):
    """A delete retracts: an update or a build from sources still holding the article keeps it out
    (counted, not added) until restore_articles lifts that; then the next update adds it back."""
    export = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    ix = tmp_path / "ix"
    indexer.build_index([SEEDS, export], ix, procs=1)
    assert indexer.delete_articles([SEED_ID, "covid"], ix, procs=1).deleted == 2
    assert sorted(indexer.retracted_articles(ix)) == ["covid", SEED_ID]
    update = indexer.update_index([SEEDS, export], ix, procs=1)
    assert (update.added, update.unchanged, sorted(update.retracted)) == (0, len(ARTICLES) - 1, ["covid", SEED_ID])
    build = indexer.build_index([SEEDS, export], ix, procs=1)
    assert (build.indexed, sorted(build.retracted)) == (len(ARTICLES) - 1, ["covid", SEED_ID])
    with indexer.open_index(ix) as index:
        assert index.get(SEED_ID) is None and "covid" not in ids(index.search("COVID-19 TP.HCM"))
    live = indexer.store.current_generation(ix)
    restored = indexer.restore_articles([SEED_ID, "hoa-binh"], ix)
    assert (restored.restored, restored.skipped) == (1, [indexer.Skip("hoa-binh", indexer.build.NOT_RETRACTED)])
    assert indexer.store.current_generation(ix) != live and list(indexer.retracted_articles(ix)) == ["covid"]
    with indexer.open_index(ix) as index:
        assert index.get(SEED_ID) is None  # lifted, not yet read again from the sources
    update = indexer.update_index([SEEDS, export], ix, procs=1)
    assert (update.added, update.retracted) == (1, ["covid"])
    with indexer.open_index(ix) as index:
        assert ids(index.search("Dương Kinh"))[:1] == [SEED_ID] and index.get("covid") is None


def test_a_restore_of_ids_not_retracted_skips_them_and_writes_no_generation(tmp_path):
    indexer.build_index([SEEDS], tmp_path / "ix", procs=1)
    live = indexer.store.current_generation(tmp_path / "ix")
    report = indexer.restore_articles(SEED_ID, tmp_path / "ix")  # in the index, never deleted
    assert (report.restored, [s.where for s in report.skipped]) == (0, [SEED_ID])
    assert indexer.store.current_generation(tmp_path / "ix") == live and indexer.retracted_articles(tmp_path / "ix") == {}


def test_a_restore_keeps_the_saved_lexicon_and_copy_groups_of_the_same_articles(tmp_path):
    """A restore changes no article: its generation links the live one's Lexicon and groups, not made again."""
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", ARTICLES)], tmp_path / "ix", procs=1)
    indexer.delete_articles("covid", tmp_path / "ix", procs=1)
    with indexer.open_index(tmp_path / "ix") as index:
        index.search("khanh thanh")
        index.lexicon(wait=True)
    live = indexer.store.current_generation(tmp_path / "ix")
    derived = {name: (live / name).stat().st_ino for name in (indexer.store.LEXICON_FILE, indexer.store.GROUPS_FILE)}
    indexer.restore_articles("covid", tmp_path / "ix")
    gen = indexer.store.current_generation(tmp_path / "ix")
    assert gen != live and {name: (gen / name).stat().st_ino for name in derived} == derived


def test_an_update_over_a_damaged_list_of_retracted_articles_fails_and_changes_nothing(tmp_path):
    export = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    indexer.build_index([export], tmp_path / "ix", procs=1)
    indexer.delete_articles("covid", tmp_path / "ix", procs=1)
    live = indexer.store.current_generation(tmp_path / "ix")
    listed = live / indexer.store.RETRACTED
    listed.write_bytes(listed.read_bytes()[:-5])  # a list cut short
    for write in (indexer.update_index, indexer.build_index):
        with pytest.raises(indexer.store.DamagedFile, match="cannot be read as the list of retracted articles"):
            write([export], tmp_path / "ix", procs=1)
    assert indexer.store.current_generation(tmp_path / "ix") == live
    with indexer.open_index(tmp_path / "ix") as index:
        assert index.get("covid") is None and index.doc_count == len(ARTICLES) - 1


def test_update_from_a_truncated_export_keeps_the_articles_it_could_not_read(tmp_path):
    """A download cut short is no retraction: the articles past the cut stay in the index."""
    export = tmp_path / "feed.jsonl.gz"
    records = [{"id": f"tin-{n}", "title": f"Tin số {n} về bão lũ", "body": f"Bản tin {n}: " + "mưa lớn kéo dài. " * 400}
               for n in range(60)]
    whole = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    export.write_bytes(gzip.compress(whole))
    indexer.build_index([export], tmp_path / "ix", procs=1)
    export.write_bytes(gzip.compress(whole)[:len(gzip.compress(whole)) // 2])
    report = indexer.update_index([export], tmp_path / "ix", procs=1)
    assert any("truncated or corrupt" in s.reason for s in report.skipped)
    assert report.removed == 0 and report.kept + report.unchanged == 60, report
    with indexer.open_index(tmp_path / "ix") as ix:
        assert ix.doc_count == 60
    export.write_bytes(gzip.compress(whole[:whole.index(b'{"id": "tin-50"')]))  # a whole export of 50: 10 retracted
    report = indexer.update_index([export], tmp_path / "ix", procs=1)
    assert (report.removed, report.kept, report.unchanged) == (10, 0, 50)


def test_update_keeps_the_article_of_a_file_it_could_not_read(tmp_path):
    src = tmp_path / "tin"
    src.mkdir()
    for n in range(3):
        (src / f"bai-{n}.txt").write_text(f"Bão số {n} đổ bộ\n10:00 05/11/2020\nBão số {n} đổ bộ miền Trung.", encoding="utf-8")
    indexer.build_index([src], tmp_path / "ix", procs=1)
    (src / "bai-1.txt").write_bytes(b"\x00\x01\x02 not text any more \x00")  # a disk error, a bad copy
    (src / "bai-2.txt").unlink()
    report = indexer.update_index([src], tmp_path / "ix", procs=1)
    assert [s.where for s in report.skipped] == [str(src / "bai-1.txt")]
    assert (report.removed, report.kept, report.unchanged) == (1, 1, 1)
    with indexer.open_index(tmp_path / "ix") as ix:
        assert ix.get("tin/bai-1.txt") is not None and ix.get("tin/bai-2.txt") is None


def test_open_index_notices_a_rebuild(tmp_path):
    first, second = write_jsonl(tmp_path / "1.jsonl", ARTICLES[:1]), write_jsonl(tmp_path / "2.jsonl", ARTICLES[1:3])
    indexer.build_index([first], tmp_path / "ix", procs=1)
    with indexer.open_index(tmp_path / "ix") as ix:
        assert ix.doc_count == 1
        indexer.build_index([second], tmp_path / "ix", procs=1)
        import time
        time.sleep(1.1)
        assert ix.doc_count == 2
    gens = [p for p in (tmp_path / "ix").iterdir() if p.name.startswith("gen-")]
    assert len(gens) == 1


def test_second_writer_is_refused_with_a_clear_message(tmp_path):
    from indexer.store import writer_lock
    with writer_lock(tmp_path / "ix"):
        with pytest.raises(indexer.IndexLocked, match="another build"):
            indexer.build_index([SEEDS], tmp_path / "ix")


def test_a_second_writer_is_told_what_holds_the_lock(tmp_path):
    indexer.build_index([SEEDS], tmp_path / "ix", procs=1)
    refusals = []

    def build_meanwhile(message):  # told of the stale lock planted below, while the writer holds the lock
        with pytest.raises(indexer.IndexLocked) as refused:
            indexer.build_index([SEEDS], tmp_path / "ix", procs=1)
        refusals.append(str(refused.value))

    for write in (lambda: indexer.delete_articles(["no-such-id"], tmp_path / "ix", notice=build_meanwhile),
                  lambda: indexer.restore_articles(["no-such-id"], tmp_path / "ix", notice=build_meanwhile),
                  lambda: indexer.optimize_index(tmp_path / "ix", notice=build_meanwhile),
                  lambda: indexer.update_index([SEEDS], tmp_path / "ix", procs=1, notice=build_meanwhile)):
        (tmp_path / "ix" / "writer.lock").write_text("999999999")  # as a killed writer leaves it
        write()
    assert [r.split(" (pid ")[0] for r in refusals] == ["another delete", "another restore", "another optimize",
                                                        "another update"]
    assert all(f"is writing {tmp_path / 'ix'}; wait for it to finish" in r for r in refusals)


@pytest.mark.parametrize("query", [None, 7, b"b\xc3\xa3o", ["bão"]])
def test_a_query_that_is_not_text_is_a_query_error_saying_so(index, query):
    with pytest.raises(indexer.QueryError, match="a query is text"):
        index.search(query)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(indexer.IndexNotFound):
        indexer.open_index(tmp_path / "nothing")


def test_workers_roll_over_to_new_segments_without_changing_results(tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    queries = ["cầu", '"sông Hồng"', "ha noi", "title:bão", "nghị quyết -bão"]
    indexer.build_index([source], tmp_path / "one", procs=2)
    monkeypatch.setattr(indexer.build, "SEGMENT_POSTINGS", 10)  # a new segment after each batch
    monkeypatch.setattr(indexer.build, "WORKER_BATCH", 1)
    indexer.build_index([source], tmp_path / "many", procs=2)
    with indexer.open_index(tmp_path / "one") as one, indexer.open_index(tmp_path / "many") as many:
        assert many.segment_count == len(ARTICLES)
        for q in queries:
            a, b = one.search(q, limit=50), many.search(q, limit=50)
            assert (a.total, sorted((round(h.score, 4), h.doc_id) for h in a)) == \
                   (b.total, sorted((round(h.score, 4), h.doc_id) for h in b)), q


def test_workers_spill_runs_into_one_segment_each_without_changing_results(tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    queries = ["cầu", '"sông Hồng"', "ha noi", "title:bão", "nghị quyết -bão", "Hà Nội"]
    monkeypatch.setattr(indexer.build, "WORKER_BATCH", 1)  # both workers get articles
    indexer.build_index([source], tmp_path / "one", procs=2)
    monkeypatch.setattr(indexer.build, "RUN_POSTINGS", 10)  # a run after each article
    indexer.build_index([source], tmp_path / "runs", procs=2)
    with indexer.open_index(tmp_path / "one") as one, indexer.open_index(tmp_path / "runs") as runs:
        assert runs.segment_count == one.segment_count == 2
        for q in queries:
            a, b = one.search(q, limit=50), runs.search(q, limit=50)
            assert (a.total, [(h.doc_id, h.score) for h in a]) == (b.total, [(h.doc_id, h.score) for h in b]), q
            assert [h.snippet for h in a] == [h.snippet for h in b], q
    assert not list((tmp_path / "runs").glob("*/*.run*")), "a spilled run was left behind"


def test_two_workers_never_spill_runs_at_the_same_time(tmp_path, monkeypatch):
    """A spill is a worker's memory peak: two at once passed 2 GiB at 179k articles."""
    source, log = write_jsonl(tmp_path / "a.jsonl", ARTICLES), tmp_path / "spills.log"
    monkeypatch.setattr(indexer.build, "WORKER_BATCH", 1)  # both workers get articles
    monkeypatch.setattr(indexer.build, "RUN_POSTINGS", 10)  # each wants a run after each article
    spill = indexer.storage.SpillingWriter.spill

    def logged_spill(writer):
        with open(log, "a") as f:
            f.write("start\n")
        time.sleep(0.05)  # long enough for the other worker's spill to overlap, if allowed to
        spill(writer)
        with open(log, "a") as f:
            f.write("end\n")

    monkeypatch.setattr(indexer.storage.SpillingWriter, "spill", logged_spill)
    report = indexer.build_index([source], tmp_path / "ix", procs=2)
    events = log.read_text().split()
    assert report.indexed == len(ARTICLES) and len(events) > 4
    assert events == ["start", "end"] * (len(events) // 2), "two spills overlapped"


def test_a_failing_worker_is_a_one_line_error_and_the_live_index_stays(tmp_path, monkeypatch, capsys):
    source, index_dir = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:3]), tmp_path / "ix"
    indexer.build_index([source], index_dir, procs=1)

    def disk_full(ix, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(indexer.build, "segment_writer", disk_full)  # inherited by the forked workers
    assert cli_main(["build", str(source), "--index", str(index_dir)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    with indexer.open_index(index_dir) as ix:
        assert ix.doc_count == 3
    assert len(list(index_dir.glob("gen-*"))) == 1


def test_index_without_flat_postings_is_refused_with_a_rebuild_message(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", ARTICLES[:2])], tmp_path / "ix", procs=1)
    generation = tmp_path / "ix" / (tmp_path / "ix" / "CURRENT").read_text().strip()
    for path in generation.glob("*.vtm"):  # as an index written before flat postings existed
        path.unlink()
    with pytest.raises(indexer.IndexNotFound, match="rebuild"):
        indexer.open_index(tmp_path / "ix")


def big_source(path: Path, n: int) -> Path:
    body = " ".join(a["body"] for a in ARTICLES[:5]) * 3
    return write_jsonl(path, ({"id": f"doc-{i}", "title": f"Bài số {i}", "body": body} for i in range(n)))


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, **kw)


def test_killed_build_leaves_the_old_index_answering(tmp_path):
    import signal
    import time
    index_dir = tmp_path / "ix"
    indexer.build_index([SEEDS], index_dir, procs=1)
    big = big_source(tmp_path / "big.jsonl", 20000)
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(big), "--index", str(index_dir)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(4)
    assert proc.poll() is None, "the build finished before it could be killed"
    import os
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with indexer.open_index(index_dir) as ix:
        assert ix.doc_count == 1 and ids(ix.search("nghi quyet"))[0] == SEED_ID
    done = run_cli("build", SEEDS, "--index", index_dir)
    assert done.returncode == 0, done.stderr
    assert "stale lock" in done.stderr
    assert len([p for p in index_dir.iterdir() if p.name.startswith("gen-")]) == 1


def test_cli_build_search_stats_and_errors(tmp_path):
    index_dir = tmp_path / "ix"
    built = run_cli("build", "--index", index_dir)
    assert built.returncode == 0 and "indexed 1 article, skipped 0 inputs," in built.stdout
    found = run_cli("search", "nghi quyet", "--index", index_dir, "--json")
    data = json.loads(found.stdout)
    assert data["total"] == 1 and data["hits"][0]["id"] == SEED_ID and "<mark>" in data["hits"][0]["snippet"]
    stats = run_cli("stats", "--index", index_dir)
    assert "articles: 1" in stats.stdout
    missing = run_cli("search", "x", "--index", tmp_path / "none")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
    unreadable = run_cli("build", tmp_path / "no-such-folder", "--index", index_dir)
    assert unreadable.returncode == 1 and "Traceback" not in unreadable.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok", "title": "Tin tốt", "body": "Nội dung"}\nnot json\n', encoding="utf-8")
    skipped = run_cli("build", bad, "--index", index_dir)
    assert skipped.returncode == 3 and "bad.jsonl:2" in skipped.stderr
    assert "indexed 1 article, skipped 1 input," in skipped.stdout


def test_import_raises_no_warnings():
    done = subprocess.run([sys.executable, "-W", "error", "-c", "import indexer, indexer.segmenter"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_pasted_long_text_treats_quotes_and_dashes_as_punctuation(index):
    pasted = 'Cây cầu "hòa bình nối" hai bờ sông được khánh thành sáng nay -người dân rất vui'
    assert ids(index.search(pasted))[0] == "hoa-binh"
