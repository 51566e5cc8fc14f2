"""Tone-mark placement (issue 12 quality target): "huỷ"/"hủy", "thuỷ"/"thủy" segment alike.

pyvi reads the two placements as different syllables ("Trump huỷ" stays apart, "Trump_hủy" is
joined), so the text is put in one placement before segmentation. Through the Python API and the
Flask client, on articles written in triples that differ only in tone placement and Unicode form:
every spelling must index the same terms, score alike and be highlighted on its own characters.
"""

from __future__ import annotations

import unicodedata

import pytest

from indexer.analysis import analyze, canonical, exact_positions

HUY = ("Trump huỷ thăm Ba Lan", "Tổng thống Trump huỷ chuyến thăm Ba Lan vì siêu bão đổ bộ vào Florida.")
THUY = ("Tàu thuỷ đâm va trên sông", "Tàu thuỷ đâm va sà lan chở cát, một thuyền viên bị thương nhẹ.")
OLD = {"huỷ": "hủy", "thuỷ": "thủy"}


def old_style(text: str) -> str:
    """The text with the tone marks on the first vowel (hủy, thủy)."""
    for new, old in OLD.items():
        text = text.replace(new, old)
    return text


def spellings(name: str, title: str, body: str) -> list[dict]:
    """The article as written (new placement), in the old placement and decomposed (NFD)."""
    return [{"id": f"{name}-new", "title": title, "body": body},
            {"id": f"{name}-old", "title": old_style(title), "body": old_style(body)},
            {"id": f"{name}-nfd", "title": unicodedata.normalize("NFD", title),
             "body": unicodedata.normalize("NFD", body)}]


# indexed once for this module (conftest's index_dir, index and index_client)
ARTICLES = spellings("huy", *HUY) + spellings("thuy", *THUY) + [
    {"id": "ba-lan", "title": "Ba Lan đón đoàn khách", "body": "Đoàn khách tới Ba Lan thăm một nhà máy đóng tàu."},
    {"id": "tau-ca", "title": "Tàu cá gặp nạn", "body": "Tàu cá bị sóng lớn đánh chìm, thuyền viên được cứu."},
]
QUERIES = [HUY[0], old_style(HUY[0]), THUY[0], old_style(THUY[0]), "trump huỷ", "TÀU THUỶ ĐÂM VA",
           unicodedata.normalize("NFD", "tàu thuỷ")]


def scored(results) -> list[tuple[str, float]]:
    return [(h.doc_id, h.score) for h in results]


@pytest.mark.parametrize("text", [HUY[0], HUY[1], THUY[0], THUY[1]])
def test_both_placements_index_the_same_terms(text):
    assert exact_positions(old_style(text)) == exact_positions(text)
    assert exact_positions(unicodedata.normalize("NFD", text)) == exact_positions(text)


@pytest.mark.parametrize("query", QUERIES)
def test_every_spelling_of_an_article_scores_alike(index, query):
    scores = {h.doc_id: h.score for h in index.search(query, limit=20)}
    for name in ("huy", "thuy"):
        found = [scores.get(f"{name}-{kind}") for kind in ("new", "old", "nfd")]
        assert found[0] == pytest.approx(found[1], abs=1e-9) == pytest.approx(found[2], abs=1e-9)


@pytest.mark.parametrize("written, typed", [(HUY[0], old_style(HUY[0])), (THUY[0], old_style(THUY[0])),
                                            ("thuỷ đâm va", "thủy đâm va"), ("Trump huỷ", "trump hủy")])
def test_the_other_placement_ranks_like_the_query_as_written(index, written, typed):
    expected = scored(index.search(written, limit=20))
    assert [d for d, _ in scored(index.search(typed, limit=20))] == [d for d, _ in expected]
    assert [s for _, s in scored(index.search(typed, limit=20))] == pytest.approx([s for _, s in expected], abs=1e-9)


@pytest.mark.parametrize("text", [HUY[1], old_style(HUY[1]), unicodedata.normalize("NFD", HUY[1]),
                                  unicodedata.normalize("NFD", old_style(HUY[1]))])
def test_offsets_point_at_the_original_characters(text):
    for term, _, start, end in analyze(text):
        assert canonical(text[start:end].replace(" ", "_")) == term


@pytest.mark.parametrize("query", ["trump hủy", "trump huỷ"])
def test_highlights_mark_each_spelling_on_its_own_characters(index, query):
    hits = {h.doc_id: h for h in index.search(query, limit=20)}
    for kind in ("new", "old", "nfd"):
        found = hits[f"huy-{kind}"]
        body = next(a["body"] for a in ARTICLES if a["id"] == found.doc_id)
        assert "".join(piece for fragment in found.highlight.fragments for piece, _ in fragment) in unicodedata.normalize("NFC", body)
        words = [canonical(w) for piece in found.highlight.marked for w in unicodedata.normalize("NFC", piece).split()]
        assert words == ["trump", "hủy"]


def test_web_search_ranks_either_placement_alike(index_client):
    pages = [index_client.get("/api/search", query_string={"q": q}).get_json() for q in (THUY[0], old_style(THUY[0]))]
    assert [(r["id"], r["score"]) for r in pages[0]["hits"]] == [(r["id"], r["score"]) for r in pages[1]["hits"]]
