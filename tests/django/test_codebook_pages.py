"""The codebook editor's pages: access for every role, inline errors, forged requests."""

import io
import zipfile

import pytest
from django.urls import reverse

from annotator.models import Annotation, Code, Codebook, CodebookChange, CodebookVersion
from annotator.services import annotation_create
from annotator.services import codebooks as cb
from tests.conftest import ROLES

EXPECTED = {"manager": 200, "curator": 403, "annotator": 403, "outsider": 404, "anonymous": 302}


def _routes():
    iran = Code.objects.get(name="Iran").pk
    return [
        ("get", reverse("annotator:codebook-edit", args=[1]), {}),
        ("get", reverse("annotator:codebook-code", args=[1, iran]), {}),
        ("get", reverse("annotator:codebook-history", args=[1])),
        ("get", reverse("annotator:codebook-import", args=[1])),
        (
            "post",
            reverse("annotator:codebook-code-add", args=[1]),
            {"name": "new", "color": "#112233"},
        ),
        (
            "post",
            reverse("annotator:codebook-code", args=[1, iran]),
            {"name": "Persia", "color": "#112233"},
        ),
        ("post", reverse("annotator:codebook-code-move", args=[1, iran]), {"direction": "up"}),
        ("post", reverse("annotator:codebook-code-delete", args=[1, iran]), {}),
        ("post", reverse("annotator:codebook-code-split", args=[1, iran]), {"name": "x"}),
        ("post", reverse("annotator:codebook-merge", args=[1]), {"source": iran, "target": iran}),
        ("post", reverse("annotator:codebook-publish", args=[1]), {"note": "v"}),
        ("post", reverse("annotator:codebook-import", args=[1]), {}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_lets_in_managers_only(client_as, role):
    client = client_as(role)
    for method, url, *data in _routes():
        before = list(Code.objects.values_list("pk", "name", "order", "parent_id"))
        response = getattr(client, method)(url, *(data or [{}]))
        if method == "get" or role != "manager":
            expected = EXPECTED[role]
            assert response.status_code == expected, (role, method, url)
        if role != "manager":
            # A refused request changes nothing.
            assert list(Code.objects.values_list("pk", "name", "order", "parent_id")) == before
            assert not CodebookChange.objects.exists()


def test_the_project_page_links_to_the_editor_for_managers(client_as):
    url = reverse("annotator:codebook-edit", args=[1])
    assert url in client_as("manager").get("/projects/1/").content.decode()
    assert url not in client_as("annotator").get("/projects/1/").content.decode()


def test_adding_a_code_with_a_taken_name_shows_the_message_inline(client_as):
    client = client_as("manager")
    response = client.post(
        reverse("annotator:codebook-code-add", args=[1]), {"name": "Iran", "color": "#112233"}
    )
    assert response.status_code == 400
    assert "already exists at this level" in response.content.decode()
    assert Code.objects.filter(name="Iran").count() == 1
    response = client.post(
        reverse("annotator:codebook-code-add", args=[1]),
        {"name": "nuclear", "color": "#112233", "parent": Code.objects.get(name="Iran").pk},
        follow=True,
    )
    assert "Iran/nuclear" in response.content.decode()


def test_a_forged_parent_or_code_from_another_codebook_changes_nothing(client_as, members):
    other = Codebook.objects.create(name="other")
    foreign = Code.objects.create(codebook=other, name="foreign")
    client = client_as("manager")
    iran = Code.objects.get(name="Iran")
    response = client.post(
        reverse("annotator:codebook-code", args=[1, iran.pk]),
        {"name": "Iran", "color": "#112233", "parent": foreign.pk},
    )
    assert response.status_code == 400 and "valid choice" in response.content.decode()
    assert client.get(reverse("annotator:codebook-code", args=[1, foreign.pk])).status_code == 404
    response = client.post(
        reverse("annotator:codebook-merge", args=[1]), {"source": iran.pk, "target": foreign.pk}
    )
    assert response.status_code == 400
    assert Code.objects.get(pk=iran.pk).parent is None
    assert not CodebookChange.objects.exists()


def test_edit_page_renders_markdown_safely_and_warns_on_a_faint_colour(client_as):
    client = client_as("manager")
    iran = Code.objects.get(name="Iran")
    response = client.post(
        reverse("annotator:codebook-code", args=[1, iran.pk]),
        {
            "name": "Iran",
            "color": "#fafafa",
            "definition": "**state** <script>alert(1)</script> [x](javascript:alert(1))",
            "is_active": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "<strong>state</strong>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "hard to see" in page


def test_merge_split_publish_through_the_pages(client_as, members):
    client = client_as("manager")
    iran, syria = Code.objects.get(name="Iran"), Code.objects.get(name="Syria")
    from annotator.models import Document

    doc = Document.objects.get(pk=1)
    a, _ = annotation_create(
        document=doc, coder=members["annotator"], code=iran, start_offset=0, end_offset=4
    )
    response = client.post(
        reverse("annotator:codebook-code-split", args=[1, iran.pk]),
        {"name": "Iran (nuclear)", "annotations": [a.pk]},
        follow=True,
    )
    assert "1 coding(s) moved" in response.content.decode()
    new = Code.objects.get(name="Iran (nuclear)")
    response = client.post(
        reverse("annotator:codebook-merge", args=[1]),
        {"source": new.pk, "target": syria.pk},
        follow=True,
    )
    assert "merged into" in response.content.decode()
    assert Annotation.objects.get(pk=a.pk).code == syria
    response = client.post(reverse("annotator:codebook-publish", args=[1]), {"note": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(
        reverse("annotator:codebook-publish", args=[1]), {"note": "first"}, follow=True
    )
    assert "Version 1 published" in response.content.decode()
    history = client.get(reverse("annotator:codebook-history", args=[1])).content.decode()
    assert "Version 1" in history and "Merged" in history and "Split" in history


def test_deleting_a_code_with_codings_is_refused_on_the_page(client_as, members):
    from annotator.models import Document

    iran = Code.objects.get(name="Iran")
    annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator"],
        code=iran,
        start_offset=0,
        end_offset=4,
    )
    response = client_as("manager").post(
        reverse("annotator:codebook-code-delete", args=[1, iran.pk])
    )
    assert response.status_code == 400 and "merge it into another code" in response.content.decode()
    assert Code.objects.filter(pk=iran.pk).exists()


def test_move_buttons_reorder(client_as):
    client = client_as("manager")
    tops = lambda: list(Code.objects.filter(parent=None).order_by("order", "name"))  # noqa: E731
    second = tops()[1]
    client.post(reverse("annotator:codebook-code-move", args=[1, second.pk]), {"direction": "up"})
    assert tops()[0] == second
    response = client.post(
        reverse("annotator:codebook-code-move", args=[1, second.pk]), {"direction": "up"}
    )
    assert response.status_code == 400 and "already the first" in response.content.decode()


QDC = (
    b'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55809" name="actors" isCodable="false">'
    b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55810" name="Iran" isCodable="true"/></Code>'
    b"</Codes></CodeBook>"
)


def test_import_previews_then_applies_into_the_draft(client_as, members):
    cb.codebook_publish(codebook=Codebook.objects.get(pk=1), user=members["manager"], note="v1")
    client = client_as("manager")
    url = reverse("annotator:codebook-import", args=[1])
    before = Code.objects.count()
    upload = io.BytesIO(QDC)
    upload.name = "book.qdc"
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "added actors/Iran" in page and "added actors" in page
    assert Code.objects.count() == before  # the preview wrote nothing
    payload = response.context["payload"]
    response = client.post(url, {"payload": payload}, follow=True)
    assert "imported into the draft" in response.content.decode()
    assert Code.objects.count() == before + 2
    assert CodebookChange.objects.filter(action="import").count() == 2
    assert set(cb.draft_diff(1)) == {"added actors", "added actors/Iran"}


def test_import_refuses_a_forged_payload_and_a_bad_file(client_as):
    client = client_as("manager")
    url = reverse("annotator:codebook-import", args=[1])
    before = Code.objects.count()
    response = client.post(url, {"payload": "forged:payload"})
    assert response.status_code == 400 and "upload it again" in response.content.decode()
    upload = io.BytesIO(b"not xml")
    upload.name = "book.qdc"
    response = client.post(url, {"file": upload})
    assert response.status_code == 400 and "book.qdc" in response.content.decode()
    upload = io.BytesIO(b"x")
    upload.name = "book.txt"
    assert client.post(url, {"file": upload}).status_code == 400
    assert Code.objects.count() == before


def test_import_reads_the_codebook_of_a_qdpx(client_as):
    project = (
        b'<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        b'<CodeBook><Codes><Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55811" name="from qdpx" '
        b'isCodable="true"/></Codes></CodeBook></Project>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", project)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "p.qdpx"
    response = client_as("manager").post(
        reverse("annotator:codebook-import", args=[1]), {"file": upload}
    )
    assert "added from qdpx" in response.content.decode(), response.content.decode()[:3000]
    assert not CodebookVersion.objects.exists()


def test_the_history_page_reads_a_constant_number_of_queries(client_as, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("manager")
    book, manager = Codebook.objects.get(pk=1), members["manager"]
    url = reverse("annotator:codebook-history", args=[1])

    def publish(n):
        for i in range(n):
            cb.code_add(codebook=book, user=manager, data={"name": f"c{i}-{Code.objects.count()}"})
            cb.codebook_publish(codebook=book, user=manager, note=f"v{i}")

    publish(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    publish(4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Version 6" in response.content.decode()
    assert len(many) == len(few)


def test_a_shared_codebook_never_shows_or_splits_another_projects_codings(client_as, members):
    from annotator.models import Document, Project
    from annotator.services import document_create

    other = Project.objects.create(name="other", codebook_id=1)
    outsider = members["outsider"]
    document = document_create(project=other, text="Iran elsewhere", title="theirs")
    theirs, _ = annotation_create(
        document=document,
        coder=outsider,
        code=Code.objects.get(name="Iran"),
        start_offset=0,
        end_offset=4,
    )
    client = client_as("manager")
    iran = Code.objects.get(name="Iran")
    page = client.get(reverse("annotator:codebook-code", args=[1, iran.pk])).content.decode()
    assert "theirs" not in page
    response = client.post(
        reverse("annotator:codebook-code-split", args=[1, iran.pk]),
        {"name": "stolen", "annotations": [theirs.pk]},
    )
    assert response.status_code == 400
    assert Annotation.objects.get(pk=theirs.pk).code == iran
    assert not Code.objects.filter(name="stolen").exists()
    assert Document.objects.filter(project=other).count() == 1
