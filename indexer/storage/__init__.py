"""The storage layer: the only code that knows Whoosh's internals and the flat postings.

A generation folder holds Whoosh's table of contents (segments and their deletions, written with
Whoosh's own classes only, so renaming a module of ours breaks no index), each segment's Whoosh
files and flat postings, ``FORMAT``, the format version, and ``ANALYSIS``, the version of the
analysis its terms were made with (carried by updates and merges, which link the files). ``writer`` writes segments (build,
update and merge alike), ``reader`` reads a generation as one index (through ``threadsafe``, for
concurrent searches), ``merge`` combines segments.
"""

from __future__ import annotations

from pathlib import Path

import whoosh.index
from whoosh.filedb.filestore import FileStorage

from .. import schema as _schema
from ..analysis import ANALYSIS_VERSION
from ..store import IndexNotFound, build_command
from .flat import write_live_counts
from .merge import SpillingWriter, merge_segments, plan_merges, plan_optimize
from .reader import IndexReader, OldFormat, deleted_documents, segment_path
from .threadsafe import ThreadSafeStorage
from .writer import native_schema, text_fields

FORMAT_VERSION = 3
FORMAT_FILE = "FORMAT"
ANALYSIS_FILE = "ANALYSIS"


def create(gen: Path):
    """A new, empty index in the generation folder gen (Whoosh's FileIndex)."""
    whoosh.index.create_in(str(gen), native_schema(_schema.build_schema()))
    (Path(gen) / FORMAT_FILE).write_text(f"{FORMAT_VERSION}\n", encoding="ascii")
    (Path(gen) / ANALYSIS_FILE).write_text(f"{ANALYSIS_VERSION}\n", encoding="ascii")
    return open_files(gen)


def analysis_version(gen: Path) -> int:
    """The version of the analysis the index in gen was written with (1: before it was recorded)."""
    try:
        return int((Path(gen) / ANALYSIS_FILE).read_text(encoding="ascii"))
    except FileNotFoundError:
        return 1


def check_format(gen: Path) -> None:
    """Raise OldFormat unless gen was written in this format (IndexNotFound when it holds no index)."""
    gen = Path(gen)
    try:
        version = (gen / FORMAT_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not any(gen.glob("*.toc")):  # no Whoosh table of contents either: nothing was written
            raise IndexNotFound(f"the live generation of {gen.parent}, {gen.name}, holds no index: "
                                f"rebuild it with {build_command(gen.parent)}") from None
        version = "1"  # written before the format had a number
    if version != str(FORMAT_VERSION):
        raise OldFormat(f"the index in {gen.parent} is in format {version}, this version of indexer reads "
                        f"format {FORMAT_VERSION}: rebuild it with {build_command(gen.parent)}")


def open_files(gen: Path, storage=None):
    """The index in gen (Whoosh's FileIndex), its schema built from code; checks the format."""
    check_format(gen)
    storage = storage or FileStorage(str(gen))
    try:
        return storage.open_index(schema=_schema.build_schema())
    except whoosh.index.EmptyIndexError as e:  # removed while we opened it
        raise FileNotFoundError(f"no index in {gen}") from e


def open_reader(gen: Path) -> IndexReader:
    """A reader over the index in the generation folder gen, for any number of threads at once."""
    return IndexReader(open_files(gen, ThreadSafeStorage(gen)))


def segment_writer(ix) -> SpillingWriter:
    """A writer of one new segment (the caller holds the folder's writer lock)."""
    return SpillingWriter(ix, _lk=False)


def commit(ix, segments: list, deletions=()) -> None:
    """Make segments the index's content, after deleting the given document numbers."""
    writer = segment_writer(ix)
    for docnum in deletions:
        writer.delete_document(docnum)
    if deletions:
        _write_live_counts(ix, writer.segments)
    writer.commit_segments(list(writer.segments) + [s for s in segments if s is not None])


def _write_live_counts(ix, segments: list) -> None:
    """Write each segment's live documents per term for its deletions (flat.LIVE), unless written already."""
    fields = len(text_fields(ix.schema))
    for segment in segments:
        if segment.has_deletions():
            write_live_counts(segment_path(ix.storage.folder, segment), segment.doc_count_all(), fields,
                              deleted_documents(segment))


def merge_plan(reader: IndexReader, bins: int | None = None) -> list[list[int]]:
    """The groups of segments the tiered policy merges (or optimize, to at most bins segments)."""
    sizes = [s.size - s.deleted for s in reader.segments]
    deleted = [s.deleted for s in reader.segments]
    return plan_optimize(sizes, deleted, bins) if bins else plan_merges(sizes, deleted)


def merge_group(ix, group: tuple[int, ...]):
    """One new segment of the index holding the live documents of a group of its segments
    (numbered as in its reader); None when they hold none. Written, not yet published."""
    reader = IndexReader(ix)
    try:
        return merge_segments(segment_writer(ix), [reader.segments[i] for i in group])
    finally:
        reader.close()


def replace_merged(gen: Path, groups: list[list[int]], merged: list) -> None:
    """Make the merged segments the index's content in place of the groups' segments."""
    ix = open_files(gen)
    reader = IndexReader(ix)
    gone = {reader.segments[i].segment.segment_id() for group in groups for i in group}
    reader.close()
    writer = segment_writer(ix)
    kept = [s for s in writer.segments if s.segment_id() not in gone]
    writer.commit_segments(kept + [s for s in merged if s is not None])
