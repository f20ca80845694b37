"""DRF permission for routes holding one user's data: a verified caller is required up front.

Checked before input validation, as the original's `requireAuth`, so an anonymous request with a
bad body is a 401, not a 400. During a migration window (VELA_ALLOW_UNAUTHENTICATED_USER_ID) the
request passes on, and `resolve_user_id` decides from the supplied `user_id`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from vela.errors import UnauthorizedError
from vela.identity import MISSING_HEADER, Identity


class CallerIdentified(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.user, Identity) or settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID:
            return True
        raise UnauthorizedError(MISSING_HEADER, code="missing_token")
