"""The project agreement report: page, results fragment, drill-down, downloads and plots.

Curators and managers only (annotators 403, non-members 404). The filters are GET parameters,
so every view of a report — the page, its downloads, its plots, the drill-down — is one URL
with the same query string. The page renders at once; with JavaScript its results load through
htmx (``hx-trigger="load"``) while a progress indicator names the bootstrap being run. Without
JavaScript a ``<noscript>`` link opens the results URL, which renders the full page computed
synchronously (progressive enhancement). Reports come from ``reports.compute``, cached on a
fingerprint of the inputs, so new codings show at once and an unchanged report is computed once
for the page, its images and its files.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .. import access
from ..agreement import methods_appendix, methods_paragraph
from ..agreement.report_text import FEW_DOCUMENTS, FEW_DOCUMENTS_WARNING
from ..forms import AgreementForm
from ..models import Code, Membership
from ..reports import drilldown, files, gamma, plot_names, presentation
from ..reports.compute import project_report
from ..selectors import workspace as ws
from ..selectors.agreement import AgreementNarrowing, agreement_data
from .helpers import render_page_or_partial

Role = Membership.Role
PAGE = "annotator/agreement/report.html"
DOCUMENT_PAGE = "annotator/agreement/document.html"
GAMMA_FRAGMENT = "annotator/agreement/gamma.html"


def _access(request, project_id):
    return access.project_for(request.user, project_id, role=Role.CURATOR)


def _urls(project_id: int, qs: str) -> dict:
    def url(name, *args):
        return reverse(f"annotator:{name}", args=[project_id, *args]) + (f"?{qs}" if qs else "")

    return {
        "report": url("agreement-report"),
        "results": url("agreement-results"),
        "zip": url("agreement-download", files.ZIP_NAME),
        "zip_gamma": url("agreement-download", files.ZIP_NAME) + ("&" if qs else "?") + "gamma=1",
        "gamma": url("agreement-gamma"),
        "heatmap_png": url("agreement-plot", "heatmap", "png"),
        "per_code_png": url("agreement-plot", "per-code", "png"),
        "downloads": [(name, url("agreement-download", name)) for name in files.file_names()],
        "qs": qs,
    }


def _results_context(project_access, form) -> tuple[dict, int]:
    """The computed report for the template, or an inline error and a 422 status."""
    project = project_access.project
    data = form.cleaned_data
    try:
        computed = project_report(
            project, form.narrowing(), bootstrap=data["bootstrap"], seed=data["seed"]
        )
    except ValueError as exc:
        return {"results_error": str(exc)}, 422
    report = computed.report
    return {
        "report": report,
        "counts": report.counts,
        "columns": presentation.coefficient_columns(),
        "code_rows": presentation.per_code_rows(report),
        "pair_rows": presentation.pair_rows(report),
        "matrix_rows": presentation.matrix_rows(report),
        "document_rows": presentation.document_rows(report),
        "methods": methods_paragraph(report),
        "methods_appendix": methods_appendix(report),
        "gamma_available": gamma.available(),
        "few_documents": (
            FEW_DOCUMENTS_WARNING
            if report.meta.replicates and report.counts.documents_used < FEW_DOCUMENTS
            else ""
        ),
        "heatmap_alt": plot_names.PLOTS["heatmap"],
        "per_code_alt": plot_names.plot_title("per-code", report),
    }, 200


def _page(request, project_access, *, compute: bool):
    form = AgreementForm(project_access.project, request.GET)
    context = {"access": project_access, "project": project_access.project, "form": form}
    if not form.is_valid():
        context["urls"] = _urls(project_access.project.pk, "")
        return render_page_or_partial(request, PAGE, "agreement-results", context, status=400)
    context["urls"] = _urls(project_access.project.pk, form.query_string())
    context["bootstrap"] = form.cleaned_data["bootstrap"]
    # Bootstrap and seed always sit in the query string; only these narrow what is compared.
    context["narrowed"] = form.narrowing() != AgreementNarrowing()
    status = 200
    if compute:
        results, status = _results_context(project_access, form)
        context.update(results, computed=True)
    return render_page_or_partial(request, PAGE, "agreement-results", context, status=status)


@require_GET
def agreement_report(request, project_id: int):
    """The page: filters at once, results loaded by htmx (or by the noscript link)."""
    return _page(request, _access(request, project_id), compute=False)


@require_GET
def agreement_results(request, project_id: int):
    """The computed results: the ``agreement-results`` fragment for htmx, else the full page."""
    return _page(request, _access(request, project_id), compute=True)


class _Refused(Exception):
    """Filters or a report the request cannot be answered with: a plain message and status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _valid_form(request, project_access) -> AgreementForm:
    form = AgreementForm(project_access.project, request.GET)
    if not form.is_valid():
        errors = [str(m) for messages in form.errors.values() for m in messages]
        raise _Refused("Invalid report filters: " + " ".join(errors), 400)
    return form


def _computed_report(request, project_access):
    form = _valid_form(request, project_access)
    data = form.cleaned_data
    try:
        return project_report(
            project_access.project, form.narrowing(), bootstrap=data["bootstrap"], seed=data["seed"]
        ).report
    except ValueError as exc:
        raise _Refused(str(exc), 422) from None


def _refused(exc: _Refused) -> HttpResponse:
    return HttpResponse(str(exc), status=exc.status, content_type="text/plain; charset=utf-8")


@require_GET
def agreement_download(request, project_id: int, filename: str):
    """One export file (or the ZIP of all) of the report the query string describes."""
    project_access = _access(request, project_id)
    if filename != files.ZIP_NAME and filename not in files.file_names():
        raise Http404("No such file.")
    try:
        report = _computed_report(request, project_access)
    except _Refused as exc:
        return _refused(exc)
    if filename == files.ZIP_NAME and request.GET.get("gamma") == "1" and gamma.available():
        # gamma.json only on request (?gamma=1): it is slow, so the plain ZIP never waits for it.
        form = _valid_form(request, project_access)
        result = gamma.project_gamma(
            project_access.project, form.narrowing(), seed=form.cleaned_data["seed"]
        )
        payload = json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False)
        content = files.render_zip(report, extra={"gamma.json": payload.encode()})
    else:
        content = files.render_file(report, filename)
    response = HttpResponse(content, files.content_type(filename))
    response["Content-Disposition"] = f'attachment; filename="agreement-{filename}"'
    return response


@require_GET
def agreement_gamma(request, project_id: int):
    """Mathet et al.'s gamma of the report's filters, as a small fragment (slow: on request)."""
    project_access = _access(request, project_id)
    if not gamma.available():
        raise Http404("gamma needs the optional extra: pip install 'annotator[gamma]'")
    try:
        form = _valid_form(request, project_access)
    except _Refused as exc:
        return _refused(exc)
    result = gamma.project_gamma(
        project_access.project, form.narrowing(), seed=form.cleaned_data["seed"]
    )
    context = {
        "access": project_access,
        "project": project_access.project,
        "gamma": result,
        "report_url": _urls(project_access.project.pk, form.query_string())["report"],
    }
    return render_page_or_partial(request, GAMMA_FRAGMENT, "gamma-result", context)


@require_GET
def agreement_plot(request, project_id: int, name: str, ext: str):
    """A plot of the report, for ``<img>`` (PNG on the page) or to download (SVG, PNG)."""
    project_access = _access(request, project_id)
    if name not in plot_names.PLOTS or ext not in plot_names.FORMATS:
        raise Http404("No such plot.")
    try:
        report = _computed_report(request, project_access)
    except _Refused as exc:
        return _refused(exc)
    from ..reports import plots  # matplotlib only when a plot is drawn

    return HttpResponse(plots.render(report, name, ext), plot_names.FORMATS[ext])


@require_GET
def agreement_document(request, project_id: int, document_id: int):
    """One document: each counted coder's codings side by side, every disagreement marked."""
    project_access, document = access.document_for(
        request.user, project_id, document_id, role=Role.CURATOR
    )
    project = project_access.project
    try:
        form = _valid_form(request, project_access)
    except _Refused as exc:
        return _refused(exc)
    narrowing = form.narrowing()
    narrowing = AgreementNarrowing(
        documents=(document.pk,),
        coders=narrowing.coders,
        codes=narrowing.codes,
        date_from=narrowing.date_from,
        date_to=narrowing.date_to,
    )
    data = agreement_data(project=project, narrowing=narrowing)
    doc = data.documents[0]
    assert doc.text is not None  # agreement_data loads the text of every document
    counted = list(doc.coders)
    found = drilldown.disagreements(doc.text, doc.spans, counted, data.codes)
    # The workspace's side-by-side rendering: the same plain paragraphs in every column, each
    # column's codings as data its script paints (escaped in ws.text_html).
    text_html = mark_safe(ws.text_html(doc.text, id_prefix=None))  # noqa: S308
    columns = [
        {
            "coder": coder,
            "spans": sum(1 for s in doc.spans if s[0] == coder),
            "data": drilldown.column_data(doc.spans, coder, data.code_ids),
            "data_id": f"codings-{i}",
        }
        for i, coder in enumerate(counted, start=1)
    ]
    not_counted = sorted({s[0] for s in doc.spans} - set(counted))
    codes = list(Code.objects.filter(pk__in=data.code_ids.values()).order_by("order", "name", "id"))
    codings = sorted(
        ((coder, start, end, code, doc.text[start:end]) for coder, start, end, code in doc.spans),
        key=lambda c: (c[1], c[2], c[0], c[3]),
    )
    qs = form.query_string()
    context = {
        "access": project_access,
        "project": project,
        "document": document,
        "codes": codes,
        "columns": columns,
        "text_html": text_html,
        "disagreement_runs": drilldown.disagreement_data(found),
        "disagreements": found,
        "not_counted": not_counted,
        "codings": codings,
        "report_url": reverse("annotator:agreement-report", args=[project.pk]) + f"?{qs}",
    }
    return render(request, DOCUMENT_PAGE, context)


urlpatterns = [
    path("projects/<id:project_id>/agreement/", agreement_report, name="agreement-report"),
    path(
        "projects/<id:project_id>/agreement/results/",
        agreement_results,
        name="agreement-results",
    ),
    path(
        "projects/<id:project_id>/agreement/documents/<id:document_id>/",
        agreement_document,
        name="agreement-document",
    ),
    path(
        "projects/<id:project_id>/agreement/download/<str:filename>",
        agreement_download,
        name="agreement-download",
    ),
    path("projects/<id:project_id>/agreement/gamma/", agreement_gamma, name="agreement-gamma"),
    path(
        "projects/<id:project_id>/agreement/plots/<slug:name>.<slug:ext>",
        agreement_plot,
        name="agreement-plot",
    ),
]
