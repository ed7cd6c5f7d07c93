"""Team workflow pages: assignments and progress (managers), curation (curators)."""

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from .. import access
from ..forms import AutoAssignmentForm, GoldForm, ManualAssignmentForm, project_members
from ..models import Annotation, Assignment, Code, Curation, Membership
from ..selectors import workflow as workflow_selectors
from ..services import workflow as workflow_services
from .helpers import render_page_or_partial

Role = Membership.Role


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{m}" for msgs in error.message_dict.values() for m in msgs)
    return " ".join(error.messages)


def _back_to_assignments(request, project_id: int):
    """After a successful form: a full navigation, so the page shows the new queues."""
    url = reverse("annotator:assignments", args=[project_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- assignments ------------------------------------------------------------------------------


def assignments(request, project_id: int):
    project_access = access.project_for(request.user, project_id, role=Role.MANAGER)
    project = project_access.project
    manual = ManualAssignmentForm(project=project, prefix="manual")
    auto = AutoAssignmentForm(
        project=project, prefix="auto", initial={"coders": project_members(project)}
    )
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind == "manual":
            manual = ManualAssignmentForm(request.POST, project=project, prefix="manual")
            if manual.is_valid():
                try:
                    workflow_services.assignment_create(
                        document=manual.cleaned_data["document"],
                        coder=manual.cleaned_data["coder"],
                        due_date=manual.cleaned_data["due_date"],
                        assigned_by=request.user,
                    )
                except ValidationError as error:
                    manual.add_error(None, _error_text(error))
                else:
                    messages.success(request, "Assigned.")
                    return _back_to_assignments(request, project.pk)
        elif kind == "auto":
            auto = AutoAssignmentForm(request.POST, project=project, prefix="auto")
            if auto.is_valid():
                data = auto.cleaned_data
                try:
                    created = workflow_services.assignments_auto(
                        project=project,
                        coders=list(data["coders"]),
                        k=data["k"],
                        shuffle=data["shuffle"],
                        seed=data["seed"],
                        due_date=data["due_date"],
                        assigned_by=request.user,
                    )
                except ValidationError as error:
                    auto.add_error(None, _error_text(error))
                else:
                    messages.success(request, f"{len(created)} assignments made.")
                    return _back_to_assignments(request, project.pk)
        else:
            return HttpResponse("Unknown form.", status=400)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {
        "project": project,
        "access": project_access,
        "queues": workflow_selectors.assignments_by_coder(project=project),
        "manual": manual,
        "auto": auto,
    }
    status = 400 if request.method == "POST" else 200
    return render_page_or_partial(
        request, "annotator/workflow/assignments.html", "assignment-forms", context, status=status
    )


@require_POST
def assignment_delete(request, project_id: int, assignment_id: int):
    project_access = access.project_for(request.user, project_id, role=Role.MANAGER)
    assignment = get_object_or_404(
        Assignment, pk=assignment_id, document__project=project_access.project
    )
    workflow_services.assignment_delete(assignment=assignment)
    messages.success(request, "Assignment removed.")
    return redirect("annotator:assignments", project_id)


# --- progress ---------------------------------------------------------------------------------


@require_GET
def progress(request, project_id: int):
    project_access = access.project_for(request.user, project_id, role=Role.MANAGER)
    project = project_access.project
    fingerprint = workflow_selectors.activity_fingerprint(project=project)
    if request.htmx and request.GET.get("seen") == fingerprint:
        return HttpResponse(status=204)  # nothing changed since the last poll
    context = {
        "project": project,
        "access": project_access,
        "progress": workflow_selectors.progress(project=project),
        "poll_seconds": settings.ANNOTATOR_POLL_SECONDS,
        "fingerprint": fingerprint,
    }
    return render_page_or_partial(
        request, "annotator/workflow/progress.html", "progress-live", context
    )


@require_GET
def progress_csv(request, project_id: int):
    project_access = access.project_for(request.user, project_id, role=Role.MANAGER)
    data = workflow_selectors.progress(project=project_access.project)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["document_id", "title", "coder", "assigned", "status", "codings"])
    for row in data["documents"]:
        for cell in row["cells"]:
            writer.writerow(
                [
                    row["document"].pk,
                    row["document"].display_title,
                    cell["coder"],
                    int(cell["assigned"]),
                    cell["state"] or "not_started",
                    cell["codings"],
                ]
            )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="progress-project-{project_id}.csv"'
    return response


@require_GET
def progress_chart(request, project_id: int):
    """Codings per day and documents finished, cumulative, as SVG."""
    project_access = access.project_for(request.user, project_id, role=Role.MANAGER)
    series = workflow_selectors.progress_over_time(project=project_access.project)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 2.8), dpi=100)
    axis = figure.subplots()
    if series:
        days = [d for d, _, _ in series]
        codings, done, total_c, total_d = [], [], 0, 0
        for _, c, d in series:
            total_c += c
            total_d += d
            codings.append(total_c)
            done.append(total_d)
        axis.step(days, codings, where="post", label="codings", color="#0072B2")
        twin = axis.twinx()
        twin.step(days, done, where="post", label="documents done", color="#D55E00")
        twin.set_ylabel("documents done")
        figure.legend(loc="upper left")
        figure.autofmt_xdate()
    else:
        axis.text(0.5, 0.5, "No activity yet", ha="center", va="center")
    axis.set_ylabel("codings (cumulative)")
    axis.set_title("Progress over time")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# --- curation ---------------------------------------------------------------------------------


def _curation_context(request, project_access, document, *, error=None):
    curation = Curation.objects.filter(document=document).first()
    return {
        "project": project_access.project,
        "access": project_access,
        "document": document,
        "curation": workflow_selectors.curation(document=document),
        "version": curation.version if curation else 0,
        "notes": document.curation_notes.select_related("author"),
        # Chips of every code keep their colour (a deactivated code's codings stay listed);
        # only active codes can be added to the gold standard.
        "all_codes": project_access.project.codebook.codes.all(),
        "codes": project_access.project.codebook.codes.filter(is_active=True),
        "fingerprint": workflow_selectors.activity_fingerprint(
            project=project_access.project, document=document
        ),
        "error": error,
        "poll_seconds": settings.ANNOTATOR_POLL_SECONDS,
    }


@require_GET
def curate(request, project_id: int, document_id: int):
    project_access, document = access.document_for(
        request.user, project_id, document_id, role=Role.CURATOR
    )
    if request.htmx and request.GET.get("seen"):
        seen = workflow_selectors.activity_fingerprint(
            project=project_access.project, document=document
        )
        if request.GET["seen"] == seen:
            return HttpResponse(status=204)
    return render_page_or_partial(
        request,
        "annotator/workflow/curate.html",
        "curation-panel",
        _curation_context(request, project_access, document),
    )


def _gold_action(form, action, *, document, curator, project):
    data = form.cleaned_data
    version = data["version"]
    gold_id = project.gold_user_id

    def annotation(gold: bool):
        qs = Annotation.objects.filter(pk=data.get("annotation"), document=document)
        qs = qs.filter(coder_id=gold_id) if gold else qs.exclude(coder_id=gold_id)
        found = qs.select_related("code").first()
        if found is None:
            raise ValidationError({"annotation": "No such coding in this document."})
        return found

    def code():
        found = Code.objects.filter(pk=data.get("code"), codebook=project.codebook).first()
        if found is None:
            raise ValidationError({"code": "Choose a code of this project's codebook."})
        return found

    def offsets():
        start, end = data.get("start_offset"), data.get("end_offset")
        if start is None or end is None:
            raise ValidationError({"start_offset": "Give a start and an end offset."})
        return start, end

    common = {"document": document, "curator": curator, "version": version}
    if action == "accept":
        workflow_services.gold_accept(annotation=annotation(gold=False), **common)
    elif action == "reject":
        workflow_services.gold_reject(annotation=annotation(gold=True), **common)
    elif action == "confirm":
        workflow_services.gold_confirm(annotation=annotation(gold=True), **common)
    elif action == "adjust":
        start, end = offsets()
        workflow_services.gold_adjust(
            annotation=annotation(gold=True), start_offset=start, end_offset=end, **common
        )
    elif action == "add":
        start, end = offsets()
        workflow_services.gold_add(code=code(), start_offset=start, end_offset=end, **common)
    elif action == "merge":
        workflow_services.gold_merge(
            min_coders=data.get("min_coders") or 2, match=data.get("match") or "exact", **common
        )
    elif action == "note":
        services_note = workflow_services.curation_note_create
        services_note(document=document, author=curator, text=data.get("text") or "")


@require_POST
def curate_action(request, project_id: int, document_id: int, action: str):
    project_access, document = access.document_for(
        request.user, project_id, document_id, role=Role.CURATOR
    )
    if action not in {"accept", "reject", "confirm", "adjust", "add", "merge", "note"}:
        return HttpResponse("Unknown action.", status=404)
    form = GoldForm(request.POST if action != "note" else {**request.POST.dict(), "version": 0})
    error, status = None, 200
    if not form.is_valid():
        error, status = " ".join(str(m) for msgs in form.errors.values() for m in msgs), 400
    else:
        try:
            _gold_action(
                form,
                action,
                document=document,
                curator=request.user,
                project=project_access.project,
            )
        except ValidationError as exc:
            error = _error_text(exc)
            status = 409 if "version" in getattr(exc, "message_dict", {}) else 400
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("annotator:curate", project_id, document_id)
    context = _curation_context(request, project_access, document, error=error)
    response = render_page_or_partial(
        request, "annotator/workflow/curate.html", "curation-panel", context, status=status
    )
    if not error:
        response["HX-Trigger"] = "annotationsChanged"
    return response


def curation_url(project_id: int, document_id: int) -> str:
    return reverse("annotator:curate", args=[project_id, document_id])


urlpatterns = [
    path("projects/<id:project_id>/assignments/", assignments, name="assignments"),
    path(
        "projects/<id:project_id>/assignments/<id:assignment_id>/delete/",
        assignment_delete,
        name="assignment-delete",
    ),
    path("projects/<id:project_id>/progress/", progress, name="progress"),
    path("projects/<id:project_id>/progress.csv", progress_csv, name="progress-csv"),
    path("projects/<id:project_id>/progress/chart.svg", progress_chart, name="progress-chart"),
    path("projects/<id:project_id>/documents/<id:document_id>/curate/", curate, name="curate"),
    path(
        "projects/<id:project_id>/documents/<id:document_id>/curate/<str:action>/",
        curate_action,
        name="curate-action",
    ),
]
