"""Amounts and field prefixes as a newsroom types them (issue 12): a number glued to its unit
(``31m``) or to money's word or shorthand (``50tr``, ``2tỷ``) is an amount, dropped first, found in
the articles' spelling (``31 m``, ``50 triệu``), and a decimal
point is read as the decimal comma (``6.81%``: ``6,81%``); ``body:`` and ``tiêu đề:`` are read as
the query language reads them; the Python API says what a bad argument is."""

from __future__ import annotations

import unicodedata

import pytest

from conftest import article, opened_index
from indexer import QueryError


BRIDGES = [article(f"cau-{n}", f"Khánh thành cầu số {n} bắc qua sông", f"Cây cầu dài {100 + n} m, rộng 12 m.")
           for n in range(1, 13)]
BRIDGE_31 = article("cau-31-m", "Cây cầu treo ở bản vùng cao", "Cầu treo dài 31 m nối hai bản.")
WALLS = [article(f"tuong-{n}", f"Sập tường công trình số {n}", "Bức tường dài 31m đổ sập.") for n in range(1, 3)]
STORMS = [article(f"bao-{n}", f"Bão số {n} đổ bộ", "Bão gây mưa lớn.") for n in range(1, 4)]
GDP = article("gdp", "Kinh tế tăng tốc", "GDP năm 2017 tăng 6,81%, vượt mục tiêu.")
THOUSAND = article("mot-ngan", "Một con số", "Giá 1,000 đồng là con số lạ.")
AFTER_STORM = article("sau-bao", "Mưa lớn kéo dài ở miền Trung", "Sau bão, mưa lớn kéo dài.")  # bão in its body only
AREA = article("can-ho", "Căn hộ nhỏ giữa phố", "Căn hộ có diện tích 50m2, giá 2 tỷ đồng.")  # as articles write m², CO₂
EMISSIONS = article("khi-thai", "Nhà máy giảm phát thải", "Nhà máy giảm 10% lượng khí CO2 thải ra.")
ARTICLES = [*BRIDGES, BRIDGE_31, *WALLS, *STORMS, GDP, THOUSAND, AFTER_STORM, AREA, EMISSIONS]


def ids(results) -> list[str]:
    return [hit.doc_id for hit in results]


def test_a_number_glued_to_its_unit_is_an_amount_dropped_first(index):
    results = index.search("cầu dài 31m", limit=20)
    assert results.dropped == ["31m"] and set(results.kept) == {"cầu", "dài"}
    assert set(ids(results)) == {a["id"] for a in [*BRIDGES, BRIDGE_31]}  # bridges, no wall


def test_an_amount_finds_its_spelling_apart(index):
    assert set(ids(index.search("31m"))) == {BRIDGE_31["id"]} | {a["id"] for a in WALLS}


# a page of articles (search.RELAX_PAGE) writing each amount apart, as many on the same words without it,
# and on "lượng" (luong): an amount is no word whose few exact matches let folded forms join
MONEY = ([article(f"luong-{n}", f"Lương ngành số {n}", f"Lương khởi điểm 10 triệu đồng, ngành số {n}.") for n in range(12)]
         + [article(f"luong-khac-{n}", f"Lương ngành khác {n}", f"Lương tăng 10% ở ngành khác {n}.") for n in range(12)]
         + [article(f"san-luong-{n}", f"Sản lượng mỏ số {n}", f"Sản lượng mỏ số {n} đạt 10 triệu tấn.") for n in range(12)]
         + [article(f"nha-{n}", f"Căn hộ số {n} giá 2 tỷ", f"Căn hộ số {n} rao bán giá 2 tỷ đồng.") for n in range(12)]
         + [article(f"nha-khac-{n}", f"Căn hộ khác {n}", f"Căn hộ khác {n} giá 900 triệu đồng.") for n in range(12)])


money_index = opened_index("money", MONEY)


@pytest.mark.parametrize("typed, prefix", [("lương 10tr", "luong-"), ("lương 10triệu", "luong-"), ("LƯƠNG 10TR", "luong-"),
                                           ("căn hộ 2tỷ", "nha-"), ("căn hộ 2ty", "nha-"), ("can ho 2ty", "nha-")])
def test_money_glued_to_its_word_or_shorthand_finds_the_amount_written_apart(money_index, typed, prefix):
    # `lương 10tr` had found every article on "lương" (10tr, which no article writes, dropped): 74,447
    # of the 179,251; now the 286 of `lương "10 triệu"`
    results = money_index.search(typed, limit=20)
    assert set(ids(results)) == {f"{prefix}{n}" for n in range(12)} and results.total == 12 and not results.dropped


def test_money_no_article_holds_is_an_amount_dropped_first(money_index):
    results = money_index.search("căn hộ 3tỷ", limit=30)
    assert results.dropped == ["3tỷ"] and results.total == 24


@pytest.mark.parametrize("query", ["6.81%", "6,81%", "GDP 6.81%"])
def test_a_decimal_point_is_a_spelling_of_the_decimal_comma(index, query):
    assert ids(index.search(query))[:1] == ["gdp"]


@pytest.mark.parametrize("typed, meant", [("diện tích 50m²", "diện tích 50m2"), ("khí CO₂", "khí CO2"),
                                          ("CO₂", "CO2"), ("50m²", "50m2")])
def test_superscript_and_subscript_digits_are_the_digits_articles_write(index, typed, meant):
    """Articles write m2 and CO2 (of the 179,251: m2 9,487 times, m² 387; CO2 255, CO₂ never)."""
    found, expected = index.search(typed), index.search(meant)
    assert ids(found) == ids(expected) != [] and found.dropped == expected.dropped == [] and found.query == typed
    text = AREA["body"] + " " + EMISSIONS["body"]
    assert index.highlight(text, typed) == index.highlight(text, meant)


def test_a_decimal_point_no_article_writes_is_no_word_to_drop(index):
    results = index.search("tăng 6.81%")  # articles write 6,81: it stands in, so the number is held
    assert results.dropped == [] and ids(results) == ["gdp"]


def test_a_dot_before_three_digits_groups_thousands(index):
    assert "mot-ngan" not in ids(index.search("1.000"))


@pytest.mark.parametrize("query, same", [("body:bão", "bão"), ("nội dung: bão", "bão"),
                                         ("tiêu đề: bão", "title:bão"), ("-body:bão Bão", "-bão Bão"),
                                         # typed without accents, in NFD, in capitals: the same prefixes
                                         ("tieu de: bão", "title:bão"), ("TIEU DE:bão", "title:bão"),
                                         (unicodedata.normalize("NFD", "Tiêu đề: bão"), "title:bão"),
                                         ("tiêu de: bão", "title:bão"), ("noi dung: bão", "bão")])
def test_a_field_prefix_is_read_as_the_query_language_reads_it(index, query, same):
    results, expected = index.search(query), index.search(same)
    assert ids(results) == ids(expected) and results.dropped == expected.dropped
    assert ids(index.search("title:bão")) != ids(index.search("bão"))  # sau-bao holds bão in its body only


@pytest.mark.parametrize("bad", [None, 5])
def test_an_article_id_that_is_not_text_is_a_clear_type_error(index, bad):
    with pytest.raises(TypeError, match="an article id is text"):
        index.get(bad)
    with pytest.raises(TypeError, match="an article id is text"):
        index.related(bad)


@pytest.mark.parametrize("option, value", [("exact", "false"), ("group", "false"), ("exact", 1), ("group", None)])
def test_a_yes_or_no_option_that_is_not_a_bool_is_a_type_error_naming_it(index, option, value):
    # exact="false" had searched exactly (a non-empty str is true), group="false" had grouped
    with pytest.raises(TypeError, match=f"{option} is True or False"):
        index.search("bão", **{option: value})


def test_marks_and_lexicon_take_a_bool_too(index):
    with pytest.raises(TypeError, match="exact is True or False"):
        index.marks("bão", exact="no")
    with pytest.raises(TypeError, match="wait is True or False"):
        index.lexicon(wait="yes")


@pytest.mark.parametrize("name", ["limit", "page"])
def test_a_boolean_limit_or_page_is_a_query_error(index, name):
    with pytest.raises(QueryError, match=f"{name} must be a whole number"):
        index.search("bão", **{name: True})
