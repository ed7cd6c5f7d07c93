"""One span rule: the same raw selection stores the same span through every interface.

The workspace POST, the API single create and the API bulk create all go through the coding
service, which trims whitespace and (word granularity) snaps to whole words; a selection of
whitespace only is refused by all three with the same message. Imports keep their offsets.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Code, Document, Project
from annotator.spans import WHITESPACE_ONLY

pytestmark = pytest.mark.django_db
TITLE = "Israel, Russia... Are They Friends or Enemies?"
HX = {"HX-Request": "true"}


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title=TITLE)


def _workspace(client_as, doc, code, start, end):
    url = reverse("annotator:annotation-create", args=[doc.project_id, doc.pk])
    return client_as("annotator").post(url, {"code": code, "start": start, "end": end}, headers=HX)


def _api(api_as, doc, code, start, end):
    body = {"document": doc.pk, "code": code, "start_offset": start, "end_offset": end}
    return api_as("annotator").post("/api/v1/annotations/", body, format="json")


def _bulk(api_as, doc, code, start, end):
    item = {"code": code, "start_offset": start, "end_offset": end}
    body = {"document": doc.pk, "items": [item]}
    return api_as("annotator").post("/api/v1/annotations/bulk/", body, format="json")


PATHS = {"workspace": _workspace, "api": _api, "bulk": _bulk}


def _stored(members):
    return list(
        Annotation.objects.filter(coder=members["annotator"]).values_list(
            "code_id", "start_offset", "end_offset"
        )
    )


def _selections(text):
    """Raw selections a person could make: ragged edges, leading/trailing spaces, a newline."""
    russia = text.index(" Russia")
    first_break = text.index("\n", 6)
    return [
        (russia, russia + 5),  # " Russ"
        (russia + 2, russia + 4),  # "us", inside a word
        (first_break - 3, first_break + 4),  # across a paragraph break
        (6, 12),  # "Israel", already clean
    ]


@pytest.mark.parametrize("granularity", [Project.Granularity.CHARACTER, Project.Granularity.WORD])
def test_it_stores_identical_offsets_from_the_workspace_the_api_and_bulk(
    client_as, api_as, members, doc, granularity
):
    doc.project.granularity = granularity
    doc.project.save()
    stored = {}
    for name, send in PATHS.items():
        for start, end in _selections(doc.text):
            response = send(client_as if name == "workspace" else api_as, doc, 1, start, end)
            assert response.status_code in (200, 201), response.content
        stored[name] = _stored(members)
        Annotation.objects.all().delete()
    assert stored["workspace"] == stored["api"] == stored["bulk"]
    texts = [doc.text[s:e] for _, s, e in stored["api"]]
    assert all(t == t.strip() for t in texts)  # never a leading or trailing space
    if granularity == Project.Granularity.WORD:
        assert "Russia" in texts and "us" not in texts
    else:
        assert {"Russ", "us", "Israel"} <= set(texts)


@pytest.mark.parametrize("name", list(PATHS))
def test_it_refuses_whitespace_only_with_the_same_message_everywhere(
    client_as, api_as, members, doc, name
):
    space = doc.text.index(" Russia")
    send = PATHS[name]
    response = send(client_as if name == "workspace" else api_as, doc, 1, space, space + 1)
    assert response.status_code in (400, 422)
    if name == "workspace":
        assert WHITESPACE_ONLY in response.text
    elif name == "api":
        assert response.json() == {"end_offset": [WHITESPACE_ONLY]}
    else:
        assert response.json() == {"items": {"0": {"end_offset": [WHITESPACE_ONLY]}}}
    assert Annotation.objects.count() == 0


def test_the_old_api_answer_is_gone(api_as, members, doc):
    """The reported case: word granularity, the API stored ' ten' for a selection the
    workspace stored as 'tensions'."""
    doc.project.granularity = Project.Granularity.WORD
    doc.project.save()
    start = doc.text.index(" tensions")
    response = _api(api_as, doc, 1, start, start + 4)
    assert response.status_code == 201
    body = response.json()
    assert doc.text[body["start_offset"] : body["end_offset"]] == "tensions"


def test_it_keeps_offsets_as_given_without_normalisation_but_refuses_whitespace(members, doc):
    """Imports and copies of existing codings (``normalise=False``) keep their offsets."""
    code = Code.objects.get(pk=1)
    start = doc.text.index(" Russia")
    annotation, _ = services.annotation_create(
        document=doc,
        coder=members["annotator"],
        code=code,
        start_offset=start,
        end_offset=start + 5,
        normalise=False,
    )
    assert doc.text[annotation.start_offset : annotation.end_offset] == " Russ"
    with pytest.raises(ValidationError) as caught:
        services.annotation_create(
            document=doc,
            coder=members["annotator"],
            code=code,
            start_offset=start,
            end_offset=start + 1,
            normalise=False,
        )
    assert caught.value.message_dict == {"end_offset": [WHITESPACE_ONLY]}
