"""The memo rule holds on every path: at most 10,000 characters, no NUL character.

PostgreSQL cannot store a NUL in a text column (it answered 500); the coding service refuses
it first, so every path answers 4xx and stores nothing. Run on SQLite and PostgreSQL.
"""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Code, Document

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
BAD = {"nul": "before\x00after", "long": "x" * 10_001}


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(pk=1)


@pytest.fixture
def coding(doc, members):
    annotation, _ = services.annotation_create(
        document=doc,
        coder=members["annotator"],
        code=Code.objects.get(pk=1),
        start_offset=6,
        end_offset=12,
        memo="kept",
    )
    return annotation


def _memo_message(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return str(response.json())
    return response.text


@pytest.mark.parametrize("bad", list(BAD))
def test_the_workspace_refuses_a_bad_memo_on_create(client_as, doc, members, bad):
    url = reverse("annotator:annotation-create", args=[doc.project_id, doc.pk])
    data = {"code": 1, "start": 6, "end": 12, "memo": BAD[bad]}
    response = client_as("annotator").post(url, data, headers=HX)
    assert response.status_code == 422
    assert ("NUL" if bad == "nul" else "10,000") in response.text
    assert Annotation.objects.count() == 0


@pytest.mark.parametrize("bad", list(BAD))
def test_the_workspace_refuses_a_bad_memo_on_edit(client_as, doc, coding, bad):
    url = reverse("annotator:annotation-memo", args=[doc.project_id, doc.pk, coding.pk])
    response = client_as("annotator").post(url, {"memo": BAD[bad]}, headers=HX)
    assert response.status_code == 422
    coding.refresh_from_db()
    assert coding.memo == "kept"


@pytest.mark.parametrize("bad", list(BAD))
def test_the_api_refuses_a_bad_memo_on_create(api_as, doc, members, bad):
    body = {"document": doc.pk, "code": 1, "start_offset": 6, "end_offset": 12, "memo": BAD[bad]}
    response = api_as("annotator").post("/api/v1/annotations/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["memo"]
    assert Annotation.objects.count() == 0


@pytest.mark.parametrize("bad", list(BAD))
def test_the_bulk_api_refuses_a_bad_memo(api_as, doc, members, bad):
    items = [
        {"code": 1, "start_offset": 6, "end_offset": 12},
        {"code": 2, "start_offset": 6, "end_offset": 12, "memo": BAD[bad]},
    ]
    body = {"document": doc.pk, "items": items}
    response = api_as("annotator").post("/api/v1/annotations/bulk/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["items"]) == ["1"]
    assert list(response.json()["items"]["1"]) == ["memo"]
    assert Annotation.objects.count() == 0


@pytest.mark.parametrize("bad", list(BAD))
def test_the_api_refuses_a_bad_memo_on_patch(api_as, coding, bad):
    url = f"/api/v1/annotations/{coding.pk}/"
    response = api_as("annotator").patch(url, {"memo": BAD[bad]}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["memo"]
    coding.refresh_from_db()
    assert coding.memo == "kept"


@pytest.mark.parametrize("bad", list(BAD))
def test_the_service_refuses_a_bad_memo_on_every_write(doc, members, coding, bad):
    """The service itself is the judge (the API's serializers only repeat it)."""
    code = Code.objects.get(pk=2)
    expected = (
        "A memo cannot contain the NUL character (U+0000)."
        if bad == "nul"
        else "A memo is at most 10,000 characters."
    )
    writes = [
        lambda: services.annotation_create(
            document=doc,
            coder=members["annotator"],
            code=code,
            start_offset=6,
            end_offset=12,
            memo=BAD[bad],
        ),
        lambda: services.annotation_bulk_create(
            document=doc,
            coder=members["annotator"],
            items=[{"code": code, "start_offset": 6, "end_offset": 12, "memo": BAD[bad]}],
        ),
        lambda: services.annotation_update(annotation=coding, memo=BAD[bad]),
    ]
    for write in writes:
        with pytest.raises(services.annotations.ValidationError) as caught:
            write()
        assert expected in caught.value.messages
    coding.refresh_from_db()
    assert coding.memo == "kept"
    assert Annotation.objects.count() == 1
