"""Who counts as a coder in "done by N of M" (project page) and in the progress dashboard, and
what a progress bar measures with and without assignments."""

import re

from django.urls import reverse

from annotator import services
from annotator.models import Code, Document
from annotator.selectors.workflow import progress, project_coder_ids
from annotator.services import workflow


def done(document_pk: int, coder, *, code: bool = False) -> None:
    document = Document.objects.get(pk=document_pk)
    if code:
        services.annotation_create(
            document=document,
            coder=coder,
            code=Code.objects.get(pk=1),
            start_offset=0,
            end_offset=5,
        )
    services.document_status_set(document=document, coder=coder, state="done")


def done_by(client) -> dict:
    response = client.get(reverse("annotator:project-detail", args=[1]))
    body = response.content.decode()
    return {
        "coders": response.context["coder_count"],
        "cells": re.findall(r"<td>(\d+ of \d+) <progress", body),
    }


def test_done_by_counts_annotators_not_the_manager_or_curator(client_as, members):
    done(1, members["annotator"])
    page = done_by(client_as("annotator"))
    assert page["coders"] == 2
    assert page["cells"] == ["1 of 2", "0 of 2", "0 of 2", "0 of 2", "0 of 2"]


def test_done_by_counts_a_manager_once_they_coded(client_as, members):
    done(2, members["manager"], code=True)
    done(2, members["annotator2"])
    page = done_by(client_as("curator"))
    assert page["coders"] == 3
    assert page["cells"][1] == "2 of 3"
    ids = project_coder_ids(project=members["manager"].memberships.get().project)
    assert ids == [members[r].pk for r in ("annotator", "annotator2", "manager")]


def test_without_assignments_a_bar_measures_all_documents(client_as, members, demo_project):
    for pk in range(1, 6):
        done(pk, members["annotator"])
    done(1, members["annotator2"])
    data = progress(project=demo_project)
    rows = {row.username: row for row in data["coders"]}
    assert (rows["annotator"].target, rows["annotator"].percent_done) == (5, 100)
    assert (rows["annotator2"].target, rows["annotator2"].percent_done) == (5, 20)
    assert set(rows) == {"annotator", "annotator2"}
    assert (data["total_done"], data["total"], data["percent_done"]) == (6, 10, 60)
    body = client_as("manager").get(reverse("annotator:progress", args=[1])).content.decode()
    assert 'value="100" aria-label="annotator: 5 of 5 documents done (100%)"' in body
    assert 'value="20" aria-label="annotator2: 1 of 5 documents done (20%)"' in body
    assert "6 of 10 codings of documents done" in body


def test_with_assignments_a_bar_measures_only_assigned_documents(members, demo_project):
    annotator = members["annotator"]
    workflow.assignment_create(document=Document.objects.get(pk=1), coder=annotator)
    workflow.assignment_create(document=Document.objects.get(pk=2), coder=annotator)
    done(1, annotator)
    done(3, annotator)  # finished, but not assigned: not part of the bar
    rows = {row.username: row for row in progress(project=demo_project)["coders"]}
    assert (rows["annotator"].target_done, rows["annotator"].target) == (1, 2)
    assert rows["annotator"].percent_done == 50
    assert (rows["annotator2"].target, rows["annotator2"].percent_done) == (0, 0)
