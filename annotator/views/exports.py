"""Export and import pages of a project.

Curators and managers export (any format, narrowed to coders, codes and documents); managers
import. Downloads stream (``StreamingHttpResponse``); imports run one service each and show its
message inline: an htmx request gets the ``import-form`` fragment back, a plain form post is
redirected to the project page on success (post/redirect/get).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from .. import access
from ..forms import ExportForm, ImportForm
from ..models import Membership
from ..selectors.exports import export_file
from ..services import imports
from .helpers import render_page_or_partial

Role = Membership.Role


def project_export(request, project_id: int):
    project_access = access.project_for(request.user, project_id, role=Role.CURATOR)
    form = ExportForm(project_access.project)
    return _export_page(request, project_access, form)


def _export_page(request, project_access, form, status=200):
    return render(
        request,
        "annotator/exports/export.html",
        {"access": project_access, "project": project_access.project, "form": form},
        status=status,
    )


def project_export_download(request, project_id: int):
    project_access = access.project_for(request.user, project_id, role=Role.CURATOR)
    project = project_access.project
    form = ExportForm(project, request.GET)
    if not form.is_valid():
        return _export_page(request, project_access, form, status=400)
    data = form.cleaned_data
    export = export_file(project, data["format"], form.narrowing(), offsets=data["offsets"])
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def project_import(request, project_id: int):
    """Upload -> (codings: the coder mapping, then confirm) -> import.

    An import of codings first answers with the mapping it would apply ("alice → alice
    (member), bob → imported-bob (new placeholder)") and writes nothing; the Confirm button
    sends the form again with the mapping's digest, and the service refuses the import if the
    mapping is no longer the one shown. With htmx the chosen file stays in the form, so only
    the ``import-outcome`` part of the page is replaced; without JavaScript the file is chosen
    again before confirming.
    """
    project_access = access.project_for(request.user, project_id, role=Role.MANAGER)
    project = project_access.project
    context = {
        "access": project_access,
        "project": project,
        "result": None,
        "preview": None,
        "error": "",
        "max_bytes": settings.ANNOTATOR_MAX_UPLOAD_BYTES,
    }
    if request.method == "GET":
        context["form"] = ImportForm()
        return render_page_or_partial(
            request, "annotator/exports/import.html", "import-form", context
        )
    form = ImportForm(request.POST)
    context["form"] = form
    files = request.FILES.getlist("files")
    status = 200
    if not form.is_valid():
        status = 422
    elif not files:
        context["error"] = "Choose a file to import."
        status = 422
    else:
        data = form.cleaned_data
        needs_preview = data["kind"].startswith("annotations-") and not data["confirm"]
        try:
            result = _run_import(project, request.user, data, files, preview=needs_preview)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            status = 422
        else:
            context["preview" if needs_preview else "result"] = result
    if status == 200 and context["result"] and not request.htmx:
        messages.success(request, str(context["result"]))
        return redirect("annotator:project-detail", project_id=project.pk)
    return render_page_or_partial(
        request, "annotator/exports/import.html", "import-outcome", context, status=status
    )


def _run_import(project, user, data, files, *, preview):
    return imports.import_uploads(
        project=project,
        user=user,
        kind=data["kind"],
        files=files,
        text_column=data["text_column"],
        columns=data["columns"],
        offsets=data["offsets"],
        placeholder_prefix=data["placeholder_prefix"],
        confirm=data["confirm"] or None,
        preview=preview,
    )


urlpatterns = [
    path("projects/<id:project_id>/export/", project_export, name="project-export"),
    path(
        "projects/<id:project_id>/export/download/",
        project_export_download,
        name="project-export-download",
    ),
    path("projects/<id:project_id>/import/", project_import, name="project-import"),
]
