"""The API's token authentication: ``Authorization: Token <key>`` of an ``ApiToken``, until it expires."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from dieuhanh.accounts.models import ApiToken, token_digest
from dieuhanh.accounts.services import api_token_touch
from dieuhanh.orgunits.models import day_text


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (``Token <key>``, and ``Bearer <key>``), our tokens: stored as digests,
    each with an expiry. An unknown, expired or inactive user's token is answered 401 with why."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() == "bearer ":
            parts = header.split()
            if len(parts) != 2:
                raise exceptions.AuthenticationFailed(_("Invalid token header: give one key after “Bearer”."))
            return self.authenticate_credentials(parts[1])
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expired:
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s; ask for a new one (dieuhanh user token).")
                % {"date": day_text(timezone.localtime(token.expires_at).date())}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive or deleted."))
        api_token_touch(token=token)
        return token.user, token
