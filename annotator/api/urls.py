"""``/api/v1/...``, the OpenAPI schema at ``/api/schema/`` and Swagger UI at ``/api/docs/``.

DRF authenticates by itself and must answer 401/403 rather than redirect to the login page, so
every route is exempt from ``LoginRequiredMiddleware``.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated

from . import analysis, annotations, auth, codebook, documents, imports, projects, reports, setup
from .base import BaseApi

PROJECT = "v1/projects/<id:project_id>/"
DOCUMENT = PROJECT + "documents/<id:document_id>/"


def api(view_class):
    return login_not_required(view_class.as_view())


class NotFoundApi(BaseApi):
    """Any other ``/api/`` URL (an id that is not a number, a typo): 404 in JSON, not an HTML
    page; like every API route it first requires authentication (401)."""

    schema = None  # not an operation of the API

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound()

    options = http_method_not_allowed


def setup_urls(project, document):
    """Team setup (``api/setup.py``): members, invitations, uploads, document memos."""
    return [
        path(project + "members/<id:user_id>/", api(setup.MemberDetailApi), name="api-member"),
        path(project + "invitations/", api(setup.InvitationListApi), name="api-invitations"),
        path(
            project + "invitations/<id:invitation_id>/",
            api(setup.InvitationDetailApi),
            name="api-invitation",
        ),
        path(
            project + "documents/upload/", api(setup.DocumentUploadApi), name="api-document-upload"
        ),
        path(document + "memos/", api(setup.DocumentMemoApi), name="api-document-memos"),
    ]


# The schema and its docs need a signed-in user (session or token), like every other page.
SIGNED_IN = {"permission_classes": [IsAuthenticated]}


urlpatterns = [
    path("v1/auth/token/", api(auth.TokenObtainApi), name="api-token"),
    path("v1/projects/", api(setup.ProjectListCreateApi), name="api-project-list"),
    path(PROJECT, api(setup.ProjectDetailUpdateApi), name="api-project-detail"),
    path(PROJECT + "members/", api(setup.ProjectMembersApi), name="api-project-members"),
    *setup_urls(PROJECT, DOCUMENT),
    path(PROJECT + "codebook/", api(projects.CodebookDetailApi), name="api-codebook-detail"),
    path(PROJECT + "codebook/codes/", api(projects.CodeListApi), name="api-code-list"),
    *codebook.codebook_urls(PROJECT, api),
    path(PROJECT + "codebook/import/", api(imports.CodebookImportApi), name="api-codebook-import"),
    path(PROJECT + "documents/", api(documents.DocumentListApi), name="api-document-list"),
    path(PROJECT + "documents/import/", api(imports.DocumentImportApi), name="api-document-import"),
    path(DOCUMENT, api(setup.DocumentDetailUpdateApi), name="api-document-detail"),
    path(DOCUMENT + "status/", api(documents.DocumentStatusApi), name="api-document-status"),
    path(
        DOCUMENT + "annotations/",
        api(annotations.DocumentAnnotationListApi),
        name="api-document-annotations",
    ),
    path(PROJECT + "agreement/", api(reports.AgreementReportApi), name="api-agreement"),
    path(PROJECT + "export/", api(reports.ProjectExportApi), name="api-export"),
    *[
        path(PROJECT + "analysis/" + route, api(view), name=f"api-analysis-{name}")
        for route, view, name in analysis.ROUTES
    ],
    path(
        PROJECT + "annotations/import/",
        api(imports.AnnotationImportApi),
        name="api-annotation-import",
    ),
    path("v1/annotations/", api(annotations.AnnotationListApi), name="api-annotation-list"),
    path(
        "v1/annotations/bulk/",
        api(annotations.AnnotationBulkCreateApi),
        name="api-annotation-bulk",
    ),
    path(
        "v1/annotations/<id:annotation_id>/",
        api(annotations.AnnotationDetailApi),
        name="api-annotation-detail",
    ),
    path(
        "schema/",
        login_not_required(SpectacularAPIView.as_view(**SIGNED_IN)),
        name="api-schema",
    ),
    # The split view serves its initialiser as a separate script: the CSP forbids inline ones.
    path(
        "docs/",
        login_not_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="annotator/api/docs.html", **SIGNED_IN
            )
        ),
        name="api-docs",
    ),
    re_path(r"^", api(NotFoundApi)),
]
