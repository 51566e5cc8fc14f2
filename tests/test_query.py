"""The query language on articles written for these tests: title:, numbers and codes in phrases,
unknown words among known ones."""

import json
import subprocess
import sys

import pytest
from conftest import REPO, article, baomoi_articles, index_of, write_jsonl

import indexer
from indexer.search import FOLDED_MATCH_BELOW

PROVINCES = ["Quảng Ninh", "Hải Phòng", "Thái Bình", "Nam Định", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
             "Quảng Bình", "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định",
             "Phú Yên", "Khánh Hòa", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Bến Tre", "Trà Vinh", "Kiên Giang"]
STORMS = [{"id": f"bao-{n}", "title": f"Bão số {n} đổ bộ vào {province}",
           "body": f"Bão số {n} gây mưa lớn ở {province}, nhiều nhà của người dân bị tốc mái."}
          for n, province in enumerate(PROVINCES[:FOLDED_MATCH_BELOW + 2], start=1)]
OTHERS = [
    {"id": "bao-chi", "title": "Báo chí kỷ niệm ngày truyền thống",
     "body": "Các cơ quan báo chí của tỉnh gặp mặt nhân ngày truyền thống."},
    {"id": "bao-hiem", "title": "Bảo hiểm y tế cho học sinh",
     "body": "Học sinh được hỗ trợ một phần phí bảo hiểm y tế trong năm học mới."},
    {"id": "du-bao", "title": "Dự báo thời tiết cuối tuần",
     "body": "Trung tâm dự báo cho biết trời nắng, không có bão trong tuần tới."},
    {"id": "xe-buyt", "title": "Xe buýt nhanh thu phí 7.000 đồng mỗi lượt",
     "body": "Từ tháng sau, mỗi lượt đi xe buýt nhanh có giá 7.000 đồng. "
             "Tuyến xe đã đón 50.000 lượt khách trong tháng đầu."},
    {"id": "dong-co", "title": "Động cơ mới tiết kiệm nhiên liệu",
     "body": "Hãng xe ra mắt động cơ quay 7.000 vòng mỗi phút, giá bán chưa công bố."},
    {"id": "dong-tien", "title": "Đồng tiền mất giá",
     "body": "Đồng nội tệ mất giá so với đô la trong phiên sáng nay."},
    {"id": "moc-chau", "title": "Mộc Châu hút khách dịp Tết",
     "body": "Mộc Châu đón 30.000 lượt khách trong dịp Tết, phần lớn là khách của các tỉnh lân cận."},
    {"id": "von-dau-tu", "title": "Dự án cao tốc ven biển",
     "body": "Tổng vốn dự kiến cho giai đoạn đầu khoảng 12.500 tỷ đồng, ngân sách tỉnh chiếm 40%."},
    {"id": "nq-tu", "title": "Triển khai nghị quyết về giao thông đô thị",
     "body": "Hội nghị ngày 17/11/2019 quán triệt Nghị quyết 28-NQ/TU của Thành ủy."},
    {"id": "nq-tw", "title": "Quán triệt nghị quyết của Trung ương",
     "body": "Hội nghị ngày 18/11/2019 quán triệt Nghị quyết 28-NQ/TW của Trung ương."},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("query")
    source = write_jsonl(root / "articles.jsonl", STORMS + OTHERS)
    report = indexer.build_index([source], root / "index", procs=1)
    assert report.indexed == len(STORMS) + len(OTHERS)
    return root / "index"


def found(index, query) -> set[str]:
    """The ids of every article the query finds."""
    return {h.doc_id for h in index.search(query, limit=1000)}


STORM_IDS = {a["id"] for a in STORMS}


# --- title: ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["title:bão", 'title:"bão"', "title:Bão", "title:BÃO"])
def test_accented_title_word_matches_only_that_word(index, query):
    assert found(index, query) == STORM_IDS


def test_unaccented_title_word_matches_every_accent(index):
    assert found(index, "title:bao") == STORM_IDS | {"bao-chi", "bao-hiem", "du-bao"}


def test_title_clause_finds_no_more_than_the_plain_word(index):
    for word in ("bão", "bao", "báo"):
        assert found(index, f"title:{word}") <= found(index, word)
    assert "du-bao" in found(index, "bão")  # the body says "không có bão"
    assert "du-bao" not in found(index, "title:bão")


def test_few_exact_title_matches_let_folded_ones_join_as_plain_words_do(index):
    assert "bao-hiem" in found(index, "title:bảo")
    assert found(index, "title:bảo") & STORM_IDS == found(index, "bảo") & STORM_IDS != set()
    assert found(index, 'title:"bảo"') == {"bao-hiem"}


# --- numbers, dates and codes in phrases ---------------------------------------------------

def test_quoted_dotted_number_is_found_like_the_bare_number(index):
    assert found(index, '"12.500"') == found(index, "12.500") == {"von-dau-tu"}
    assert found(index, '"khoảng 12.500 tỷ đồng"') == {"von-dau-tu"}


def test_phrase_keeps_the_number_in_its_place(index):
    assert found(index, '"12.500 đồng"') == set()  # the text says "12.500 tỷ đồng"
    assert found(index, '"vốn 12.500"') == set()  # and "vốn dự kiến … khoảng 12.500"


def test_number_and_accented_word_phrase_matches_exactly(index):
    assert found(index, '"7.000 đồng"') == {"xe-buyt"}
    assert len(found(index, "đồng")) > 1
    assert found(index, '"7.000 dong"') == {"xe-buyt"}  # unaccented: folded, but still a phrase


def test_phrase_with_a_number_is_marked_whole(index):
    hit = index.search('"7.000 đồng"')[0]
    assert hit.highlight.marked == ["7.000 đồng"] and hit.title_highlight.marked == ["7.000 đồng"]


def test_number_in_phrase_tells_phrases_apart(index):
    assert found(index, '"lượt khách"') == {"xe-buyt", "moc-chau"}
    assert found(index, '"50.000 lượt khách"') == {"xe-buyt"}
    assert "xe-buyt" not in found(index, 'khách -"50.000"')


@pytest.mark.parametrize("query, expected", [('"ngày 17/11/2019"', {"nq-tu"}), ('"17/11/2019"', {"nq-tu"}),
                                             ('"Nghị quyết 28-NQ/TU"', {"nq-tu"}),
                                             ('"nghi quyet 28-nq/tw"', {"nq-tw"}),
                                             ('title:"7.000 đồng"', {"xe-buyt"})])
def test_dates_and_codes_in_phrases(index, query, expected):
    assert found(index, query) == expected


def test_cli_finds_a_quoted_number(index_dir):
    done = subprocess.run([sys.executable, "-m", "indexer", "search", '"12.500"', "--index", str(index_dir),
                           "--json"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [h["id"] for h in json.loads(done.stdout)["hits"]] == ["von-dau-tu"]


# --- words the index does not hold ------------------------------------------------------------

@pytest.mark.parametrize("query, known", [("của xyzzy", "của"), ("cua xyzzy", "cua"),
                                          ("nghi quyte", "nghi"), ("của qwfp-99", "của")])
def test_unknown_words_leave_the_known_ones_to_find(index, query, known):
    assert found(index, query) == found(index, known) != set()


@pytest.mark.parametrize("query", ["xyzzy", '"của xyzzy"', "title:xyzzy của", "của -của"])  # title: alone: test_an_operator_before_no_words_…
def test_nothing_is_found_when_nothing_satisfies_the_query(index, query):
    assert index.search(query).total == 0


# --- OR ------------------------------------------------------------------------------------------

def every_id(index, query) -> list[str]:
    """The ids of all the results, page by page of 10 (as a reader pages through them)."""
    first = index.search(query)
    return [h.doc_id for page in range(1, first.pages + 1) for h in index.search(query, page=page)]


@pytest.mark.parametrize("query", ["mưa OR bão", "bão OR mưa", "mua OR bão"])
def test_or_finds_the_articles_holding_either_word(index, query):
    either = every_id(index, query)  # 22 storms hold both words, a forecast only "bão"
    assert set(either) == STORM_IDS | {"du-bao"} and either[-1] == "du-bao"  # both words rank first
    assert index.search(query).dropped == []


def test_or_beside_a_word_requires_the_word_and_either_of_the_others(index):
    assert set(every_id(index, "mái khách OR Quảng")) == {"bao-1", "bao-8", "bao-9", "bao-12", "bao-13"}
    rare = index.search("mưa OR khách")  # no article holds both: all of either, no word left out
    assert set(every_id(index, "mưa OR khách")) == STORM_IDS | {"moc-chau", "xe-buyt"} and rare.dropped == []


@pytest.mark.parametrize("query, expected", [
    ("Thanh Hóa OR Nghệ An", {"bao-5", "bao-6"}),
    ("Quảng Ninh OR Hà Tĩnh OR Huế", {"bao-1", "bao-7", "bao-10"}),
    ("mái Thanh Hóa OR Nghệ An", {"bao-5", "bao-6"}),
])
def test_or_binds_the_words_beside_it_not_their_syllables(index, query, expected):
    assert set(every_id(index, query)) == expected and index.search(query).dropped == []


# real articles holding "and" and "nốt" (folded: "not"), shortened
AND_NOT_WORDS = [
    {"id": "train/008150", "title": "Ra mắt Fast and Furious 8: Vin Diesel tưởng nhớ tài tử Paul Walker",
     "body": "Tại lễ họp báo ra mắt tập phim The Fate of the Furious ở New York, ngôi sao Vin Diesel đã dành "
             "phần lớn thời gian của buổi lễ để tưởng nhớ đến nam tài tử Paul Walker."},
    {"id": "train/092690", "title": "Người An Giang ùn ùn bán cây thốt nốt",
     "body": "Nhóm người cùng những chiếc xe đầu kéo mang biển số Quảng Ninh đến thu mua, tập kết nhiều cây "
             "thốt nốt lớn. Nhóm người này cho biết chở ra Hà Nội trồng cảnh hoặc đưa về Quảng Ninh để bán."},
]


@pytest.fixture(scope="module")
def and_not_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("and-not")
    indexer.build_index([write_jsonl(root / "a.jsonl", STORMS + AND_NOT_WORDS)], root / "ix", procs=1)
    with indexer.open_index(root / "ix") as index:
        yield index


@pytest.mark.parametrize("query, same_as", [
    ("bão NOT Huế", "bão -Huế"), ("NOT Huế bão", "bão -Huế"), ("bao NOT Hue", "bao -Hue"),
    ('bão NOT "Quảng Ninh"', 'bão -"Quảng Ninh"'), ("bão AND Huế", "bão Huế"), ("mái AND Quảng AND Huế", "mái Quảng Huế"),
    ("Quảng Ninh AND bão NOT mưa", "Quảng Ninh bão -mưa"),
])
def test_and_and_not_are_operators_not_words(and_not_index, query, same_as):
    results, expected = and_not_index.search(query, limit=50), and_not_index.search(same_as, limit=50)
    assert [h.doc_id for h in results] == [h.doc_id for h in expected] and results.dropped == expected.dropped
    assert results.rewritten is None  # not read as typos of "nốt", "một"; its words typed without accents read
    assert results.suggestion == (expected.suggestion and expected.suggestion.replace("-", "NOT "))  # bão NOT Huế


@pytest.mark.parametrize("query, found", [("Fast and Furious", "train/008150"), ("AND", "train/008150"),
                                          ("thốt not", "train/092690")])
def test_lowercase_or_lone_and_not_stay_words(and_not_index, query, found):
    assert and_not_index.search(query)[0].doc_id == found


@pytest.mark.parametrize("query, same_as", [("bão AND", "bão"), ("AND bão", "bão"), ("bão OR", "bão"),
                                            ("bão NOT", "bão"), ("bão AND AND Huế", "bão AND Huế"),
                                            ("OR bão OR OR Huế AND", "bão OR Huế"), ("bão NOT AND Huế", "bão NOT Huế")])
def test_an_operator_that_joins_nothing_is_dropped_not_searched(and_not_index, query, same_as):
    results, expected = and_not_index.search(query, limit=50), and_not_index.search(same_as, limit=50)
    assert [h.doc_id for h in results] == [h.doc_id for h in expected] != []
    assert results.rewritten == same_as  # the query as searched says so
    exact = and_not_index.search(query, limit=50, exact=True)  # not understood: still not searched
    assert [h.doc_id for h in exact] == [h.doc_id for h in and_not_index.search(same_as, limit=50, exact=True)]


# real sentences of baomoi-22517165, baomoi-22655263 and baomoi-22628300, shortened
FLOODS_AND_STORMS = [
    {"id": "storm-1-flood", "title": "Thông tin mới nhất về diễn biến cơn bão số 1",
     "body": "Đêm qua bão số 1 đã đổ bộ vào tỉnh Quảng Đông và suy yếu thành áp thấp nhiệt đới. Lũ quét trên "
             "các sông suối nhỏ và sạt lở đất có khả năng xảy ra tại nhiều tỉnh vùng núi phía Bắc."},
    {"id": "flood", "title": "Lũ quét bất ngờ ở suối Voi, nhiều du khách chạy thoát thân",
     "body": "Một trận lũ quét cường độ lớn vừa xảy ra tại khu du lịch suối Voi, khiến 3 du khách bị cuốn trôi."},
    {"id": "storm-10", "title": "Hướng đi nào cho cây cao su ở Hà Tĩnh",
     "body": "Tỉnh đã phải thanh lý 955 ha cao su bị thiệt hại do bão số 10 và bão số 11 năm 2013."},
]


def test_an_or_of_phrases_scores_each_article_for_the_phrase_it_holds(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", FLOODS_AND_STORMS)], tmp_path / "ix", procs=1)
    with indexer.open_index(tmp_path / "ix") as index:
        either = {h.doc_id: h.score for h in index.search('"bão số 10" OR "lũ quét"')}
        assert set(either) == {"storm-1-flood", "flood", "storm-10"}
        for side, ids in (('"lũ quét"', ["storm-1-flood", "flood"]), ('"bão số 10"', ["storm-10"])):
            alone = {h.doc_id: h.score for h in index.search(side)}
            # the words of the other phrase (bão, số of "bão số 1") add nothing where it does not stand
            assert [either[d] for d in ids] == pytest.approx([alone[d] for d in ids], rel=1e-5), side


# a decision cited three ways (baomoi-22634234, baomoi-21490004, baomoi-22479951, one sentence each)
FORMOSA = [
    {"id": "qd-so", "title": "Hà Tĩnh cơ bản hoàn tất thủ tục chi trả bồi thường sự cố môi trường biển",
     "body": "Theo Quyết định số 1880/QĐ-TTg ngày 29/9/2016 và Quyết định số 306/QĐ-TTg ngày 09/3/2017 của Thủ "
             "tướng Chính phủ, tổng kinh phí bồi thường thiệt hại do sự cố môi trường cho các đối tượng ở tỉnh "
             "Hà Tĩnh là hơn 1.000 tỷ đồng."},
    {"id": "qd-code", "title": "Đã cấp 4.680 tỉ đồng bồi thường vụ Formosa",
     "body": "Hồi cuối tháng Chín, Thủ tướng Chính phủ đã ban hành Quyết định 1880/QĐ-TTg ban hành định mức bồi "
             "thường thiệt hại cho các đối tượng tại các tỉnh bị thiệt hại do sự cố môi trường biển."},
    {"id": "qd-words", "title": "Ban Chỉ đạo khắc phục sự cố môi trường biển họp phiên thứ 8",
     "body": "Nhu cầu kinh phí thực hiện Quyết định 1880 và Quyết định 309 của Thủ tướng Chính phủ là 7.014 tỷ đồng."},
]


def test_a_code_no_article_holds_finds_its_number_and_kind_and_says_it_was_dropped(tmp_path):
    indexer.build_index([write_jsonl(tmp_path / "a.jsonl", FORMOSA + STORMS)], tmp_path / "ix", procs=1)
    with indexer.open_index(tmp_path / "ix") as index:
        for query in ("số 1880/QĐ-TW", "1880-QĐ/TW"):  # none holds the code: those holding 1880 and QĐ (or quyết định)
            results = index.search(query)
            assert {h.doc_id for h in results[:3]} == {"qd-so", "qd-code", "qd-words"}, query
            assert results.dropped[0] == query.split()[-1], query
        results = index.search("1880-QĐ/TW")
        assert results.total == 3 and results.dropped == ["1880-QĐ/TW"] and results.kept == ["1880 QĐ"]  # held apart
        assert index.search("số 1880/QĐ-TTg")[0].doc_id == "qd-so"  # a code held is searched as it is


# the city written as articles write it, and articles holding "thành phố" and "Minh" but not the city
CITY = [{"id": f"hcm-{n}", "title": f"Thành phố Hồ Chí Minh mở tuyến xe buýt số {n}",
         "body": f"Từ tháng tới, Thành phố Hồ Chí Minh đưa tuyến xe buýt số {n} vào khai thác."}
        for n in range(1, 13)] + [
    {"id": f"minh-{n}", "title": f"Thành phố Đà Nẵng khen thưởng anh Minh lần {n}",
     "body": f"Anh Minh được thành phố Đà Nẵng khen thưởng vì đã cứu người lần thứ {n}."} for n in range(1, 4)]


def test_a_query_in_any_letter_case_needs_the_same_words(tmp_path_factory):
    # pyvi joins "Hồ Chí Minh" as one word, not "hồ chí minh": 2 words all needed, or 4 of which a share
    # (Anh Minh of thành phố Đà Nẵng); read as titles case them, every casing needs the city's words
    with indexer.open_index(index_of(tmp_path_factory, "city", CITY)) as index:
        city = {a["id"] for a in CITY if a["id"].startswith("hcm-")}
        for query in ("thành phố hồ chí minh", "Thành phố Hồ Chí Minh", "THÀNH PHỐ HỒ CHÍ MINH",
                      "Thành Phố Hồ Chí Minh", "ho chi minh", "HO CHI MINH"):
            results = index.search(query, limit=100)
            assert {h.doc_id for h in results} == city and results.total == len(city), query


@pytest.fixture(scope="module")
def title_word_index(tmp_path_factory):
    """An index of real baomoi articles: the first 300, those of the first 1,780 holding "bão" in their
    title, and the one of them (1,779th) holding the word "title"."""
    articles = baomoi_articles(1780)
    chosen = articles[:300] + [a for a in articles[300:] if "bão" in a["title"].lower().split() or "Title" in a["body"]]
    return index_of(tmp_path_factory, "title-word", chosen)


@pytest.mark.parametrize("query", ["title:", "title:   ", "body:", "tiêu đề:", "TIEU DE :", "title:\"\"", "title:\" \""])
def test_an_operator_before_no_words_is_a_clear_error_on_every_face(title_word_index, query):
    # real baomoi articles, one holding the word "title" ("Dâng sao giải hạn…"): title: alone had
    # searched the word "title" (1 result on the 35,431), body: the word "body", title:"" found nothing
    with indexer.open_index(title_word_index) as index:
        with pytest.raises(indexer.QueryError, match="no words after its operator") as raised:
            index.search(query)
        assert "chưa có từ nào" in raised.value.vi and index.search("title").total == 1
    from conftest import close_index, make_app
    app = make_app(str(title_word_index))
    try:
        page, api = (app.test_client().get(path, query_string={"q": query}) for path in ("/search", "/api/search"))
        assert page.status_code == api.status_code == 400 and "chưa có từ nào" in page.get_data(as_text=True)
        assert "chưa có từ nào" in api.get_json()["message"]
    finally:
        close_index(app)
    done = subprocess.run([sys.executable, "-m", "indexer", "search", query, "--index", str(title_word_index)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no words after its operator" in done.stderr and not done.stdout


@pytest.mark.parametrize("query", ["bão title:", "bão body:", "bão tiêu đề:  ", 'bão ""', 'bão title:""', 'bão -"!"'])
def test_an_operator_before_no_words_is_dropped_and_the_rest_searched(title_word_index, query):
    # "bão title:" had also searched the word "title" (the article holding it first on the 35,431)
    with indexer.open_index(title_word_index) as index:
        results, expected = index.search(query), index.search("bão")
        assert [h.doc_id for h in results] == [h.doc_id for h in expected] != []
        assert (results.total, results.dropped, results.rewritten) == (expected.total, [], "bão")


# articles of two sentences: a phrase read across "Thanh Hà." and "Nội dung" would join words no
# sentence holds together
SENTENCES = [
    article("ends-ha", "Họp dân ở huyện Thanh Hà",
            "Cuộc họp diễn ra ở huyện Thanh Hà. Nội dung cuộc họp là giải phóng mặt bằng cho dự án."),
    article("ha-noi", "Hà Nội mở rộng đường vành đai",
            "Hà Nội bắt đầu mở rộng đường vành đai 2, đoạn qua quận Đống Đa."),
    article("rain-first", "Thời tiết cực đoan ở Yên Bái",
            "Mưa lớn kéo dài. Lũ quét xảy ra ở huyện Mù Cang Chải, cuốn trôi hai ngôi nhà."),
    article("flood-first", "Thời tiết cực đoan ở Lào Cai",
            "Lũ quét xảy ra. Mưa lớn kéo dài khiến nhiều tuyến đường ở huyện Bát Xát bị sạt lở."),
]


@pytest.fixture(scope="module")
def sentences_index(tmp_path_factory):
    return index_of(tmp_path_factory, "sentences", SENTENCES)


def test_a_phrase_never_joins_the_words_of_two_sentences(sentences_index):
    with indexer.open_index(sentences_index) as index:
        assert [h.doc_id for h in index.search('"Hà Nội"')] == ["ha-noi"]
        assert [h.doc_id for h in index.search('"Thanh Hà"')] == ["ends-ha"]
        # a quoted passage of two sentences: each sentence a phrase (no article holds the two as one)
        found = [h.doc_id for h in index.search('"Mưa lớn kéo dài. Lũ quét xảy ra"')]
        assert found[0] == "rain-first" and set(found) == {"rain-first", "flood-first"}


def test_pasted_sentences_stand_together_across_their_sentence_end(sentences_index):
    with indexer.open_index(sentences_index) as index:
        # both hold both sentences, each sentence's words together; one holds them in the order pasted
        for pasted, first in (("Mưa lớn kéo dài. Lũ quét xảy ra", "rain-first"),
                              ("Lũ quét xảy ra. Mưa lớn kéo dài", "flood-first")):
            assert [h.doc_id for h in index.search(pasted)][0] == first, pasted
