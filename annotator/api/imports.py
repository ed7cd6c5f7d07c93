"""Imports for managers: documents, codebook codes and codings from uploaded research files.

The same services as the import page and the ``import_*`` commands (``imports.import_uploads``):
one transaction each, nothing written on bad input. The services' message names the file, the
line or element and the field; it is answered as 400 under the upload's field name.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from .. import access
from ..models import Membership
from ..services import imports
from .base import BaseApi, errors
from .serializers import (
    AnnotationImportInput,
    CodebookImportInput,
    DocumentImportInput,
    ImportOutput,
)

ERRORS = errors(400, 401, 403, 404, 415)


class _ImportApi(BaseApi):
    parser_classes = [MultiPartParser]

    def _import(self, request, project_id: int, serializer_class, kind_of) -> Response:
        # Access first: a non-manager learns nothing from the upload's validation.
        project = access.project_for(request.user, project_id, role=Membership.Role.MANAGER).project
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        field = "files" if "files" in data else "file"
        uploads = data["files"] if "files" in data else [data["file"]]
        try:
            result = imports.import_uploads(
                project=project,
                user=request.user,
                kind=kind_of(data),
                files=uploads,
                text_column=data.get("text_column", ""),
                columns=data.get("columns", {}),
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({field: exc.messages}) from None
        return Response(ImportOutput(result).data, status=status.HTTP_201_CREATED)


class DocumentImportApi(_ImportApi):
    @extend_schema(
        tags=["documents"],
        summary="Import documents from .txt files, a CSV or JSON Lines (managers)",
        description="Texts are NFC-normalised with LF newlines and must be new to the project. "
        "Any bad file, line or field refuses the whole import.",
        request={"multipart/form-data": DocumentImportInput},
        responses={201: ImportOutput, **ERRORS},
    )
    def post(self, request, project_id: int):
        return self._import(
            request, project_id, DocumentImportInput, lambda data: "documents-" + data["format"]
        )


class CodebookImportApi(_ImportApi):
    @extend_schema(
        tags=["codebooks"],
        summary="Add the codes of a REFI-QDA codebook (.qdc) to the project's codebook (managers)",
        description="Codes already in the codebook (same path) are kept as they are.",
        request={"multipart/form-data": CodebookImportInput},
        responses={201: ImportOutput, **ERRORS},
    )
    def post(self, request, project_id: int):
        return self._import(request, project_id, CodebookImportInput, lambda _: "codebook-qdc")


class AnnotationImportApi(_ImportApi):
    @extend_schema(
        tags=["annotations"],
        summary="Import codings from JSON Lines or a REFI-QDA project (.qdpx) (managers)",
        description="Documents are matched by text (missing ones are created), codes by path or "
        "name in the project's codebook, coders by username (unknown ones become inactive "
        "annotators); codings without a coder are yours. Offsets must lie inside the text.",
        request={"multipart/form-data": AnnotationImportInput},
        responses={201: ImportOutput, **ERRORS},
    )
    def post(self, request, project_id: int):
        return self._import(
            request, project_id, AnnotationImportInput, lambda data: "annotations-" + data["format"]
        )
