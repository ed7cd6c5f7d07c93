"""Team setup without the Django admin: create a project, its settings, members and
invitations, document uploads, document metadata and memos, password change and reset.

Every POST calls one service; a ``ValidationError`` re-renders the form with the message inline
(status 400) and nothing changes. Managers only, except the invitation page (anyone holding a
valid link), memos (every member, for themselves) and the original file (every member).
"""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..models import DocumentOriginal, Invitation, Membership
from ..services import imports, members, projects, uploads
from ..setup_forms import (
    AcceptForm,
    DocumentMetadataForm,
    InvitationForm,
    MemberAddForm,
    MemberRoleForm,
    MemoForm,
    ProjectCreateForm,
    ProjectSettingsForm,
    UploadForm,
)

Role = Membership.Role
T = "annotator/setup/"


def _errors_into(form, exc: ValidationError) -> None:
    """A service's ValidationError as inline form errors (unknown fields -> form-level)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _render(request, template, context, form_valid=True):
    return render(request, T + template, context, status=200 if form_valid else 400)


# --- projects ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def project_create(request):
    if not projects.can_create_projects(request.user):
        raise PermissionDenied(projects.creators_message())
    form = ProjectCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = projects.project_create(creator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Project “{project.name}” created. You are its manager.")
            return redirect("annotator:project-detail", project.pk)
    return _render(request, "project_create.html", {"form": form}, not form.errors)


@require_http_methods(["GET", "POST"])
def project_settings(request, project_id: int):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    initial = {name: getattr(project, name) for name in projects.SETTINGS_FIELDS}
    form = ProjectSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            projects.project_update(project=project, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Project settings saved.")
            return redirect("annotator:project-settings", project.pk)
    return _render(
        request, "project_settings.html", {"project": project, "form": form}, not form.errors
    )


# --- members and invitations -------------------------------------------------------------------


def _members_page(request, project, *, add_form=None, invite_form=None, new_link=None, status=200):
    memberships = (
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )
    invitations = Invitation.objects.filter(
        project=project, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("created_by")
    context = {
        "project": project,
        "memberships": memberships,
        "invitations": invitations,
        "roles": Role.choices,
        "add_form": add_form or MemberAddForm(auto_id="add_%s"),
        "invite_form": invite_form or InvitationForm(auto_id="invite_%s"),
        "new_link": new_link,
    }
    return render(request, T + "members.html", context, status=status)


def project_members(request, project_id: int):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    return _members_page(request, project)


@require_POST
def member_add(request, project_id: int):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    form = MemberAddForm(request.POST, auto_id="add_%s")
    if form.is_valid():
        try:
            membership = members.member_add(
                project=project,
                user_identifier=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"{membership.user.username} added as {membership.role}.")
            return redirect("annotator:project-members", project.pk)
    return _members_page(request, project, add_form=form, status=400)


def _membership(request, project_id, membership_id):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    membership = get_object_or_404(
        Membership.objects.select_related("user", "project"), pk=membership_id, project=project
    )
    return project, membership


def _member_error(request, project, exc):
    messages.error(request, " ".join(exc.messages))
    response = _members_page(request, project, status=400)
    return response


@require_POST
def member_role(request, project_id: int, membership_id: int):
    project, membership = _membership(request, project_id, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _member_error(request, project, ValidationError("Choose a role."))
    try:
        members.member_change_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as exc:
        return _member_error(request, project, exc)
    messages.success(request, f"{membership.user.username} is now {form.cleaned_data['role']}.")
    return redirect("annotator:project-members", project.pk)


@require_POST
def member_remove(request, project_id: int, membership_id: int):
    project, membership = _membership(request, project_id, membership_id)
    try:
        members.member_remove(membership=membership)
    except ValidationError as exc:
        return _member_error(request, project, exc)
    messages.success(
        request, f"{membership.user.username} removed; their codings stay, attributed to them."
    )
    if membership.user_id == request.user.pk:
        return redirect("annotator:home")
    return redirect("annotator:project-members", project.pk)


def accept_url(request):
    def url(token: str) -> str:
        return request.build_absolute_uri(reverse("annotator:invitation-accept", args=[token]))

    return url


@require_POST
def invitation_create(request, project_id: int):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    form = InvitationForm(request.POST, auto_id="invite_%s")
    if form.is_valid():
        try:
            invitation, token = members.invitation_create(
                project=project,
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                created_by=request.user,
                accept_url=accept_url(request),
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            # Shown once, on this answer (not a redirect): only the token's hash is stored.
            return _members_page(request, project, new_link=accept_url(request)(token))
    return _members_page(request, project, invite_form=form, status=400)


@require_POST
def invitation_revoke(request, project_id: int, invitation_id: int):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    invitation = get_object_or_404(Invitation, pk=invitation_id, project=project)
    members.invitation_revoke(invitation=invitation)
    messages.success(request, "Invitation withdrawn: its link no longer works.")
    return redirect("annotator:project-members", project.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Anyone with a valid link: a signed-in user joins with their account; anyone else creates
    an account (and is signed in). An invalid, used, withdrawn or expired link says so."""
    try:
        invitation = members.invitation_for_token(token)
    except ValidationError as exc:
        return render(
            request, T + "invitation_invalid.html", {"reason": exc.messages[0]}, status=404
        )
    user = request.user if request.user.is_authenticated else None
    form = AcceptForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and (user is not None or form.is_valid()):
        try:
            if user is not None:
                membership = members.invitation_accept(token=token, user=user)
            else:
                data = form.cleaned_data
                membership = members.invitation_accept(
                    token=token,
                    username=data["username"],
                    password=data["password1"],
                    email=data["email"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except ValidationError as exc:
            if user is not None:
                return render(
                    request, T + "invitation_invalid.html", {"reason": exc.messages[0]}, status=400
                )
            _errors_into(form, exc)
        else:
            messages.success(
                request, f"Welcome to “{invitation.project.name}”: you are {membership.role}."
            )
            return redirect("annotator:project-detail", invitation.project_id)
    context = {"invitation": invitation, "form": form, "joining_user": user}
    return render(
        request, T + "invitation_accept.html", context, status=400 if form.errors else 200
    )


# --- documents ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_upload(request, project_id: int):
    project = access.project_for(request.user, project_id, role=Role.MANAGER).project
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        fmt = form.cleaned_data["format"]
        try:
            if fmt == "files":
                count = len(
                    uploads.documents_upload(project=project, files=files, user=request.user)
                )
            else:
                count = imports.import_uploads(
                    project=project,
                    user=request.user,
                    kind=f"documents-{fmt}",
                    files=files,
                    columns=form.cleaned_data["columns"],
                ).documents
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Uploaded {count} document{'s' if count != 1 else ''}.")
            return redirect("annotator:project-detail", project.pk)
    return _render(request, "upload.html", {"project": project, "form": form}, not form.errors)


@require_http_methods(["GET", "POST"])
def document_edit(request, project_id: int, document_id: int):
    project_access, document = access.document_for(
        request.user, project_id, document_id, role=Role.MANAGER
    )
    initial = {name: getattr(document, name) for name in uploads.METADATA_FIELDS}
    initial["metadata"] = json.dumps(document.metadata, ensure_ascii=False, indent=1)
    form = DocumentMetadataForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            uploads.document_metadata_update(document=document, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Document details saved.")
            return redirect("annotator:document-edit", project_access.project.pk, document.pk)
    context = {"project": project_access.project, "document": document, "form": form}
    return _render(request, "document_edit.html", context, not form.errors)


def document_original(request, project_id: int, document_id: int):
    _, document = access.document_for(request.user, project_id, document_id)
    original = DocumentOriginal.objects.filter(document=document).first()
    if original is None:
        raise Http404("This document was not uploaded from a file.")
    response = HttpResponse(bytes(original.data), content_type=original.content_type)
    response["Content-Disposition"] = _attachment(original.filename)
    return response


def _attachment(filename: str) -> str:
    header = content_disposition_header(True, filename)
    assert header is not None  # None only for an inline response without a file name
    return header


@require_http_methods(["GET", "POST"])
def document_memo(request, project_id: int, document_id: int):
    project_access, document = access.document_for(request.user, project_id, document_id)
    own = document.memos.filter(coder=request.user).first()
    form = MemoForm(request.POST or None, initial={"text": own.text if own else ""})
    if request.method == "POST" and form.is_valid():
        try:
            uploads.document_memo_set(
                document=document, coder=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Memo saved.")
            return redirect("annotator:document-memo", project_access.project.pk, document.pk)
    others = uploads.document_memos_visible(
        document=document, user=request.user, sees_all=project_access.sees_all_coders()
    ).exclude(coder=request.user)
    context = {
        "project": project_access.project,
        "access": project_access,
        "document": document,
        "form": form,
        "others": others,
        "has_original": DocumentOriginal.objects.filter(document=document).exists(),
    }
    return _render(request, "document_memo.html", context, not form.errors)


# --- password change and reset (Django's views, our templates) -------------------------------

R = "registration/"
password_views = [
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name=R + "password_change_form.html",
            success_url=reverse_lazy("annotator:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name=R + "password_change_done.html"),
        name="password-change-done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name=R + "password_reset_form.html",
            email_template_name=R + "password_reset_email.html",
            subject_template_name=R + "password_reset_subject.txt",
            success_url=reverse_lazy("annotator:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=R + "password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=R + "password_reset_confirm.html",
            success_url=reverse_lazy("annotator:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=R + "password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]

P = "projects/<id:project_id>/"
D = P + "documents/<id:document_id>/"
urlpatterns = [
    path("projects/new/", project_create, name="project-create"),
    path(P + "settings/", project_settings, name="project-settings"),
    path(P + "members/", project_members, name="project-members"),
    path(P + "members/add/", member_add, name="member-add"),
    path(P + "members/<id:membership_id>/role/", member_role, name="member-role"),
    path(P + "members/<id:membership_id>/remove/", member_remove, name="member-remove"),
    path(P + "invitations/new/", invitation_create, name="invitation-create"),
    path(P + "invitations/<id:invitation_id>/revoke/", invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", invitation_accept, name="invitation-accept"),
    path(P + "documents/upload/", document_upload, name="document-upload"),
    path(D + "edit/", document_edit, name="document-edit"),
    path(D + "original/", document_original, name="document-original"),
    path(D + "memo/", document_memo, name="document-memo"),
    *password_views,
]
