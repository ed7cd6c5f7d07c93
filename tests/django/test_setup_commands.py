"""create_project and invite: the same services as the pages; one-line errors, exit 1."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotator.models import Invitation, Membership, Project

pytestmark = pytest.mark.django_db


def test_create_project_makes_the_user_its_manager(make_user, capsys):
    make_user("root", is_staff=True)
    call_command("create_project", "Team study", "--manager", "root", "--granularity", "word")
    project = Project.objects.get(name="Team study")
    assert project.granularity == "word" and project.codebook.name == "Team study"
    assert Membership.objects.get(project=project).role == "manager"
    assert f"Created project {project.pk}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--manager", "ghost"], "No user 'ghost'"),
        (["X", "--manager", "plain"], "staff account"),
        (["  ", "--manager", "root"], "Give the project a name"),
    ],
)
def test_create_project_refuses_in_one_line(make_user, args, message):
    make_user("root", is_staff=True)
    make_user("plain")
    with pytest.raises(CommandError, match=message):
        call_command("create_project", *args)
    assert not Project.objects.exists()


def test_invite_adds_accounts_or_prints_a_working_link(members, demo_project, capsys, client):
    call_command("invite", str(demo_project.pk), "--user", "outsider", "--role", "curator")
    assert Membership.objects.get(user=members["outsider"]).role == "curator"
    call_command("invite", str(demo_project.pk), "--base-url", "https://a.example.org/")
    out = capsys.readouterr().out
    token = re.search(r"https://a\.example\.org/invitations/(\S+)/ \(single use", out).group(1)
    assert client.get(f"/invitations/{token}/").status_code == 200
    with pytest.raises(CommandError, match="already a member"):
        call_command("invite", str(demo_project.pk), "--user", "annotator")
    with pytest.raises(CommandError, match="No project"):
        call_command("invite", "999")
    assert Invitation.objects.count() == 1
