"""Uploads of PDF/DOCX/HTML/Markdown/text with the original kept, document metadata, memos,
and the access matrix of every team-setup route."""

import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotator.models import Document, DocumentMemo, DocumentOriginal, Invitation, Membership

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from setup_files import make_docx, make_pdf  # noqa: E402

pytestmark = pytest.mark.django_db


def _upload(client, project, *files, fmt="files", **extra):
    return client.post(
        reverse("annotator:document-upload", args=[project.pk]),
        {"format": fmt, "files": [SimpleUploadedFile(name, data) for name, data in files], **extra},
    )


def test_it_uploads_pdf_docx_html_markdown_and_text_keeping_the_originals(client_as, demo_project):
    pdf = make_pdf([["Café talks in Moscow.", "Second line."], ["Next paragraph."]], title="Talks")
    docx = make_docx(["Cafe\u0301 one.", "Two."])  # decomposed é: stored as NFC
    files = [
        ("talks.pdf", pdf),
        ("memo.docx", docx),
        ("page.html", b"<title>Web</title><p>Hello <i>web</i></p><p>Bye</p>"),
        ("notes.md", b"Some *notes*.\n\nMore."),
        ("plain.txt", b"Plain text.\r\n\r\nSecond."),
    ]
    response = _upload(client_as("manager"), demo_project, *files)
    assert response.status_code == 302
    docs = {d.original.filename: d for d in Document.objects.filter(original__isnull=False)}
    assert docs["talks.pdf"].text == "Café talks in Moscow.\nSecond line.\n\nNext paragraph."
    assert docs["talks.pdf"].title == "Talks"
    assert docs["memo.docx"].text == "Café one.\n\nTwo." and docs["memo.docx"].title == "memo"
    assert docs["page.html"].text == "Hello web\n\nBye" and docs["page.html"].title == "Web"
    assert docs["notes.md"].text == "Some notes.\n\nMore."
    assert docs["plain.txt"].text == "Plain text.\n\nSecond."
    for document in docs.values():
        assert document.length == len(document.text)
    download = client_as("annotator").get(
        reverse("annotator:document-original", args=[demo_project.pk, docs["talks.pdf"].pk])
    )
    assert download.status_code == 200 and download.content == pdf
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="talks.pdf"'


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("locked.pdf", make_pdf([["secret"]], password="pw"), "encrypted"),
        ("scan.pdf", make_pdf([]), "no text layer"),
        ("broken.docx", b"PK\x03\x04 broken", "not a readable Word document"),
        ("sheet.odt", b"x", "unknown kind of file"),
    ],
)
def test_a_bad_file_refuses_the_whole_upload(
    client_as, demo_project, row_counts, name, data, message
):
    before = (row_counts(), DocumentOriginal.objects.count())
    response = _upload(
        client_as("manager"), demo_project, ("good.pdf", make_pdf([["Fine text."]])), (name, data)
    )
    assert response.status_code == 400
    assert name in response.content.decode() and message in response.content.decode()
    assert (row_counts(), DocumentOriginal.objects.count()) == before


def test_a_duplicate_text_is_refused(client_as, demo_project, row_counts):
    text = demo_project.documents.first().text.encode()
    before = row_counts()
    response = _upload(client_as("manager"), demo_project, ("dup.txt", text))
    assert response.status_code == 400 and "same text" in response.content.decode()
    assert row_counts() == before


def test_csv_and_jsonl_go_through_the_import_service(client_as, demo_project):
    client = client_as("manager")
    assert (
        _upload(
            client,
            demo_project,
            ("d.csv", b"text,Head,desk\nA csv text.,T1,W\n"),
            fmt="csv",
            columns="title=Head,desk=desk",
        ).status_code
        == 302
    )
    assert (
        _upload(
            client, demo_project, ("d.jsonl", b'{"text": "A jsonl text."}\n'), fmt="jsonl"
        ).status_code
        == 302
    )
    csv_document = Document.objects.get(text="A csv text.")
    assert (csv_document.title, csv_document.metadata) == ("T1", {"desk": "W"})
    assert Document.objects.filter(text="A jsonl text.").exists()


def test_managers_edit_metadata_but_never_the_text(client_as, demo_project):
    document = demo_project.documents.first()
    text = document.text
    url = reverse("annotator:document-edit", args=[demo_project.pk, document.pk])
    response = client_as("manager").post(
        url,
        {"title": "New title", "source": "Reuters", "author": "A. B.", "url": "https://ex.org/a",
         "published": "2024-02-03", "external_id": "x-1", "metadata": '{"desk": "World"}',
         "text": "forged"},
    )  # fmt: skip
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.source, document.metadata) == (
        "New title",
        "Reuters",
        {"desk": "World"},
    )
    assert str(document.published) == "2024-02-03" and document.text == text


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("[1, 2]", "Enter a JSON object"),
        ("{bad", "Not valid JSON"),
        ('{"a": {"b": 1}}', "must be text"),
    ],
)
def test_bad_metadata_is_refused_inline(client_as, demo_project, metadata, message):
    document = demo_project.documents.first()
    before = (document.title, document.metadata)
    response = client_as("manager").post(
        reverse("annotator:document-edit", args=[demo_project.pk, document.pk]),
        {"title": "Changed", "metadata": metadata},
    )
    assert response.status_code == 400 and message in response.content.decode()
    document.refresh_from_db()
    assert (document.title, document.metadata) == before


def test_memos_are_per_coder_and_respect_blind_coding(client_as, members, demo_project):
    document = demo_project.documents.first()
    url = reverse("annotator:document-memo", args=[demo_project.pk, document.pk])
    client_as("annotator").post(url, {"text": "alice thinks A"})
    client = client_as("annotator2")
    client.post(url, {"text": "bob thinks B"})
    html = client.get(url).content.decode()
    assert "bob thinks B" in html and "alice thinks A" not in html  # blind coding
    html = client_as("curator").get(url).content.decode()
    assert "bob thinks B" in html and "alice thinks A" in html
    demo_project.blind_coding = False
    demo_project.save()
    assert "alice thinks A" in client_as("annotator2").get(url).content.decode()
    client_as("annotator").post(url, {"text": "  "})
    assert not DocumentMemo.objects.filter(coder=members["annotator"]).exists()
    assert DocumentMemo.objects.get().text == "bob thinks B"


# --- access: every new route x every role ----------------------------------------------------

ROLES = ["manager", "curator", "annotator", "outsider", "anonymous"]
# route -> minimum role ("member" = any role of the project)
MANAGER_ONLY = {"manager"}
EVERY_MEMBER = {"manager", "curator", "annotator"}


@pytest.fixture
def setup_routes(demo_project, members):
    document = demo_project.documents.first()
    DocumentOriginal.objects.create(
        document=document,
        filename="a.txt",
        content_type="text/plain",
        size=1,
        sha256="0",
        data=b"a",
    )
    membership = Membership.objects.get(project=demo_project, user=members["annotator2"])
    invitation = Invitation.objects.create(
        project=demo_project, token_sha256="f" * 64, expires_at="2999-01-01T00:00Z"
    )
    p, d = demo_project.pk, document.pk
    return [
        ("project-settings", [p], MANAGER_ONLY, {"name": "Forged", "granularity": "word"}),
        ("project-members", [p], MANAGER_ONLY, None),
        ("member-add", [p], MANAGER_ONLY, {"user": "outsider", "role": "manager"}),
        ("member-role", [p, membership.pk], MANAGER_ONLY, {"role": "manager"}),
        ("member-remove", [p, membership.pk], MANAGER_ONLY, {}),
        ("invitation-create", [p], MANAGER_ONLY, {"role": "manager"}),
        ("invitation-revoke", [p, invitation.pk], MANAGER_ONLY, {}),
        ("document-upload", [p], MANAGER_ONLY, {"format": "files"}),
        ("document-edit", [p, d], MANAGER_ONLY, {"title": "Forged"}),
        ("document-original", [p, d], EVERY_MEMBER, None),
        ("document-memo", [p, d], EVERY_MEMBER, {"text": "memo"}),
    ]


def _state(project):
    from annotator.models import Project

    project = Project.objects.get(pk=project.pk)
    return (
        project.name,
        project.granularity,
        sorted(Membership.objects.filter(project=project).values_list("user_id", "role")),
        list(Invitation.objects.values_list("id", "revoked_at")),
        list(Document.objects.order_by("pk").values_list("title", flat=True)),
    )


POST_ONLY = {"member-add", "member-role", "member-remove", "invitation-create", "invitation-revoke"}


@pytest.mark.parametrize("role", ROLES)
def test_every_setup_route_answers_each_role_as_its_minimum_role_says(
    client_as, demo_project, setup_routes, role
):
    client = client_as(role)
    for name, args, allowed, post_data in setup_routes:
        url = reverse(f"annotator:{name}", args=args)
        before = _state(demo_project)
        if name in POST_ONLY:
            response = client.post(url, post_data)
            if role != "anonymous":
                assert client.get(url).status_code == 405, name
        else:
            response = client.get(url)
            if post_data is not None and role not in allowed:
                post = client.post(url, post_data)
                assert post.status_code == response.status_code, name
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        elif role == "outsider":
            assert response.status_code == 404, name
        elif role not in allowed:
            assert response.status_code == 403, name
            assert "needs the manager role" in response.content.decode(), name
        else:
            assert response.status_code in (200, 302, 400), (name, response.status_code)
        if role not in allowed:
            assert _state(demo_project) == before, name  # a forged request changes nothing


def test_project_create_route_by_role(client_as, members):
    for role in ROLES:
        response = client_as(role).get(reverse("annotator:project-create"))
        expected = 302 if role == "anonymous" else 403
        assert response.status_code == expected, role


def test_a_post_without_csrf_token_changes_nothing(members, demo_project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(members["manager"])
    before = _state(demo_project)
    for name, data in [
        ("member-add", {"user": "outsider", "role": "manager"}),
        ("project-settings", {"name": "Forged", "granularity": "word"}),
        ("invitation-create", {"role": "manager"}),
    ]:
        response = client.post(reverse(f"annotator:{name}", args=[demo_project.pk]), data)
        assert response.status_code == 403, name
    assert _state(demo_project) == before
