"""The index folder on disk: generations, the CURRENT pointer and the writers' lock.

An index folder holds one Whoosh index per generation (``gen-…``) and a file ``CURRENT``
naming the live one. A build writes a new generation beside the live one and swaps
``CURRENT`` with an atomic rename only when it is complete, so readers see either the old
index or the new one, never a partial one. Each generation folder holds ``GENERATION``, its
mark: cleaning the old generations deletes only folders so marked (or, made before the mark,
holding the storage's ``FORMAT``), never another folder named ``gen-…`` put there. A generation
may hold ``RETRACTED``, the ids a delete retracted: changed only in a new generation, so the list
goes live with the articles it removed.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import json
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CURRENT = "CURRENT"
LOCK = "writer.lock"
GEN_PREFIX = "gen-"
DERIVED_PREFIX = "derived."  # files computed from a generation's own (never an update's next one's own)
LEXICON_FILE = f"{DERIVED_PREFIX}lexicon.npz"  # a function of the live articles alone: a merge keeps it
LEXICON_BEFORE = f"{DERIVED_PREFIX}lexicon-before.npz"  # an update's: the newest Lexicon saved before it
GROUPS_FILE = f"{DERIVED_PREFIX}groups.npy"  # each document's group of syndicated copies (document numbers: a merge's own)
MERGED_FROM = f"{DERIVED_PREFIX}merged-from"  # a merge's generation: the name of the one it merged (same articles)
KEPT_PREFIX = "lexicon_"  # a segment's derived files: <segment>.lexicon_….npz (storage's SegmentReader.kept)
GENERATION_MARK = "GENERATION"  # in each generation folder new_generation makes: cleanup deletes only those
LEGACY_MARK = "FORMAT"  # storage's format file: every generation made before GENERATION_MARK holds it
RETRACTED = "RETRACTED"  # in a generation: JSON {"retracted": {id: when, UTC}}, the ids builds and updates keep out
MANIFEST = "SHARDS.json"  # a sharded index's: its shards' folders (shard-0, ...)
SHARD_FOLDER = re.compile(r"shard-[0-9]+")  # a sharded index's shards' folders
TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9]+\.tmp")  # replaced's: .NAME.PID.THREAD.tmp
OWN_ENTRY = re.compile(rf"{CURRENT}|{re.escape(LOCK)}|{re.escape(MANIFEST)}|{GEN_PREFIX}.*|{SHARD_FOLDER.pattern}|\..*")


@dataclass(frozen=True)
class NoIndex:
    """Why a folder holds no index to open, as the core decided (each face words it): kind is
    FILE (a file given as the folder), WRITING (its first build or update is running: writer is
    its (command, pid)), NONE (none built there), OLD (written in another format), SHARDED (a
    sharded index, opened without its cluster) or UNREADABLE (an index that cannot be read: a
    damaged CURRENT, a missing or empty generation)."""
    kind: str
    writer: tuple[str, int] | None = None


FILE, WRITING, NONE, OLD, SHARDED, UNREADABLE = "file", "writing", "none", "old", "sharded", "unreadable"


class IndexNotFound(FileNotFoundError):
    """There is no built index in the folder; str() says why in English, .why is the decision."""

    def __init__(self, message: str, why: NoIndex = NoIndex(UNREADABLE)):
        super().__init__(message)
        self.why = why


class NotAnIndexFolder(FileExistsError):
    """A build was given a folder that holds other things than an index (articles, folders)."""


class DamagedFile(OSError):
    """A file of the index that cannot be read as what it should hold."""


class IndexLocked(RuntimeError):
    """Another writer (a build, update, delete or optimize) holds the index folder's lock."""


class ShardFolder(RuntimeError):
    """A writer (build, update, delete, restore, optimize) was given one shard's folder of a sharded index,
    whose top folder holds the writer lock guarding all its shards (a sharded build reads every shard's
    retractions, then replaces the shards, under it) and whose hash of the ids deals the articles."""


def build_command(index_dir) -> str:
    """The command that (re)builds the index in index_dir, for messages telling to run it."""
    return f"`python -m indexer build SOURCES --index {index_dir}`"


def is_sharded(index_dir) -> bool:
    """Whether index_dir holds a sharded index (a manifest)."""
    return (Path(index_dir) / MANIFEST).is_file()


# how each writer runs on a sharded index, in its top folder: (how, the command's arguments)
_AT_TOP = {"delete": ("by id there", "ID... --index {top}"), "restore": ("by id there", "ID... --index {top}"),
           "update": ("it there on a Dask cluster", "SOURCES --index {top} --cluster ADDRESS"),
           "build": ("it there on a Dask cluster", "SOURCES --index {top} --cluster ADDRESS --shards N"),
           "optimize": ("it there", "--index {top}")}


def refuse_shard_folder(index_dir, command: str) -> None:
    """Raise ShardFolder when index_dir is a shard's folder inside a sharded index (named as shards are,
    its parent holding the manifest): command must go through the top folder, under its writer lock."""
    real = Path(index_dir).resolve()
    if not (SHARD_FOLDER.fullmatch(real.name) and is_sharded(real.parent)):
        return
    top = Path(index_dir).parent if Path(index_dir).parent.resolve() == real.parent else real.parent
    how, arguments = _AT_TOP[command]
    raise ShardFolder(f"{index_dir} is a shard of the sharded index {top}: {command} {how}, under its "
                      f"writer lock (python -m indexer {command} {arguments.format(top=top)})")


def current_generation(index_dir: Path) -> Path:
    """The folder of the live generation; raises IndexNotFound when there is none."""
    try:
        name = (Path(index_dir) / CURRENT).read_text(encoding="ascii").strip()
    except (FileNotFoundError, NotADirectoryError):
        why = no_index(index_dir)
        raise IndexNotFound(why_no_index(index_dir, why), why) from None
    except UnicodeDecodeError:
        raise IndexNotFound(f"{index_dir}/{CURRENT} names no generation (it is not text); "
                            f"build the index again with {build_command(index_dir)}") from None
    gen = Path(index_dir) / name
    if not name.startswith(GEN_PREFIX) or not gen.is_dir():
        raise IndexNotFound(f"{index_dir}/{CURRENT} names a missing generation {name!r}")
    return gen


def no_index(index_dir) -> NoIndex:
    """Why index_dir, without a CURRENT, holds no index: a file given as the folder, a first build
    still running, or none built."""
    if Path(index_dir).is_file():
        return NoIndex(FILE)
    writer = index_writer(index_dir)
    return NoIndex(WRITING, writer) if writer else NoIndex(NONE)


def why_no_index(index_dir, why: NoIndex) -> str:
    """no_index's decision in English (the command line's and the Python API's words)."""
    if why.kind == FILE:
        return f"{index_dir} is a file, not an index folder: give --index the index's folder"
    if why.kind == WRITING:
        return (f"no index in {index_dir} yet: a {why.writer[0]} (pid {why.writer[1]}) is writing it; "
                "wait for it to finish")
    return f"no index in {index_dir}: build one with {build_command(index_dir)}"


def index_writer(index_dir) -> tuple[str, int] | None:
    """(command, pid) of the running writer that the folder's lock file names, or None; read, not
    locked, so that a writer starting meanwhile is never refused."""
    try:
        recorded = (Path(index_dir) / LOCK).read_bytes()[:64].decode("ascii", "replace")
    except OSError:
        return None
    pid, _, command = recorded.strip().partition(" ")
    return (command or "build", int(pid)) if pid.isdigit() and _pid_alive(int(pid)) else None


def holds_index(folder: Path) -> bool:
    """Whether folder is an index folder: its CURRENT names a generation in it."""
    try:
        current_generation(folder)
    except (IndexNotFound, OSError, UnicodeDecodeError):
        return False
    return True


def refuse_foreign_folder(index_dir: Path, is_article_file) -> None:
    """Raise NotAnIndexFolder when index_dir, not an index, holds folders or article files
    (is_article_file(name)) of its own: a build never writes among someone's articles."""
    folder = Path(index_dir)
    if not folder.is_dir() or holds_index(folder):
        return
    with os.scandir(folder) as entries:
        foreign = sorted(e.name for e in entries if not OWN_ENTRY.fullmatch(e.name)
                         and (e.is_dir() or is_article_file(e.name)))
    if foreign:
        more = f" and {len(foreign) - 1:,} more" if len(foreign) > 1 else ""
        raise NotAnIndexFolder(f"{index_dir} is not an index folder: it holds {foreign[0]!r}{more}; "
                               "give --index a new or empty folder, or an index's")


def generation_bytes(gen: Path) -> tuple[int, int]:
    """(bytes of a generation's own files, bytes of the files derived from them: the Lexicon's and
    the groups', made again when missing, on the first search)."""
    own = derived = 0
    for path in Path(gen).iterdir():
        if path.is_file():
            size = path.stat().st_size
            if path.name.startswith(DERIVED_PREFIX) or f".{KEPT_PREFIX}" in path.name:
                derived += size
            else:
                own += size
    return own, derived


def new_generation(index_dir: Path) -> Path:
    """Create an empty folder for a new generation."""
    gen = Path(index_dir) / f"{GEN_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    gen.mkdir(parents=True)
    (gen / GENERATION_MARK).write_text(f"a generation of the index in {Path(index_dir).name}\n", encoding="utf-8")
    return gen


def retracted_in(gen: Path) -> dict[str, str]:
    """The ids retracted in generation gen, each with when (UTC, ISO 8601); DamagedFile when its list
    cannot be read (an update or build must not add those articles back)."""
    path = Path(gen) / RETRACTED
    try:
        retracted = json.loads(path.read_bytes())["retracted"]
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, KeyError) as e:
        raise DamagedFile(f"{path} cannot be read as the list of retracted articles ({type(e).__name__}): "
                          "put back a copy of it (without it a build or update would add them back)") from None
    if not isinstance(retracted, dict) or not all(isinstance(v, str) for v in retracted.values()):
        raise DamagedFile(f"{path} is not a list of retracted articles (id: when): put back a copy of it")
    return retracted


def write_retracted(gen: Path, retracted: dict[str, str]) -> None:
    """Make retracted generation gen's list (a new file, never written through the hard link to the
    live generation's), one id a line; none: no file."""
    path = Path(gen) / RETRACTED
    if not retracted:
        path.unlink(missing_ok=True)
        return
    with replaced(path) as f:
        f.write(json.dumps({"retracted": dict(sorted(retracted.items()))}, ensure_ascii=False, indent=1).encode())


@contextmanager
def replaced(path: Path):
    """A new file (binary, for writing) that replaces path when the block ends without error and is
    removed otherwise: readers see the old content or the new, never a part. The temporary files of
    path that processes no longer running left (killed while writing it) are removed first."""
    path = Path(path)
    remove_dead_temporaries(path.parent, path.name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with _open_temporary(tmp) as f:
            yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        with _WRITING_LOCK:
            _WRITING.discard((os.getpid(), tmp))


# replaced's temporary files being written, with the pid of the process writing each: a daemon thread
# (a Lexicon built in the background) stops where it is when the process exits, never reaching
# replaced's cleanup, so an exit handler removes them (a forked child's exit leaves its parent's)
_WRITING: set[tuple[int, Path]] = set()
_WRITING_LOCK = threading.Lock()
_exiting = False


def _open_temporary(tmp: Path):
    """tmp opened for writing and noted as being written; OSError once the process is exiting."""
    with _WRITING_LOCK:
        if _exiting:
            raise OSError(errno.ESHUTDOWN, f"{tmp.name} not written: the process is exiting")
        f = open(tmp, "wb")
        _WRITING.add((os.getpid(), tmp))
    return f


@atexit.register
def _remove_own_temporaries() -> None:
    """At exit, delete the temporary files this process's threads are still writing (and write no more)."""
    global _exiting
    with _WRITING_LOCK:
        _exiting = True
        for pid, tmp in _WRITING:
            if pid == os.getpid():
                tmp.unlink(missing_ok=True)


def remove_dead_temporaries(folder: Path, name: str | None = None) -> list[str]:
    """Delete the temporary files of replaced in folder (those of the file name, or all) whose
    process is no longer running; the names removed. A running process's stays: it may be writing it."""
    try:
        entries = os.listdir(folder)
    except OSError:  # no folder (a generation removed meanwhile), or one this process may not read
        return []
    removed = []
    for entry in entries:
        found = TEMPORARY.fullmatch(entry)
        if found and name in (None, found["name"]) and not _pid_alive(int(found["pid"])):
            try:
                os.unlink(os.path.join(folder, entry))
            except OSError:  # removed by another process meanwhile, or a folder this one may not write
                continue
            removed.append(entry)
    return removed


# numpy reads a .npy header with ast.literal_eval, and CPython 3.11 keeps the AST builder's depth
# count per interpreter, not per thread: two threads reading at once may raise "SystemError: AST
# constructor recursion depth mismatch" (seen opening two replicas of a shard in one Dask worker).
_READING_ARRAYS = threading.RLock()


def read_array(path: Path) -> np.ndarray:
    """The array saved in the .npy file at path (one thread at a time: see _READING_ARRAYS)."""
    with _READING_ARRAYS:
        return np.load(path, allow_pickle=False)


def read_arrays(path: Path, names=None) -> dict[str, np.ndarray]:
    """The arrays saved in the .npz file at path (those named, or all), read whole, one thread at a time."""
    with _READING_ARRAYS, np.load(path, allow_pickle=False) as saved:
        return {name: saved[name] for name in (saved.files if names is None else names)}


def publish(index_dir: Path, gen: Path) -> None:
    """Make gen the live generation with an atomic rename, durable across a crash."""
    with replaced(Path(index_dir) / CURRENT) as f:
        f.write(f"{gen.name}\n".encode("ascii"))
        f.flush()
        os.fsync(f.fileno())
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def generation_folders(index_dir) -> list[Path]:
    """The generation folders new_generation made in index_dir, live or not, in the order of their names
    (the time each was made, to the second)."""
    folder = Path(index_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(GEN_PREFIX) and _made_as_generation(p))


def remove_stale_generations(index_dir: Path) -> list[str]:
    """Delete every generation but the live one (call with the lock held); a folder of another
    name, or named gen-… but not made as a generation (another index, someone's files), stays.
    The temporary files that processes no longer running left go too, in the folder and in the
    live generation (a search killed while saving a derived file there)."""
    try:
        live = current_generation(index_dir).name
    except IndexNotFound:
        live = None
    removed = []
    for path in Path(index_dir).iterdir():
        if path.name.startswith(GEN_PREFIX) and path.name != live and _remove_generation(path):
            removed.append(path.name)
    for tmp in Path(index_dir).glob(f".{CURRENT}.*.tmp"):  # only writers publish: none is being written
        tmp.unlink(missing_ok=True)
    remove_dead_temporaries(index_dir)
    if live is not None:
        remove_dead_temporaries(Path(index_dir) / live)
    return removed


def remove_index(index_dir: Path) -> list[str]:
    """Delete the folder's own index, CURRENT first (call with the lock held): a sharded index's
    manifest took its place; the generations removed."""
    (Path(index_dir) / CURRENT).unlink(missing_ok=True)
    return remove_stale_generations(index_dir)


def _remove_generation(path: Path) -> bool:
    """Delete path if it is a generation folder new_generation made, or empty; whether it did."""
    if _made_as_generation(path):
        shutil.rmtree(path, ignore_errors=True)
        return True
    try:
        path.rmdir()  # a run killed before it marked its generation left it empty: nothing of anyone's
    except OSError:
        return False
    return True


def _made_as_generation(path: Path) -> bool:
    """Whether path is a generation folder new_generation made: holding its mark, or (made before
    the mark) the storage's format file and no CURRENT, as no index folder does."""
    if path.is_symlink() or not path.is_dir():
        return False
    if (path / GENERATION_MARK).is_file():
        return True
    return (path / LEGACY_MARK).is_file() and not (path / CURRENT).exists()


@contextmanager
def derived_lock(path: Path):
    """Hold an exclusive lock (across processes) while making the derived file path, so that
    one process computes it and the others wait to read it; no lock where the folder is
    read-only."""
    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    return True


@contextmanager
def writer_lock(index_dir: Path, notice=print, command: str = "build"):
    """Hold the folder's exclusive writer lock for command (build, update, delete, optimize: the
    lock file records it beside the pid); raise IndexLocked if another writer has it."""
    if Path(index_dir).exists() and not Path(index_dir).is_dir():
        raise NotADirectoryError(f"{index_dir} is a file, not an index folder: give --index a folder")
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    path = Path(index_dir) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(_locked_message(os.pread(fd, 64, 0), index_dir)) from None
        stale = os.pread(fd, 64, 0).decode("ascii", "replace").split()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command}".encode("ascii"), 0)
        try:
            if stale and stale[0].isdigit() and int(stale[0]) != os.getpid() and not _pid_alive(int(stale[0])):
                notice(f"cleared a stale lock left by pid {stale[0]}, which is no longer running")
            yield
        finally:  # a run that failed or was interrupted left nothing stale: only a killed one does
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def _locked_message(recorded: bytes, index_dir: Path) -> str:
    """What holds the lock, from the lock file's "PID COMMAND" (a bare pid: a writer of an earlier version)."""
    pid, _, command = recorded.decode("ascii", "replace").strip().partition(" ")
    holder = f"another {command}" if command else "another build or update"
    return f"{holder} (pid {pid or '?'}) is writing {index_dir}; wait for it to finish"
