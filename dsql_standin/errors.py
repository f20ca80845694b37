"""Every error the stand-in raises on DSQL's behalf, in one table.

Texts marked ``recorded`` are what a real Aurora DSQL cluster answered (``tests/dsql_standin/recorded/``);
the others follow DSQL's own patterns (``unsupported statement: <PostgreSQL node name>``, ``... not
supported``) for statements AWS documents as unsupported but the recordings do not cover.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ERRORS", "DsqlError", "dsql_error"]


@dataclass(frozen=True)
class DsqlError:
    """An error the stand-in raises on DSQL's behalf."""

    sqlstate: str
    message: str
    severity: str = "ERROR"
    detail: str | None = None

    def format(self, **kwargs: object) -> DsqlError:
        return DsqlError(
            self.sqlstate,
            self.message.format(**kwargs),
            self.severity,
            self.detail.format(**kwargs) if self.detail else None,
        )


_CACHE_RULE = "please define CACHE greater than or equal to 65536 or equal to 1"

ERRORS: dict[str, DsqlError] = {
    # recorded
    "unsupported_statement": DsqlError("0A000", "unsupported statement: {node}"),
    "unsupported_statement_type": DsqlError("0A000", "unsupported statement type: {node}"),
    "transaction_statement": DsqlError("0A000", "unsupported transaction statement: {statement}"),
    "create_trigger": DsqlError("0A000", "CREATE TRIGGER not supported"),
    "create_type": DsqlError("0A000", "CREATE TYPE not supported"),
    "temporary": DsqlError("0A000", "TEMPORARY or TEMP table not supported for CREATE {object}"),
    "unlogged": DsqlError("0A000", "UNLOGGED table not supported for CREATE {object}"),
    "type_does_not_exist": DsqlError("42704", 'type "{type}" does not exist'),
    "datatype": DsqlError("0A000", "datatype {type} not supported"),
    "vacuum": DsqlError("0A000", "unsupported VACUUM statement"),
    "function_language": DsqlError("0A000", "CREATE {object} with language {language} not supported"),
    "sequence_cache": DsqlError(
        "0A000", f"CREATE SEQUENCE is not supported without an explicit cache size. {_CACHE_RULE}"
    ),
    "identity_cache": DsqlError(
        "0A000", f"identity column is not supported without an explicit cache size. {_CACHE_RULE}"
    ),
    "identity_type": DsqlError("0A000", "datatype {type} not supported, identity column type must be bigint"),
    "isolation": DsqlError("0A000", "Unsupported isolation level: {level}"),
    "set_parameter": DsqlError("0A000", 'setting configuration parameter "{name}" not supported'),
    "locking_clause": DsqlError("0A000", "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported"),
    "tablesample": DsqlError("0A000", "TABLESAMPLE clause not supported"),
    "text_search_config": DsqlError("42704", 'text search configuration "{name}" does not exist'),
    "index_mode": DsqlError("0A000", "unsupported mode. please use CREATE INDEX ASYNC."),
    "syntax_near": DsqlError("42601", 'syntax error at or near "{near}"'),
    "add_column_constraint": DsqlError("0A000", "ALTER TABLE ADD COLUMN with constraint not supported"),
    "add_constraint": DsqlError("0A000", "unsupported ALTER TABLE ADD CONSTRAINT statement"),
    "validate_constraint": DsqlError("0A000", "unsupported ALTER TABLE VALIDATE CONSTRAINT statement"),
    "alter_column_type": DsqlError("0A000", "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement"),
    "drop_pk_column": DsqlError("0A000", "cannot drop primary key column {column}"),
    "multiple_ddl": DsqlError("0A000", "multiple ddl statements not supported in a transaction"),
    "ddl_dml_mix": DsqlError("0A000", "ddl and dml are not supported in the same transaction"),
    "row_limit": DsqlError(
        "54000", "transaction row limit exceeded", detail="a transaction can modify at most {limit} rows"
    ),
    "in_failed_transaction": DsqlError(
        "25P02", "current transaction is aborted, commands ignored until end of transaction block"
    ),
    "occ_conflict": DsqlError("40001", "change conflicts with another transaction (OC000)"),
    # DSQL's patterns, not recorded
    "alter_column_not_null": DsqlError("0A000", "unsupported ALTER TABLE ALTER COLUMN ... SET NOT NULL statement"),
    "create_table_clause": DsqlError("0A000", "{clause} not supported for CREATE TABLE"),
    "index_order": DsqlError("0A000", "{order} not supported for CREATE INDEX ASYNC"),
    "exclusion_constraint": DsqlError("0A000", "EXCLUDE constraint not supported"),
    "max_age": DsqlError(
        "57P01", "connection exceeded its maximum duration of {seconds} seconds, please reconnect", severity="FATAL"
    ),
    "upstream_unavailable": DsqlError(
        "08006", "unable to accept connection, the cluster is unavailable", severity="FATAL"
    ),
    "protocol": DsqlError("08P01", "invalid frontend message", severity="FATAL"),
}


def dsql_error(key: str, **kwargs: object) -> DsqlError:
    """``ERRORS[key]``, its placeholders filled in from ``kwargs``."""
    return ERRORS[key].format(**kwargs) if kwargs else ERRORS[key]
