"""Create, remove and memo endpoints of the workspace, and the codings panel."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Code, Codebook, Document, Membership, Project

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
TITLE = "Israel, Russia... Are They Friends or Enemies?"


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title=TITLE)


def create_url(doc):
    return reverse("annotator:annotation-create", args=[doc.project_id, doc.pk])


def post_coding(client, doc, code_id, start, end, **extra):
    data = {"code": code_id, "start": start, "end": end, **extra}
    return client.post(create_url(doc), data, headers=HX)


def coding_data(response) -> dict:
    """The undo data the workspace script reads from the body (``template[data-ws-coding]``)."""
    import html

    [raw] = re.findall(r'<template data-ws-coding="([^"]*)"></template>', response.text)
    return json.loads(html.unescape(raw))


def mine(doc, user):
    return services.annotation_create(
        document=doc, coder=user, code=Code.objects.get(pk=2), start_offset=6, end_offset=12
    )[0]


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404)]
)
def test_it_applies_the_access_matrix_to_creating(client_as, doc, role, status):
    assert post_coding(client_as(role), doc, 1, 6, 12).status_code == status
    assert Annotation.objects.count() == (1 if status == 200 else 0)


def test_it_refuses_anonymous_creation(client_as, doc):
    response = post_coding(client_as("anonymous"), doc, 1, 6, 12)
    assert response.status_code == 302 and Annotation.objects.count() == 0


def test_it_stores_code_points_after_the_flag_emoji_and_answers_with_fragments(
    client_as, doc, members
):
    start = doc.text.index("Israel")
    assert start == 6  # five code points of emoji and a newline; ten UTF-16 units in a browser
    response = post_coding(client_as("annotator"), doc, 3, start, start + len("Israel"))
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert doc.text[annotation.start_offset : annotation.end_offset] == "Israel"
    assert annotation.coder == members["annotator"]
    body = response.text
    assert f'<li id="ann-{annotation.pk}" class="coding"' in body
    assert "In progress" in body and "Coded “Israel” as Iran." in body
    assert response["HX-Trigger"] == "annotationsChanged"
    data = coding_data(response)
    assert data["created"] is True
    assert (data["id"], data["code"], data["start"], data["end"]) == (annotation.pk, 3, 6, 12)


def test_it_answers_with_no_text_whatever_the_span(client_as, doc):
    """The page paints the coding itself: the answer holds no paragraph, and its size does not
    depend on the text the coding covers (here a span across paragraphs)."""
    first_break = doc.text.index("\n", 6)
    response = post_coding(client_as("annotator"), doc, 1, 6, first_break + 5)
    assert response.status_code == 200
    assert 'class="para' not in response.text and "<p " not in response.text
    assert len(response.content) < 5_000


def test_it_trims_whitespace_and_snaps_to_words_with_word_granularity(client_as, doc):
    doc.project.granularity = Project.Granularity.WORD
    doc.project.save()
    # " Russ" inside "Israel, Russia": the space is trimmed, "Russ" grows to "Russia".
    start = doc.text.index(" Russia")
    post_coding(client_as("annotator"), doc, 1, start, start + 5)
    annotation = Annotation.objects.get()
    assert doc.text[annotation.start_offset : annotation.end_offset] == "Russia"


def test_it_creates_one_row_when_the_same_coding_is_submitted_twice(client_as, doc):
    client = client_as("annotator")
    post_coding(client, doc, 1, 6, 12)
    second = post_coding(client, doc, 1, 6, 12)
    assert second.status_code == 200 and coding_data(second)["created"] is False
    assert Annotation.objects.count() == 1


def test_it_applies_several_codes_to_one_span(client_as, doc):
    client = client_as("annotator")
    for code_id in (1, 2, 3):
        post_coding(client, doc, code_id, 6, 12)
    assert sorted(Annotation.objects.values_list("code_id", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 5), (5, 5), (9, 4), (0, 10**9), ("x", 4), ("", ""), (6, 7.5)],
)
def test_it_rejects_bad_offsets_inline_and_changes_nothing(client_as, doc, start, end):
    client = client_as("annotator")
    response = post_coding(client, doc, 1, start, end)
    assert response.status_code == 422
    assert 'id="ws-message"' in response.text and 'role="alert"' in response.text
    page = client.post(create_url(doc), {"code": 1, "start": start, "end": end})
    assert page.status_code == 422 and "<html" in page.text
    assert Annotation.objects.count() == 0


def test_it_rejects_a_selection_of_only_whitespace(client_as, doc):
    newline = doc.text.index("\n")
    assert post_coding(client_as("annotator"), doc, 1, newline, newline + 1).status_code == 422
    assert Annotation.objects.count() == 0


def test_it_rejects_a_code_from_another_codebook(client_as, doc):
    other = Codebook.objects.create(name="Other")
    foreign = Code.objects.create(codebook=other, name="foreign", shortcut="1")
    for code_id in (foreign.pk, "nope", ""):
        assert post_coding(client_as("annotator"), doc, code_id, 6, 12).status_code == 422
    assert Annotation.objects.count() == 0


def test_it_answers_404_for_a_document_of_another_project(client_as, doc, members):
    other = Project.objects.create(name="Other", codebook=Codebook.objects.get())
    Membership.objects.create(user=members["annotator"], project=other)
    url = reverse("annotator:annotation-create", args=[other.pk, doc.pk])
    response = client_as("annotator").post(url, {"code": 1, "start": 6, "end": 12}, headers=HX)
    assert response.status_code == 404 and Annotation.objects.count() == 0


def test_it_refuses_a_request_without_csrf_token(members, doc):
    client = Client(enforce_csrf_checks=True)
    client.force_login(members["annotator"])
    response = client.post(create_url(doc), {"code": 1, "start": 6, "end": 12}, headers=HX)
    assert response.status_code == 403 and Annotation.objects.count() == 0


def test_it_redirects_a_plain_form_post_back_to_the_workspace(client_as, doc):
    response = client_as("annotator").post(create_url(doc), {"code": 1, "start": 6, "end": 12})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "annotator:document-annotate", args=[doc.project_id, doc.pk]
    )
    assert Annotation.objects.count() == 1


def test_it_refuses_get_on_write_endpoints(client_as, doc):
    assert client_as("annotator").get(create_url(doc)).status_code == 405


def delete_url(a):
    return reverse("annotator:annotation-delete", args=[a.document.project_id, a.document_id, a.pk])


def memo_url(a):
    return reverse("annotator:annotation-memo", args=[a.document.project_id, a.document_id, a.pk])


def test_it_removes_an_own_coding_and_answers_with_its_undo_data(client_as, doc, members):
    a = mine(doc, members["annotator"])
    response = client_as("annotator").post(delete_url(a), headers=HX)
    assert response.status_code == 200 and not Annotation.objects.exists()
    assert f'<div data-remove="ann-{a.pk}"></div>' in response.text
    assert 'id="para-1"' not in response.text
    undo = coding_data(response)
    assert undo["deleted"] is True and undo["id"] == a.pk
    assert (undo["code"], undo["start"], undo["end"]) == (2, 6, 12)


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 403), ("curator", 403), ("annotator2", 404), ("outsider", 404)],
)
def test_it_refuses_to_change_another_coders_coding(client_as, doc, members, role, status):
    a = services.annotation_update(annotation=mine(doc, members["annotator"]), memo="kept")
    client = client_as(role)
    assert client.post(delete_url(a), headers=HX).status_code == status
    assert client.post(memo_url(a), {"memo": "forged"}, headers=HX).status_code == status
    a.refresh_from_db()
    assert a.memo == "kept"


def test_it_answers_404_for_a_coding_under_another_document_url(client_as, doc, members):
    a = mine(doc, members["annotator"])
    other = Document.objects.exclude(pk=doc.pk).first()
    url = reverse("annotator:annotation-delete", args=[doc.project_id, other.pk, a.pk])
    assert client_as("annotator").post(url, headers=HX).status_code == 404
    assert Annotation.objects.filter(pk=a.pk).exists()


def test_it_saves_a_memo_and_answers_with_the_list_and_panel_entries(client_as, doc, members):
    a = mine(doc, members["annotator"])
    response = client_as("annotator").post(memo_url(a), {"memo": "why <b>"}, headers=HX)
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.memo == "why <b>"
    assert f'id="ann-{a.pk}"' in response.text and f'id="panel-ann-{a.pk}"' in response.text
    assert "why &lt;b&gt;" in response.text
    assert coding_data(response)["before"] == ""


def test_it_rejects_an_overlong_memo(client_as, doc, members):
    a = mine(doc, members["annotator"])
    response = client_as("annotator").post(memo_url(a), {"memo": "x" * 10_001}, headers=HX)
    assert response.status_code == 422
    a.refresh_from_db()
    assert a.memo == ""


def panel_url(doc, *ids):
    base = reverse("annotator:annotation-panel", args=[doc.project_id, doc.pk])
    return base + "?ids=" + ",".join(str(i) for i in ids)


def test_it_lists_the_codings_under_a_highlight_with_edit_forms(client_as, doc, members):
    a = mine(doc, members["annotator"])
    client = client_as("annotator")
    fragment = client.get(panel_url(doc, a.pk), headers=HX)
    assert fragment.text.lstrip().startswith('<section id="coding-panel"')
    assert "Remove coding tension" in fragment.text and f'id="memo-{a.pk}"' in fragment.text
    page = client.get(panel_url(doc, a.pk))
    assert "<html" in page.text and "Remove coding tension" in page.text


@pytest.mark.parametrize(("role", "visible"), [("annotator2", False), ("curator", True)])
def test_it_lists_others_codings_only_to_who_may_see_them(client_as, doc, members, role, visible):
    a = mine(doc, members["annotator"])
    html = client_as(role).get(panel_url(doc, a.pk), headers=HX).text
    assert (f'id="panel-ann-{a.pk}"' in html) is visible
    assert "Remove coding" not in html


@pytest.mark.parametrize(("role", "status"), [("outsider", 404), ("manager", 200)])
def test_it_applies_the_access_matrix_to_the_panel(client_as, doc, role, status):
    assert client_as(role).get(panel_url(doc, 1)).status_code == status


def test_it_never_puts_user_text_in_a_response_header(client_as, doc, members):
    """A memo (user text of any length) travels in the body only: create, memo edit, remove,
    and a refused memo of 1,000,000 characters."""
    client = client_as("annotator")
    memo = "memo-marker " * 100
    created = post_coding(client, doc, 1, 6, 12, memo=memo)
    assert coding_data(created)["memo"] == memo
    annotation = Annotation.objects.get()
    edit_url = reverse("annotator:annotation-memo", args=[doc.project_id, doc.pk, annotation.pk])
    edited = client.post(edit_url, {"memo": memo + "2"}, headers={"HX-Request": "true"})
    assert coding_data(edited)["before"] == memo
    delete_url = reverse(
        "annotator:annotation-delete", args=[doc.project_id, doc.pk, annotation.pk]
    )
    removed = client.post(delete_url, headers={"HX-Request": "true"})
    assert coding_data(removed)["memo"] == memo + "2"
    huge = post_coding(client, doc, 2, 20, 30, memo="x" * 1_000_000)
    for response in (created, edited, removed, huge):
        for name, value in response.items():
            assert "memo-marker" not in value and len(value) < 200, name


def test_a_save_reads_only_the_text_around_the_selection(client_as, doc, settings):
    """Saving a coding does not load the document's text: one query reads its length and the
    characters around the selection (its work does not grow with the document)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    doc.project.granularity = Project.Granularity.WORD
    doc.project.save()
    client = client_as("annotator")
    start = doc.text.index("Russia")
    with CaptureQueriesContext(connection) as queries:
        response = post_coding(client, doc, 1, start + 2, start + 4)
    assert response.status_code == 200
    [coding] = Annotation.objects.filter(document=doc)
    assert (coding.start_offset, coding.end_offset) == (start, start + len("Russia"))
    reads = [q["sql"] for q in queries.captured_queries if '"annotator_document"' in q["sql"]]
    assert reads and all('"annotator_document"."text"' not in sql.replace(
        'SUBSTR("annotator_document"."text"', "").replace(
        'SUBSTRING("annotator_document"."text"', "") for sql in reads)  # fmt: skip


def test_a_save_snaps_a_word_longer_than_the_window_as_the_whole_text_would(
    client_as, demo_project
):
    """Past the window's edge the save reads the whole text: the stored span is the same."""
    from annotator.selectors import workspace as ws

    word = "x" * (2 * ws.TEXT_WINDOW + 50)
    demo_project.granularity = Project.Granularity.WORD
    demo_project.save()
    document = services.document_create(project=demo_project, title="Long word", text=f"a {word} b")
    response = post_coding(client_as("annotator"), document, 1, 10, 12)
    assert response.status_code == 200
    [coding] = Annotation.objects.filter(document=document)
    assert (coding.start_offset, coding.end_offset) == (2, 2 + len(word))
    assert coding_data(response)["end"] == 2 + len(word)


def test_the_text_window_reads_as_the_text_it_stands_for(doc):
    from annotator.selectors import workspace as ws

    text = doc.text
    window = ws.TextWindow(doc.pk, len(text), 100, text[100:300])
    assert len(window) == len(text)
    assert window[150] == text[150] and window[100:300] == text[100:300]
    assert window[120:110] == "" and window[-1] == text[-1]  # outside: the whole text
    assert window[50:160] == text[50:160] and window[10] == text[10]
    assert str(window) == text
