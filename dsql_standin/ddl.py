"""DSQL's rules for DDL: CREATE (tables, columns, types, indexes, sequences, functions) and ALTER TABLE.

Each function returns DSQL's error for a statement it refuses (None if accepted) and may attach a dialect
rewrite (``dialect.py``) to the statement.
"""

from __future__ import annotations

from itertools import pairwise

from . import dialect
from .errors import DsqlError, dsql_error
from .lexer import Statement, Token, close_paren, skip_name, split_top, top_words

__all__ = ["UNSUPPORTED_TYPES", "classify_alter_table", "classify_create"]

SERIAL_TYPES = {"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL2", "SERIAL4", "SERIAL8"}
# Column types DSQL refuses (AWS: "Supported data types"; JSON is a column type, arrays/inet/... are not).
UNSUPPORTED_TYPES = {
    "MONEY",
    "XML",
    "INET",
    "CIDR",
    "MACADDR",
    "MACADDR8",
    "POINT",
    "LINE",
    "LSEG",
    "BOX",
    "PATH",
    "POLYGON",
    "CIRCLE",
    "INT4RANGE",
    "INT8RANGE",
    "NUMRANGE",
    "TSRANGE",
    "TSTZRANGE",
    "DATERANGE",
    "INT4MULTIRANGE",
    "INT8MULTIRANGE",
    "NUMMULTIRANGE",
    "TSMULTIRANGE",
    "TSTZMULTIRANGE",
    "DATEMULTIRANGE",
    "TSVECTOR",
    "TSQUERY",
    "BIT",
    "VARBIT",
    "PG_LSN",
    "PG_SNAPSHOT",
    "TXID_SNAPSHOT",
    "HSTORE",
    "JSONPATH",
}
COLUMN_CONSTRAINT_WORDS = {
    "CONSTRAINT",
    "NOT",
    "NULL",
    "DEFAULT",
    "UNIQUE",
    "PRIMARY",
    "CHECK",
    "REFERENCES",
    "GENERATED",
    "COLLATE",
    "STORAGE",
    "COMPRESSION",
}
TABLE_CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}
IDENTITY_TYPE_NAMES = {
    "INT": "integer",
    "INT4": "integer",
    "INTEGER": "integer",
    "INT2": "smallint",
    "SMALLINT": "smallint",
}
# CREATE <object> DSQL refuses outright (AWS: "Unsupported PostgreSQL features").
UNSUPPORTED_CREATE = {
    "DATABASE": "Createdb",
    "EXTENSION": "CreateExtension",
    "TABLESPACE": "CreateTableSpace",
    "LANGUAGE": "CreatePLang",
    "RULE": "Rule",
    "PUBLICATION": "CreatePublication",
    "SUBSCRIPTION": "CreateSubscription",
    "SERVER": "CreateForeignServer",
    "EVENT": "CreateEventTrig",
}


# ---- column definitions ------------------------------------------------------------------------------------
def _type_violation(type_toks: list[Token]) -> DsqlError | None:
    words = [t for t in type_toks if t.kind in ("word", "quoted")]
    if not words:
        return None
    base = words[-1] if len(words) > 1 and any(t.is_punct(".") for t in type_toks[:2]) else words[0]
    name = base.value.strip('"').upper()
    if name in SERIAL_TYPES:
        return dsql_error("type_does_not_exist", type=base.value.strip('"').lower())
    is_array = any(t.is_punct("[") for t in type_toks) or any(t.is_word("ARRAY") for t in words)
    if name in UNSUPPORTED_TYPES or (name == "BIT" and len(words) > 1):
        return dsql_error("datatype", type=name.lower() + ("[]" if is_array else ""))
    if is_array:
        type_words = [t.value.lower() for t in words if not t.is_word("ARRAY")]
        return dsql_error("datatype", type=" ".join(type_words) + "[]")
    return None


def _split_column(toks: list[Token]) -> tuple[Token, list[Token], list[Token]]:
    """A column definition -> (name, type tokens, constraint tokens)."""
    depth, i = 0, 1
    while i < len(toks):
        tok = toks[i]
        if tok.is_punct("("):
            depth += 1
        elif tok.is_punct(")"):
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.value in COLUMN_CONSTRAINT_WORDS:
            break
        i += 1
    return toks[0], toks[1:i], toks[i:]


def _identity_violation(type_toks: list[Token], cons: list[Token]) -> DsqlError | None:
    gen = next((i for i, t in enumerate(cons) if t.is_word("GENERATED")), None)
    if gen is None or not any(t.is_word("IDENTITY") for t in cons[gen:]):
        return None
    type_name = next((t.value for t in type_toks if t.kind == "word"), "")
    if type_name not in ("BIGINT", "INT8"):
        return dsql_error("identity_type", type=IDENTITY_TYPE_NAMES.get(type_name, type_name.lower()))
    return _cache_violation(cons[gen:], "identity_cache")


def _cache_violation(toks: list[Token], key: str) -> DsqlError | None:
    for a, b in pairwise(toks):
        if a.is_word("CACHE") and b.kind == "number":
            value = float(b.value)
            return None if value == 1 or value >= 65536 else dsql_error(key)
    return dsql_error(key)


def _column_violation(toks: list[Token], *, adding: bool) -> DsqlError | None:
    _, type_toks, cons = _split_column(toks)
    violation = _type_violation(type_toks)
    if violation is not None:
        return violation
    if adding:
        constraining = [t for t in top_words(cons) if t.value in COLUMN_CONSTRAINT_WORDS - {"NULL", "STORAGE"}]
        return dsql_error("add_column_constraint") if constraining else None
    return _identity_violation(type_toks, cons)


# ---- CREATE ------------------------------------------------------------------------------------------------
def _create_table(stmt: Statement, toks: list[Token], i: int) -> DsqlError | None:
    """``toks[i]`` is TABLE."""
    j = i + 1
    while j < len(toks) and toks[j].is_word("IF", "NOT", "EXISTS"):
        j += 1
    j = skip_name(toks, j)
    if j < len(toks) and toks[j].is_word("PARTITION"):
        return dsql_error("create_table_clause", clause="PARTITION")
    columns: list[Token] = []
    rest = toks[j:]
    if j < len(toks) and toks[j].is_punct("("):
        end = close_paren(toks, j)
        columns, rest = toks[j + 1 : end], toks[end + 1 :]
    for word in top_words(rest):
        if word.value == "AS":
            return dsql_error("unsupported_statement", node="CreateTableAs")
        if word.value in ("INHERITS", "PARTITION"):
            return dsql_error("create_table_clause", clause=word.value)
    for element in split_top(columns):
        if element[0].kind == "word" and element[0].value in TABLE_CONSTRAINT_WORDS:
            if any(t.is_word("EXCLUDE") for t in top_words(element)):
                return dsql_error("exclusion_constraint")
            continue
        violation = _column_violation(element, adding=False)
        if violation is not None:
            return violation
    return None


def _create_index(stmt: Statement, toks: list[Token], i: int) -> DsqlError | None:
    """``toks[i]`` is INDEX."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None or not nxt.is_word("ASYNC"):
        return dsql_error("index_mode")
    j = i + 2
    while j < len(toks) and toks[j].is_word("IF", "NOT", "EXISTS"):
        j += 1
    if j + 1 < len(toks) and not toks[j].is_word("ON") and toks[j + 1].is_punct("."):
        return dsql_error("syntax_near", near=".")
    on = next((k for k in range(j, len(toks)) if toks[k].is_word("ON")), None)
    start = next((k for k in range(on or j, len(toks)) if toks[k].is_punct("(")), None)
    if start is not None:
        for element in split_top(toks[start + 1 : close_paren(toks, start)]):
            order = next((t.value for t in top_words(element) if t.value in ("ASC", "DESC")), None)
            if order is not None:
                return dsql_error("index_order", order=order)
    dialect.async_index(stmt, nxt)
    return None


def _create_function(words: list[str], obj: str) -> DsqlError | None:
    for a, b in pairwise(words):
        if a == "LANGUAGE":
            return (
                None
                if b.strip("'\"").upper() == "SQL"
                else dsql_error("function_language", object=obj, language=b.strip("'\"").lower())
            )
    return None


def _create_type(toks: list[Token]) -> DsqlError:
    """``CREATE TYPE name AS (...)`` | ``AS RANGE`` | ``AS ENUM`` | base/shell types."""
    for a, b in pairwise(toks):
        if a.is_word("AS") and b.is_punct("("):
            return dsql_error("unsupported_statement", node="CompositeType")
        if a.is_word("AS") and b.is_word("RANGE"):
            return dsql_error("unsupported_statement", node="CreateRange")
    return dsql_error("create_type")


def classify_create(stmt: Statement, toks: list[Token]) -> DsqlError | None:
    i = 1
    if i + 1 < len(toks) and toks[i].is_word("OR") and toks[i + 1].is_word("REPLACE"):
        i += 2
    modifiers: set[str] = set()
    while i < len(toks) and toks[i].is_word(
        "GLOBAL",
        "LOCAL",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "UNIQUE",
        "CONSTRAINT",
        "MATERIALIZED",
        "RECURSIVE",
        "TRUSTED",
        "PROCEDURAL",
    ):
        modifiers.add(toks[i].value)
        i += 1
    obj = toks[i].value if i < len(toks) and toks[i].kind == "word" else ""
    words = [t.value for t in toks[i:] if t.kind in ("word", "string")]
    if modifiers & {"TEMP", "TEMPORARY"}:
        return dsql_error("temporary", object=obj)
    if "UNLOGGED" in modifiers:
        return dsql_error("unlogged", object=obj)
    if "MATERIALIZED" in modifiers:
        return dsql_error("unsupported_statement", node="CreateTableAs")
    if obj in UNSUPPORTED_CREATE:
        return dsql_error("unsupported_statement", node=UNSUPPORTED_CREATE[obj])
    if obj == "TRIGGER":
        return dsql_error("create_trigger")
    if obj == "FOREIGN":
        node = {"TABLE": "CreateForeignTable", "DATA": "CreateFdw"}.get(words[1] if len(words) > 1 else "", "")
        return dsql_error("unsupported_statement", node=node or "CreateForeignTable")
    if obj == "TYPE":
        return _create_type(toks)
    if obj in ("FUNCTION", "PROCEDURE"):
        return _create_function(words, obj)
    if obj == "SEQUENCE":
        return _cache_violation(toks, "sequence_cache")
    if obj == "TABLE":
        return _create_table(stmt, toks, i)
    if obj == "INDEX":
        return _create_index(stmt, toks, i)
    return None


# ---- ALTER TABLE -------------------------------------------------------------------------------------------
def _alter_action(stmt: Statement, action: list[Token], table: str, single: bool) -> DsqlError | None:
    words = [t for t in action if t.kind == "word"]
    first = words[0].value if words else ""
    if first == "ADD":
        k = 1
        if k < len(action) and action[k].is_word("COLUMN"):
            k += 1
        elif k < len(action) and action[k].kind == "word" and action[k].value in TABLE_CONSTRAINT_WORDS - {"LIKE"}:
            return _add_constraint(action[k:])
        while k < len(action) and action[k].is_word("IF", "NOT", "EXISTS"):
            k += 1
        column = action[k:]
        violation = _column_violation(column, adding=True)
        if violation is None and single:
            top = top_words(column)
            storage = next((n for n, t in enumerate(top) if t.is_word("STORAGE")), None)
            if storage is not None and storage + 1 < len(top):
                dialect.storage_rewrite(stmt, column[0], top[storage], top[storage + 1])
        return violation
    if first == "VALIDATE":
        return dsql_error("validate_constraint")
    if first == "ALTER":
        names = [t.value for t in words[1:5]]
        if "TYPE" in names or names[2:4] == ["DATA", "TYPE"] or names[1:3] == ["DATA", "TYPE"]:
            return dsql_error("alter_column_type")
        if any(a == "SET" and b == "NOT" for a, b in pairwise(names)):
            return dsql_error("alter_column_not_null")
    if first == "DROP" and single:
        k = 2 if len(action) > 1 and action[1].is_word("COLUMN") else 1
        if k == 1 and len(action) > 1 and action[1].is_word("CONSTRAINT", "DEFAULT", "IDENTITY", "NOT", "EXPRESSION"):
            return None
        while k < len(action) and action[k].is_word("IF", "EXISTS"):
            k += 1
        if k < len(action) and action[k].kind in ("word", "quoted"):
            dialect.guarded_drop_column(stmt, table, action[k])
    return None


def _add_constraint(body: list[Token]) -> DsqlError | None:
    top = [t.value for t in top_words(body)]
    if "EXCLUDE" in top:
        return dsql_error("add_constraint")
    kind = next((w for w in top if w in ("PRIMARY", "UNIQUE", "CHECK", "FOREIGN")), "")
    if kind in ("PRIMARY", "UNIQUE"):
        return None if "USING" in top else dsql_error("add_constraint")
    not_valid = any(a == "NOT" and b == "VALID" for a, b in pairwise(top))
    return None if not_valid else dsql_error("add_constraint")


def classify_alter_table(stmt: Statement, toks: list[Token]) -> DsqlError | None:
    i = 2
    async_tok = toks[i] if i < len(toks) and toks[i].is_word("ASYNC") else None
    if async_tok is not None:
        i += 1
    while i < len(toks) and toks[i].is_word("IF", "EXISTS", "ONLY"):
        i += 1
    name_start = i
    i = skip_name(toks, i)
    if i < len(toks) and toks[i].is_punct("*"):
        i += 1
    table = stmt.text[toks[name_start].start : toks[i - 1].end] if name_start < len(toks) else ""
    if async_tok is not None:
        dialect.async_alter(stmt, async_tok, toks[name_start] if name_start < len(toks) else None)
        return None
    actions = split_top(toks[i:])
    for action in actions:
        violation = _alter_action(stmt, action, table, single=len(actions) == 1)
        if violation is not None:
            stmt.rewrite = stmt.tag = None
            return violation
    return None
