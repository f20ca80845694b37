"""The transaction-rules state machine (dsql_standin.txrules), driven directly: no sockets, no PostgreSQL."""

from __future__ import annotations

import pytest

from dsql_standin.errors import ERRORS
from dsql_standin.lexer import Kind
from dsql_standin.txrules import TxRules


def run(rules: TxRules, *kinds: Kind) -> list[str | None]:
    return [None if (e := rules.statement(k)) is None else e.message for k in kinds]


MULTI = ERRORS["multiple_ddl"].message
MIX = ERRORS["ddl_dml_mix"].message


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ((Kind.DDL,), [None]),
        ((Kind.DDL, Kind.DDL), [None, MULTI]),
        ((Kind.DDL, Kind.DML), [None, MIX]),
        ((Kind.DML, Kind.DDL), [None, MIX]),
        ((Kind.DML, Kind.DML, Kind.OTHER), [None, None, None]),
        ((Kind.OTHER, Kind.DDL, Kind.OTHER), [None, None, None]),  # SELECTs may accompany the one DDL
        ((Kind.BEGIN, Kind.DDL, Kind.END, Kind.BEGIN, Kind.DML, Kind.END), [None] * 6),  # COMMIT starts afresh
        ((Kind.BEGIN, Kind.DDL, Kind.END, Kind.DDL), [None] * 4),
    ],
)
def test_one_ddl_and_no_mix_per_transaction(kinds: tuple[Kind, ...], expected: list[str | None]) -> None:
    assert run(TxRules(), *kinds) == expected


def test_begin_inside_a_transaction_keeps_the_bookkeeping() -> None:
    rules = TxRules()
    assert run(rules, Kind.BEGIN, Kind.DML, Kind.BEGIN, Kind.DDL) == [None, None, None, MIX]


def test_failed_transaction_checks_nothing_until_it_ends() -> None:
    rules = TxRules()
    assert run(rules, Kind.BEGIN, Kind.DDL) == [None, None]
    rules.ready(b"E")  # PostgreSQL reported the transaction failed: it answers 25P02 itself
    assert run(rules, Kind.DDL, Kind.DML) == [None, None]
    assert rules.ddl == 1
    assert run(rules, Kind.END, Kind.DDL, Kind.DML) == [None, None, MIX]


def test_ready_idle_ends_an_implicit_transaction() -> None:
    rules = TxRules()
    assert run(rules, Kind.DDL) == [None]
    rules.ready(b"I")  # the batch (simple query or pipeline up to Sync) committed
    assert run(rules, Kind.DDL) == [None]
    assert rules.status == b"I"
    assert run(rules, Kind.BEGIN) == [None]
    assert rules.status == b"T"


def test_row_limit_counts_command_tags_and_fires_once() -> None:
    rules = TxRules(row_limit=10)
    assert rules.completed("INSERT 0 6") is None
    assert rules.completed("SELECT 100") is None  # reads do not count
    assert rules.completed("UPDATE 4") is None  # exactly at the limit is allowed
    err = rules.completed("DELETE 1")
    assert err is not None
    assert (err.sqlstate, err.message) == ("54000", "transaction row limit exceeded")
    assert err.detail == "a transaction can modify at most 10 rows"
    assert rules.completed("INSERT 0 1") is None  # reported once per transaction
    assert rules.rows == 12


@pytest.mark.parametrize("tag", ["COMMIT", "ROLLBACK"])
def test_transaction_end_tags_reset_the_row_count(tag: str) -> None:
    rules = TxRules(row_limit=5)
    assert rules.completed("INSERT 0 5") is None
    assert rules.completed(tag) is None
    assert rules.completed("MERGE 5") is None
    assert rules.completed("COPY 1") is not None


def test_tags_without_counts_are_ignored() -> None:
    rules = TxRules(row_limit=1)
    for tag in ("", "CREATE TABLE", "SET", "INSERT", "CALL"):
        assert rules.completed(tag) is None
    assert rules.rows == 0
