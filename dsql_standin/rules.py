"""Statement classification: what kind a statement is for the transaction rules, and what DSQL refuses.

``classify(stmt)`` fills in ``kind``, ``violation`` (DSQL's error, the statement is not run) and the
dialect rewrites (``dialect.py``). Only tokens outside literals and comments count, so a word inside a string
never triggers a rule.
"""

from __future__ import annotations

from itertools import pairwise

from . import dialect
from .errors import ERRORS, DsqlError
from .lexer import Kind, Statement, Token

__all__ = ["classify"]

SERIAL_TYPES = {"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL2", "SERIAL4", "SERIAL8"}
# Column types DSQL refuses (AWS: "Supported data types"; JSON is a column type, arrays/inet/... are not).
UNSUPPORTED_TYPES = {
    "MONEY", "XML", "INET", "CIDR", "MACADDR", "MACADDR8", "POINT", "LINE", "LSEG", "BOX", "PATH", "POLYGON",
    "CIRCLE", "INT4RANGE", "INT8RANGE", "NUMRANGE", "TSRANGE", "TSTZRANGE", "DATERANGE", "INT4MULTIRANGE",
    "INT8MULTIRANGE", "NUMMULTIRANGE", "TSMULTIRANGE", "TSTZMULTIRANGE", "DATEMULTIRANGE", "TSVECTOR", "TSQUERY",
    "BIT", "VARBIT", "PG_LSN", "PG_SNAPSHOT", "TXID_SNAPSHOT", "HSTORE", "JSONPATH",
}
GEOMETRIC = {"POINT", "LINE", "LSEG", "BOX", "PATH", "POLYGON", "CIRCLE"}
TEXT_SEARCH_FUNCTIONS = {"TO_TSVECTOR", "TO_TSQUERY", "WEBSEARCH_TO_TSQUERY", "PLAINTO_TSQUERY",
                         "PHRASETO_TSQUERY", "TS_HEADLINE", "JSON_TO_TSVECTOR", "JSONB_TO_TSVECTOR"}
COLUMN_CONSTRAINT_WORDS = {"CONSTRAINT", "NOT", "NULL", "DEFAULT", "UNIQUE", "PRIMARY", "CHECK", "REFERENCES",
                           "GENERATED", "COLLATE", "STORAGE", "COMPRESSION"}
TABLE_CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}
ISOLATION_LEVELS = {("READ", "UNCOMMITTED"): "READ UNCOMMITTED", ("READ", "COMMITTED"): "READ COMMITTED",
                    ("REPEATABLE", "READ"): "REPEATABLE READ", ("SERIALIZABLE",): "SERIALIZABLE"}
IDENTITY_TYPE_NAMES = {"INT": "integer", "INT4": "integer", "INTEGER": "integer", "INT2": "smallint",
                       "SMALLINT": "smallint"}
DML_WORDS = {"INSERT", "UPDATE", "DELETE", "MERGE"}
QUERY_WORDS = {"SELECT", "WITH", "TABLE", "VALUES"}
# First words DSQL refuses outright, with the PostgreSQL parse node it names.
UNSUPPORTED_FIRST_WORDS = {"TRUNCATE": "Truncate", "LISTEN": "Listen", "NOTIFY": "Notify", "UNLISTEN": "Unlisten",
                           "LOCK": "Lock", "DECLARE": "DeclareCursor", "DO": "Do", "CLUSTER": "Cluster",
                           "REINDEX": "Reindex", "CHECKPOINT": "Checkpoint", "LOAD": "Load"}
# CREATE <object> DSQL refuses outright (AWS: "Unsupported PostgreSQL features").
UNSUPPORTED_CREATE = {"DATABASE": "Createdb", "EXTENSION": "CreateExtension", "TABLESPACE": "CreateTableSpace",
                      "LANGUAGE": "CreatePLang", "RULE": "Rule", "PUBLICATION": "CreatePublication",
                      "SUBSCRIPTION": "CreateSubscription", "SERVER": "CreateForeignServer",
                      "EVENT": "CreateEventTrig"}


def _err(key: str, **kwargs: object) -> DsqlError:
    return ERRORS[key].format(**kwargs) if kwargs else ERRORS[key]


def _close(toks: list[Token], i: int) -> int:
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


def _split_top(toks: list[Token]) -> list[list[Token]]:
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


def _top_words(toks: list[Token]) -> list[Token]:
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


def _skip_name(toks: list[Token], i: int) -> int:
    """Index after a possibly schema-qualified name starting at ``i``."""
    i += 1
    while i + 1 < len(toks) and toks[i].is_punct("."):
        i += 2
    return i


# ---- column definitions ------------------------------------------------------------------------------------
def _type_violation(type_toks: list[Token]) -> DsqlError | None:
    words = [t for t in type_toks if t.kind in ("word", "quoted")]
    if not words:
        return None
    base = words[-1] if len(words) > 1 and any(t.is_punct(".") for t in type_toks[:2]) else words[0]
    name = base.value.strip('"').upper()
    if name in SERIAL_TYPES:
        return _err("type_does_not_exist", type=base.value.strip('"').lower())
    is_array = any(t.is_punct("[") for t in type_toks) or any(t.is_word("ARRAY") for t in words)
    if name in UNSUPPORTED_TYPES or (name == "BIT" and len(words) > 1):
        return _err("datatype", type=name.lower() + ("[]" if is_array else ""))
    if is_array:
        type_words = [t.value.lower() for t in words if not t.is_word("ARRAY")]
        return _err("datatype", type=" ".join(type_words) + "[]")
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
        return _err("identity_type", type=IDENTITY_TYPE_NAMES.get(type_name, type_name.lower()))
    return _cache_violation(cons[gen:], "identity_cache")


def _cache_violation(toks: list[Token], key: str) -> DsqlError | None:
    for a, b in pairwise(toks):
        if a.is_word("CACHE") and b.kind == "number":
            value = float(b.value)
            return None if value == 1 or value >= 65536 else _err(key)
    return _err(key)


def _column_violation(toks: list[Token], *, adding: bool) -> DsqlError | None:
    _, type_toks, cons = _split_column(toks)
    violation = _type_violation(type_toks)
    if violation is not None:
        return violation
    if adding:
        constraining = [t for t in _top_words(cons) if t.value in COLUMN_CONSTRAINT_WORDS - {"NULL", "STORAGE"}]
        return _err("add_column_constraint") if constraining else None
    return _identity_violation(type_toks, cons)


# ---- CREATE ------------------------------------------------------------------------------------------------
def _create_table(stmt: Statement, toks: list[Token], i: int) -> DsqlError | None:
    """``toks[i]`` is TABLE."""
    j = i + 1
    while j < len(toks) and toks[j].is_word("IF", "NOT", "EXISTS"):
        j += 1
    j = _skip_name(toks, j)
    if j < len(toks) and toks[j].is_word("PARTITION"):
        return _err("create_table_clause", clause="PARTITION")
    columns: list[Token] = []
    rest = toks[j:]
    if j < len(toks) and toks[j].is_punct("("):
        end = _close(toks, j)
        columns, rest = toks[j + 1:end], toks[end + 1:]
    for word in _top_words(rest):
        if word.value == "AS":
            return _err("unsupported_statement", node="CreateTableAs")
        if word.value in ("INHERITS", "PARTITION"):
            return _err("create_table_clause", clause=word.value)
    for element in _split_top(columns):
        if element[0].kind == "word" and element[0].value in TABLE_CONSTRAINT_WORDS:
            if any(t.is_word("EXCLUDE") for t in _top_words(element)):
                return _err("exclusion_constraint")
            continue
        violation = _column_violation(element, adding=False)
        if violation is not None:
            return violation
    return None


def _create_index(stmt: Statement, toks: list[Token], i: int) -> DsqlError | None:
    """``toks[i]`` is INDEX."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None or not nxt.is_word("ASYNC"):
        return _err("index_mode")
    j = i + 2
    while j < len(toks) and toks[j].is_word("IF", "NOT", "EXISTS"):
        j += 1
    if j + 1 < len(toks) and not toks[j].is_word("ON") and toks[j + 1].is_punct("."):
        return _err("syntax_near", near=".")
    on = next((k for k in range(j, len(toks)) if toks[k].is_word("ON")), None)
    start = next((k for k in range(on or j, len(toks)) if toks[k].is_punct("(")), None)
    if start is not None:
        for element in _split_top(toks[start + 1:_close(toks, start)]):
            order = next((t.value for t in _top_words(element) if t.value in ("ASC", "DESC")), None)
            if order is not None:
                return _err("index_order", order=order)
    dialect.async_index(stmt, nxt)
    return None


def _create_function(words: list[str], obj: str) -> DsqlError | None:
    for a, b in pairwise(words):
        if a == "LANGUAGE":
            return None if b.strip("'\"").upper() == "SQL" else _err(
                "function_language", object=obj, language=b.strip("'\"").lower())
    return None


def _create_type(toks: list[Token]) -> DsqlError:
    """``CREATE TYPE name AS (...)`` | ``AS RANGE`` | ``AS ENUM`` | base/shell types."""
    for a, b in pairwise(toks):
        if a.is_word("AS") and b.is_punct("("):
            return _err("unsupported_statement", node="CompositeType")
        if a.is_word("AS") and b.is_word("RANGE"):
            return _err("unsupported_statement", node="CreateRange")
    return _err("create_type")


def _classify_create(stmt: Statement, toks: list[Token]) -> DsqlError | None:
    i = 1
    if i + 1 < len(toks) and toks[i].is_word("OR") and toks[i + 1].is_word("REPLACE"):
        i += 2
    modifiers: set[str] = set()
    while i < len(toks) and toks[i].is_word("GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "UNIQUE",
                                            "CONSTRAINT", "MATERIALIZED", "RECURSIVE", "TRUSTED", "PROCEDURAL"):
        modifiers.add(toks[i].value)
        i += 1
    obj = toks[i].value if i < len(toks) and toks[i].kind == "word" else ""
    words = [t.value for t in toks[i:] if t.kind in ("word", "string")]
    if modifiers & {"TEMP", "TEMPORARY"}:
        return _err("temporary", object=obj)
    if "UNLOGGED" in modifiers:
        return _err("unlogged", object=obj)
    if "MATERIALIZED" in modifiers:
        return _err("unsupported_statement", node="CreateTableAs")
    if obj in UNSUPPORTED_CREATE:
        return _err("unsupported_statement", node=UNSUPPORTED_CREATE[obj])
    if obj == "TRIGGER":
        return _err("create_trigger")
    if obj == "FOREIGN":
        node = {"TABLE": "CreateForeignTable", "DATA": "CreateFdw"}.get(words[1] if len(words) > 1 else "", "")
        return _err("unsupported_statement", node=node or "CreateForeignTable")
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
            top = _top_words(column)
            storage = next((n for n, t in enumerate(top) if t.is_word("STORAGE")), None)
            if storage is not None and storage + 1 < len(top):
                dialect.storage_rewrite(stmt, column[0], top[storage], top[storage + 1])
        return violation
    if first == "VALIDATE":
        return _err("validate_constraint")
    if first == "ALTER":
        names = [t.value for t in words[1:5]]
        if "TYPE" in names or names[2:4] == ["DATA", "TYPE"] or names[1:3] == ["DATA", "TYPE"]:
            return _err("alter_column_type")
        if any(a == "SET" and b == "NOT" for a, b in pairwise(names)):
            return _err("alter_column_not_null")
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
    top = [t.value for t in _top_words(body)]
    if "EXCLUDE" in top:
        return _err("add_constraint")
    kind = next((w for w in top if w in ("PRIMARY", "UNIQUE", "CHECK", "FOREIGN")), "")
    if kind in ("PRIMARY", "UNIQUE"):
        return None if "USING" in top else _err("add_constraint")
    not_valid = any(a == "NOT" and b == "VALID" for a, b in pairwise(top))
    return None if not_valid else _err("add_constraint")


def _classify_alter_table(stmt: Statement, toks: list[Token]) -> DsqlError | None:
    i = 2
    async_tok = toks[i] if i < len(toks) and toks[i].is_word("ASYNC") else None
    if async_tok is not None:
        i += 1
    while i < len(toks) and toks[i].is_word("IF", "EXISTS", "ONLY"):
        i += 1
    name_start = i
    i = _skip_name(toks, i)
    if i < len(toks) and toks[i].is_punct("*"):
        i += 1
    table = stmt.text[toks[name_start].start:toks[i - 1].end] if name_start < len(toks) else ""
    if async_tok is not None:
        dialect.async_alter(stmt, async_tok, toks[name_start] if name_start < len(toks) else None)
        return None
    actions = _split_top(toks[i:])
    for action in actions:
        violation = _alter_action(stmt, action, table, single=len(actions) == 1)
        if violation is not None:
            stmt.rewrite = stmt.tag = None
            return violation
    return None


# ---- queries -----------------------------------------------------------------------------------------------
def _query_violation(toks: list[Token]) -> DsqlError | None:
    for n, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        nxt = toks[n + 1] if n + 1 < len(toks) else None
        if tok.value == "FOR" and nxt is not None and (nxt.is_word("SHARE") or (
                nxt.is_word("NO") and n + 2 < len(toks) and toks[n + 2].is_word("KEY"))):
            return _err("locking_clause")
        if tok.value == "TABLESAMPLE":
            return _err("tablesample")
        if nxt is not None and nxt.is_punct("(") and tok.value in TEXT_SEARCH_FUNCTIONS:
            args = _split_top(toks[n + 2:_close(toks, n + 1)])
            if len(args) > 1 and len(args[0]) == 1 and args[0][0].kind == "string":
                return _err("text_search_config", name=args[0][0].value.strip("'"))
        if tok.value in GEOMETRIC and ((nxt is not None and nxt.is_punct("(")) or (
                n >= 2 and toks[n - 1].is_punct(":") and toks[n - 2].is_punct(":"))):
            return _err("datatype", type=tok.value.lower())
    return None


def _select_into(toks: list[Token]) -> bool:
    top = _top_words(toks)
    return bool(top) and top[0].is_word("SELECT") and any(t.is_word("INTO") for t in top)


# ---- dispatch ----------------------------------------------------------------------------------------------
def _isolation(words: list[str]) -> DsqlError | None:
    for i in range(len(words) - 2):
        if words[i] == "ISOLATION" and words[i + 1] == "LEVEL":
            rest = tuple(words[i + 2:i + 4])
            for key, name in ISOLATION_LEVELS.items():
                if rest[:len(key)] == key:
                    return None if name == "REPEATABLE READ" else _err("isolation", level=name)
    return None


def _classify_set(stmt: Statement, words: list[str]) -> DsqlError | None:
    second = words[1] if len(words) > 1 else ""
    if second == "TRANSACTION" or (second == "SESSION" and "CHARACTERISTICS" in words):
        return _isolation(words) or _err("set_parameter", name="TRANSACTION")
    names = [t for t in stmt.tokens[1:] if t.kind in ("word", "quoted")]
    if names and names[0].value in ("SESSION", "LOCAL"):
        names = names[1:]
    if names and names[0].value in ("DEFAULT_TRANSACTION_ISOLATION", "TRANSACTION_ISOLATION"):
        return _err("set_parameter", name=names[0].value.lower())
    return None


def _classify_transaction(first: str, words: list[str]) -> tuple[Kind, DsqlError | None]:
    second = words[1] if len(words) > 1 else ""
    if first in ("BEGIN", "START"):
        return Kind.BEGIN, _isolation(words)
    if first == "ROLLBACK" and "TO" in words[1:4]:
        return Kind.OTHER, _err("transaction_statement", statement="ROLLBACK TO")
    if first in ("SAVEPOINT", "RELEASE"):
        return Kind.OTHER, _err("transaction_statement", statement=first)
    if first == "PREPARE" and second == "TRANSACTION":
        return Kind.OTHER, _err("transaction_statement", statement="PREPARE TRANSACTION")
    if second == "PREPARED":
        return Kind.OTHER, _err("transaction_statement", statement=f"{first} PREPARED")
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
            first == "PREPARE" and second == "TRANSACTION"):
        stmt.kind, stmt.violation = _classify_transaction(first, words)
    elif first == "SET":
        stmt.violation = _classify_set(stmt, words)
    elif first in UNSUPPORTED_FIRST_WORDS:
        stmt.kind = Kind.DDL if first == "TRUNCATE" else Kind.OTHER
        stmt.violation = _err("unsupported_statement", node=UNSUPPORTED_FIRST_WORDS[first])
    elif first == "VACUUM":
        stmt.violation = _err("vacuum")
    elif first == "REFRESH":
        stmt.violation = _err("unsupported_statement", node="RefreshMatView")
    elif first == "CREATE":
        stmt.kind = Kind.DDL
        stmt.violation = _classify_create(stmt, toks)
    elif first == "ALTER":
        stmt.kind = Kind.DDL
        if second == "SYSTEM":
            stmt.violation = _err("unsupported_statement", node="AlterSystem")
        elif second == "TABLE":
            stmt.violation = _classify_alter_table(stmt, toks)
    elif first in ("DROP", "COMMENT"):
        stmt.kind = Kind.DDL
    elif first == "MERGE":
        stmt.kind = Kind.DML
        stmt.violation = _err("unsupported_statement_type", node="MERGE")
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
            stmt.violation = _err("unsupported_statement", node="CreateTableAs")
    return stmt
