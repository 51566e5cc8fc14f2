"""i and y alone after h, k, l, m, t, s or qu: "kĩ sư"/"kỹ sư", "bác sĩ"/"bác sỹ", "tỉ đồng"/"tỷ đồng", "hi vọng"/"hy vọng".

Schools write i, most of the press y, and the archive mixes both (on the 179,251 articles: "tỷ
đồng" 18,909 articles, "tỉ đồng" 10,389). Through the Python API and the Flask client, on
articles that differ only in that spelling: each spelling of a query, with or without accents,
must find both, score them alike and mark each on its own characters.
"""

from __future__ import annotations

import pytest

from indexer.analysis import canonical, exact_positions

KY_SU = ("Kỹ sư Mỹ sang Hà Nội", "Ba kỹ sư Mỹ sang Hà Nội lắp đặt hệ thống đo mưa cho thành phố.")
BAC_SI = ("Bác sĩ cứu sản phụ", "Bác sĩ bệnh viện huyện cứu sống sản phụ mất nhiều máu, chi phí gần 1 tỉ đồng.")
HY_VONG = ("Hy vọng của người thợ mỏ", "Người thợ mỏ hy vọng con trai sẽ không phải hy sinh sức khỏe như cha.")
I_TO_Y = {"Kỹ": "Kĩ", "kỹ": "kĩ", "Mỹ": "Mĩ", "sĩ": "sỹ", "Bác sĩ": "Bác sỹ", "tỉ": "tỷ", "Hy": "Hi", "hy": "hi"}


def other_spelling(text: str) -> str:
    """The text with each such i or y in the other spelling."""
    for one, other in I_TO_Y.items():
        text = text.replace(one, other)
    return text


# indexed once for this module (conftest's index_dir, index and index_client)
ARTICLES = [{"id": "ky-su", "title": KY_SU[0], "body": KY_SU[1]},
            {"id": "ky-su-other", "title": other_spelling(KY_SU[0]), "body": other_spelling(KY_SU[1])},
            {"id": "bac-si", "title": BAC_SI[0], "body": BAC_SI[1]},
            {"id": "bac-si-other", "title": other_spelling(BAC_SI[0]), "body": other_spelling(BAC_SI[1])},
            {"id": "hy-vong", "title": HY_VONG[0], "body": HY_VONG[1]},
            {"id": "hy-vong-other", "title": other_spelling(HY_VONG[0]), "body": other_spelling(HY_VONG[1])},
            {"id": "kinh-te", "title": "Kinh tế Hà Nội tăng trưởng", "body": "Kinh tế thành phố tăng trưởng nhờ đầu tư và du lịch."},
            {"id": "ky-thi", "title": "Kỳ thi tốt nghiệp", "body": "Kỳ thi tốt nghiệp năm nay có thêm môn lịch sử."}]


@pytest.mark.parametrize("word, term", [("Kĩ", "kỹ"), ("kỹ", "kỹ"), ("Mĩ_thuật", "mỹ_thuật"), ("sỹ", "sĩ"), ("tỉ", "tỷ"),
                                        ("quí", "quý"), ("hi", "hy"), ("Hí", "hý"), ("hy", "hy"), ("ki", "ky"), ("kinh", "kinh"), ("quyết", "quyết"),
                                        ("thi", "thi"), ("tuỳ", "tùy")])
def test_one_spelling_is_the_term(word, term):
    assert canonical(word) == term


@pytest.mark.parametrize("text", [KY_SU[1], BAC_SI[1], HY_VONG[1]])
def test_both_spellings_index_the_same_terms(text):
    assert exact_positions(other_spelling(text)) == exact_positions(text)


@pytest.mark.parametrize("query, name", [("kỹ sư Mỹ", "ky-su"), ("kĩ sư Mĩ", "ky-su"), ("ky su My", "ky-su"),
                                         ("ki su Mi", "ky-su"), ("KĨ SƯ", "ky-su"), ("bác sỹ tỉ đồng", "bac-si"),
                                         ("bac si ty dong", "bac-si"), ("hi vọng hi sinh", "hy-vong"),
                                         ("hy vong", "hy-vong"), ("HI VỌNG", "hy-vong")])
def test_each_spelling_of_a_query_finds_both_articles_alike(index, query, name):
    hits = index.search(query, limit=20)
    assert {h.doc_id for h in hits[:2]} == {name, f"{name}-other"}
    assert hits[0].score == pytest.approx(hits[1].score, abs=1e-9)
    assert "kinh-te" not in {h.doc_id for h in hits}


@pytest.mark.parametrize("query, name, written", [("kĩ sư", "ky-su", "kỹ sư"), ("ky su", "ky-su", "kỹ sư"),
                                                  ("hi vọng", "hy-vong", "hy vọng"), ("hy vong", "hy-vong", "hy vọng")])
def test_highlights_mark_each_spelling_on_its_own_characters(index, query, name, written):
    hits = {h.doc_id: h for h in index.search(query, limit=20)}
    for doc_id, written in ((name, written), (f"{name}-other", other_spelling(written))):
        marked = [piece.lower() for piece in hits[doc_id].highlight.marked]
        assert written in marked


def test_web_search_ranks_either_spelling_alike(index_client):
    pages = [index_client.get("/api/search", query_string={"q": q}).get_json() for q in ("bác sĩ", "bác sỹ")]
    assert {r["id"] for r in pages[0]["hits"]} == {"bac-si", "bac-si-other"}
    assert [(r["id"], r["score"]) for r in pages[0]["hits"]] == [(r["id"], r["score"]) for r in pages[1]["hits"]]


@pytest.mark.parametrize("prefix", ["kì thi", "ki thi t", "Kì "])
def test_suggestions_complete_a_word_typed_in_the_other_spelling_as_typed(index, prefix):
    # the titles write "Kỳ thi"; the reader's i is kept (ti vi: not the terms' "ty vi")
    assert any(s.lower().startswith("kì thi") for s in index.suggest(prefix))


@pytest.mark.parametrize("typed", ["ti", "hi", "Hy"])
def test_a_typo_is_one_edit_from_what_either_spelling_is(index, typed):
    """ti (terms: ty) and hi (hy) are what a dropped h or t of thi leaves: thi is one edit from them as typed."""
    assert "thi" in {syllable for _, _, syllable in index.lexicon()._near(typed.lower(), 10, 1)}


@pytest.mark.parametrize("query, read", [("hi vong", "hi vọng"), ("hy vong", "hy vọng"), ("ki su", "kĩ sư"),
                                         ("ky su", "kỹ sư")])
def test_a_reading_keeps_the_readers_spelling(index, query, read):
    # the terms are one spelling (hy, kỹ); a reading shows the one typed: "hi hung" reads "hí hửng", as the press writes it
    assert index.search(query).suggestion == read
