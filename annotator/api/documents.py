"""Documents of a project: list (filter, search, paginate), detail with text, create, status."""

from django.db.models import Q
from django.db.models.functions import Substr
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from .. import access, services
from ..models import Document, DocumentStatus, Membership
from .base import BaseApi, Pagination, errors, paginate
from .serializers import (
    DocumentFilter,
    DocumentInput,
    DocumentListOutput,
    DocumentOutput,
    DocumentStatusInput,
    DocumentStatusOutput,
)

TAG = ["documents"]


class DocumentListApi(BaseApi):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        summary="The project's documents, without their text",
        parameters=[DocumentFilter],
        responses={200: DocumentListOutput(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        filters = DocumentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = filters.validated_data
        documents = (
            Document.objects.filter(project=project)
            .defer("text", "metadata")
            .annotate(opening=Substr("text", 1, 80))
        )
        if "search" in query:
            term = query["search"]
            documents = documents.filter(
                Q(title__icontains=term)
                | Q(source__icontains=term)
                | Q(author__icontains=term)
                | Q(text__icontains=term)
            )
        if "source" in query:
            documents = documents.filter(source=query["source"])
        if "published_after" in query:
            documents = documents.filter(published__gte=query["published_after"])
        if "published_before" in query:
            documents = documents.filter(published__lte=query["published_before"])
        documents = documents.order_by("order", "id")

        def serialize(page):
            return DocumentListOutput(page, many=True).data

        return paginate(self, request, documents, serialize)

    @extend_schema(
        tags=TAG,
        summary="Add a document (managers); its text is NFC-normalised and then immutable",
        request=DocumentInput,
        responses={201: DocumentOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=Membership.Role.MANAGER).project
        serializer = DocumentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_create(project=project, **serializer.validated_data)
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="One document with its text",
        responses={200: DocumentOutput, **errors(401, 404)},
    )
    def get(self, request, project_id: int, document_id: int):
        _, document = access.document_for(request.user, project_id, document_id)
        return Response(DocumentOutput(document).data)


class DocumentStatusApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="Your status on the document",
        responses={200: DocumentStatusOutput, **errors(401, 404)},
    )
    def get(self, request, project_id: int, document_id: int):
        _, document = access.document_for(request.user, project_id, document_id)
        state = (
            DocumentStatus.objects.filter(document=document, coder=request.user)
            .values_list("state", flat=True)
            .first()
        )
        return Response(DocumentStatusOutput({"document": document.pk, "state": state}).data)

    @extend_schema(
        tags=TAG,
        summary='Mark the document "done", or reopen it ("in_progress")',
        request=DocumentStatusInput,
        responses={200: DocumentStatusOutput, **errors(400, 401, 404)},
    )
    def post(self, request, project_id: int, document_id: int):
        _, document = access.document_for(request.user, project_id, document_id)
        serializer = DocumentStatusInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.document_status_set(
            document=document, coder=request.user, state=serializer.validated_data["state"]
        )
        assert result is not None  # the serializer allows no null state
        return Response(DocumentStatusOutput({"document": document.pk, "state": result.state}).data)
