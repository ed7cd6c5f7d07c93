"""The import page: managers only, inline errors (htmx fragment or full page), uploads."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from annotator.models import Annotation, Document, Membership

EXPECTED = {"manager": 200, "curator": 403, "annotator": 403, "outsider": 404}


def _url(project):
    return reverse("annotator:project-import", args=[project.pk])


def _jsonl(*records):
    return SimpleUploadedFile("d.jsonl", "".join(json.dumps(r) + "\n" for r in records).encode())


@pytest.mark.parametrize("role", ["manager", "curator", "annotator", "outsider", "anonymous"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_lets_only_managers_import(client_as, demo_project, role, method):
    client = client_as(role)
    if method == "get":
        response = client.get(_url(demo_project))
    else:
        response = client.post(
            _url(demo_project), {"kind": "documents-jsonl", "files": _jsonl({"text": "new text"})}
        )
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif role == "manager":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == EXPECTED[role]
    assert Document.objects.count() == (6 if role == "manager" and method == "post" else 5)


def test_it_renders_the_full_page_or_the_form_fragment_for_htmx(client_as, demo_project):
    client = client_as("manager")
    page = client.get(_url(demo_project))
    assert b"<html" in page.content and b'id="import-form"' in page.content
    assert page["Vary"].count("HX-Request") == 1
    fragment = client.get(_url(demo_project), headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert fragment.content.lstrip().startswith(b'<form id="import-form"')
    assert b"style=" not in page.content


def test_it_imports_and_redirects_to_the_project_with_a_message(client_as, demo_project):
    response = client_as("manager").post(
        _url(demo_project),
        {
            "kind": "documents-txt",
            "files": [
                SimpleUploadedFile("one.txt", b"First"),
                SimpleUploadedFile("two.txt", b"Second"),
            ],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "annotator:project-detail", args=[demo_project.pk]
    )
    assert "Imported 2 documents" in response.content.decode()
    assert Document.objects.filter(title__in=["one", "two"]).count() == 2


def _codings():
    return _jsonl(
        {
            "text": Document.objects.get(pk=4).text,
            "label": [[0, 5, "trade"]],  # agrees with annotations (label wins when it differs)
            "annotations": [
                {"coder": "annotator", "code": "trade", "start_offset": 0, "end_offset": 5},
                {"coder": "admin", "code": "trade", "start_offset": 0, "end_offset": 5},
            ],
        },
        {"text": Document.objects.get(pk=1).text, "label": [[0, 4, "trade"]]},
    )


def test_it_imports_codings_through_htmx_after_showing_the_mapping(
    client_as, demo_project, members, make_user, row_counts
):
    make_user("admin", is_superuser=True, is_staff=True)
    client = client_as("manager")
    before = row_counts()
    preview = client.post(
        _url(demo_project),
        {"kind": "annotations-jsonl", "files": _codings()},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    body = preview.content.decode()
    assert body.lstrip().startswith('<div id="import-outcome">')
    assert "<td>annotator</td><td>annotator</td><td>member</td>" in body
    assert "<td>admin</td><td>imported-admin</td><td>new placeholder</td>" in body
    assert "<td>(no coder named)</td><td>manager</td><td>you</td>" in body
    assert row_counts() == before
    digest = re.search(r'name="confirm" value="(\w+)"', body).group(1)
    response = client.post(
        _url(demo_project),
        {"kind": "annotations-jsonl", "files": _codings(), "confirm": digest},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Imported 0 documents, 3 codings" in response.content.decode()
    assert sorted(Annotation.objects.values_list("coder__username", flat=True)) == [
        "annotator",
        "imported-admin",
        "manager",
    ]
    assert not Annotation.objects.filter(coder__username="admin").exists()


def test_it_refuses_a_confirmation_of_a_mapping_that_changed(
    client_as, demo_project, members, row_counts
):
    client = client_as("manager")
    body = client.post(
        _url(demo_project), {"kind": "annotations-jsonl", "files": _codings()}
    ).content.decode()
    assert "Choose the same file again above, then confirm." in body
    digest = re.search(r'name="confirm" value="(\w+)"', body).group(1)
    Membership.objects.filter(user=members["annotator"]).delete()  # no longer a member
    before = row_counts()
    response = client.post(
        _url(demo_project), {"kind": "annotations-jsonl", "files": _codings(), "confirm": digest}
    )
    assert response.status_code == 422
    assert "The coder mapping changed since it was shown" in response.content.decode()
    assert row_counts() == before


def test_it_confirms_without_javascript_and_redirects(client_as, demo_project, members):
    client = client_as("manager")
    body = client.post(
        _url(demo_project), {"kind": "annotations-jsonl", "files": _codings()}
    ).content.decode()
    digest = re.search(r'name="confirm" value="(\w+)"', body).group(1)
    response = client.post(
        _url(demo_project),
        {
            "kind": "annotations-jsonl",
            "files": _codings(),
            "confirm": digest,
        },
    )
    assert response.status_code == 302
    assert Annotation.objects.count() == 3


def test_it_uses_the_importers_placeholder_prefix_and_validates_it(client_as, demo_project):
    client = client_as("manager")
    body = client.post(
        _url(demo_project),
        {"kind": "annotations-jsonl", "files": _codings(), "placeholder_prefix": "survey2024."},
    ).content.decode()
    assert "<td>admin</td><td>survey2024.admin</td>" in body
    response = client.post(
        _url(demo_project),
        {"kind": "annotations-jsonl", "files": _codings(), "placeholder_prefix": "gold-standard-"},
    )
    assert response.status_code == 422
    assert "gold-standard- is reserved" in response.content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_it_shows_a_bad_file_inline_with_422_and_writes_nothing(client_as, demo_project, htmx):
    upload = SimpleUploadedFile("d.jsonl", b'{"text": "fine"}\n{broken\n')
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_as("manager").post(
        _url(demo_project), {"kind": "documents-jsonl", "files": upload}, headers=headers
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "d.jsonl, line 2: not valid JSON" in body and 'role="alert"' in body
    assert ("<html" in body) is not htmx
    assert Document.objects.count() == 5


@override_settings(ANNOTATOR_MAX_UPLOAD_BYTES=8)
def test_it_refuses_an_upload_over_the_limit_inline(client_as, demo_project):
    upload = SimpleUploadedFile("big.txt", b"0123456789")
    response = client_as("manager").post(
        _url(demo_project), {"kind": "documents-txt", "files": upload}
    )
    assert response.status_code == 422
    assert "big.txt: the file is larger than the limit of 8 bytes." in response.content.decode()
    assert Document.objects.count() == 5


def test_it_asks_for_a_file_and_validates_the_column_mapping(client_as, demo_project):
    client = client_as("manager")
    response = client.post(_url(demo_project), {"kind": "documents-txt"})
    assert response.status_code == 422 and "Choose a file to import." in response.content.decode()
    upload = SimpleUploadedFile("d.csv", b"text\nx\n")
    response = client.post(
        _url(demo_project), {"kind": "documents-csv", "columns": "title", "files": upload}
    )
    assert (
        response.status_code == 422
        and "is not of the form field=column" in response.content.decode()
    )
