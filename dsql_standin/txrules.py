"""DSQL's per-transaction rules as a pure state machine (no sockets, no SQL parsing).

The relay feeds it, in the order PostgreSQL will run them, the kind of every statement a client sends
(:meth:`TxRules.statement`), the command tags PostgreSQL answers (:meth:`TxRules.completed`) and the
transaction status of every ReadyForQuery (:meth:`TxRules.ready`). It answers with DSQL's error when a
statement breaks a rule:

- one DDL statement per transaction (``multiple ddl statements not supported in a transaction``), and no
  DDL and DML in the same transaction (``ddl and dml are not supported in the same transaction``), in
  explicit transactions and in implicit ones (a multi-statement simple query or a pipelined batch);
- at most ``row_limit`` rows modified per transaction (``54000 transaction row limit exceeded``);
- in a failed transaction nothing is checked: PostgreSQL answers ``25P02`` first, as DSQL does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ERRORS, DsqlError
from .lexer import Kind

__all__ = ["ROW_TAGS", "TxRules"]

ROW_TAGS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"})


@dataclass
class TxRules:
    """DDL/DML/row bookkeeping of the current (explicit or implicit) transaction.

    ``status`` is the transaction status as the statements sent so far will leave it (``I`` idle, ``T`` in a
    transaction, ``E`` failed), ahead of PostgreSQL's own ReadyForQuery.
    """

    row_limit: int = 3000
    status: bytes = b"I"
    ddl: int = 0
    dml: bool = False
    rows: int = 0
    over_limit: bool = field(default=False, repr=False)

    def reset(self) -> None:
        """A transaction ended (COMMIT/ROLLBACK, or the implicit transaction of a batch)."""
        self.ddl, self.dml, self.rows, self.over_limit = 0, False, 0, False

    def statement(self, kind: Kind) -> DsqlError | None:
        """A statement of ``kind`` is about to run: DSQL's error if it breaks a rule, else None."""
        if kind is Kind.END:
            self.status = b"I"
            self.reset()
            return None
        if self.status == b"E":
            return None  # PostgreSQL rejects everything but ROLLBACK in a failed transaction anyway
        if kind is Kind.BEGIN:
            if self.status == b"I":
                self.reset()
            self.status = b"T"
        elif kind is Kind.DDL:
            if self.ddl:
                return ERRORS["multiple_ddl"]
            if self.dml:
                return ERRORS["ddl_dml_mix"]
            self.ddl += 1
        elif kind is Kind.DML:
            if self.ddl:
                return ERRORS["ddl_dml_mix"]
            self.dml = True
        return None

    def completed(self, tag: str) -> DsqlError | None:
        """PostgreSQL completed a statement with ``tag``: the row-limit error if the transaction crossed it."""
        words = tag.split()
        if not words:
            return None
        if words[0] in ("COMMIT", "ROLLBACK"):
            self.reset()
            return None
        if words[0] not in ROW_TAGS or not words[-1].isdigit():
            return None
        self.rows += int(words[-1])
        if self.rows <= self.row_limit or self.over_limit:
            return None
        self.over_limit = True
        return ERRORS["row_limit"].format(limit=self.row_limit)

    def ready(self, status: bytes) -> None:
        """A ReadyForQuery with ``status`` reached the client: the simulated status is PostgreSQL's again."""
        self.status = status
        if status == b"I":
            self.reset()
