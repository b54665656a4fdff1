"""Vietnamese first: the interface speaks Vietnamese unless the user chose another language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language header.

    Many officials' browsers are set to English; the IOC must still open in
    Vietnamese. Only an explicit choice (the language switch, kept in a cookie)
    changes it.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """A request with a NUL character (code 0) in its path, its query or its form or JSON body is
    refused (400) before any view sees it.

    No code, name, period or number contains one; PostgreSQL cannot even compare a text holding
    it, so a path or a code with one would be a server error there and a plain "not found" on
    SQLite. Refused here, it is the same answer on both. (Files are judged by the importer.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            message = gettext(
                "The request holds a NUL character (code 0), which no code, name or number contains; remove it."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in request.path or "\x00" in query or "%00" in query:
        return True
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS") or content_type not in _BODIES_CHECKED:
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # Django answers that itself when the view reads the body
    # In a form body a NUL is "%00"; in JSON, "\u0000" (a raw one is invalid JSON, refused anyway).
    return b"\x00" in body or (b"%00" if content_type != "application/json" else b"\\u0000") in body


_BODIES_CHECKED = ("application/json", "application/x-www-form-urlencoded")
