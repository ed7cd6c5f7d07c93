"""The agreement report and the exports: the same numbers and files as their pages.

Both reuse the pages' own filter forms (same query parameters, same validation) and the same
computations (``reports.compute.project_report``, ``selectors.exports.export_file``), so the API
cannot drift from the UI. Curators and managers only, as in the UI.
"""

import json

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import access
from ..exports import formats
from ..exports.units import UNITS
from ..forms import AgreementForm, ExportForm
from ..models import Membership
from ..reports import files
from ..reports.compute import project_report
from ..selectors.exports import export_file
from .base import BaseApi, errors


def _ids(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, {"type": "array", "items": {"type": "integer"}}, explode=True, description=description
    )


def _form_errors(form) -> ValidationError:
    return ValidationError(
        {
            ("non_field_errors" if name == "__all__" else name): list(messages)
            for name, messages in form.errors.items()
        }
    )


class AgreementReportApi(BaseApi):
    @extend_schema(
        tags=["agreement"],
        summary="The agreement report (report.json of the report page), curators and managers",
        parameters=[
            _ids("documents", "Only these documents (ids); all when absent."),
            OpenApiParameter(
                "coders",
                {"type": "array", "items": {"type": "string"}},
                explode=True,
                description="Only these coders (usernames).",
            ),
            _ids("codes", "Only these codes (ids)."),
            OpenApiParameter(
                "date_from",
                OpenApiTypes.DATE,
                description="Only (document, coder) pairs marked done on or after this date.",
            ),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description="…marked done on or before this date."
            ),
            OpenApiParameter(
                "bootstrap", OpenApiTypes.INT, description="Bootstrap replicates; 0 for none."
            ),
            OpenApiParameter("seed", OpenApiTypes.INT, description="Bootstrap seed."),
        ],
        responses={
            200: OpenApiResponse(
                {"type": "object", "additionalProperties": True},
                description="The report, exactly as the page's report.json download.",
            ),
            **errors(400, 401, 403, 404),
        },
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=Membership.Role.CURATOR).project
        form = AgreementForm(project, request.query_params)
        if not form.is_valid():
            raise _form_errors(form)
        data = form.cleaned_data
        try:
            report = project_report(
                project, form.narrowing(), bootstrap=data["bootstrap"], seed=data["seed"]
            ).report
        except ValueError as exc:  # e.g. no code left after narrowing
            raise ValidationError({"non_field_errors": [str(exc)]}) from None
        return Response(json.loads(files.render_file(report, "report.json")))


_EXPORTS = formats.exportable()
_EXPORT_TYPES = sorted({entry.content_type.split(";")[0] for entry in _EXPORTS.values()})


class ProjectExportApi(BaseApi):
    @extend_schema(
        tags=["exports"],
        summary="Download an export, the same file as the export page's (curators, managers)",
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(_EXPORTS),
                required=True,
                description="; ".join(f"{key}: {entry.label}" for key, entry in _EXPORTS.items()),
            ),
            OpenApiParameter(
                "offsets",
                str,
                enum=list(UNITS),
                description="The offset unit, for formats that take one ("
                + ", ".join(f"{k}: default {e.offsets}" for k, e in _EXPORTS.items() if e.offsets)
                + ").",
            ),
            _ids("coders", "Only these coders (user ids)."),
            _ids("codes", "Only these codes (ids)."),
            _ids("documents", "Only these documents (ids)."),
        ],
        responses={
            **{(200, media): OpenApiTypes.BINARY for media in _EXPORT_TYPES},
            **errors(400, 401, 403, 404),
        },
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=Membership.Role.CURATOR).project
        form = ExportForm(project, request.query_params)
        if not form.is_valid():
            raise _form_errors(form)
        data = form.cleaned_data
        export = export_file(project, data["format"], form.narrowing(), offsets=data["offsets"])
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
