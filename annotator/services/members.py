"""A project's members: add by username or email, change roles, remove, and invitations.

Rules: a project always keeps at least one manager (the last one can be neither demoted nor
removed); removing a member keeps their codings, still attributed to them; gold-standard and
inactive accounts cannot be added. Writes lock the project's row so that two managers acting at
once cannot both remove "the other" last manager.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Invitation, Membership, Project

Role = Membership.Role
LAST_MANAGER = "A project must keep at least one manager: make someone else a manager first."


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(Role.values)}."})


def _lock(project: Project) -> None:
    Project.objects.select_for_update().filter(pk=project.pk).first()


def _find_user(identifier: str):
    identifier = (identifier or "").strip()
    if not identifier:
        raise ValidationError({"user": "Enter a username or an email address."})
    User = get_user_model()
    users = list(
        User.objects.filter(Q(username=identifier) | Q(email__iexact=identifier))
        .exclude(gold_project__isnull=False)
        .order_by("pk")[:3]
    )
    exact = [u for u in users if u.username == identifier]
    if exact:
        users = exact
    if not users:
        raise ValidationError(
            {"user": f"No account “{identifier}”: invite the person with a link instead."}
        )
    if len(users) > 1:
        raise ValidationError(
            {"user": f"Several accounts use the email “{identifier}”: enter the username."}
        )
    if not users[0].is_active:
        raise ValidationError({"user": f"The account “{users[0].username}” is deactivated."})
    return users[0]


@transaction.atomic
def member_add(*, project: Project, user_identifier: str, role: str) -> Membership:
    """Add an existing account, named by username or email, with ``role``."""
    _check_role(role)
    _lock(project)
    user = _find_user(user_identifier)
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({"user": f"{user.username} is already a member of this project."})
    return Membership.objects.create(project=project, user=user, role=role)


def _managers_after(project, membership, new_role) -> int:
    others = (
        Membership.objects.filter(project=project, role=Role.MANAGER)
        .exclude(pk=membership.pk)
        .count()
    )
    return others + (new_role == Role.MANAGER)


@transaction.atomic
def member_change_role(*, membership: Membership, role: str) -> Membership:
    _check_role(role)
    _lock(membership.project)
    membership = Membership.objects.get(pk=membership.pk)
    if _managers_after(membership.project, membership, role) == 0:
        raise ValidationError({"role": LAST_MANAGER})
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    """Remove a member; their codings, statuses and memos stay, attributed to them."""
    _lock(membership.project)
    current = Membership.objects.filter(pk=membership.pk).first()
    if current is None:
        return
    if _managers_after(current.project, current, None) == 0:
        raise ValidationError({"user": LAST_MANAGER})
    current.delete()


# --- invitations ------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, project: Project, role: str, created_by, email: str = "", accept_url=None
) -> tuple[Invitation, str]:
    """A new invitation and its secret token (shown once; only its hash is stored).

    With an ``email`` and ``accept_url`` (token -> absolute link) the link is also mailed (the
    console backend prints it when no mail server is configured)."""
    _check_role(role)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        project=project,
        role=role,
        email=(email or "").strip(),
        token_sha256=_digest(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=settings.ANNOTATOR_INVITATION_DAYS),
    )
    invitation.full_clean(exclude=["created_by", "accepted_by"])
    invitation.save()
    if invitation.email and accept_url is not None:
        link = accept_url(token)
        send_mail(
            subject=f"Join the project “{project.name}” on Annotator",
            message=(
                f"{created_by.get_username() if created_by else 'A manager'} invites you to "
                "join the project "
                f"“{project.name}” as {role}.\n\nOpen this link to create your account or sign "
                f"in: {link}\n\nThe link works once, until "
                f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC."
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
    return invitation, token


def invitation_is_open(invitation: Invitation) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > timezone.now()
    )


def invitation_for_token(token: str) -> Invitation:
    """The open invitation with this token; ``ValidationError`` saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("project").filter(token_sha256=_digest(token)).first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation link has already been used.")
    if invitation.revoked_at is not None:
        raise ValidationError("This invitation was withdrawn by a project manager.")
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation link has expired: ask the manager for a new one.")
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _new_account(username: str, password: str, email: str):
    User = get_user_model()
    username = (username or "").strip()
    errors: dict[str, str | list[str]] = {}
    if not username:
        errors["username"] = "Choose a username."
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            errors["username"] = exc.messages
        if len(username) > 150:
            errors["username"] = "At most 150 characters."
        elif User.objects.filter(username__iexact=username).exists():
            errors["username"] = "This username is taken: choose another."
    user = User(username=username, email=(email or "").strip())
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def invitation_accept(
    *, token: str, user=None, username: str = "", password: str = "", email: str = ""
) -> Membership:
    """Use an invitation once: join with the signed-in ``user``, or create the account
    ``username``/``password`` first. A member already in the project keeps the higher of the two
    roles."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_for_token(token)  # re-checked under the lock: a link works exactly once
    if user is None:
        user = _new_account(username, password, email or invitation.email)
    membership = Membership.objects.filter(project=invitation.project, user=user).first()
    rank: dict[str, int] = {Role.ANNOTATOR: 1, Role.CURATOR: 2, Role.MANAGER: 3}
    if membership is None:
        membership = Membership.objects.create(
            project=invitation.project, user=user, role=invitation.role
        )
    elif rank[invitation.role] > rank[membership.role]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return membership
