"""Codings (``Annotation``): list with filters, create, bulk create, memo update, delete.

Every read is scoped to the user's projects and to blind coding: in a blind project an
annotator's requests never return another coder's codings. Ids in a request body that the user
may not see get the same 400 message as ids that do not exist.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import access, services
from ..models import Annotation, Code, Document, Membership
from .base import BaseApi, KeysetPagination, StrictSerializer, errors
from .serializers import (
    AnnotationBulkInput,
    AnnotationBulkOutput,
    AnnotationFilter,
    AnnotationInput,
    AnnotationOutput,
    AnnotationPageOutput,
    AnnotationUpdateInput,
)

TAG = ["annotations"]
NO_CODE = "This code does not belong to the project's codebook."
# What AnnotationOutput shows, read as tuples: a page of 10,000 codings must neither load
# document texts nor build 10,000 model instances and run DRF fields on each.
ROW_FIELDS = (
    "id",
    "document__project_id",
    "document_id",
    "coder_id",
    "coder__username",
    "code_id",
    "code__name",
    "start_offset",
    "end_offset",
    "memo",
    "created_at",
    "updated_at",
)


def _timestamp(value) -> str:
    # DRF's DateTimeField output for an aware UTC datetime (settings: USE_TZ, TIME_ZONE=UTC),
    # without its per-value timezone handling, which dominated a 10,000-row page.
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def annotation_rows(values) -> list[dict]:
    """``AnnotationOutput`` for tuples of ``ROW_FIELDS`` (a test checks they are identical)."""
    names = list(AnnotationOutput().fields)
    rows = []
    for row in values:
        item = dict(zip(names, row, strict=True))
        item["created_at"] = _timestamp(item["created_at"])
        item["updated_at"] = _timestamp(item["updated_at"])
        rows.append(item)
    return rows


def visible_annotations(user):
    """The codings the user may see: all of their projects', minus others' under blind coding.

    One query for the memberships; the filter is then a plain ``IN`` on project ids.
    """
    open_projects, own_only_projects = [], []
    for project_id, role, blind in Membership.objects.filter(user=user).values_list(
        "project_id", "role", "project__blind_coding"
    ):
        if role == Membership.Role.ANNOTATOR and blind:
            own_only_projects.append(project_id)
        else:
            open_projects.append(project_id)
    return Annotation.objects.filter(
        Q(document__project__in=open_projects)
        | Q(document__project__in=own_only_projects, coder=user)
    )


def _document_in_body(user, document_id) -> Document:
    """The document named in a request body; 400 (not 404) when the user may not see it."""
    project_id = (
        Document.objects.filter(pk=document_id).values_list("project_id", flat=True).first()
    )
    try:
        _, document = access.document_for(user, project_id, document_id)
    except Http404:
        raise ValidationError({"document": ["No such document."]}) from None
    return document


def _annotation(user, annotation_id) -> Annotation:
    project_id = (
        Annotation.objects.filter(pk=annotation_id)
        .values_list("document__project_id", flat=True)
        .first()
    )
    if project_id is None:
        raise Http404("No such coding.")
    _, annotation = access.annotation_for(user, project_id, annotation_id)
    return annotation


# Text order, unique: the keyset of the list (an index covers it, migration 0005).
KEYSET = ("document_id", "start_offset", "end_offset", "id")
# ROW_FIELDS reordered so that the key leads each row (the paginator reads it from there).
_KEYED_FIELDS = KEYSET + tuple(name for name in ROW_FIELDS if name not in KEYSET)
_TO_ROW = [_KEYED_FIELDS.index(name) for name in ROW_FIELDS]


def _keyed_rows(values) -> list[dict]:
    return annotation_rows(tuple(row[i] for i in _TO_ROW) for row in values)


class AnnotationListApi(BaseApi):
    @extend_schema(
        tags=TAG,
        operation_id="v1_annotations_list",
        summary="Codings you may see, in text order, filtered; keyset pages (follow `next`)",
        parameters=[AnnotationFilter],
        responses={200: AnnotationPageOutput, **errors(400, 401)},
    )
    def get(self, request):
        filters = AnnotationFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = filters.validated_data
        annotations = visible_annotations(request.user)
        for name in ("document", "coder", "code"):
            if name in query:
                annotations = annotations.filter(**{f"{name}_id": query[name]})
        if "project" in query:
            annotations = annotations.filter(document__project_id=query["project"])
        return KeysetPagination(KEYSET).page(
            request,
            annotations.values_list(*_KEYED_FIELDS),
            _keyed_rows,
            cursor=query.get("cursor"),
            limit=query.get("limit"),
        )

    @extend_schema(
        tags=TAG,
        summary="Code a span: 201 when new, 200 with the existing coding when it exists",
        request=AnnotationInput,
        responses={201: AnnotationOutput, 200: AnnotationOutput, **errors(400, 401)},
    )
    def post(self, request):
        serializer = AnnotationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        document = _document_in_body(request.user, data.pop("document"))
        code = Code.objects.filter(pk=data.pop("code"), codebook=document.project.codebook_id)
        if not code.exists():
            raise ValidationError({"code": [NO_CODE]})
        annotation, created = services.annotation_create(
            document=document, coder=request.user, code=code.get(), **data
        )
        return Response(
            AnnotationOutput(annotation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AnnotationBulkCreateApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="Code many spans of one document in one transaction, all or nothing",
        request=AnnotationBulkInput,
        responses={201: AnnotationBulkOutput, **errors(400, 401)},
    )
    def post(self, request):
        serializer = AnnotationBulkInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = _document_in_body(request.user, serializer.validated_data["document"])
        items = serializer.validated_data["items"]
        codes = Code.objects.filter(codebook=document.project.codebook_id).in_bulk(
            {item["code"] for item in items}
        )
        unknown = {
            str(index): {"code": [NO_CODE]}
            for index, item in enumerate(items)
            if item["code"] not in codes
        }
        if unknown:
            raise ValidationError({"items": unknown})
        annotations, created = services.annotation_bulk_create(
            document=document,
            coder=request.user,
            items=[{**item, "code": codes[item["code"]]} for item in items],
        )
        # The same rows as the list endpoint, read in one query (AnnotationBulkOutput's shape).
        ids = [annotation.pk for annotation in annotations]
        rows = Annotation.objects.filter(pk__in=ids).values_list(*ROW_FIELDS)
        by_id = {row["id"]: row for row in annotation_rows(rows)}
        output = {"created": created, "annotations": [by_id[pk] for pk in ids]}
        return Response(output, status=status.HTTP_201_CREATED)


class AnnotationDetailApi(BaseApi):
    @extend_schema(
        tags=TAG, summary="One coding", responses={200: AnnotationOutput, **errors(401, 404)}
    )
    def get(self, request, annotation_id: int):
        return Response(AnnotationOutput(_annotation(request.user, annotation_id)).data)

    @extend_schema(
        tags=TAG,
        summary="Change the memo of one of your codings",
        request=AnnotationUpdateInput,
        responses={200: AnnotationOutput, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, annotation_id: int):
        annotation = _annotation(request.user, annotation_id)
        _require_own(request.user, annotation)
        serializer = AnnotationUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = services.annotation_update(
            annotation=annotation, memo=serializer.validated_data["memo"]
        )
        return Response(AnnotationOutput(annotation).data)

    @extend_schema(
        tags=TAG,
        summary="Remove one of your codings",
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request, annotation_id: int):
        annotation = _annotation(request.user, annotation_id)
        _require_own(request.user, annotation)
        services.annotation_delete(annotation=annotation, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _require_own(user, annotation) -> None:
    """Curators see others' codings but do not edit them: 403, as in the UI."""
    if annotation.coder_id != user.pk:
        raise PermissionDenied("Only the coder who made a coding can change it.")


class DocumentAnnotationListApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="Every coding of one document you may see, in text order, in one response",
        responses={200: AnnotationOutput(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int, document_id: int):
        _, document = access.document_for(request.user, project_id, document_id)
        StrictSerializer(data=request.query_params).is_valid(raise_exception=True)
        annotations = (
            visible_annotations(request.user)
            .filter(document_id=document.pk)
            .order_by(*KEYSET)
            .values_list(*ROW_FIELDS)
        )
        return Response(annotation_rows(annotations))
