"""The timeline of a results page: the matching articles by month as bars of an SVG drawn here.

Months run in order from the first to the last with matches (months without any are gaps);
over MAX_BARS months, the bars are years (decades, centuries or millennia over MAX_BARS years: an
exporter's placeholder 0001-01-01 beside 2017), each linking to its years as a date range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

MAX_BARS = 120
YEAR_SPANS = (1, 10, 100, 1000)  # years a bar stands for: the least that keeps to MAX_BARS bars
WIDTH, HEIGHT = 600, 120  # the SVG's coordinates; CSS scales it to the page
LABEL_SPACE = 20  # below the bars, for the labels
BAR_SHARE = 0.8  # of a bar's column, the bar (the rest: the gaps between bars)
# Labels: up to eight in the wide layout, four larger ones on narrow screens (style.css sizes them so
# that they render at 11 px or more), under their bars; a label's middle stays half its width
# ("12/2023" at the layout's font size) from the edges.
LABELS = {"wide": (8, 27), "narrow": (4, 46)}  # layout -> (labels, margin in SVG units)


@dataclass(frozen=True)
class Bar:
    """One bar: its label, count, place in the SVG and the filter it links to."""

    label: str  # e.g. "5/2017", or "2017" for a year
    count: int
    x: float
    y: float
    width: float
    height: float
    changes: dict  # the SearchParams changes of its link
    selected: bool
    labels: tuple[tuple[str, float], ...]  # (layout, the label's middle) per layout showing it

    @property
    def column(self) -> tuple[float, float]:
        """(x, width) of the bar's whole column, gaps included: its link's hit area, however short the bar."""
        return self.x - self.width * (1 - BAR_SHARE) / BAR_SHARE / 2, self.width / BAR_SHARE


def _months(facet: list[dict]) -> dict[int, int]:
    """Months since year 0 -> count, from the month facet's YYYY-MM values."""
    return {int(v["value"][:4]) * 12 + int(v["value"][5:]) - 1: v["count"] for v in facet}


def _buckets(counts: dict[int, int], chosen: tuple[str, ...]):
    """(label, count, link changes, selected) per month from first to last, or per span of years when too many."""
    first, last = min(counts), max(counts)
    if last - first < MAX_BARS:
        for m in range(first, last + 1):
            value = f"{m // 12:04d}-{m % 12 + 1:02d}"
            yield f"{m % 12 + 1}/{m // 12}", counts.get(m, 0), {"month": (value,)}, value in chosen
        return
    span = next(s for s in YEAR_SPANS if last // 12 // s - first // 12 // s < MAX_BARS)
    for start in range(first // 12 // span * span, last // 12 + 1, span):
        low, high = max(start, 1), start + span - 1  # there is no year 0
        total = sum(count for month, count in counts.items() if low <= month // 12 <= high)
        changes = {"month": (), "date_from": date(low, 1, 1), "date_to": date(high, 12, 31)}
        yield str(low) if span == 1 else f"{low}–{high}", total, changes, False


def timeline_bars(month_facet: list[dict], chosen: tuple[str, ...] = ()) -> list[Bar]:
    """The bars of the month facet's timeline (empty when no matching article has a date)."""
    if not month_facet:
        return []
    buckets = list(_buckets(_months(month_facet), chosen))
    most = max(count for _, count, _, _ in buckets)
    step = WIDTH / len(buckets)
    bars = []
    for i, (label, count, changes, selected) in enumerate(buckets):
        height = (HEIGHT - LABEL_SPACE - 4) * count / most
        bars.append(Bar(label, count, (i + (1 - BAR_SHARE) / 2) * step, HEIGHT - LABEL_SPACE - height, step * BAR_SHARE,
                        height, {**changes, "page": 1}, selected, _labels(i, len(buckets))))
    return bars


def _labels(i: int, bars: int) -> tuple[tuple[str, float], ...]:
    """(layout, x) for each layout labelling the i-th of so many bars: every so many bars from the first
    whose label fits in the drawing, for at most the layout's number of labels (so never closer)."""
    step = WIDTH / bars
    middle = (i + 0.5) * step
    return tuple((layout, middle) for layout, (labels, margin) in LABELS.items()
                 if margin <= middle <= WIDTH - margin
                 and (i - math.ceil(margin / step - 0.5)) % math.ceil(bars / labels) == 0)
