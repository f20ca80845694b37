"""Statement classification: what kind a statement is for the transaction rules, and what DSQL refuses.

``classify(stmt)`` fills in ``kind``, ``violation`` (DSQL's error, the statement is not run) and the
dialect rewrites (``dialect.py``). Only tokens outside literals and comments count, so a word inside a string
never triggers a rule.
"""

from __future__ import annotations

from .ddl import classify_alter_table, classify_create
from .errors import DsqlError, dsql_error
from .lexer import Kind, Statement, Token, close_paren, split_top, top_words

__all__ = ["classify"]

GEOMETRIC = {"POINT", "LINE", "LSEG", "BOX", "PATH", "POLYGON", "CIRCLE"}
TEXT_SEARCH_FUNCTIONS = {
    "TO_TSVECTOR",
    "TO_TSQUERY",
    "WEBSEARCH_TO_TSQUERY",
    "PLAINTO_TSQUERY",
    "PHRASETO_TSQUERY",
    "TS_HEADLINE",
    "JSON_TO_TSVECTOR",
    "JSONB_TO_TSVECTOR",
}
ISOLATION_LEVELS = {
    ("READ", "UNCOMMITTED"): "READ UNCOMMITTED",
    ("READ", "COMMITTED"): "READ COMMITTED",
    ("REPEATABLE", "READ"): "REPEATABLE READ",
    ("SERIALIZABLE",): "SERIALIZABLE",
}
DML_WORDS = {"INSERT", "UPDATE", "DELETE", "MERGE"}
QUERY_WORDS = {"SELECT", "WITH", "TABLE", "VALUES"}
# First words DSQL refuses outright, with the PostgreSQL parse node it names.
UNSUPPORTED_FIRST_WORDS = {
    "TRUNCATE": "Truncate",
    "LISTEN": "Listen",
    "NOTIFY": "Notify",
    "UNLISTEN": "Unlisten",
    "LOCK": "Lock",
    "DECLARE": "DeclareCursor",
    "DO": "Do",
    "CLUSTER": "Cluster",
    "REINDEX": "Reindex",
    "CHECKPOINT": "Checkpoint",
    "LOAD": "Load",
}


# ---- queries -----------------------------------------------------------------------------------------------
def _query_violation(toks: list[Token]) -> DsqlError | None:
    for n, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        nxt = toks[n + 1] if n + 1 < len(toks) else None
        if (
            tok.value == "FOR"
            and nxt is not None
            and (nxt.is_word("SHARE") or (nxt.is_word("NO") and n + 2 < len(toks) and toks[n + 2].is_word("KEY")))
        ):
            return dsql_error("locking_clause")
        if tok.value == "TABLESAMPLE":
            return dsql_error("tablesample")
        if nxt is not None and nxt.is_punct("(") and tok.value in TEXT_SEARCH_FUNCTIONS:
            args = split_top(toks[n + 2 : close_paren(toks, n + 1)])
            if len(args) > 1 and len(args[0]) == 1 and args[0][0].kind == "string":
                return dsql_error("text_search_config", name=args[0][0].value.strip("'"))
        if tok.value in GEOMETRIC and (
            (nxt is not None and nxt.is_punct("("))
            or (n >= 2 and toks[n - 1].is_punct(":") and toks[n - 2].is_punct(":"))
        ):
            return dsql_error("datatype", type=tok.value.lower())
    return None


def _select_into(toks: list[Token]) -> bool:
    top = top_words(toks)
    return bool(top) and top[0].is_word("SELECT") and any(t.is_word("INTO") for t in top)


# ---- dispatch ----------------------------------------------------------------------------------------------
def _isolation(words: list[str]) -> DsqlError | None:
    for i in range(len(words) - 2):
        if words[i] == "ISOLATION" and words[i + 1] == "LEVEL":
            rest = tuple(words[i + 2 : i + 4])
            for key, name in ISOLATION_LEVELS.items():
                if rest[: len(key)] == key:
                    return None if name == "REPEATABLE READ" else dsql_error("isolation", level=name)
    return None


def _classify_set(stmt: Statement, words: list[str]) -> DsqlError | None:
    second = words[1] if len(words) > 1 else ""
    if second == "TRANSACTION" or (second == "SESSION" and "CHARACTERISTICS" in words):
        return _isolation(words) or dsql_error("set_parameter", name="TRANSACTION")
    names = [t for t in stmt.tokens[1:] if t.kind in ("word", "quoted")]
    if names and names[0].value in ("SESSION", "LOCAL"):
        names = names[1:]
    if names and names[0].value in ("DEFAULT_TRANSACTION_ISOLATION", "TRANSACTION_ISOLATION"):
        return dsql_error("set_parameter", name=names[0].value.lower())
    return None


def _classify_transaction(first: str, words: list[str]) -> tuple[Kind, DsqlError | None]:
    second = words[1] if len(words) > 1 else ""
    if first in ("BEGIN", "START"):
        return Kind.BEGIN, _isolation(words)
    if first == "ROLLBACK" and "TO" in words[1:4]:
        return Kind.OTHER, dsql_error("transaction_statement", statement="ROLLBACK TO")
    if first in ("SAVEPOINT", "RELEASE"):
        return Kind.OTHER, dsql_error("transaction_statement", statement=first)
    if first == "PREPARE" and second == "TRANSACTION":
        return Kind.OTHER, dsql_error("transaction_statement", statement="PREPARE TRANSACTION")
    if second == "PREPARED":
        return Kind.OTHER, dsql_error("transaction_statement", statement=f"{first} PREPARED")
    return Kind.END, None


def classify(stmt: Statement) -> Statement:
    """Fill in ``kind``, ``violation``, ``rewrite`` and ``tag`` for ``stmt``."""
    toks = stmt.tokens
    while toks and toks[0].is_punct("("):
        toks = toks[1:]
    words = [t.value for t in toks if t.kind == "word"]
    stmt.words = words
    if not toks:
        stmt.kind = Kind.EMPTY
        return stmt
    first = toks[0].value if toks[0].kind == "word" else ""
    second = words[1] if len(words) > 1 else ""
    if first in ("BEGIN", "START", "COMMIT", "END", "ABORT", "ROLLBACK", "SAVEPOINT", "RELEASE") or (
        first == "PREPARE" and second == "TRANSACTION"
    ):
        stmt.kind, stmt.violation = _classify_transaction(first, words)
    elif first == "SET":
        stmt.violation = _classify_set(stmt, words)
    elif first in UNSUPPORTED_FIRST_WORDS:
        stmt.kind = Kind.DDL if first == "TRUNCATE" else Kind.OTHER
        stmt.violation = dsql_error("unsupported_statement", node=UNSUPPORTED_FIRST_WORDS[first])
    elif first == "VACUUM":
        stmt.violation = dsql_error("vacuum")
    elif first == "REFRESH":
        stmt.violation = dsql_error("unsupported_statement", node="RefreshMatView")
    elif first == "CREATE":
        stmt.kind = Kind.DDL
        stmt.violation = classify_create(stmt, toks)
    elif first == "ALTER":
        stmt.kind = Kind.DDL
        if second == "SYSTEM":
            stmt.violation = dsql_error("unsupported_statement", node="AlterSystem")
        elif second == "TABLE":
            stmt.violation = classify_alter_table(stmt, toks)
    elif first in ("DROP", "COMMENT"):
        stmt.kind = Kind.DDL
    elif first == "MERGE":
        stmt.kind = Kind.DML
        stmt.violation = dsql_error("unsupported_statement_type", node="MERGE")
    elif first in DML_WORDS:
        stmt.kind = Kind.DML
        stmt.violation = _query_violation(toks)
    elif first == "COPY":
        stmt.kind = Kind.DML if "FROM" in words else Kind.OTHER
    elif first in QUERY_WORDS or first in ("EXPLAIN", "ANALYZE"):
        if first == "WITH" and DML_WORDS.intersection(words):
            stmt.kind = Kind.DML
        stmt.violation = _query_violation(toks)
        if stmt.violation is None and _select_into(toks):
            stmt.violation = dsql_error("unsupported_statement", node="CreateTableAs")
    return stmt
