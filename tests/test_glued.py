"""A word of two syllables written without its space: "ôtô" and "ô tô", "môtô" and "mô tô".

On the 179,251 articles "ôtô" is in 7,863 and the phrase "ô tô" in 4,546, and neither spelling
found the other. A word with marks whose letters split one way into two syllables of pyvi's list is
read as them (analysis 7), and an article's also whole, for readers typing it without marks
("oto"): each spelling finds, ranks and marks both.
"""

from __future__ import annotations

import pytest

from indexer.analysis import exact_positions, glued_cut

GLUED = ("Xe ôtô lật trên đèo", "Một xe ôtô chở khách lật trên đèo, tài xế bị thương nhẹ.")
SPACED = ("Xe ô tô lật trên đèo", "Một xe ô tô chở khách lật trên đèo, tài xế bị thương nhẹ.")

# indexed once for this module (conftest's index_dir, index and index_client)
ARTICLES = [{"id": "glued", "title": GLUED[0], "body": GLUED[1]},
            {"id": "spaced", "title": SPACED[0], "body": SPACED[1]},
            {"id": "to", "title": "Tô phở ngày đông", "body": "Một tô phở nóng cho ngày đông lạnh."}]


@pytest.mark.parametrize("word, cut", [("ôtô", 1), ("ÔTÔ", 1), ("xíchlô", 4), ("phôtô", 3), ("tivi", 0), ("Nokia", 0),
                                       ("nghiêng", 0), ("tuyệt", 0), ("thuở", 0), ("đượcc", 0)])
def test_a_glued_word_with_marks_splits_into_its_two_syllables(word, cut):
    assert glued_cut(word) == cut


def test_both_spellings_index_the_same_terms_and_the_glued_word_whole():
    glued, spaced = exact_positions(GLUED[1]), exact_positions(SPACED[1])
    assert {t: p for t, p in glued.items() if t != "ôtô"} == spaced and glued["ôtô"] == spaced["ô_tô"]


@pytest.mark.parametrize("query", ["ôtô", "ô tô", '"ô tô"', "xe ôtô lật"])
def test_each_spelling_finds_both_alike(index, query):
    hits = index.search(query, limit=10)
    assert {h.doc_id for h in hits[:2]} == {"glued", "spaced"}
    assert hits[0].score == pytest.approx(hits[1].score, rel=0.05)  # the glued one holds its whole word too: one term more of 17


def test_highlights_mark_the_glued_word(index):
    hit = next(h for h in index.search("ô tô", limit=10) if h.doc_id == "glued")
    assert "ôtô" in [piece.lower() for piece in hit.highlight.marked]


def test_typed_without_marks_and_glued_it_still_finds_the_glued_spelling(index):
    assert "glued" in {h.doc_id for h in index.search("oto", limit=10)}
