"""Facets: how many results each source, category and month has, and filters on them.

Each document's facet values are small integers over the whole index (``FacetColumns``, made
once per generation from the facet columns and the recency column), so counting the matches of a
search is one ``np.bincount`` per facet over the matching documents (or, when most documents
match, over the others, subtracted from the totals). A facet's counts apply the other facets' filters
but not its own (as Algolia's disjunctive facets), so a list still offers the values that would
widen the search: values of one facet are alternatives (OR), facets combine (AND).
Grouped, a value counts a group of copies once (as the search filtered by it lists the group),
so a story carried by two sources counts under each.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

from .query import QueryError
from .schema import FACET_FIELDS, MAX_FACET_CHARS

FACETS = ("source", "category", "month")
MAX_FILTER_VALUES = 20  # values of one facet a search may filter by
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
FACET_VI = {"source": "Nguồn", "category": "Chuyên mục", "month": "Tháng"}


def facet_filters(source=None, category=None, month=None) -> dict[str, tuple[str, ...]]:
    """The facet filters of a search, checked: facet -> the values wanted (any of them)."""
    filters = {}
    for facet, given in zip(FACETS, (source, category, month)):
        values = _filter_values(facet, given)
        if values:
            filters[facet] = values
    return filters


def _filter_values(facet: str, given) -> tuple[str, ...]:
    """One facet's filter values (a string or several), whitespace collapsed; QueryError if unusable."""
    if given is None:
        return ()
    values = [given] if isinstance(given, str) else list(given) if isinstance(given, Iterable) else [given]
    if len(values) > MAX_FILTER_VALUES:
        raise QueryError(f"{facet}: at most {MAX_FILTER_VALUES} values, not {len(values)}",
                         vi=f"{FACET_VI[facet]}: chọn tối đa {MAX_FILTER_VALUES} giá trị.")
    cleaned = []
    for value in values:
        text = " ".join(value.split()) if isinstance(value, str) else None
        if not text or len(text) > MAX_FACET_CHARS or (facet == "month" and not MONTH.fullmatch(text)):
            raise _bad_value(facet, value)
        cleaned.append(text)
    return tuple(dict.fromkeys(cleaned))


def _bad_value(facet: str, value) -> QueryError:
    shown = str(value)[:50]
    if facet == "month":
        return QueryError(f"month: {shown!r} is not a month: use YYYY-MM",
                          vi=f"Tháng không hợp lệ: «{shown}». Hãy nhập tháng theo dạng YYYY-MM, ví dụ 2017-05.")
    return QueryError(f"{facet}: {shown!r} is not a value: give text of 1 to {MAX_FACET_CHARS} characters",
                      vi=f"{FACET_VI[facet]} không hợp lệ: «{shown}» (1 đến {MAX_FACET_CHARS} ký tự).")


def _month_number(label: str) -> int:
    """Months since January 1970 of a YYYY-MM label."""
    year, month = MONTH.fullmatch(label).groups()
    return (int(year) - 1970) * 12 + int(month) - 1


def _month_label(number: int) -> str:
    return f"{1970 + number // 12:04d}-{number % 12 + 1:02d}"


class FacetColumns:
    """Each document's source, category and month as a slot: 0 for none, else 1 + the value's
    place in the facet's list of values."""

    def __init__(self, reader, recency: np.ndarray):
        self.values: dict[str, list[str]] = {}
        self.slots: dict[str, np.ndarray] = {}  # intp: bincount and fancy indexing take them as they are
        self._numbers: dict[str, dict[str, int]] = {}  # value -> slot, for the sources and categories
        for facet, column in FACET_FIELDS.items():
            self._add_strings(facet, reader.column(column, str))
        self._add_months(recency)
        self._totals = {facet: np.bincount(slots, minlength=len(self.values[facet]) + 1)
                        for facet, slots in self.slots.items()}  # over all documents, deleted ones too

    def _add_strings(self, facet: str, column) -> None:
        numbers = {"": 0}  # value -> slot, in order of appearance (a dict: np.unique sorts strings slowly)
        slots = np.fromiter((numbers.setdefault(v, len(numbers)) for v in column), np.intp, len(column))
        del numbers[""]
        self.values[facet], self.slots[facet], self._numbers[facet] = list(numbers), slots, numbers

    def _add_months(self, recency: np.ndarray) -> None:
        dated = recency != 0  # recency: seconds of Vietnam time as if UTC; 0 when undated
        months = recency.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
        first = int(months[dated].min()) if dated.any() else 0
        last = int(months[dated].max()) if dated.any() else -1
        self.values["month"] = [_month_label(m) for m in range(first, last + 1)]
        self.slots["month"] = np.where(dated, months - first + 1, 0).astype(np.intp)
        self._first_month = first

    def masks(self, filters: dict[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
        """facet -> which documents have one of the wanted values, for each facet filtered."""
        return {facet: self._mask(facet, wanted) for facet, wanted in filters.items()}

    def _mask(self, facet: str, wanted: tuple[str, ...]) -> np.ndarray:
        allowed = np.zeros(len(self.values[facet]) + 1, dtype=bool)  # slot 0 (no value) stays False
        allowed[[slot for value in wanted if (slot := self._slot(facet, value)) is not None]] = True
        return allowed[self.slots[facet]]

    def _slot(self, facet: str, value: str) -> int | None:
        if facet == "month":
            slot = _month_number(value) - self._first_month + 1
            return slot if 1 <= slot <= len(self.values[facet]) else None
        return self._numbers[facet].get(value)

    def count(self, matched: np.ndarray, masks: dict[str, np.ndarray], copies=None):
        """(facet -> [{"value", "count"}] by count, facet -> results without a value): each facet
        counts the matched documents that pass the other facets' filters, a group of copies
        (copies: a CopyGroups; None: every document) once under each value its members hold."""
        return self._count(_counted(matched, masks), copies)

    def shard_count(self, matched: np.ndarray, masks: dict[str, np.ndarray], copies) -> tuple[dict, dict, list]:
        """count() of a cluster shard's matches, and the (facet, value or None, group) of each group
        spread over the shards that it counts under that value here: what the front counts once."""
        counted = list(_counted(matched, masks))
        return *self._count(counted, copies), self._spread_counted(counted, copies)

    def _count(self, counted, copies) -> tuple[dict, dict]:
        facets, missing = {}, {}
        for facet, (kept, ids, complement) in counted:
            counts = np.bincount(self.slots[facet][ids], minlength=len(self.values[facet]) + 1)
            if complement:
                counts = self._totals[facet] - counts
            if copies is not None:
                counts -= self._copies_counted(facet, kept, copies)
            facets[facet] = _by_count(self.values[facet], counts[1:])
            missing[facet] = int(counts[0])
        return facets, missing

    def _copies_counted(self, facet: str, kept: np.ndarray, copies) -> np.ndarray:
        """Per slot, how many kept documents bincount counts beyond one per group of copies."""
        docs = copies.grouped[kept[copies.grouped]]
        slots = self.slots[facet][docs]
        distinct = _distinct_pairs(slots, copies.groups[docs])[0]
        size = len(self.values[facet]) + 1
        return np.bincount(slots, minlength=size) - np.bincount(distinct, minlength=size)

    def _spread_counted(self, counted, copies) -> list[tuple]:
        spread = []
        for facet, (kept, _, _) in counted:
            docs = np.flatnonzero(kept & copies.spread)
            slots, groups = _distinct_pairs(self.slots[facet][docs], copies.groups[docs])
            spread += [(facet, self.values[facet][s - 1] if s else None, g)
                       for s, g in zip(slots.tolist(), groups.tolist())]
        return spread


def _counted(matched: np.ndarray, masks: dict[str, np.ndarray]):
    """(facet, (the documents it counts: matched passing the other facets' filters; _documents of
    them)) for each facet."""
    chosen = {}
    for facet in FACETS:
        others = tuple(f for f in masks if f != facet)
        if others not in chosen:  # without filters, the three facets count the same documents
            kept = np.logical_and.reduce([matched, *(masks[f] for f in others)])
            chosen[others] = (kept, *_documents(kept))
        yield facet, chosen[others]


def _distinct_pairs(slots: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slots, groups) of each distinct (slot, group) pair of these documents."""
    low = int(groups.min()) if len(groups) else 0
    span = (int(groups.max()) - low + 1) if len(groups) else 1
    pairs = np.unique(slots.astype(np.int64) * span + (groups.astype(np.int64) - low))
    return pairs // span, pairs % span + low


def _documents(mask: np.ndarray) -> tuple[np.ndarray, bool]:
    """(the numbers of the documents in mask, False), or of those not in it (True) when fewer."""
    if np.count_nonzero(mask) > len(mask) // 2:
        return np.flatnonzero(~mask), True
    return np.flatnonzero(mask), False


def _by_count(values: list[str], counts: np.ndarray) -> list[dict]:
    """[{"value", "count"}] of the values counted, most first, then by value."""
    found = np.flatnonzero(counts)
    ordered = sorted(found.tolist(), key=lambda i: (-counts[i], values[i]))
    return [{"value": values[i], "count": int(counts[i])} for i in ordered]


def empty_facets() -> dict[str, list]:
    """Facets with nothing counted."""
    return {facet: [] for facet in FACETS}


def no_missing() -> dict[str, int]:
    """No article missing from any facet."""
    return dict.fromkeys(FACETS, 0)


def summed_facets(parts, spread=()) -> tuple[dict, dict]:
    """(facets, missing) of several indexes' (facets, missing) added up value by value (a
    cluster's shards), a group spread over shards counted once under a value (spread: each
    shard's third part of FacetColumns.shard_count)."""
    facets, missing = empty_facets(), no_missing()
    held = [item for counted in spread for item in counted]
    twice = Counter((facet, value) for facet, value, _ in held)  # the groups counted by several shards
    twice.subtract(Counter((facet, value) for facet, value, _ in set(held)))
    for facet in FACETS:
        totals: dict[str, int] = {}
        for counted, lacking in parts:
            missing[facet] += lacking[facet]
            for item in counted[facet]:
                totals[item["value"]] = totals.get(item["value"], 0) + item["count"]
        missing[facet] -= twice[facet, None]
        facets[facet] = _by_count(list(totals), np.array([n - twice[facet, v] for v, n in totals.items()], dtype=np.int64))
    return facets, missing
