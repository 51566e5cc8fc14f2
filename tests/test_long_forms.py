"""An abbreviation and its long form rank alike (issue 12): an article writing ``CSGT`` is found
and ranked for ``cảnh sát giao thông`` as the words it stands for, not as one of them."""

from __future__ import annotations

from conftest import article

LONG = [article(f"csgt-viet-du-{n}", f"Cảnh sát giao thông tuần tra đêm ở quận {n}",
                "Lực lượng cảnh sát giao thông tuần tra trên các tuyến phố.") for n in range(1, 4)]
SHORT = [article("csgt-viet-tat", "CSGT tuần tra đêm ở quận 9", "Lực lượng CSGT tuần tra trên các tuyến phố.")]
# "cảnh sát" and "giao thông" apart, in bodies only: ward police, and the traffic
APART = [article(f"an-ninh-phuong-{n}", f"Tin an ninh trật tự phường {n}",
                 "Cảnh sát khu vực kiểm tra hộ khẩu. Tình hình giao thông trong phường ổn định.")
         for n in range(1, 21)]
OTHERS = [article(f"bong-da-{n}", f"Đội tuyển thắng trận thứ {n}", "Các cầu thủ thi đấu tốt trên sân nhà.")
          for n in range(1, 61)]
ARTICLES = [*LONG, *SHORT, *APART, *OTHERS]


def test_an_abbreviation_ranks_as_the_words_it_stands_for(index):
    found = [hit.doc_id for hit in index.search("cảnh sát giao thông", limit=30)]
    assert found.index("csgt-viet-tat") < min(found.index(a["id"]) for a in APART)
