"""Imports for managers: documents, codebook codes and codings from uploaded research files.

The same services as the import page and the ``import_*`` commands (``imports.import_uploads``):
one transaction each, nothing written on bad input. The services' message names the file, the
line or element and the field; it is answered as 400 under the upload's field name.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from .. import access
from ..exports import formats
from ..exports.units import UNITS
from ..models import Membership
from ..services import imports
from .base import BaseApi, errors
from .serializers import (
    AnnotationImportInput,
    CodebookImportInput,
    DocumentImportInput,
    ImportOutput,
    UploadField,
)

ERRORS = errors(400, 401, 403, 404, 415)


def _format_field(what: str, **kwargs) -> serializers.ChoiceField:
    """The ``format`` of an import of ``what``: every format of the registry that can bring it."""
    kinds = {
        kind.split("-", 1)[1]: entry
        for kind, (kind_what, entry) in formats.import_kinds().items()
        if kind_what == what
    }
    return serializers.ChoiceField(
        choices=list(kinds),
        help_text="; ".join(f"{key}: {entry.label}" for key, entry in kinds.items()),
        **kwargs,
    )


def _offsets_field() -> serializers.ChoiceField:
    defaults = ", ".join(
        f"{key}: {entry.offsets}" for key, entry in formats.REGISTRY.items() if entry.offsets
    )
    return serializers.ChoiceField(
        choices=list(UNITS),
        required=False,
        help_text=f"The offset unit of formats that take one (defaults: {defaults}).",
    )


class DocumentsImportInput(DocumentImportInput):
    format = _format_field(formats.DOCUMENTS)
    offsets = _offsets_field()


class CodebookFileImportInput(CodebookImportInput):
    format = _format_field(formats.CODEBOOK, required=False, default="qdc")
    file = UploadField(
        help_text="A REFI-QDA codebook (.qdc), or a project (.qdpx) whose codebook is added."
    )


class CodingsImportInput(AnnotationImportInput):
    """Codings to add, with how the file's coders are mapped to accounts."""

    format = _format_field(formats.CODINGS)
    offsets = _offsets_field()

    placeholder_prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text='The start of the names of new placeholder accounts (default "imported-").',
    )
    preview = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: answer 200 with the coder mapping and write nothing.",
    )


class CoderMatchOutput(serializers.Serializer):
    name = serializers.CharField(help_text='The coder as the file names it ("" for none).')
    username = serializers.CharField(help_text="The account the codings are stored under.")
    kind = serializers.ChoiceField(
        choices=["member", "gold standard", "you", "placeholder", "new placeholder"],
        help_text="member of the project; the project's gold standard; you (codings naming no "
        "coder); an existing placeholder of this project; a new placeholder (inactive, no "
        "password, an annotator of the project).",
    )


class ImportResultOutput(ImportOutput):
    coders = CoderMatchOutput(many=True, help_text="How the file's coders were mapped.")
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Deviations of the file that were accepted (each names the line or element).",
    )


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
                offsets=data.get("offsets", ""),
                placeholder_prefix=data.get("placeholder_prefix", ""),
                preview=data.get("preview", False),
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "message_dict"):
                raise exceptions.ValidationError(exc.message_dict) from None
            raise exceptions.ValidationError({field: exc.messages}) from None
        answer = status.HTTP_200_OK if data.get("preview") else status.HTTP_201_CREATED
        return Response(ImportResultOutput(result).data, status=answer)


class DocumentImportApi(_ImportApi):
    @extend_schema(
        tags=["documents"],
        summary="Import documents from .txt files, a CSV or JSON Lines (managers)",
        description="Texts are NFC-normalised with LF newlines and must be new to the project. "
        "Any bad file, line or field refuses the whole import.",
        request={"multipart/form-data": DocumentsImportInput},
        responses={201: ImportResultOutput, **ERRORS},
    )
    def post(self, request, project_id: int):
        return self._import(
            request, project_id, DocumentsImportInput, lambda data: "documents-" + data["format"]
        )


class CodebookImportApi(_ImportApi):
    @extend_schema(
        tags=["codebooks"],
        summary="Add the codes of a REFI-QDA codebook (.qdc) to the project's codebook (managers)",
        description="Codes already in the codebook (same path) are kept as they are.",
        request={"multipart/form-data": CodebookFileImportInput},
        responses={201: ImportResultOutput, **ERRORS},
    )
    def post(self, request, project_id: int):
        return self._import(
            request, project_id, CodebookFileImportInput, lambda data: "codebook-" + data["format"]
        )


class AnnotationImportApi(_ImportApi):
    @extend_schema(
        tags=["annotations"],
        summary="Import codings from JSON Lines, doccano, Label Studio, a REFI-QDA project "
        "(.qdpx) or another format of the registry (managers)",
        description="Documents are matched by text (missing ones are created), codes by path or "
        "name in the project's codebook. Coders: members of the project by username, the "
        "project's gold-standard account as the gold standard, anyone else as a new inactive "
        "placeholder account (`imported-<name>`, `-2`… when taken) that becomes an annotator; "
        "codings without a coder are yours. `preview=true` answers 200 with the mapping and "
        "writes nothing. Offsets must lie inside the text.",
        request={"multipart/form-data": CodingsImportInput},
        responses={200: ImportResultOutput, 201: ImportResultOutput, **ERRORS},
    )
    def post(self, request, project_id: int):
        return self._import(
            request, project_id, CodingsImportInput, lambda data: "annotations-" + data["format"]
        )
