"""The analysis API: same filters, blind coding and services as the pages."""

import pytest

from annotator import services
from annotator.models import Annotation, Code, CodingProvenance, Document

pytestmark = pytest.mark.django_db


def base(project, route):
    return f"/api/v1/projects/{project.pk}/analysis/{route}/"


@pytest.fixture
def coded(demo_project, members):
    doc = Document.objects.get(title="Israel, Russia... Are They Friends or Enemies?")
    iran = Code.objects.get(name="Iran")
    for role, memo in (("annotator", "mine"), ("annotator2", "not yours")):
        services.annotation_create(
            document=doc, coder=members[role], code=iran, start_offset=0, end_offset=6, memo=memo
        )
    return doc


@pytest.mark.parametrize("route", ["segments", "frequencies", "cooccurrence", "memos"])
@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_it_applies_the_access_matrix(api_as, demo_project, route, role, status):
    assert api_as(role).get(base(demo_project, route)).status_code == status


def test_it_lists_segments_and_memos_respecting_blind_coding(api_as, demo_project, coded):
    mine = api_as("annotator").get(base(demo_project, "segments")).json()
    assert [s["memo"] for s in mine["results"]] == ["mine"]
    assert mine["has_next"] is False
    memos = api_as("annotator").get(base(demo_project, "memos")).json()
    assert [s["memo"] for s in memos["results"]] == ["mine"]
    everyone = api_as("curator").get(base(demo_project, "segments")).json()
    assert sorted(s["memo"] for s in everyone["results"]) == ["mine", "not yours"]


def test_it_answers_400_with_field_messages(api_as, demo_project):
    response = api_as("curator").get(base(demo_project, "segments"), {"op": "and"})
    assert response.status_code == 400
    assert "other" in response.json()


def test_it_counts_frequencies_and_cooccurrence(api_as, demo_project, coded):
    freq = api_as("curator").get(base(demo_project, "frequencies"), {"variable": "all"}).json()
    iran = next(c for c in freq["codes"] if c["path"].endswith("Iran"))
    assert iran["total"]["segments"] == 2
    co = api_as("curator").get(base(demo_project, "cooccurrence")).json()
    assert co["mode"] == "overlap" and co["codes"]


def test_it_searches(api_as, demo_project, coded):
    response = api_as("annotator").get(base(demo_project, "search"), {"q": "Russia"})
    assert coded.pk in {r["document_id"] for r in response.json()["results"]}


def test_it_previews_and_applies_auto_coding(api_as, demo_project, members, row_counts):
    iran = Code.objects.get(name="Iran")
    client = api_as("annotator")
    before = row_counts()
    preview = client.get(
        base(demo_project, "autocode/preview"), {"code": iran.pk, "query": "Russia"}
    ).json()
    assert row_counts() == before
    first = preview["results"][0]
    response = client.post(
        base(demo_project, "autocode"),
        {
            "code": iran.pk,
            "query": "Russia",
            "items": [
                {
                    "document": first["document_id"],
                    "start_offset": first["start"],
                    "end_offset": first["end"],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 1}
    coding = Annotation.objects.get(coder=members["annotator"])
    assert CodingProvenance.objects.get(annotation=coding).query == 'text "Russia"'
    bad = client.get(
        base(demo_project, "autocode/preview"), {"code": iran.pk, "query": "(x", "regex": "true"}
    )
    assert bad.status_code == 400 and "query" in bad.json()
