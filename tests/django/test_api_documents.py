"""Documents: /api/v1/projects/<id>/documents/ (list, create) and .../documents/<id>/ (detail)."""

import datetime

import pytest

from annotator import services
from annotator.models import Document, Project

LIST = "/api/v1/projects/1/documents/"


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_it_lists_documents_to_members_only(api_as, role, status):
    response = api_as(role).get(LIST)
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["count"] == 5
        assert [row["id"] for row in body["results"]] == [1, 2, 3, 4, 5]
        assert "text" not in body["results"][0]


def test_it_searches_title_source_author_and_text(api_as):
    client = api_as("annotator")
    assert _ids(client.get(LIST, {"search": "limits of russo"})) == [3]
    assert _ids(client.get(LIST, {"search": "al jazeera"})) == [5]
    Document.objects.filter(pk=1).update(author="Quentin Zyxwald")
    assert _ids(client.get(LIST, {"search": "zyxwald"})) == [1]
    text_only = Document.objects.get(pk=2).text[100:130]
    assert 2 in _ids(client.get(LIST, {"search": text_only}))
    assert _ids(client.get(LIST, {"search": "no such words anywhere"})) == []


def test_it_filters_by_source_and_publication_date(api_as):
    client = api_as("annotator")
    assert _ids(client.get(LIST, {"source": "The Hill"})) == [3]
    assert _ids(client.get(LIST, {"published_after": "2019-01-01"})) == [3]
    assert _ids(client.get(LIST, {"published_before": "2019-01-01"})) == [1]


def test_it_paginates(api_as):
    body = api_as("annotator").get(LIST, {"limit": 2, "offset": 2}).json()
    assert [row["id"] for row in body["results"]] == [3, 4]
    assert body["count"] == 5 and body["next"] and body["previous"]


@pytest.mark.parametrize(
    "query",
    [{"published_after": "yesterday"}, {"limit": "0"}, {"offset": "-1"}, {"sort": "title"}],
)
def test_it_answers_400_for_bad_query_parameters(api_as, query):
    response = api_as("annotator").get(LIST, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_it_lists_in_a_bounded_number_of_queries(api_as, django_assert_max_num_queries):
    client = api_as("annotator")
    for i in range(30):  # untitled: their display title comes from the text's opening words
        services.document_create(project=Project.objects.get(pk=1), text=f"Russia note {i}.")
    with django_assert_max_num_queries(6):
        response = client.get(LIST, {"search": "russia", "limit": 1000})
    assert response.json()["count"] == 35


def test_it_shows_untitled_documents_by_their_opening_words(api_as):
    rows = api_as("annotator").get(LIST).json()["results"]
    assert [row["display_title"] for row in rows] == [
        document.display_title for document in Document.objects.order_by("order", "id")
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_it_shows_a_document_with_its_text(api_as, role, status):
    response = api_as(role).get(LIST + "4/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["text"] == Document.objects.get(pk=4).text
        assert body["length"] == len(body["text"])


def test_it_answers_404_for_a_missing_document(api_as):
    assert api_as("manager").get(LIST + "999/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 201), ("curator", 403), ("annotator", 403), ("outsider", 404), ("anonymous", 401)],
)
def test_it_lets_only_managers_create_documents(api_as, role, status):
    body = {"text": "Cafe\u0301 talks.\r\n", "title": "New", "published": "2020-05-01"}
    response = api_as(role).post(LIST, body, format="json")
    assert response.status_code == status
    assert Document.objects.filter(title="New").exists() == (status == 201)
    if status == 201:
        document = Document.objects.get(title="New")
        assert document.text == "Café talks.\n"
        assert document.published == datetime.date(2020, 5, 1)
        assert response.json()["length"] == 12


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "no text"}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x", "url": "not a url"}, "url"),
        ({"text": "x", "published": "31/12/2020"}, "published"),
        ({"text": "x", "sha": "0"}, "sha"),
        ({"text": "x", "metadata": [1]}, "metadata"),
    ],
)
def test_it_answers_400_for_an_invalid_document(api_as, body, field):
    response = api_as("manager").post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Document.objects.count() == 5


def test_it_refuses_a_duplicate_text_through_the_service(api_as):
    text = Document.objects.get(pk=1).text
    response = api_as("manager").post(LIST, {"text": text}, format="json")
    assert response.status_code == 400
    assert response.json() == {"text": ["This project already has a document with the same text."]}


def test_it_answers_405_for_writes_on_a_document(api_as):
    assert api_as("manager").put(LIST + "1/", {"text": "x"}, format="json").status_code == 405
    assert api_as("manager").delete(LIST + "1/").status_code == 405
