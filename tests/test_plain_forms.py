"""Characters that hide words in scraped articles (analysis.PLAIN_FORMS): an article writing
``50m²``, fullwidth letters, ``Ð`` for ``Đ``, a zero-width space or a soft hyphen inside a word, or
an accent typed twice is found by the word typed plainly, and its highlight marks the characters
written, not their neighbours (offsets point into the text as stored)."""

from __future__ import annotations

import pytest

from conftest import article

ARTICLES = [
    article("m2-sup", "Căn hộ nhỏ giữa phố cổ", "Căn hộ có diện tích 50m², giá 2 tỷ đồng."),
    article("m2-plain", "Căn hộ mini cho thuê", "Căn hộ có diện tích 50m2, giá 3 triệu đồng."),
    article("fullwidth", "Giá ｖàｎｇ ＳＪＣ tăng mạnh", "Sáng nay giá kim loại quý trong nước tăng mạnh."),
    article("eth", "Tàu cá ngư dân trên Biển Ðông", "Ngư dân bám biển trên Biển Ðông dù mưa gió."),
    article("zwsp", "Tàu hàng cập cảng", "Tàu hàng của Tr\u200bung Quốc\u200b, Nhật Bản cập cảng hôm qua."),
    article("soft-hyphen", "Hội thảo ở Paris", "Giáo sư Jamil Dakh\u00adlia từ Đại học Paris 3 phát biểu."),
    article("stray-mark", "Miễn phí thuốc điều trị", "Bệnh nhân được cấp thuố\u0301c miễn phí."),
    article("other", "Mưa lớn ở miền Trung", "Mưa lớn kéo dài nhiều ngày ở miền Trung."),
]


def ids(results) -> list[str]:
    return [hit.doc_id for hit in results]


@pytest.mark.parametrize("query", ["50m2", "50m²"])
def test_a_superscript_digit_in_an_article_is_the_digit_queries_type(index, query):
    assert set(ids(index.search(query))) == {"m2-sup", "m2-plain"}


def test_an_article_written_with_a_superscript_is_highlighted_on_it(index):
    hit = next(hit for hit in index.search("50m2") if hit.doc_id == "m2-sup")
    assert "diện tích <mark>50m²</mark>, giá" in hit.snippet


@pytest.mark.parametrize("query", ["giá vàng SJC", "gia vang sjc"])
def test_fullwidth_letters_in_a_title_are_found_by_plain_ones(index, query):
    results = index.search(query)
    assert ids(results)[0] == "fullwidth"
    assert results[0].title_html == "<mark>Giá</mark> <mark>ｖàｎｇ</mark> <mark>ＳＪＣ</mark> tăng mạnh"


@pytest.mark.parametrize("query", ["Biển Đông", "bien dong"])
def test_an_eth_written_for_d_with_stroke_is_that_letter(index, query):
    results = index.search(query)
    assert ids(results)[0] == "eth"
    assert "trên <mark>Biển Ðông</mark> dù" in results[0].snippet


def test_a_zero_width_space_inside_a_word_does_not_split_it(index):
    results = index.search("Trung Quốc")
    assert ids(results)[0] == "zwsp"
    assert "của <mark>Tr\u200bung Quốc</mark>\u200b, Nhật" in results[0].snippet  # the space after it unmarked


def test_a_soft_hyphen_inside_a_name_does_not_split_it(index):
    results = index.search("Dakhlia")
    assert ids(results) == ["soft-hyphen"]
    assert "Jamil <mark>Dakh\u00adlia</mark> từ" in results[0].snippet


def test_an_accent_typed_twice_hides_nothing(index):
    results = index.search("cấp thuốc")
    assert ids(results)[0] == "stray-mark"
    assert "được <mark>cấp</mark> <mark>thuố\u0301c</mark> miễn" in results[0].snippet


def test_the_query_reads_these_characters_as_articles_do(index):
    assert ids(index.search("Tr\u200bung Quốc")) == ids(index.search("Trung Quốc"))
    assert ids(index.search("Biển Ðông")) == ids(index.search("Biển Đông"))
