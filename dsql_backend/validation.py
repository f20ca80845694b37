"""System checks run by `migrate` (and `check --database <alias>`): fields whose column type DSQL refuses.

`migrate` runs these before it sends anything, so a model with, say, an `ArrayField` fails with the field's
name and what to use instead, not half-way through a migration with `datatype text[] not supported`.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import NotSupportedError
from django.db.backends.base.validation import BaseDatabaseValidation

from .ddl_rules import refuse_unsupported_type


class DatabaseValidation(BaseDatabaseValidation):
    def check_field_type(self, field: Any, field_type: str) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        if field_type and getattr(field, "model", None) is not None:
            try:
                refuse_unsupported_type(field.model, field, field_type)
            except NotSupportedError as exc:
                errors.append(checks.Error(str(exc), obj=field, id="dsql_backend.E001"))
        return errors
