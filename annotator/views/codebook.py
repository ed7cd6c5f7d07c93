"""The codebook editor (managers): codes, merge and split, draft and versions, the audit trail
and the import of a REFI-QDA codebook into the draft.

Every POST calls one service of ``services.codebooks``; a ``ValidationError`` re-renders the
page with the message inline (status 400) and nothing changes. Codes are looked up in the
project's codebook only (a code of another codebook answers 404). Managers only, except the
workspace banner's "Got it" (``codebook_seen``, every member).
"""

import base64

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..codebook_forms import CodeForm, ImportForm, MergeForm, PublishForm, SplitForm
from ..models import Annotation, Code, CodebookChange, Membership
from ..selectors.exports import code_paths
from ..services import codebooks
from ..services.imports import read_upload
from ..templatetags.annotator_tags import contrast_ratio
from .setup import _errors_into

Role = Membership.Role
T = "annotator/codebook/"
SIGNING_SALT = "annotator.codebook-import"
# Below this contrast against the white page a code's swatch is hard to see (WCAG 1.4.11).
MIN_SWATCH_CONTRAST = 3.0


def _project(request, project_id):
    return access.project_for(request.user, project_id, role=Role.MANAGER).project


def _code(project, code_id) -> Code:
    code = Code.objects.filter(pk=code_id, codebook_id=project.codebook_id).first()
    if code is None:
        raise Http404("No such code in this project's codebook.")
    return code


def _colour_warning(request, color: str) -> None:
    ratio = contrast_ratio(color, "#ffffff")
    if ratio < MIN_SWATCH_CONTRAST:
        messages.warning(
            request,
            f"The colour {color} has a contrast of {ratio:.1f}:1 against the page (under "
            f"{MIN_SWATCH_CONTRAST:.0f}:1): its swatch is hard to see. Highlights stay readable.",
        )


def _editor(request, project, *, add_form=None, merge_form=None, publish_form=None, status=200):
    book = project.codebook_id
    paths = code_paths(book)
    counts = dict(
        Annotation.objects.filter(code__codebook_id=book)
        .values("code_id")
        .annotate(n=Count("id"))
        .values_list("code_id", "n")
    )
    codes = _depth_first(Code.objects.filter(codebook_id=book).order_by("order", "name", "id"))
    rows = [
        {
            "code": c,
            "path": paths[c.pk],
            "depth": paths[c.pk].count("/"),
            "codings": counts.get(c.pk, 0),
        }
        for c in codes
    ]
    context = {
        "project": project,
        "rows": rows,
        "codes": codes,
        "version": codebooks.latest_version(book),
        "draft": codebooks.draft_diff(book),
        "add_form": add_form or CodeForm(codebook_id=book, auto_id="add_%s"),
        "merge_form": merge_form or MergeForm(codebook_id=book, auto_id="merge_%s"),
        "publish_form": publish_form or PublishForm(auto_id="publish_%s"),
    }
    return render(request, T + "editor.html", context, status=status)


def _depth_first(codes) -> list[Code]:
    """Each code right after its parent, siblings in their order."""
    codes = list(codes)
    ids = {c.pk for c in codes}
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id if code.parent_id in ids else None, []).append(code)
    ordered, stack = [], list(reversed(children.get(None, [])))
    while stack:
        code = stack.pop()
        ordered.append(code)
        stack.extend(reversed(children.get(code.pk, [])))
    return ordered


def codebook_edit(request, project_id: int):
    return _editor(request, _project(request, project_id))


@require_POST
def codebook_code_add(request, project_id: int):
    project = _project(request, project_id)
    form = CodeForm(request.POST, codebook_id=project.codebook_id, auto_id="add_%s")
    if form.is_valid():
        try:
            code = codebooks.code_add(
                codebook=project.codebook, user=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Code “{code.path}” added to the draft.")
            _colour_warning(request, code.color)
            return redirect("annotator:codebook-edit", project.pk)
    return _editor(request, project, add_form=form, status=400)


def _code_page(request, project, code, *, form=None, split_form=None, status=200):
    context = {
        "project": project,
        "code": code,
        "code_list": [code],
        "form": form or CodeForm(codebook_id=project.codebook_id, code=code),
        "split_form": split_form or SplitForm(code=code, project=project, auto_id="split_%s"),
        "codings": Annotation.objects.filter(code=code).count(),
        "swatch_contrast": contrast_ratio(code.color, "#ffffff"),
    }
    return render(request, T + "code.html", context, status=status)


@require_http_methods(["GET", "POST"])
def codebook_code_edit(request, project_id: int, code_id: int):
    project = _project(request, project_id)
    code = _code(project, code_id)
    if request.method == "GET":
        return _code_page(request, project, code)
    form = CodeForm(request.POST, codebook_id=project.codebook_id, code=code)
    if form.is_valid():
        try:
            code = codebooks.code_edit(code=code, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Code “{code.path}” saved in the draft.")
            _colour_warning(request, code.color)
            return redirect("annotator:codebook-code", project.pk, code.pk)
    return _code_page(request, project, _code(project, code_id), form=form, status=400)


@require_POST
def codebook_code_move(request, project_id: int, code_id: int):
    project = _project(request, project_id)
    code = _code(project, code_id)
    try:
        codebooks.code_move(code=code, user=request.user, direction=request.POST.get("direction"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _editor(request, project, status=400)
    return redirect("annotator:codebook-edit", project.pk)


@require_POST
def codebook_code_delete(request, project_id: int, code_id: int):
    project = _project(request, project_id)
    code = _code(project, code_id)
    try:
        codebooks.code_delete(code=code, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _code_page(request, project, code, status=400)
    messages.success(request, f"Code “{code.name}” deleted from the draft.")
    return redirect("annotator:codebook-edit", project.pk)


@require_POST
def codebook_code_split(request, project_id: int, code_id: int):
    project = _project(request, project_id)
    code = _code(project, code_id)
    form = SplitForm(request.POST, code=code, project=project, auto_id="split_%s")
    if form.is_valid():
        try:
            new, moved = codebooks.code_split(
                code=code,
                user=request.user,
                name=form.cleaned_data["name"],
                annotation_ids=form.cleaned_data["annotations"],
                project=project,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"{moved} coding(s) moved to the new code “{new.path}”.")
            return redirect("annotator:codebook-code", project.pk, new.pk)
    return _code_page(request, project, code, split_form=form, status=400)


@require_POST
def codebook_merge(request, project_id: int):
    project = _project(request, project_id)
    form = MergeForm(request.POST, codebook_id=project.codebook_id, auto_id="merge_%s")
    if form.is_valid():
        source = _code(project, form.cleaned_data["source"])
        target = _code(project, form.cleaned_data["target"])
        source_path = source.path
        try:
            result = codebooks.code_merge(source=source, target=target, user=request.user)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request,
                f"“{source_path}” merged into “{target.path}”: {result['moved']} coding(s) "
                f"moved, {result['collapsed']} duplicate(s) joined.",
            )
            return redirect("annotator:codebook-edit", project.pk)
    return _editor(request, project, merge_form=form, status=400)


@require_POST
def codebook_publish(request, project_id: int):
    project = _project(request, project_id)
    form = PublishForm(request.POST, auto_id="publish_%s")
    if form.is_valid():
        try:
            version = codebooks.codebook_publish(
                codebook=project.codebook, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Version {version.number} published.")
            return redirect("annotator:codebook-edit", project.pk)
    return _editor(request, project, publish_form=form, status=400)


def codebook_history(request, project_id: int):
    project = _project(request, project_id)
    context = {
        "project": project,
        "versions": codebooks.versions_with_changes(project.codebook_id),
        "changes": CodebookChange.objects.filter(codebook_id=project.codebook_id)
        .select_related("user", "version")
        .order_by("-at", "-id")[:500],
    }
    return render(request, T + "history.html", context)


@require_http_methods(["GET", "POST"])
def codebook_import(request, project_id: int):
    """Upload -> preview of the changes (nothing written) -> import into the draft."""
    project = _project(request, project_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"project": project, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["payload"]:
                filename, data = _unsign(form.cleaned_data["payload"])
                lines = codebooks.codebook_import(
                    codebook=project.codebook, user=request.user, data=data, filename=filename
                )
                messages.success(
                    request, f"{filename} imported into the draft: {len(lines)} change(s)."
                )
                return redirect("annotator:codebook-edit", project.pk)
            upload = form.cleaned_data["file"]
            if upload is None:
                raise ValidationError({"file": "Choose a file."})
            data = read_upload(upload, upload.name)
            context["preview"] = codebooks.codebook_import(
                codebook=project.codebook,
                user=request.user,
                data=data,
                filename=upload.name,
                dry_run=True,
            )
            context["filename"] = upload.name
            context["payload"] = signing.dumps(
                [upload.name, base64.b64encode(data).decode()], salt=SIGNING_SALT, compress=True
            )
        except ValidationError as exc:
            _errors_into(form, exc)
    status = 400 if form.errors else 200
    return render(request, T + "import.html", context, status=status)


@require_POST
def codebook_seen(request, project_id: int):
    """Any member: the workspace banner's "Got it" (the latest version has been read)."""
    project = access.project_for(request.user, project_id).project
    codebooks.codebook_seen(codebook=project.codebook, user=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("annotator:project-detail", args=[project.pk])
    return redirect(target)


def _unsign(payload: str) -> tuple[str, bytes]:
    try:
        filename, data = signing.loads(
            payload, salt=SIGNING_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
    except signing.BadSignature:
        raise ValidationError(
            "The previewed file could not be read back: upload it again."
        ) from None
    return filename, base64.b64decode(data)


P = "projects/<id:project_id>/codebook/"
C = P + "codes/<id:code_id>/"

urlpatterns = [
    path(P, codebook_edit, name="codebook-edit"),
    path(P + "codes/new/", codebook_code_add, name="codebook-code-add"),
    path(C, codebook_code_edit, name="codebook-code"),
    path(C + "move/", codebook_code_move, name="codebook-code-move"),
    path(C + "delete/", codebook_code_delete, name="codebook-code-delete"),
    path(C + "split/", codebook_code_split, name="codebook-code-split"),
    path(P + "merge/", codebook_merge, name="codebook-merge"),
    path(P + "publish/", codebook_publish, name="codebook-publish"),
    path(P + "history/", codebook_history, name="codebook-history"),
    path(P + "import/", codebook_import, name="codebook-import"),
    path(P + "seen/", codebook_seen, name="codebook-seen"),
]
