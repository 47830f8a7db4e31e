"""Accent-insensitive full-text search over batch outputs (SQLite FTS5, one row per page).

Each page is indexed twice in one contentless FTS5 table: column `text` holds the marked text
(tokenizer `unicode61 remove_diacritics 0`, so marks matter) and column `folded` an ASCII fold
(unidecode, đ -> d, lower case). A default search matches `folded`; `--exact` matches `text`.
The marked page text itself is stored once, in the plain table `pages`, and snippets are cut
from it in Python, highlighting the tokens whose fold (or, for --exact, lower case) matches a
query term: the snippet is always the original marked text.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex
import unidecode

from vnocr.errors import InputError, UsageError
from vnocr.image.geometry import Box
from vnocr.outputs import printable

FOLD_VERSION = f"1/unidecode-{getattr(unidecode, '__version__', '?')}"
# unicode61's default token characters: letters, numbers and private-use characters.
_TOKEN = regex.compile(r"[\p{L}\p{N}\p{Co}]+")
_SPECIAL = set('"()*^+,')
_OPERATORS = {"AND", "OR", "NOT"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    path TEXT NOT NULL,
    source TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    UNIQUE (root, path)
);
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents (id),
    page INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_doc ON pages (doc_id);
CREATE TABLE IF NOT EXISTS page_words (
    page_id INTEGER PRIMARY KEY REFERENCES pages (id),
    words TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS pages_fts USING fts5 (
    text, folded, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
"""


class QueryError(UsageError):
    """The search query is malformed (exit 2)."""


def fold(text: str) -> str:
    """Accent-folded, lower-case ASCII form of `text` ("Đà Nẵng" -> "da nang")."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    return unidecode.unidecode(text).lower()


def _exact_key(token: str) -> str:
    return unicodedata.normalize("NFC", token).lower()


# ---------------------------------------------------------------------------------------------
# Query translation


@dataclass
class Query:
    """A user query translated for FTS5, plus the terms to highlight in snippets."""

    expression: str
    column: str
    terms: list[tuple[str, bool]] = field(default_factory=list)  # (token key, is prefix)


# Bounds on a query (its cost grows faster than its length): longer ones are refused.
MAX_QUERY_CHARS = 1_000
MAX_QUERY_TERMS = 64


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _lex(query: str) -> Iterator[tuple[str, str]]:
    """Split a query into (kind, value): space, string, special, word."""
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            j = i
            while j < n and query[j].isspace():
                j += 1
            yield "space", query[i:j]
            i = j
        elif char == '"':
            j, parts = i + 1, []
            while True:
                if j >= n:
                    raise QueryError(
                        f"bad search query: unterminated quote in {query!r} "
                        '(close the phrase with ")'
                    )
                if query[j] == '"':
                    if j + 1 < n and query[j + 1] == '"':
                        parts.append('"')
                        j += 2
                        continue
                    break
                parts.append(query[j])
                j += 1
            yield "string", "".join(parts)
            i = j + 1
        elif char in _SPECIAL:
            yield "special", char
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in _SPECIAL and query[j] != '"':
                j += 1
            yield "word", query[i:j]
            i = j


def translate(query: str, exact: bool = False) -> Query:
    """Translate a user query into an FTS5 expression on the folded (or exact) column.

    Words and phrases are folded (unless `exact`) and quoted, so punctuation such as "25/2023"
    cannot break the syntax; the operators AND, OR, NOT, NEAR(..., N), parentheses, `*`
    (prefix), `^` (first token) and `+` pass through unchanged.
    """
    key = _exact_key if exact else fold
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"search query too long ({len(query)} characters, at most {MAX_QUERY_CHARS}): "
            "search for a few words or a phrase"
        )
    tokens = [t for t in _lex(unicodedata.normalize("NFC", query)) if t[0] != "space"]
    term_count = sum(
        kind == "string" or (kind == "word" and value not in _OPERATORS | {"NEAR"})
        for kind, value in tokens
    )
    if term_count > MAX_QUERY_TERMS:
        raise QueryError(
            f"search query has too many words and phrases ({term_count}, at most "
            f"{MAX_QUERY_TERMS}): search for fewer"
        )
    out: list[str] = []
    terms: list[tuple[str, bool]] = []
    groups: list[tuple[str, bool]] = []  # ("near"|"group", negated) per open parenthesis
    negate_next = False
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else None
        negated = negate_next or any(negated for _, negated in groups)
        if kind == "special":
            if value == "(":
                near = bool(out) and out[-1] == "NEAR"
                groups.append(("near" if near else "group", negate_next))
                negate_next = False
            elif value == ")" and groups:
                groups.pop()
            elif value == "," and not (groups and groups[-1][0] == "near"):
                continue  # stray comma between words
            out.append(value)
            continue
        if kind == "word" and (value in _OPERATORS or (value == "NEAR" and following == "(")):
            out.append(value)
            negate_next = value == "NOT"
            continue
        if kind == "word" and out and out[-1] == "," and value.isdigit():
            out.append(value)  # the distance in NEAR(a b, 5)
            continue
        folded = key(value)
        words = _TOKEN.findall(folded)
        if kind == "word" and not words:
            continue  # stray punctuation: nothing FTS5 would index
        out.append(_quote(folded))
        if not negated:
            prefix = following == "*"
            terms.extend((word, prefix and i == len(words) - 1) for i, word in enumerate(words))
        negate_next = False
    if not terms and not any(token.startswith('"') for token in out):
        raise QueryError(f"bad search query {query!r}: no words to search for")
    expression = " ".join(out).replace(" *", "*").replace("^ ", "^")
    return Query(expression, "text" if exact else "folded", terms)


# ---------------------------------------------------------------------------------------------
# Snippets


@lru_cache(maxsize=100_000)
def _token_keys(token: str, exact: bool) -> tuple[str, ...]:
    """The search keys of one token of page text (cached: the same words recur on every page)."""
    return tuple(_TOKEN.findall(_exact_key(token) if exact else fold(token)))


def snippet(
    text: str,
    terms: Iterable[tuple[str, bool]],
    exact: bool = False,
    size: int = 18,
    mark: tuple[str, str] = ("[", "]"),
) -> str:
    """A window of about `size` tokens of `text` with the matching tokens wrapped in `mark`.

    The window chosen holds the most distinct matching terms (then the most matches).
    """
    exact_terms = {word for word, prefix in terms if not prefix}
    prefixes = [word for word, prefix in terms if prefix]
    key = _exact_key if exact else fold
    spans: list[tuple[int, int, bool]] = []
    for match in _TOKEN.finditer(text):
        keys = _token_keys(match.group(), exact)
        hit = None
        for word in keys:
            if word in exact_terms or any(word.startswith(p) for p in prefixes):
                hit = word
                break
        spans.append((match.start(), match.end(), hit is not None))
    if not spans:
        return " ".join(text.split())[: size * 8]
    hits = [(i, key(text[s:e])) for i, (s, e, h) in enumerate(spans) if h]
    best_start, best_score = 0, (-1, -1)
    for first, _ in hits or [(0, "")]:
        start = max(0, first - 3)
        inside = [k for i, k in hits if start <= i < start + size]
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best_start, best_score = start, score
    window = spans[best_start : best_start + size]
    pieces: list[str] = []
    cursor = window[0][0]
    for start, stop, is_hit in window:
        pieces.append(text[cursor:start])
        pieces.append(mark[0] + text[start:stop] + mark[1] if is_hit else text[start:stop])
        cursor = stop
    body = " ".join("".join(pieces).split())
    prefix = "…" if best_start > 0 else ""
    suffix = "…" if best_start + size < len(spans) else ""
    return f"{prefix}{body}{suffix}"


# ---------------------------------------------------------------------------------------------
# The index database


def connect(db: str | Path, create: bool = False) -> sqlite3.Connection:
    """Open the index database (WAL). Without `create`, a missing file is an InputError."""
    path = Path(db)
    if not create and not path.is_file():
        raise InputError(
            "no such index database (build it with `vnocr index OUT_DIR --db "
            f"{path}` or `vnocr batch ... --index {path}`)",
            path=str(path),
        )
    if create and path.parent and not path.parent.is_dir():
        raise InputError("cannot create the index: the folder does not exist", path=str(path))
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if create:
            conn.executescript(_SCHEMA)
        else:
            conn.execute("SELECT 1 FROM pages_fts LIMIT 0")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a vnocr index database ({exc})", path=str(path)) from None
    return conn


def _folded_version(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'fold_version'").fetchone()
    return row[0] if row else None


def ensure_fold_version(conn: sqlite3.Connection) -> bool:
    """Rebuild the FTS rows if they were folded by another fold version; True if rebuilt."""
    version = _folded_version(conn)
    if version == FOLD_VERSION:
        return False
    with _transaction(conn):
        conn.execute("INSERT INTO pages_fts (pages_fts) VALUES ('delete-all')")
        rows = conn.execute("SELECT id, text FROM pages").fetchall()
        conn.executemany(
            "INSERT INTO pages_fts (rowid, text, folded) VALUES (?, ?, ?)",
            ((rowid, text, fold(text)) for rowid, text in rows),
        )
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('fold_version', ?)", (FOLD_VERSION,))
    return version is not None


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _delete_document(conn: sqlite3.Connection, doc_id: int) -> None:
    rows = conn.execute("SELECT id, text FROM pages WHERE doc_id = ?", (doc_id,)).fetchall()
    conn.executemany(
        "INSERT INTO pages_fts (pages_fts, rowid, text, folded) VALUES ('delete', ?, ?, ?)",
        ((rowid, text, fold(text)) for rowid, text in rows),
    )
    conn.execute(
        "DELETE FROM page_words WHERE page_id IN (SELECT id FROM pages WHERE doc_id = ?)",
        (doc_id,),
    )
    conn.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def index_pages(
    conn: sqlite3.Connection,
    root: str,
    path: str,
    source: str,
    pages: list[tuple[int, str]],
    size: int = 0,
    mtime_ns: int = 0,
    boxes: dict[int, list[tuple[str, Box]]] | None = None,
) -> None:
    """Replace the rows of document `path` (under `root`) with `pages` [(page, text)].

    `boxes` (optional) holds the words and boxes of each page, for hits on the page image.
    """
    with _transaction(conn):
        old = conn.execute(
            "SELECT id FROM documents WHERE root = ? AND path = ?", (root, path)
        ).fetchone()
        if old:
            _delete_document(conn, old[0])
        cursor = conn.execute(
            "INSERT INTO documents (root, path, source, size, mtime_ns, pages) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (root, path, source, size, mtime_ns, len(pages)),
        )
        doc_id = cursor.lastrowid
        for page, text in pages:
            text = unicodedata.normalize("NFC", text)
            row = conn.execute(
                "INSERT INTO pages (doc_id, page, text) VALUES (?, ?, ?)", (doc_id, page, text)
            )
            conn.execute(
                "INSERT INTO pages_fts (rowid, text, folded) VALUES (?, ?, ?)",
                (row.lastrowid, text, fold(text)),
            )
            if boxes and page in boxes:
                conn.execute(
                    "INSERT INTO page_words (page_id, words) VALUES (?, ?)",
                    (row.lastrowid, json.dumps(boxes[page], ensure_ascii=False)),
                )


def read_output(path: Path) -> tuple[str | None, list[tuple[int, str]]]:
    """(source, [(page, text)]) of a batch output: .jsonl records or a form-feed-paged .txt."""
    if path.suffix == ".jsonl":
        source = None
        pages: list[tuple[int, str]] = []
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    pages.append((int(record["page"]), str(record["text"])))
                except (ValueError, KeyError, TypeError):
                    raise InputError(
                        f"line {number} is not a page record", path=str(path)
                    ) from None
                source = source or record.get("source")
        return source, pages
    text = path.read_text(encoding="utf-8")
    return None, [(number, page) for number, page in enumerate(text.split("\f"), start=1)]


#: Outputs beside a .txt/.jsonl that carry word boxes, most precise first.
GEOMETRY_SUFFIXES = (".alto.xml", ".hocr")


def read_boxes(path: Path) -> dict[int, list[tuple[str, Box]]] | None:
    """Word boxes per page from the document's ALTO or hOCR output beside `path`, if any."""
    from vnocr.formats import alto, hocr

    stem = path.name.removesuffix(path.suffix)
    for suffix, reader in zip(GEOMETRY_SUFFIXES, (alto.read_words, hocr.read_words), strict=True):
        geometry = path.with_name(stem + suffix)
        if geometry.is_file():
            try:
                return reader(geometry.read_bytes())
            except (ET.ParseError, ValueError) as exc:
                raise InputError(f"unreadable word boxes ({exc})", path=str(geometry)) from None
    return None


def _outputs(root: Path) -> Iterator[Path]:
    """The output files to index under `root`: every .jsonl, and each .txt without a .jsonl."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = set(files)
        for name in sorted(files):
            if name.startswith(".") or (folder == str(root) and name == "errors.jsonl"):
                continue
            if name.endswith(".jsonl") or (
                name.endswith(".txt") and name[:-4] + ".jsonl" not in names
            ):
                yield Path(folder) / name


@dataclass
class IndexStats:
    """What an index run did."""

    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)


def index_file(
    conn: sqlite3.Connection,
    root: Path,
    path: Path,
    known: dict[str, tuple[int, int]] | None = None,
) -> int | None:
    """Index one output file unless unchanged; returns its page count (None if skipped)."""
    rel = printable(path.relative_to(root).as_posix())
    stat = path.stat()
    if known is not None and known.get(rel) == (stat.st_size, stat.st_mtime_ns):
        return None
    source, pages = read_output(path)
    index_pages(
        conn,
        printable(root),
        rel,
        source or rel,
        pages,
        stat.st_size,
        stat.st_mtime_ns,
        read_boxes(path),
    )
    return len(pages)


def index_tree(out_dir: str | Path, db: str | Path) -> IndexStats:
    """Bring the index up to date with the outputs under `out_dir` (incremental)."""
    root = Path(out_dir).resolve()
    if not root.is_dir():
        raise InputError("no such folder (give the batch output folder)", path=str(out_dir))
    conn = connect(db, create=True)
    stats = IndexStats()
    try:
        ensure_fold_version(conn)
        known = {
            path: (size, mtime)
            for path, size, mtime in conn.execute(
                "SELECT path, size, mtime_ns FROM documents WHERE root = ?", (printable(root),)
            )
        }
        seen: set[str] = set()
        db_path = Path(db).resolve()
        for path in _outputs(root):
            if path.resolve() == db_path:
                continue
            seen.add(printable(path.relative_to(root).as_posix()))
            try:
                count = index_file(conn, root, path, known)
            except (InputError, OSError, UnicodeDecodeError) as exc:
                stats.errors.append(str(exc) if isinstance(exc, InputError) else f"{path}: {exc}")
                continue
            if count is None:
                stats.unchanged += 1
            else:
                stats.indexed += 1
                stats.pages += count
        for rel in sorted(set(known) - seen):
            with _transaction(conn):
                row = conn.execute(
                    "SELECT id FROM documents WHERE root = ? AND path = ?", (printable(root), rel)
                ).fetchone()
                if row:
                    _delete_document(conn, row[0])
            stats.removed += 1
    finally:
        conn.close()
    return stats


# ---------------------------------------------------------------------------------------------
# Searching


@dataclass
class Hit:
    """One matching page."""

    source: str
    path: str
    page: int
    score: float  # bm25, higher is better; tiny when the words are on most pages
    snippet: str
    #: The matching words on the page image: (word, (left, top, width, height) in pixels);
    #: None when the index has no word boxes for the page.
    boxes: list[tuple[str, Box]] | None = None


def matching_boxes(
    words: list[tuple[str, Box]], terms: Iterable[tuple[str, bool]], exact: bool = False
) -> list[tuple[str, Box]]:
    """The words whose search keys match a query term (as the snippet highlights them)."""
    whole = {word for word, prefix in terms if not prefix}
    prefixes = [word for word, prefix in terms if prefix]
    found: list[tuple[str, Box]] = []
    for text, box in words:
        keys = _token_keys(text, exact)
        if any(key in whole or any(key.startswith(p) for p in prefixes) for key in keys):
            found.append((text, (box[0], box[1], box[2], box[3])))
    return found


def search(
    db: str | Path,
    query: str,
    exact: bool = False,
    limit: int = 10,
    mark: tuple[str, str] = ("[", "]"),
) -> list[Hit]:
    """The best `limit` pages for `query`, ranked by bm25 (best first)."""
    parsed = translate(query, exact)
    conn = connect(db)
    try:
        try:
            rows = conn.execute(
                f"SELECT d.source, d.path, p.page, hits.rank, p.text, p.id FROM "
                f"(SELECT rowid, rank FROM pages_fts WHERE {parsed.column} MATCH ? "
                f"ORDER BY rank LIMIT ?) AS hits "
                f"JOIN pages p ON p.id = hits.rowid JOIN documents d ON d.id = p.doc_id "
                f"ORDER BY hits.rank",
                (parsed.expression, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise QueryError(_query_message(query, str(exc))) from None
        boxes = _page_words(conn, [row[5] for row in rows])
    finally:
        conn.close()
    return [
        Hit(
            source,
            path,
            page,
            -rank,
            snippet(text, parsed.terms, exact, mark=mark),
            matching_boxes(boxes[page_id], parsed.terms, exact) if page_id in boxes else None,
        )
        for source, path, page, rank, text, page_id in rows
    ]


def _page_words(conn: sqlite3.Connection, page_ids: list[int]) -> dict[int, list]:
    """The stored words and boxes of these pages (an index made before boxes has none)."""
    if not page_ids:
        return {}
    marks = ",".join("?" * len(page_ids))
    try:
        rows = conn.execute(
            f"SELECT page_id, words FROM page_words WHERE page_id IN ({marks})", page_ids
        ).fetchall()
    except sqlite3.OperationalError:  # no page_words table yet
        return {}
    return {page_id: json.loads(words) for page_id, words in rows}


def _query_message(query: str, message: str) -> str:
    detail = message.removeprefix("fts5: ")
    if detail == 'syntax error near ""':
        detail = "unexpected end of query"
    return (
        f'bad search query {query!r}: {detail} (use words, "phrases", prefix*, '
        "AND, OR, NOT and parentheses)"
    )
