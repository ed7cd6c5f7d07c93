"""The analysis pages as JSON: the same forms (parameters, validation, blind coding) and the
same selectors and services as ``views/analysis.py``. Every member may call them; annotators
under blind coding read only their own codings."""

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import access
from ..forms_analysis import (
    AutocodeForm,
    CooccurrenceForm,
    FrequencyForm,
    MemoForm,
    RetrievalForm,
    SearchForm,
)
from ..selectors import analysis as sel
from ..services import autocode
from .base import BaseApi, StrictSerializer, errors

_OBJECT = OpenApiResponse(
    {"type": "object", "additionalProperties": True}, description="The result, as JSON."
)


def _ids(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, {"type": "array", "items": {"type": "integer"}}, explode=True, description=description
    )


SCOPE = [
    _ids("codes", "Only these codes (ids)."),
    OpenApiParameter("subcodes", OpenApiTypes.BOOL, description="Include their sub-codes."),
    _ids("coders", "Only these coders (user ids; the gold standard's user id for gold)."),
    OpenApiParameter("documents", str, description="Document ids, comma-separated."),
    OpenApiParameter("title", str, description="Document title contains."),
    OpenApiParameter("source", str, description="Document source contains."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Published on or after."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Published on or before."),
    OpenApiParameter("meta_key", str, description="A metadata key the document has."),
    OpenApiParameter("meta_value", str, description="…with this value."),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
]


def _form_errors(form) -> ValidationError:
    return ValidationError(
        {
            ("non_field_errors" if name == "__all__" else name): list(messages)
            for name, messages in form.errors.items()
        }
    )


def _valid(form):
    if not form.is_valid():
        raise _form_errors(form)
    return form


def _segment(s) -> dict:
    data = asdict(s)
    data.pop("paragraph")
    return data


class SegmentListApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Retrieve coded segments (one page of 50), with context",
        parameters=[
            *SCOPE,
            OpenApiParameter("text", str, description="The coded text contains."),
            OpenApiParameter(
                "op", str, enum=[k for k in sel.OPERATORS if k], description="Boolean operator."
            ),
            _ids("other", "The codes the operator compares with."),
            OpenApiParameter("distance", OpenApiTypes.INT, description="n for op=near."),
        ],
        responses={200: _OBJECT, **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project_access = access.project_for(request.user, project_id)
        form = _valid(RetrievalForm(project_access, request.user, request.query_params))
        result = sel.segment_page(form.scope(), page=form.page_index)
        return Response(
            {
                "page": result.page,
                "has_next": result.has_next,
                "results": [_segment(s) for s in result.segments],
            }
        )


class FrequencyApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Code × document-variable frequencies",
        parameters=[
            *SCOPE,
            OpenApiParameter(
                "variable", str, description="document, source, year, all or metadata.<key>."
            ),
        ],
        responses={200: _OBJECT, **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project_access = access.project_for(request.user, project_id)
        form = _valid(FrequencyForm(project_access, request.user, request.query_params))
        table = sel.frequency_table(form.scope(), form.cleaned_data["variable"])
        return Response(
            {
                "variable": table.variable,
                "values": table.values,
                "words": table.words,
                "documents": table.documents,
                "codes": [
                    {
                        "id": pk,
                        "path": path,
                        "total": table.totals.get(pk, {}),
                        "cells": {
                            v: table.cells[(pk, v)] for v in table.values if (pk, v) in table.cells
                        },
                    }
                    for pk, path in table.codes
                ],
            }
        )


class CooccurrenceApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Code × code co-occurrence (pairs, segments, Jaccard)",
        parameters=[
            *SCOPE,
            OpenApiParameter("mode", str, enum=["overlap", "near", "paragraph"]),
            OpenApiParameter("distance", OpenApiTypes.INT, description="n for mode=near."),
        ],
        responses={200: _OBJECT, **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project_access = access.project_for(request.user, project_id)
        form = _valid(CooccurrenceForm(project_access, request.user, request.query_params))
        data = form.cleaned_data
        m = sel.cooccurrence(form.scope(), form.matrix_codes(), data["mode"], data["distance"])
        return Response(
            {
                "mode": data["mode"],
                "codes": [
                    {"id": pk, "path": path, "segments": m.counts.get(pk, 0)}
                    for pk, path in m.codes
                ],
                "cells": [
                    {
                        "a": a,
                        "b": b,
                        "pairs": m.pairs.get((a, b), 0),
                        "jaccard": m.jaccard(a, b),
                    }
                    for a, _ in m.codes
                    for b, _ in m.codes
                    if a != b
                ],
            }
        )


class SearchApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Full-text search over the project's documents (20 per page)",
        parameters=[
            OpenApiParameter("q", str, required=True, description="The words to find."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
        ],
        responses={200: _OBJECT, **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        form = _valid(SearchForm(request.query_params))
        page = form.cleaned_data["page"] or 1
        hits, has_next = sel.search_documents(project, form.cleaned_data["q"], page=page)
        return Response({"page": page, "has_next": has_next, "results": [asdict(h) for h in hits]})


class MemoListApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Memos on codings, by code and coder (50 per page)",
        parameters=[*SCOPE, OpenApiParameter("q", str, description="The memo contains.")],
        responses={200: _OBJECT, **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project_access = access.project_for(request.user, project_id)
        form = _valid(MemoForm(project_access, request.user, request.query_params))
        segments, has_next = sel.memo_page(
            form.scope(), query=form.cleaned_data["q"], page=form.page_index
        )
        return Response(
            {
                "page": form.page_index,
                "has_next": has_next,
                "results": [_segment(s) for s in segments],
            }
        )


_AUTOCODE_PARAMS = [
    OpenApiParameter("code", OpenApiTypes.INT, required=True, description="The code to apply."),
    OpenApiParameter("query", str, required=True, description="Text or regular expression."),
    OpenApiParameter("regex", OpenApiTypes.BOOL),
    OpenApiParameter("whole_words", OpenApiTypes.BOOL),
    OpenApiParameter("case_sensitive", OpenApiTypes.BOOL),
    OpenApiParameter("extend", str, enum=[k for k in autocode.EXTENDS if k]),
]


class AutocodePreviewApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Auto-code: the hits a query proposes for one code (nothing is stored)",
        parameters=_AUTOCODE_PARAMS,
        responses={200: _OBJECT, **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        form = _valid(AutocodeForm(project, request.query_params))
        hits, info = autocode.autocode_preview(
            project=project,
            code=form.chosen_code(),
            coder=request.user,
            query=form.autocode_query(),
        )
        return Response({**info, "results": [asdict(h) for h in hits]})


class _Item(StrictSerializer):
    document = serializers.IntegerField()
    start_offset = serializers.IntegerField()
    end_offset = serializers.IntegerField()


class AutocodeApplyInput(StrictSerializer):
    code = serializers.IntegerField()
    query = serializers.CharField(max_length=500, trim_whitespace=False)
    regex = serializers.BooleanField(default=False)
    whole_words = serializers.BooleanField(default=False)
    case_sensitive = serializers.BooleanField(default=False)
    extend = serializers.ChoiceField(choices=list(autocode.EXTENDS), default="")
    items = _Item(many=True)


class AutocodeApplyApi(BaseApi):
    @extend_schema(
        tags=["analysis"],
        summary="Auto-code: store the reviewed hits as codings of the caller, with provenance",
        request=AutocodeApplyInput,
        responses={
            201: OpenApiResponse(
                {"type": "object", "properties": {"created": {"type": "integer"}}},
                description="How many new codings were stored.",
            ),
            **errors(400, 401, 404, 415),
        },
    )
    def post(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        serializer = AutocodeApplyInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = _valid(
            AutocodeForm(
                project,
                {k: data[k] for k in ("code", "query", "extend")}
                | {k: "on" for k in ("regex", "whole_words", "case_sensitive") if data[k]},
            )
        )
        created = autocode.autocode_apply(
            project=project,
            code=form.chosen_code(),
            coder=request.user,
            query=form.autocode_query(),
            items=[dict(item) for item in data["items"]],
        )
        return Response({"created": created}, status=201)


ROUTES = [
    ("segments/", SegmentListApi, "segments"),
    ("frequencies/", FrequencyApi, "frequencies"),
    ("cooccurrence/", CooccurrenceApi, "cooccurrence"),
    ("search/", SearchApi, "search"),
    ("memos/", MemoListApi, "memos"),
    ("autocode/preview/", AutocodePreviewApi, "autocode-preview"),
    ("autocode/", AutocodeApplyApi, "autocode"),
]
