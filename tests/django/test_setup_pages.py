"""Team setup pages: create a project, settings, members, invitations, passwords, 403/404."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from annotator.models import Annotation, Codebook, Invitation, Membership, Project

pytestmark = pytest.mark.django_db
User = get_user_model()


def _project_state(project):
    project.refresh_from_db()
    return (project.name, project.granularity, project.blind_coding, project.uses_assignments)


# --- creating a project ---------------------------------------------------------------------


def test_it_lets_staff_create_a_project_with_a_new_codebook(client, make_user):
    staff = make_user("boss", is_staff=True)
    client.force_login(staff)
    assert "New project" in client.get(reverse("annotator:home")).content.decode()
    response = client.post(
        reverse("annotator:project-create"),
        {"name": " Climate news ", "description": "d", "granularity": "word",
         "blind_coding": "on", "codebook": "new"},
    )  # fmt: skip
    project = Project.objects.get(name="Climate news")
    assert response.status_code == 302 and response["Location"].endswith(f"/projects/{project.pk}/")
    assert project.granularity == "word" and project.blind_coding and not project.uses_assignments
    assert project.codebook.name == "Climate news" and not project.codebook.codes.exists()
    assert Membership.objects.get(project=project).user == staff
    assert Membership.objects.get(project=project).role == "manager"


def test_a_second_project_of_the_same_name_gets_its_own_codebook(client, make_user):
    client.force_login(make_user("boss", is_staff=True))
    for _ in range(2):
        client.post(
            reverse("annotator:project-create"),
            {"name": "Same", "granularity": "character", "codebook": "new"},
        )
    assert sorted(Codebook.objects.values_list("name", flat=True)) == ["Same", "Same (2)"]


def test_it_can_share_the_codebook_of_a_managed_project_only(client, members, demo_project):
    members["manager"].is_staff = True
    members["manager"].save()
    client.force_login(members["manager"])
    other = Codebook.objects.create(name="Not mine")
    before = Project.objects.count()
    response = client.post(
        reverse("annotator:project-create"),
        {"name": "P2", "granularity": "character", "codebook": str(other.pk)},
    )
    assert response.status_code == 400 and Project.objects.count() == before
    assert "Select a valid choice" in response.content.decode()
    client.post(
        reverse("annotator:project-create"),
        {"name": "P2", "granularity": "character", "codebook": str(demo_project.codebook_id)},
    )
    assert Project.objects.get(name="P2").codebook_id == demo_project.codebook_id


def test_it_refuses_project_creation_to_non_staff_unless_configured(client, make_user, settings):
    user = make_user("plain")
    client.force_login(user)
    assert "New project" not in client.get(reverse("annotator:home")).content.decode()
    response = client.post(
        reverse("annotator:project-create"),
        {"name": "X", "granularity": "character", "codebook": "new"},
    )
    assert response.status_code == 403 and not Project.objects.filter(name="X").exists()
    assert "staff account" in response.content.decode()
    settings.ANNOTATOR_PROJECT_CREATORS = "all"
    client.post(
        reverse("annotator:project-create"),
        {"name": "X", "granularity": "character", "codebook": "new"},
    )
    assert Project.objects.filter(name="X").exists()


def test_it_shows_inline_errors_and_creates_nothing_on_bad_input(client, make_user):
    client.force_login(make_user("boss", is_staff=True))
    before = (Project.objects.count(), Codebook.objects.count())
    response = client.post(
        reverse("annotator:project-create"),
        {"name": "  ", "granularity": "sentence", "codebook": "new"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" in html and "Select a valid choice" in html
    assert (Project.objects.count(), Codebook.objects.count()) == before


# --- settings -----------------------------------------------------------------------------


def test_managers_change_settings(client_as, demo_project):
    client = client_as("manager")
    response = client.post(
        reverse("annotator:project-settings", args=[demo_project.pk]),
        {"name": "Renamed", "description": "", "granularity": "word", "uses_assignments": "on"},
    )
    assert response.status_code == 302
    assert _project_state(demo_project) == ("Renamed", "word", False, True)


def test_assignments_cannot_be_switched_off_while_the_project_has_some(
    client_as, members, demo_project
):
    from annotator.models import Assignment

    Assignment.objects.create(document=demo_project.documents.first(), coder=members["annotator"])
    before = _project_state(demo_project)
    response = client_as("manager").post(
        reverse("annotator:project-settings", args=[demo_project.pk]),
        {"name": "Renamed", "granularity": "character", "blind_coding": "on"},
    )
    assert (
        response.status_code == 400
        and "remove them on the Assignments page" in response.content.decode()
    )
    assert _project_state(demo_project) == before


# --- members --------------------------------------------------------------------------------


def test_managers_add_members_by_username_or_email(client_as, make_user, demo_project):
    make_user("dora", email="Dora@Example.org")
    make_user("eve")
    client = client_as("manager")
    url = reverse("annotator:member-add", args=[demo_project.pk])
    assert client.post(url, {"user": "dora@example.org", "role": "curator"}).status_code == 302
    assert client.post(url, {"user": "eve", "role": "annotator"}).status_code == 302
    roles = dict(
        Membership.objects.filter(project=demo_project).values_list("user__username", "role")
    )
    assert roles["dora"] == "curator" and roles["eve"] == "annotator"


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("nobody", "invite the person with a link"),
        ("annotator", "already a member"),
        ("", "required"),
    ],
)
def test_adding_a_member_refuses_bad_input_inline(
    client_as, demo_project, row_counts, user, message
):
    before = row_counts()
    response = client_as("manager").post(
        reverse("annotator:member-add", args=[demo_project.pk]), {"user": user, "role": "annotator"}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert row_counts() == before


def test_the_last_manager_can_be_neither_demoted_nor_removed(client_as, members, demo_project):
    membership = Membership.objects.get(project=demo_project, user=members["manager"])
    client = client_as("manager")
    response = client.post(
        reverse("annotator:member-role", args=[demo_project.pk, membership.pk]),
        {"role": "annotator"},
    )
    assert response.status_code == 400 and "at least one manager" in response.content.decode()
    response = client.post(
        reverse("annotator:member-remove", args=[demo_project.pk, membership.pk])
    )
    assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_removing_a_member_keeps_their_codings(client_as, members, demo_project):
    document = demo_project.documents.first()
    code = demo_project.codebook.codes.first()
    Annotation.objects.create(
        document=document, coder=members["annotator"], code=code, start_offset=0, end_offset=3
    )
    membership = Membership.objects.get(project=demo_project, user=members["annotator"])
    client = client_as("manager")
    client.post(
        reverse("annotator:member-role", args=[demo_project.pk, membership.pk]), {"role": "curator"}
    )
    membership.refresh_from_db()
    assert membership.role == "curator"
    assert (
        client.post(
            reverse("annotator:member-remove", args=[demo_project.pk, membership.pk])
        ).status_code
        == 302
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Annotation.objects.get(document=document).coder == members["annotator"]


def test_a_membership_of_another_project_is_not_found(client_as, members, demo_project, make_user):
    other = Project.objects.create(name="Other", codebook=Codebook.objects.create(name="cb2"))
    foreign = Membership.objects.create(project=other, user=make_user("z"), role="manager")
    response = client_as("manager").post(
        reverse("annotator:member-remove", args=[demo_project.pk, foreign.pk])
    )
    assert response.status_code == 404 and Membership.objects.filter(pk=foreign.pk).exists()


# --- invitations ----------------------------------------------------------------------------


def _invite(client, project, **data):
    response = client.post(
        reverse("annotator:invitation-create", args=[project.pk]), {"role": "annotator", **data}
    )
    assert response.status_code == 200
    return re.search(
        r'value="(http://testserver/invitations/[^"]+/)"', response.content.decode()
    ).group(1)


def test_an_invitation_link_creates_an_account_that_joins_once(client_as, demo_project, client):
    link = _invite(client_as("manager"), demo_project, role="curator", email="new@example.org")
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "curator" in page.content.decode()
    response = client.post(
        link,
        {
            "username": "newbie",
            "email": "new@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/projects/{demo_project.pk}/"
    user = User.objects.get(username="newbie")
    assert user.check_password("a-long-passphrase-42") and user.email == "new@example.org"
    assert Membership.objects.get(project=demo_project, user=user).role == "curator"
    assert client.get(f"/projects/{demo_project.pk}/").status_code == 200  # signed in
    client.logout()
    again = client.get(link)
    assert again.status_code == 404 and "already been used" in again.content.decode()


def test_accepting_refuses_bad_accounts_inline_and_writes_nothing(
    client_as, demo_project, client, row_counts
):
    link = _invite(client_as("manager"), demo_project)
    client.logout()
    before = row_counts()
    for data, message in [
        (
            {
                "username": "annotator",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
            "taken",
        ),
        ({"username": "ok", "password1": "123", "password2": "123"}, "too short"),
        (
            {
                "username": "ok",
                "password1": "a-long-passphrase-42",
                "password2": "other-passphrase-9",
            },
            "differ",
        ),
        (
            {
                "username": "bad name!",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
            "valid username",
        ),
    ]:
        response = client.post(link, data)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert row_counts() == before
    assert Invitation.objects.get().accepted_at is None


def test_a_signed_in_user_joins_with_their_account(client_as, demo_project, make_user, client):
    link = _invite(client_as("manager"), demo_project)
    dora = make_user("dora")
    client.force_login(dora)
    assert "Join as dora" in client.get(link).content.decode()
    client.post(link)
    assert Membership.objects.get(project=demo_project, user=dora).role == "annotator"


def test_expired_withdrawn_and_unknown_links_say_why(client_as, demo_project, client):
    manager = client_as("manager")
    link = _invite(manager, demo_project)
    Invitation.objects.update(expires_at=timezone.now())
    client.logout()
    assert "expired" in client.get(link).content.decode()
    response = client.post(
        link,
        {
            "username": "x1",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 404 and not User.objects.filter(username="x1").exists()
    manager = client_as("manager")
    link = _invite(manager, demo_project)
    invitation = Invitation.objects.filter(expires_at__gt=timezone.now()).get()
    manager.post(reverse("annotator:invitation-revoke", args=[demo_project.pk, invitation.pk]))
    client.logout()
    assert "withdrawn" in client.get(link).content.decode()
    assert "not valid" in client.get("/invitations/made-up-token/").content.decode()


def test_only_the_hash_of_the_token_is_stored(client_as, demo_project):
    link = _invite(client_as("manager"), demo_project)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in Invitation.objects.get().token_sha256


# --- passwords ------------------------------------------------------------------------------


def test_users_change_their_password(client_as, members):
    client = client_as("annotator")
    page = client.get(reverse("annotator:password-change"))
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    response = client.post(
        reverse("annotator:password-change"),
        {
            "old_password": "pw-annotator",
            "new_password1": "a-long-passphrase-42",
            "new_password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    members["annotator"].refresh_from_db()
    assert members["annotator"].check_password("a-long-passphrase-42")


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, make_user):
    user = make_user("forgetful", email="f@example.org")
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("annotator:password-reset"), {"email": "f@example.org"})
    assert response.status_code == 302
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body
    ).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and "Choose a new password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-passphrase-42", "new_password2": "a-long-passphrase-42"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-passphrase-42")


# --- 403 and 404 pages ----------------------------------------------------------------------


def test_the_403_page_names_the_role_needed(client_as, demo_project):
    response = client_as("annotator").get(
        reverse("annotator:project-members", args=[demo_project.pk])
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert (
        "You may not do this" in html
        and "needs the manager role" in html
        and "your role there is annotator" in html
    )


def test_the_404_page_is_styled(client_as):
    response = client_as("annotator").get("/projects/999999/")
    assert response.status_code == 404 and "Not found" in response.content.decode()
    assert "app.css" in response.content.decode()


def test_the_project_page_links_every_setup_page_for_managers_only(client_as, demo_project):
    html = (
        client_as("manager")
        .get(reverse("annotator:project-detail", args=[demo_project.pk]))
        .content.decode()
    )
    for name in ("project-settings", "project-members", "document-upload"):
        assert reverse(f"annotator:{name}", args=[demo_project.pk]) in html
    document = demo_project.documents.first()
    assert reverse("annotator:document-edit", args=[demo_project.pk, document.pk]) in html
    assert reverse("annotator:document-memo", args=[demo_project.pk, document.pk]) in html
    html = (
        client_as("annotator")
        .get(reverse("annotator:project-detail", args=[demo_project.pk]))
        .content.decode()
    )
    assert reverse("annotator:project-members", args=[demo_project.pk]) not in html
    assert reverse("annotator:document-memo", args=[demo_project.pk, document.pk]) in html
