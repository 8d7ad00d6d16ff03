"""The API's one way in for every request body and credential (docs/security.md, "Input limits").

- :class:`BasicAuthentication`: HTTP Basic whose username or password holds a control character
  (NUL included) or is longer than any account's could be is refused as bad credentials (401)
  before it reaches the lockout table or the database.
- :class:`JSONParser`: a JSON body of at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, nested at
  most ``API_JSON_MAX_DEPTH`` levels, without NaN, Infinity or a NUL in a string; anything else is a 400 (413 for
  size) with a JSON body, never a 500.
- :func:`exception_handler`: DRF's, plus the request-size errors Django raises itself, so an
  API caller always gets JSON.
- :class:`ApiBodyLimitMiddleware`: an API request announcing a body larger than
  ``API_MAX_BODY_BYTES`` is answered 413 in JSON before anything reads it; a query string
  with a NUL is a 400 on any path.
"""

from __future__ import annotations

import json
import math
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest, JsonResponse
from rest_framework import authentication, exceptions, parsers, status

# Longest username or password a sign-in may carry: usernames and emails are at most 254
# characters; no password manager makes passwords of more than a few hundred.
CREDENTIAL_MAX_CHARS = 1024
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
API_PREFIX = "/api/"


def credential_is_plausible(value: str) -> bool:
    """False for a username or password no account can have: control characters, overlong."""
    return len(value) <= CREDENTIAL_MAX_CHARS and not CONTROL_RE.search(value)


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        if not (credential_is_plausible(userid) and credential_is_plausible(password)):
            raise exceptions.AuthenticationFailed("Invalid username/password.")
        return super().authenticate_credentials(userid, password, request)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int, what: str = "request body"):
        super().__init__(f"The {what} is larger than {limit} bytes.")


def read_bounded(stream, limit: int, what: str = "request body") -> bytes:
    """The whole stream, or :class:`RequestTooLarge` once it passes ``limit`` bytes."""
    if stream is None:
        return b""
    chunks, size = [], 0
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(limit, what)
        chunks.append(chunk)
    return b"".join(chunks)


def json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), iteratively."""
    return _walk(value)[0]


def _walk(value) -> tuple[int, bool]:
    """(the nesting depth, whether any key or string holds a NUL), without recursion."""
    deepest, nul, stack = 0, False, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            nul = nul or "\x00" in item
            continue
        if isinstance(item, dict):
            nul = nul or any("\x00" in key for key in item)
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest, nul


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


def json_loads(data: bytes | str, *, max_depth: int | None = None):
    """JSON as the API reads it: ValueError (with a message for the caller) for anything the
    API refuses, whatever the input; never RecursionError."""
    max_depth = settings.API_JSON_MAX_DEPTH if max_depth is None else max_depth
    try:
        value = json.loads(data, parse_constant=_no_constants, parse_float=_finite)
    except RecursionError:
        raise ValueError(f"nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    depth, nul = _walk(value)
    if depth > max_depth:
        raise ValueError(f"nested deeper than {max_depth} levels")
    if nul:
        # PostgreSQL cannot store it, and no text here needs it.
        raise ValueError("a string holds a NUL character (\\u0000)")
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_bounded(stream, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "JSON body")
        try:
            return json_loads(body)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


def exception_handler(exc, context):
    # Imported here: rest_framework.views reads the API settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(str(exc))
    return drf_exception_handler(exc, context)


class ApiBodyLimitMiddleware:
    """413 in JSON for an API request whose Content-Length passes ``API_MAX_BODY_BYTES``;
    400 for any request whose query string holds a NUL (no filter may pass it to the database).

    Before the session, CSRF and lockout middleware, so none of them reads such a body.
    Bodies sent without a length are bounded where they are read (:func:`read_bounded`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith(API_PREFIX)
        if any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            message = "The query string holds a NUL character."
            if api:
                return JsonResponse({"detail": message}, status=status.HTTP_400_BAD_REQUEST)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if api:
            limit = settings.API_MAX_BODY_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse(
                    {"detail": "Content-Length is not a number."},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if length > limit:
                return JsonResponse(
                    {"detail": f"The request body is larger than {limit} bytes."},
                    status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                )
        return self.get_response(request)
