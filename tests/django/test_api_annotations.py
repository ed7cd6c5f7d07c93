"""GET/POST /api/v1/annotations/: scoped listing with filters, blind coding, create."""

import re

import pytest

from annotator import services
from annotator.api.serializers import AnnotationOutput
from annotator.models import Annotation, Code, Codebook, Document, Project

URL = "/api/v1/annotations/"


@pytest.fixture
def codings(members):
    """One coding by each annotator and by the curator on document 1."""
    document = Document.objects.get(pk=1)
    made = {}
    for offset, role in enumerate(("annotator", "annotator2", "curator")):
        made[role], _ = services.annotation_create(
            document=document,
            coder=members[role],
            code=Code.objects.get(pk=1),
            start_offset=offset,
            end_offset=offset + 5,
        )
    return made


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("manager", {"annotator", "annotator2", "curator"}),
        ("curator", {"annotator", "annotator2", "curator"}),
        ("annotator", {"annotator"}),
        ("outsider", set()),
    ],
)
def test_it_lists_only_what_the_role_may_see_under_blind_coding(api_as, codings, role, sees):
    response = api_as(role).get(URL)
    assert response.status_code == 200
    assert _ids(response) == {codings[name].pk for name in sees}


def test_it_shows_annotators_everyone_when_coding_is_not_blind(api_as, codings, demo_project):
    Project.objects.filter(pk=demo_project.pk).update(blind_coding=False)
    assert _ids(api_as("annotator").get(URL)) == {a.pk for a in codings.values()}


def test_it_never_returns_others_codings_to_a_blind_annotator_even_when_filtered(
    api_as, codings, members
):
    response = api_as("annotator").get(URL, {"coder": members["annotator2"].pk})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_it_answers_401_to_anonymous(api_as):
    response = api_as("anonymous").get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_filters_by_project_document_coder_and_code(api_as, codings, members):
    client = api_as("curator")
    assert _ids(client.get(URL, {"coder": members["annotator2"].pk})) == {codings["annotator2"].pk}
    assert len(_ids(client.get(URL, {"document": 1, "project": 1, "code": 1}))) == 3
    assert _ids(client.get(URL, {"document": 2})) == set()
    assert _ids(client.get(URL, {"code": 2})) == set()
    assert _ids(client.get(URL, {"project": 999})) == set()


def test_it_rejects_bad_filter_values_with_field_messages(api_as, members):
    response = api_as("curator").get(URL, {"document": "one", "code": "0"})
    assert response.status_code == 400
    assert set(response.json()) == {"document", "code"}


def test_it_rejects_unknown_query_parameters(api_as, members):
    response = api_as("curator").get(URL, {"docment": 1})
    assert response.status_code == 400
    assert response.json() == {"docment": ["Unknown field."]}


def _many(members, n=30):
    document = Document.objects.get(pk=1)
    Annotation.objects.bulk_create(
        Annotation(
            document=document,
            coder=members["annotator"] if i % 2 else members["annotator2"],
            code_id=1 + i % 5,
            start_offset=i % 7,  # many equal starts: the key's later fields break the ties
            end_offset=i % 7 + 1 + i % 3,
        )
        for i in range(n)
    )


def test_it_pages_by_keyset_in_text_order_without_offset_or_count(
    api_as, members, django_assert_max_num_queries
):
    _many(members)
    client = api_as("curator")
    url, seen, pages = URL + "?limit=7", [], 0
    while url:
        with django_assert_max_num_queries(8) as captured:
            body = client.get(url).json()
        sql = " ".join(q["sql"].upper() for q in captured.captured_queries)
        assert not re.search(r"\bOFFSET\b", sql) and "COUNT(" not in sql
        assert set(body) == {"next", "results"}
        seen += [
            (r["document"], r["start_offset"], r["end_offset"], r["id"]) for r in body["results"]
        ]
        url, pages = body["next"], pages + 1
    assert pages == 5  # 7 + 7 + 7 + 7 + 2
    assert seen == sorted(seen) and len(set(seen)) == 30
    expected = Annotation.objects.order_by("document", "start_offset", "end_offset", "id")
    assert [row[3] for row in seen] == list(expected.values_list("id", flat=True))


def test_a_cursor_keeps_its_place_when_rows_are_added_before_it(api_as, members):
    _many(members, 10)
    client = api_as("curator")
    first = client.get(URL, {"limit": 5}).json()
    Annotation.objects.create(
        document_id=1, coder=members["annotator"], code_id=2, start_offset=0, end_offset=1
    )
    rest = client.get(first["next"]).json()["results"]
    ids = [r["id"] for r in first["results"] + rest]
    assert len(ids) == len(set(ids)) == 10  # nothing repeated, nothing skipped


@pytest.mark.parametrize("cursor", ["", "x", "MS4y", "LTEuMi4zLjQ", "!!!!", "a" * 201])
def test_it_refuses_a_cursor_it_did_not_give(api_as, members, cursor):
    response = api_as("curator").get(URL, {"cursor": cursor})
    if cursor == "":
        assert response.status_code == 200  # no cursor: the first page
    else:
        assert response.status_code == 400
        assert set(response.json()) == {"cursor"}


def test_the_document_endpoint_returns_every_visible_coding_in_one_response(
    api_as, members, codings
):
    _many(members, 40)
    url = "/api/v1/projects/1/documents/1/annotations/"
    rows = api_as("curator").get(url).json()
    assert len(rows) == 43
    keys = [(r["start_offset"], r["end_offset"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    listed = api_as("curator").get(URL, {"document": 1, "limit": 1000}).json()["results"]
    assert rows == listed  # the same rows as the list endpoint, whole
    # Blind coding: an annotator gets their own codings only.
    own = api_as("annotator").get(url).json()
    assert {r["coder"] for r in own} == {members["annotator"].pk} and len(own) == 21


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_the_document_endpoint_applies_the_access_matrix(api_as, codings, role, status):
    assert api_as(role).get("/api/v1/projects/1/documents/1/annotations/").status_code == status
    assert api_as("manager").get("/api/v1/projects/1/documents/999/annotations/").status_code == 404
    assert api_as("manager").get("/api/v1/projects/2/documents/1/annotations/").status_code == 404


def test_the_document_endpoint_refuses_unknown_parameters(api_as, codings):
    response = api_as("manager").get("/api/v1/projects/1/documents/1/annotations/", {"limit": 5})
    assert response.status_code == 400
    assert response.json() == {"limit": ["Unknown field."]}


def test_it_serialises_a_coding_with_its_coder_and_code(api_as, codings, members):
    row = api_as("annotator").get(URL).json()["results"][0]
    assert row == {
        "id": codings["annotator"].pk,
        "project": 1,
        "document": 1,
        "coder": members["annotator"].pk,
        "coder_username": "annotator",
        "code": 1,
        "code_name": "cooperation",
        "start_offset": 0,
        "end_offset": 5,
        "memo": "",
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


@pytest.mark.parametrize("limit", [1, 50, 1000])
def test_it_lists_in_a_bounded_number_of_queries_whatever_the_page_size(
    api_as, members, django_assert_max_num_queries, limit
):
    document = Document.objects.get(pk=1)
    Annotation.objects.bulk_create(
        Annotation(
            document=document,
            coder=members["annotator"],
            code_id=1 + i % 5,
            start_offset=i,
            end_offset=i + 3,
        )
        for i in range(1000)
    )
    client = api_as("annotator")
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"document": 1, "limit": limit})
    assert len(response.json()["results"]) == limit


# --- create -------------------------------------------------------------------------------


def _payload(**extra):
    return {"document": 4, "code": 2, "start_offset": 0, "end_offset": 5, **extra}


def test_it_creates_a_coding_for_the_requesting_coder(api_as, members):
    response = api_as("annotator").post(URL, _payload(memo="flags"), format="json")
    assert response.status_code == 201
    annotation = Annotation.objects.get(pk=response.json()["id"])
    assert annotation.coder == members["annotator"]
    assert (annotation.start_offset, annotation.end_offset, annotation.memo) == (0, 5, "flags")


def test_it_returns_the_existing_coding_with_200_on_a_duplicate(api_as, members):
    client = api_as("annotator")
    first = client.post(URL, _payload(), format="json")
    second = client.post(URL, _payload(), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Annotation.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "curator", "annotator"])
def test_it_lets_every_member_code(api_as, role):
    assert api_as(role).post(URL, _payload(), format="json").status_code == 201


def test_it_answers_400_for_a_document_of_another_project_without_revealing_it(api_as, members):
    response = api_as("outsider").post(URL, _payload(), format="json")
    missing = api_as("outsider").post(URL, _payload(document=999), format="json")
    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json() == {"document": ["No such document."]}
    assert Annotation.objects.count() == 0


def test_it_answers_401_to_anonymous_on_create(api_as, members):
    assert api_as("anonymous").post(URL, _payload(), format="json").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_offset": 5, "end_offset": 5}, "end_offset"),
        ({"start_offset": -1}, "start_offset"),
        ({"end_offset": 10**6}, "end_offset"),
        ({"end_offset": "x"}, "end_offset"),
        ({"code": 999}, "code"),
        ({"colour": "red"}, "colour"),
        ({"memo": 12 * "x" * 1000}, "memo"),
    ],
)
def test_it_answers_400_with_field_messages_for_invalid_input(api_as, members, change, field):
    response = api_as("annotator").post(URL, _payload(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Annotation.objects.count() == 0


def test_it_refuses_a_code_of_another_codebook_as_it_refuses_a_missing_one(api_as, members):
    other = Code.objects.create(codebook=Codebook.objects.create(name="Other"), name="x")
    response = api_as("annotator").post(URL, _payload(code=other.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"code": ["This code does not belong to the project's codebook."]}


def test_it_refuses_an_inactive_code_through_the_service(api_as, members):
    Code.objects.filter(pk=2).update(is_active=False)
    response = api_as("annotator").post(URL, _payload(), format="json")
    assert response.status_code == 400
    assert response.json() == {"code": ["This code is inactive."]}


def test_it_refuses_a_body_that_is_not_an_object(api_as, members):
    response = api_as("annotator").post(URL, [1, 2], format="json")
    assert response.status_code == 400


def test_it_answers_405_for_a_wrong_method(api_as, members):
    assert api_as("annotator").put(URL, {}, format="json").status_code == 405


def test_it_lists_exactly_what_the_output_serializer_shows(api_as, codings):
    codings["curator"].memo = "note"
    codings["curator"].save()
    listed = api_as("manager").get(URL).json()["results"]
    expected = [AnnotationOutput(Annotation.objects.get(pk=row["id"])).data for row in listed]
    assert listed == [dict(row) for row in expected]
    assert len(listed) == 3
