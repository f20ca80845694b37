"""DSQL rules over SQL text: split a query string into classified statements.

The pieces: ``lexer`` (tokens, statements), ``rules`` (what DSQL refuses, transaction kinds), ``dialect``
(DSQL-only statements rewritten for PostgreSQL), ``errors`` (DSQL's error texts).
"""

from __future__ import annotations

from functools import lru_cache

from .errors import ERRORS, DsqlError
from .lexer import Kind, Statement, Token, lex, split_raw
from .rules import classify

__all__ = [
    "ERRORS",
    "DsqlError",
    "Kind",
    "Statement",
    "Token",
    "classify",
    "lex",
    "split_statements",
    "split_statements_cached",
]


def split_statements(sql: str) -> list[Statement]:
    """Split a query string on top-level semicolons; every statement is classified."""
    return [classify(stmt) for stmt in split_raw(sql)]


@lru_cache(maxsize=2048)
def split_statements_cached(sql: str) -> tuple[Statement, ...]:
    """:func:`split_statements` for hot paths (the same parameterised queries come again and again)."""
    return tuple(split_statements(sql))
