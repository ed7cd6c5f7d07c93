"""What every API view shares: authentication, the exception mapping, strict input, pagination."""

import base64
import logging

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def _nest(messages: dict) -> dict:
    """``{"items.3.code": [...]}`` -> ``{"items": {"3": {"code": [...]}}}``, DRF's own shape."""
    nested: dict = {}
    for key, value in messages.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else str(key)
        *parents, leaf = key.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # the parent has messages of its own: stay flat
                node = nested
                leaf = key
                break
        node[leaf] = list(value)
    return nested


def exception_handler(exc, context):
    """DRF's handler, plus the exceptions our services and the database raise on bad input.

    Django's ``ValidationError`` (services) -> 400 with field messages; ``IntegrityError`` and
    ``DataError`` (the database refusing a value the checks let through, e.g. a concurrent
    duplicate) -> 400; ``ObjectDoesNotExist`` -> 404. ``Http404`` and ``PermissionDenied`` are
    already mapped by DRF (404, 403). Django's request limits, met while a multipart upload is
    parsed, -> 400 in JSON rather than Django's HTML error page.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(_nest(exc.message_dict))
        else:
            exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    elif isinstance(exc, IntegrityError | DataError):
        logger.warning("database refused API input: %s", exc)
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: ["The database refused this input."]}
        )
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, TooManyFilesSent):
        exc = exceptions.ParseError(
            f"At most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files per request: import more "
            "documents in several requests, or as one CSV or JSON Lines file."
        )
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        exc = exceptions.ParseError(str(exc))
    return drf_exception_handler(exc, context)


class JsonOnlyNegotiation(DefaultContentNegotiation):
    """Always JSON. DRF would otherwise read ``?format=`` as a renderer choice (and answer 404
    for an unknown one), but ``format`` is a parameter of ours: the export format."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class BaseApi(APIView):
    # Token first, so that an anonymous request gets 401 with ``WWW-Authenticate: Token``
    # (DRF takes the header from the first class; session auth has none and would give 403).
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    # JSON only (except the uploads of ``imports``, multipart): one request format to describe
    # and test; no browsable API (its inline scripts would break the Content-Security-Policy).
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnlyNegotiation

    def get_exception_handler(self):
        return exception_handler


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (400 naming each one)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


class KeysetPagination:
    """Keyset (cursor) pagination over a queryset ordered by unique ``fields``.

    A page is ``WHERE (fields) > (the last row's) ORDER BY fields LIMIT n + 1``: no ``OFFSET``
    (whose cost grows with the page number) and no ``COUNT(*)``, so every page costs the same
    and rows added or removed meanwhile never shift a page. The cursor is the last row's key,
    opaque to clients (URL-safe base64); ``next`` is null on the last page.
    """

    default_limit = 100
    max_limit = 10_000

    def __init__(self, fields: tuple[str, ...]):
        self.fields = fields

    def decode(self, cursor: str) -> tuple[int, ...]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            key = tuple(
                int(part)
                for part in base64.urlsafe_b64decode(padded.encode("ascii")).decode().split(".")
            )
        except (ValueError, UnicodeError):
            key = ()
        if len(key) != len(self.fields) or any(part < 0 for part in key):
            raise exceptions.ValidationError({"cursor": ["Not a cursor this endpoint gave."]})
        return key

    @staticmethod
    def encode(key) -> str:
        text = ".".join(str(int(part)) for part in key)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def page(self, request, queryset, serialize, *, cursor: str | None, limit: int | None):
        """``{"next": url or null, "results": [...]}`` for the rows after ``cursor``.

        ``queryset`` is a ``values_list`` whose first values are ``fields``, in that order."""
        limit = min(limit or self.default_limit, self.max_limit)
        if cursor:
            after = Tuple(*(F(name) for name in self.fields))
            queryset = queryset.filter(TupleGreaterThan(after, self.decode(cursor)))
        rows = list(queryset.order_by(*self.fields)[: limit + 1])
        next_url = None
        if len(rows) > limit:
            rows = rows[:limit]
            key = rows[-1][: len(self.fields)]
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", self.encode(key))
        return Response({"next": next_url, "results": serialize(rows)})


def paginate(view, request, queryset, serialize):
    """One page of ``queryset`` (a count query and a page query) as DRF's paginated response."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serialize(page))


_detail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
# Field name -> list of messages (nested by index for lists), "non_field_errors" for the rest.
_field_errors = OpenApiResponse(
    response={"type": "object", "additionalProperties": True},
    description="Invalid input: messages per field.",
)


def errors(*codes: int) -> dict:
    """Schema entries for the error responses a view can give."""
    described = {
        400: _field_errors,
        401: OpenApiResponse(_detail, description="Not authenticated."),
        403: OpenApiResponse(_detail, description="The role is too low for this action."),
        404: OpenApiResponse(_detail, description="No such object in the user's projects."),
        415: OpenApiResponse(_detail, description="The request body is not of the media type."),
        429: OpenApiResponse(_detail, description="Too many requests."),
    }
    return {code: described[code] for code in codes}
