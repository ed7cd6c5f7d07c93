"""The annotation workspace: read a document, code spans, edit and remove codings.

Writes answer an htmx-style request (``HX-Request``, sent by ``static/annotator/js``) with only
the fragments that changed: the paragraphs a coding touches, its coding-list entry, the count
and a status message; a plain form post is redirected back to the workspace (progressive
enhancement). Errors re-render inline with a 4xx status and change nothing.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from .. import access, services
from ..models import Annotation
from ..selectors import workflow as workflow_selectors
from ..selectors import workspace as ws
from .helpers import render_page_or_partial

PAGE = "annotator/annotate/document.html"
PANEL = "annotator/annotate/codings.html"
LIST = "annotator/annotate/list.html"


def _is_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for msgs in error.message_dict.values() for m in msgs)
    return " ".join(error.messages)


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "Must be a whole number of code points."}) from None


def _viewed(request, project_access):
    """Whose codings the page shows: ``("self", [user])``, ``("coder", [user])`` or ``("all",
    None)``. Annotators under blind coding may only see their own."""
    choice = request.GET.get("coder", "")
    if choice in ("", str(request.user.pk)):
        return "self", request.user
    if not project_access.sees_all_coders():
        raise Http404("No such coder.")
    coders = {u.pk: u for u in ws.project_coders(project_access.project)}
    if choice == "all":
        return "all", coders
    try:
        return "coder", coders[int(choice)]
    except (ValueError, KeyError):
        raise Http404("No such coder.") from None


def _page_context(request, project_access, document, *, error: str = "") -> dict:
    project = project_access.project
    codes = ws.workspace_codes(project)
    mode, who = _viewed(request, project_access)
    panel_url = reverse("annotator:annotation-panel", args=[project.pk, document.pk])
    context = {
        "access": project_access,
        "project": project,
        "document": document,
        "codes": codes,  # every code: existing codings of deactivated ones keep their colour
        "active_codes": [c for c in codes if c.is_active],  # offered for new codings
        "shortcut_codes": [c for c in codes if c.is_active and c.shortcut],
        "mode": mode,
        "error": error,
        "editable": mode == "self",
        "status": ws.status_of(document=document, coder=request.user),
        "panel_url": panel_url,
    }
    if mode == "all":
        codings = ws.codings_for(document=document)
        by_coder: dict[int, list] = {}
        for coding in codings:
            by_coder.setdefault(coding.coder_id, []).append(coding)
        # The same paragraphs in every column; each column paints its coder's codings.
        # Escaped in ws.text_html.
        html = mark_safe(ws.text_html(document.text, id_prefix=None))  # noqa: S308
        context["coders"] = list(who.values())
        context["columns"] = [
            (who[cid], len(by_coder[cid]), html, ws.coding_data(by_coder[cid]), f"codings-{cid}")
            for cid in sorted(
                by_coder, key=lambda cid: who[cid].get_username() if cid in who else ""
            )
            if cid in who
        ]
        return context
    data = ws.coding_data_for(document=document, coder_id=who.pk)
    list_url = reverse("annotator:annotation-list", args=[project.pk, document.pk])
    context.update(
        viewed_coder=who,
        coders=ws.project_coders(project) if project_access.sees_all_coders() else [],
        coding_count=len(data) // 4,
        # Escaped in ws.text_html; the codings are data the page's script paints.
        text_html=mark_safe(ws.text_html(document.text)),  # noqa: S308
        coding_data=data,
        # The list of every coding is loaded on demand: one entry per coding made it most of
        # the page's weight on long documents.
        list_url=list_url + (f"?coder={who.pk}" if mode == "coder" else ""),
    )
    return context


@require_GET
def annotation_list(request, project_id: int, document_id: int):
    """The list of every coding shown in the workspace (the user's own, or under ``?coder=``
    the one coder a curator views): the fragment the workspace loads on demand, or a page."""
    project_access, document = access.document_for(request.user, project_id, document_id)
    project = project_access.project
    mode, who = _viewed(request, project_access)
    if mode == "all":
        raise Http404("Choose one coder.")
    codes = ws.workspace_codes(project)
    codings = ws.codings_for(document=document, coder_ids=[who.pk])
    panel_url = reverse("annotator:annotation-panel", args=[project.pk, document.pk])
    context = {
        "access": project_access,
        "project": project,
        "document": document,
        "codes": codes,
        "mode": mode,
        "viewed_coder": who,
        "coding_count": len(codings),
        # Built in Python and escaped piece by piece: see selectors/workspace.py.
        "items_html": mark_safe(  # noqa: S308
            ws.coding_items(document.text, codings, {c.pk: c for c in codes}, panel_url)
        ),
    }
    return render_page_or_partial(request, LIST, "coding-list", context)


@require_GET
def document_annotate(request, project_id: int, document_id: int):
    project_access, document = access.document_for(request.user, project_id, document_id)
    return render_page_or_partial(
        request, PAGE, "workspace-body", _page_context(request, project_access, document)
    )


def _invalid(request, project_access, document, error: ValidationError, status: int = 422):
    """The error inline: a message fragment for htmx, the workspace page otherwise."""
    text = _error_text(error)
    if _is_fragment(request):
        html = f'<div id="ws-message" class="ws-message error" role="alert">{escape(text)}</div>'
        return HttpResponse(html, status=status)
    if isinstance(document.text, ws.TextWindow):
        document.text = str(document.text)  # the page shows the whole text
    context = _page_context(request, project_access, document, error=text)
    return render_page_or_partial(request, PAGE, "workspace-body", context, status=status)


def _coding_data(data: dict) -> str:
    """What the page's script needs to undo a change (ids, offsets, memo text), as a
    ``<template data-ws-coding>`` element in the body. Never a header: a memo is user text of
    any length, and headers carry neither."""
    return f'<template data-ws-coding="{escape(json.dumps(data))}"></template>'


def _back(project_id, document_id):
    return redirect(
        reverse("annotator:document-annotate", args=[project_id, document_id]), permanent=False
    )


def _fragments(request, document, project_access, *, message, extra=""):
    """What a save answers with: ``extra`` (the coding's list entry and undo data), the
    user's status and a message. No text: the page paints the coding itself, so the answer
    and its work do not grow with the document."""
    status = ws.status_of(document=document, coder=request.user)
    parts = [
        extra,
        render_to_string(
            f"{PAGE}#ws-status",
            {"status": status, "project": project_access.project, "document": document},
            request=request,
        ),
        f'<div id="ws-message" class="ws-message" role="status">{escape(message)}</div>',
    ]
    response = HttpResponse("".join(parts))
    response["HX-Trigger"] = "annotationsChanged"
    return response


@require_POST
def annotation_create(request, project_id: int, document_id: int):
    project_access = access.project_for(request.user, project_id)
    # Only the characters around the selection are read (selectors/workspace.py::TextWindow):
    # the save's work does not grow with the document.
    document = ws.document_for_save(
        project=project_access.project,
        document_id=document_id,
        start=request.POST.get("start"),
        end=request.POST.get("end"),
    )
    if document is None:
        raise Http404("No such document.")
    document.project = project_access.project  # already loaded: spare the services a query
    codes = ws.workspace_codes(project_access.project)
    try:
        code_id = _int(request.POST.get("code"), "code")
        # Only active codes take new codings (the service refuses the others too).
        code = next((c for c in codes if c.pk == code_id and c.is_active), None)
        if code is None:
            raise ValidationError({"code": "This code does not belong to the project's codebook."})
        # The service trims and snaps the selection (the same rule as the API's).
        annotation, created = services.annotation_create(
            document=document,
            coder=request.user,
            code=code,
            start_offset=_int(request.POST.get("start"), "start_offset"),
            end_offset=_int(request.POST.get("end"), "end_offset"),
            memo=request.POST.get("memo", ""),
        )
    except ValidationError as error:
        return _invalid(request, project_access, document, error)
    start, end = annotation.start_offset, annotation.end_offset
    if not _is_fragment(request):
        return _back(project_id, document_id)
    coding = ws.Coding(annotation.pk, code.pk, request.user.pk, start, end, annotation.memo)
    panel_url = reverse("annotator:annotation-panel", args=[project_id, document_id])
    item = ws.coding_items(document.text, [coding], {code.pk: code}, panel_url)
    verb = "Coded" if created else "Already coded"
    return _fragments(
        request,
        document,
        project_access,
        message=f"{verb} “{document.text[start:end][:40]}” as {code.name}.",
        extra=item
        + _coding_data(
            {
                "id": annotation.pk,
                "created": created,
                "code": code.pk,
                "start": start,
                "end": end,
                "memo": annotation.memo,
            }
        ),
    )


def _own_coding(request, project_id, document_id, annotation_id):
    """A coding of this document the user may change: their own. Others' codings that the user
    cannot see are 404 (``annotation_for``); visible but someone else's are 403."""
    project_access, annotation = access.annotation_for(request.user, project_id, annotation_id)
    if annotation.document_id != document_id:
        raise Http404("No such coding.")
    if annotation.coder_id != request.user.pk:
        raise PermissionDenied("Only the coder who made a coding can change it.")
    return project_access, annotation.document, annotation


@require_POST
def annotation_delete(request, project_id: int, document_id: int, annotation_id: int):
    project_access, document, annotation = _own_coding(
        request, project_id, document_id, annotation_id
    )
    undo = {
        "code": annotation.code_id,
        "start": annotation.start_offset,
        "end": annotation.end_offset,
        "memo": annotation.memo,
    }
    try:
        services.annotation_delete(annotation=annotation, user=request.user)
    except ValidationError as error:
        return _invalid(request, project_access, document, error, status=403)
    if not _is_fragment(request):
        return _back(project_id, document_id)
    return _fragments(
        request,
        document,
        project_access,
        message=f"Removed the coding {annotation.code.name}.",
        extra=(
            f'<div data-remove="ann-{annotation_id}"></div>'
            f'<div data-remove="panel-ann-{annotation_id}"></div>'
            + _coding_data({"id": annotation_id, "deleted": True, **undo})
        ),
    )


@require_POST
def annotation_memo(request, project_id: int, document_id: int, annotation_id: int):
    project_access, document, annotation = _own_coding(
        request, project_id, document_id, annotation_id
    )
    before = annotation.memo
    try:
        services.annotation_update(annotation=annotation, memo=request.POST.get("memo", ""))
    except ValidationError as error:
        return _invalid(request, project_access, document, error)
    if not _is_fragment(request):
        return _back(project_id, document_id)
    panel_url = reverse("annotator:annotation-panel", args=[project_id, document_id])
    coding = ws.Coding(
        annotation.pk,
        annotation.code_id,
        annotation.coder_id,
        annotation.start_offset,
        annotation.end_offset,
        annotation.memo,
    )
    codes_by_id = {annotation.code_id: annotation.code}
    item = ws.coding_items(document.text, [coding], codes_by_id, panel_url)
    panel_item = render_to_string(
        f"{PANEL}#panel-item",
        {
            **_panel_context(project_access, document, [annotation], request.user),
            "annotation": annotation,
        },
        request=request,
    )
    html = (
        item
        + panel_item
        + f'<div id="ws-message" class="ws-message" role="status">Memo saved for {escape(annotation.code.name)}.</div>'
        + _coding_data({"id": annotation.pk, "memo": annotation.memo, "before": before})
    )
    response = HttpResponse(html)
    response["HX-Trigger"] = "annotationsChanged"
    return response


def _panel_context(project_access, document, annotations, user) -> dict:
    for annotation in annotations:
        annotation.quoted = document.text[annotation.start_offset : annotation.end_offset]
        annotation.editable = annotation.coder_id == user.pk
    return {
        "project": project_access.project,
        "document": document,
        "annotations": annotations,
        "access": project_access,
    }


@require_GET
def annotation_panel(request, project_id: int, document_id: int):
    """The codings under a highlight (``?ids=1,2``), each with remove and memo editing."""
    project_access, document = access.document_for(request.user, project_id, document_id)
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][:100]
    qs = Annotation.objects.filter(document=document, pk__in=ids).select_related("code", "coder")
    if not project_access.sees_all_coders():
        qs = qs.filter(coder=request.user)
    annotations = list(qs.order_by("start_offset", "code__order", "id"))
    context = _panel_context(project_access, document, annotations, request.user)
    if not _is_fragment(request):
        context["codes"] = ws.workspace_codes(project_access.project)
    return render_page_or_partial(request, PANEL, "coding-panel", context)


@require_POST
def document_status(request, project_id: int, document_id: int):
    project_access, document = access.document_for(request.user, project_id, document_id)
    state = request.POST.get("state", "")
    try:
        services.document_status_set(document=document, coder=request.user, state=state or None)
    except ValidationError as error:
        return _invalid(request, project_access, document, error)
    if not _is_fragment(request):
        return _back(project_id, document_id)
    context = {
        "project": project_access.project,
        "document": document,
        "status": ws.status_of(document=document, coder=request.user),
    }
    return render_page_or_partial(request, PAGE, "ws-status", context)


@require_GET
def document_next(request, project_id: int, document_id: int):
    """The next document: the user's queue when they have assignments, else project order."""
    project_access, document = access.document_for(request.user, project_id, document_id)
    target = workflow_selectors.next_document(
        project=project_access.project, user=request.user, current=document
    )
    if target is None:
        return redirect(reverse("annotator:project-detail", args=[project_id]))
    return redirect(reverse("annotator:document-annotate", args=[project_id, target]))


_DOC = "projects/<id:project_id>/documents/<id:document_id>/"
urlpatterns = [
    path(_DOC, document_annotate, name="document-annotate"),
    path(_DOC + "codings/", annotation_panel, name="annotation-panel"),
    path(_DOC + "codings/list/", annotation_list, name="annotation-list"),
    path(_DOC + "codings/new/", annotation_create, name="annotation-create"),
    path(_DOC + "codings/<id:annotation_id>/delete/", annotation_delete, name="annotation-delete"),
    path(_DOC + "codings/<id:annotation_id>/memo/", annotation_memo, name="annotation-memo"),
    path(_DOC + "status/", document_status, name="document-status"),
    path(_DOC + "next/", document_next, name="document-next"),
]
