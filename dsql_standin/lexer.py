"""A small SQL lexer: split a query string into statements and see their tokens outside literals/comments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from .errors import DsqlError

__all__ = ["Kind", "Statement", "Token", "close_paren", "lex", "skip_name", "split_raw", "split_top", "top_words"]


class Kind(Enum):
    """What a statement does to transaction rules."""

    EMPTY = "empty"
    BEGIN = "begin"
    END = "end"  # COMMIT / ROLLBACK / ABORT / END
    DDL = "ddl"
    DML = "dml"
    OTHER = "other"


@dataclass(frozen=True)
class Token:
    """A lexical token outside comments: ``kind`` is word, quoted, string, number, punct or param."""

    kind: str
    value: str  # upper-cased for words, raw text otherwise
    start: int
    end: int

    def is_word(self, *values: str) -> bool:
        return self.kind == "word" and (not values or self.value in values)

    def is_punct(self, value: str) -> bool:
        return self.kind == "punct" and self.value == value


@dataclass
class Statement:
    """One statement of a query string with its tokens; ``text`` is the exact original slice.

    ``rewrite`` is what the stand-in sends PostgreSQL instead, ``tag`` the command tag the client gets
    instead of PostgreSQL's (for rewrites that PostgreSQL answers differently, e.g. ``SELECT 1``).
    """

    text: str
    tokens: list[Token]
    kind: Kind = Kind.OTHER
    violation: DsqlError | None = None
    rewrite: str | None = None
    tag: str | None = None
    words: list[str] = field(default_factory=list)


_WORD_START = re.compile(r"[A-Za-z_\u0080-\uffff]")
_WORD = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")
_PARAM = re.compile(r"\$\d+")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")


def _skip_block_comment(sql: str, i: int) -> int:
    depth, j, n = 1, i + 2, len(sql)
    while j < n and depth:
        if sql.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif sql.startswith("*/", j):
            depth, j = depth - 1, j + 2
        else:
            j += 1
    return j


def _string_end(sql: str, i: int, quote: str, escapes: bool) -> int:
    """Index just past the literal/identifier opened at ``i`` (doubled quotes and E'' escapes)."""
    j, n = i + 1, len(sql)
    while j < n:
        if escapes and sql[j] == "\\":
            j += 2
            continue
        if sql[j] == quote:
            if sql.startswith(quote, j + 1):
                j += 2
                continue
            return j + 1
        j += 1
    return n


def _dollar(sql: str, i: int) -> Token:
    m = _DOLLAR_TAG.match(sql, i)
    if m:
        j = sql.find(m.group(0), m.end())
        j = len(sql) if j < 0 else j + len(m.group(0))
        return Token("string", sql[i:j], i, j)
    m2 = _PARAM.match(sql, i)
    j = m2.end() if m2 else i + 1
    return Token("param", sql[i:j], i, j)


def lex(sql: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
            continue
        if c == "'" or (c in "eE" and sql.startswith("'", i + 1)):
            start = i + (0 if c == "'" else 1)
            end = _string_end(sql, start, "'", c != "'")
            tok = Token("string", sql[i:end], i, end)
        elif c == '"':
            end = _string_end(sql, i, '"', False)
            tok = Token("quoted", sql[i:end], i, end)
        elif c == "$":
            tok = _dollar(sql, i)
        elif c.isdigit():
            m = _NUMBER.match(sql, i)
            j = m.end() if m else i + 1
            tok = Token("number", sql[i:j], i, j)
        elif _WORD_START.match(c):
            m = _WORD.match(sql, i + 1)
            j = m.end() if m else i + 1
            tok = Token("word", sql[i:j].upper(), i, j)
        else:
            tok = Token("punct", c, i, i + 1)
        tokens.append(tok)
        i = tok.end
    return tokens


def split_raw(sql: str) -> list[Statement]:
    """Split a query string on top-level semicolons (statements not yet classified)."""
    statements: list[Statement] = []
    start, current = 0, list[Token]()
    for tok in lex(sql):
        if tok.is_punct(";"):
            if current:
                statements.append(_make(sql[start : tok.end], current, start))
            start, current = tok.end, []
        else:
            current.append(tok)
    if current:
        statements.append(_make(sql[start:], current, start))
    return statements


def _make(text: str, tokens: list[Token], offset: int) -> Statement:
    return Statement(text=text, tokens=[Token(t.kind, t.value, t.start - offset, t.end - offset) for t in tokens])


# ---- token helpers for the rules ---------------------------------------------------------------------------
def close_paren(toks: list[Token], i: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``i`` (len(toks) if unbalanced)."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].is_punct("("):
            depth += 1
        elif toks[j].is_punct(")"):
            depth -= 1
            if depth == 0:
                return j
    return len(toks)


def split_top(toks: list[Token]) -> list[list[Token]]:
    """Split on commas outside parentheses/brackets."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in toks:
        if tok.kind == "punct" and tok.value in "([":
            depth += 1
        elif tok.kind == "punct" and tok.value in ")]":
            depth -= 1
        if depth == 0 and tok.is_punct(","):
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def top_words(toks: list[Token]) -> list[Token]:
    """Word tokens outside parentheses."""
    out, depth = [], 0
    for tok in toks:
        if tok.is_punct("("):
            depth += 1
        elif tok.is_punct(")"):
            depth -= 1
        elif depth == 0 and tok.kind == "word":
            out.append(tok)
    return out


def skip_name(toks: list[Token], i: int) -> int:
    """Index after a possibly schema-qualified name starting at ``i``."""
    i += 1
    while i + 1 < len(toks) and toks[i].is_punct("."):
        i += 2
    return i
