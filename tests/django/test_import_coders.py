"""Imported coders map to members of the project, its gold standard, or placeholder accounts:
an import cannot write codings as another account of the site, enrol it, or tell whether it
exists. The same rule through the service, the API and the command."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from annotator import services
from annotator.models import Annotation, Code, Codebook, Document, Membership, Project
from annotator.selectors.exports import export_file
from annotator.services import imports
from annotator.services.workflow import gold_user_for

ANNOTATIONS = "/api/v1/projects/1/annotations/import/"
User = get_user_model()


def _upload(*coders, name="d.jsonl") -> SimpleUploadedFile:
    record = {
        "text": "A new article about trade.",
        "annotations": [
            {"coder": coder, "code": "trade", "start_offset": 0, "end_offset": 5}
            for coder in coders
        ],
    }
    return SimpleUploadedFile(name, (json.dumps(record) + "\n").encode())


def _post(client, coders, **extra):
    return client.post(
        ANNOTATIONS, {"format": "jsonl", "file": _upload(*coders), **extra}, format="multipart"
    )


@pytest.fixture
def other_project(demo_project, make_user):
    """A second project with its own gold-standard account and a member of its own."""
    project = Project.objects.create(
        name="Other", codebook=Codebook.objects.create(name="Other book")
    )
    Membership.objects.create(user=make_user("stranger"), project=project, role="manager")
    gold_user_for(project)
    return project


def test_it_never_writes_as_the_superuser_or_enrols_them(api_as, members, make_user):
    admin = make_user("admin", is_superuser=True, is_staff=True)
    response = _post(api_as("manager"), ["admin"])
    assert response.status_code == 201, response.content
    assert response.json()["coders"] == [
        {"name": "admin", "username": "imported-admin", "kind": "new placeholder"}
    ]
    assert not Annotation.objects.filter(coder=admin).exists()
    assert not Membership.objects.filter(user=admin).exists()
    placeholder = User.objects.get(username="imported-admin")
    assert not placeholder.is_active and not placeholder.is_superuser
    assert not placeholder.has_usable_password()
    assert Membership.objects.get(user=placeholder).role == "annotator"


def test_another_projects_gold_standard_never_becomes_an_annotator(api_as, members, other_project):
    gold = other_project.gold_user
    response = _post(api_as("manager"), [gold.username])
    assert response.status_code == 201
    assert response.json()["coders"][0]["username"] == f"imported-{gold.username}"
    assert not Membership.objects.filter(user=gold).exists()
    assert not Annotation.objects.filter(coder=gold).exists()


def test_another_projects_member_is_not_matched(api_as, members, other_project):
    response = _post(api_as("manager"), ["stranger"])
    assert response.json()["coders"][0]["kind"] == "new placeholder"
    assert not Membership.objects.filter(user__username="stranger", project_id=1).exists()


def test_the_mapping_does_not_reveal_whether_an_account_exists(api_as, members):
    # "outsider" exists (a member of no project); "nobody" does not: both map alike.
    body = _post(api_as("manager"), ["outsider", "nobody"], preview="true").json()
    assert body["coders"] == [
        {"name": "outsider", "username": "imported-outsider", "kind": "new placeholder"},
        {"name": "nobody", "username": "imported-nobody", "kind": "new placeholder"},
    ]


def test_names_django_would_refuse_become_valid_distinct_placeholders(api_as, members):
    names = ["Bob Smith/≠", "bob-smith", "  ", "x" * 400, "مریم"]
    response = _post(api_as("manager"), names)
    assert response.status_code == 201, response.content
    usernames = [m["username"] for m in response.json()["coders"]]
    assert usernames[:4] == [
        "imported-bob-smith",
        "imported-bob-smith-2",
        "imported-coder",
        "imported-" + "x" * 133,
    ]
    assert usernames[4] == "imported-مریم"
    for user in User.objects.filter(username__in=usernames):
        user.full_clean()  # valid by Django's own rules
    assert len(set(usernames)) == 5


def test_a_taken_placeholder_name_gets_a_number(api_as, members, make_user):
    make_user("imported-carol")  # a real account, not a placeholder of this project
    body = _post(api_as("manager"), ["carol"]).json()
    assert body["coders"][0]["username"] == "imported-carol-2"
    assert not Annotation.objects.filter(coder__username="imported-carol").exists()


def test_members_keep_their_codings_and_a_second_import_reuses_the_placeholder(api_as, members):
    client = api_as("manager")
    first = _post(client, ["annotator", "dana"]).json()
    assert [m["kind"] for m in first["coders"]] == ["member", "new placeholder"]
    again = _post(client, ["annotator", "dana"]).json()
    assert [m["kind"] for m in again["coders"]] == ["member", "placeholder"]
    assert (again["codings"], again["codings_existing"], again["users_created"]) == (0, 2, 0)


def test_preview_writes_nothing(api_as, members, row_counts):
    before = row_counts()
    response = _post(api_as("manager"), ["dana"], preview="true")
    assert response.status_code == 200
    assert response.json()["coders"][0]["kind"] == "new placeholder"
    assert row_counts() == before


def test_the_api_refuses_a_bad_prefix_by_field(api_as, members, row_counts):
    before = row_counts()
    response = _post(api_as("manager"), ["dana"], placeholder_prefix="no spaces")
    assert response.status_code == 400
    assert "placeholder_prefix" in response.json()
    assert row_counts() == before


def test_the_importer_must_be_a_member_for_codings_naming_no_coder(
    demo_project, members, row_counts
):
    label = {"text": "Unnamed coder text", "label": [[0, 7, "trade"]]}
    before = row_counts()
    with pytest.raises(ValidationError, match="coder: missing; codings that name no coder"):
        imports.annotations_import_jsonl(
            project=demo_project,
            file=io.BytesIO(json.dumps(label).encode()),
            filename="d.jsonl",
            user=members["outsider"],
        )
    assert row_counts() == before


def test_the_command_prints_the_mapping_and_dry_runs(demo_project, members, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(_upload("annotator", "admin").read())
    out = io.StringIO()
    call_command("import_annotations", "1", str(path), "--format", "jsonl", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "coder annotator → annotator (member)",
        "coder admin → imported-admin (new placeholder)",
        "Dry run: nothing written.",
    ]
    assert not Annotation.objects.exists()
    out = io.StringIO()
    call_command(
        "import_annotations",
        "1",
        str(path),
        "--format",
        "jsonl",
        "--placeholder-prefix",
        "legacy_",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "coder admin → legacy_admin (new placeholder)" in out.getvalue()
    assert set(Annotation.objects.values_list("coder__username", flat=True)) == {
        "annotator",
        "legacy_admin",
    }


def test_the_command_refuses_a_non_member_as_the_importer(demo_project, members, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "Some new text", "label": [[0, 4, "trade"]]}))
    with pytest.raises(CommandError, match="codings that name no coder belong to the importer"):
        call_command(
            "import_annotations",
            "1",
            str(path),
            "--format",
            "jsonl",
            "--user",
            "outsider",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Annotation.objects.exists()


# --- the gold standard on re-import ------------------------------------------------------------


@pytest.fixture
def gold_coded(demo_project, members):
    """A coder's coding and a gold-standard coding on document 1."""
    gold = gold_user_for(demo_project)
    code = Code.objects.get(codebook=demo_project.codebook, name="trade")
    document = Document.objects.get(pk=1)
    for coder in (members["annotator"], gold):
        services.annotation_create(
            document=document, coder=coder, code=code, start_offset=0, end_offset=4
        )
    return demo_project


@pytest.mark.parametrize("fmt", ["jsonl", "qdpx"])
def test_the_projects_own_gold_standard_stays_gold_on_reimport(gold_coded, members, fmt):
    data = b"".join(export_file(gold_coded, fmt).chunks)
    Annotation.objects.all().delete()
    service = getattr(imports, f"annotations_import_{fmt}")
    result = service(project=gold_coded, file=io.BytesIO(data), filename=f"p.{fmt}")
    gold = gold_coded.gold_user
    assert {(m.name, m.kind) for m in result.coders} == {
        ("annotator", "member"),
        (gold.username, "gold standard"),
    }
    assert Annotation.objects.filter(coder=gold).count() == 1
    assert not Membership.objects.filter(user=gold).exists()
    assert result.users_created == 0


def test_an_archive_restores_the_gold_standard_as_the_new_projects_gold(gold_coded, members):
    data = b"".join(export_file(gold_coded, "archive").chunks)
    restored = imports.project_import_archive(
        file=io.BytesIO(data), filename="a.json", name="Restored"
    )
    restored.refresh_from_db()
    gold = restored.gold_user
    assert gold is not None and gold.username == f"gold-standard-{restored.pk}"
    assert not gold.is_active
    assert Annotation.objects.filter(document__project=restored, coder=gold).count() == 1
    assert not Membership.objects.filter(project=restored, user=gold).exists()
    assert not Membership.objects.filter(user=gold_coded.gold_user).exists()


def test_an_archive_refuses_a_username_django_would_refuse(demo_project, members, row_counts):
    data = json.loads(b"".join(export_file(demo_project, "archive").chunks))
    data["members"] = [{"username": "bad name/≠", "role": "annotator"}]
    before = row_counts()
    with pytest.raises(
        ValidationError, match=r"members\[0\]: field coder: 'bad name/≠' is not a valid"
    ):
        imports.project_import_archive(
            file=io.BytesIO(json.dumps(data).encode()), filename="a.json", name="X"
        )
    assert row_counts() == before
