"""The gold standard as a coder in the agreement report: each coder compared with it."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from annotator.agreement import compute_report
from annotator.models import Annotation, Document, Project
from annotator.selectors.agreement import GOLD_NAME, AgreementNarrowing, agreement_data
from annotator.services import workflow


@pytest.fixture
def curated(db):
    with override_settings(DEBUG=True):
        call_command("seed_demo", "--password", "pw", verbosity=0)
    project = Project.objects.get(pk=1)
    document = Document.objects.get(pk=1)
    from django.contrib.auth import get_user_model

    cora = get_user_model().objects.get(username="cora")
    workflow.gold_merge(document=document, curator=cora, min_coders=2, match="overlap", version=0)
    project.refresh_from_db()
    return project


def test_gold_is_left_out_unless_asked_for(curated):
    data = agreement_data(project=curated, narrowing=AgreementNarrowing())
    assert GOLD_NAME not in data.coders


def test_gold_counts_only_on_curated_documents_and_pairs_with_each_coder(curated):
    data = agreement_data(project=curated, narrowing=AgreementNarrowing(include_gold=True))
    assert GOLD_NAME in data.coders
    counted = {d.id: d.coders for d in data.documents}
    assert GOLD_NAME in counted[1]
    assert all(GOLD_NAME not in coders for pk, coders in counted.items() if pk != 1)
    gold_spans = [s for s in data.documents[0].spans if s[0] == GOLD_NAME]
    assert len(gold_spans) == Annotation.objects.filter(coder=curated.gold_user).count() > 0
    report = compute_report(data.documents, codes=data.codes, coders=data.coders, bootstrap=0)
    pairs = {(p.coder_a, p.coder_b) for p in report.coder_matrix}
    assert ("alice", GOLD_NAME) in pairs or (GOLD_NAME, "alice") in pairs


def test_the_report_page_offers_the_gold_comparison(curated, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="cora"))
    url = reverse("annotator:agreement-results", args=[curated.pk])
    marker = f">{GOLD_NAME}<"  # a table cell naming the coder, not the form's label
    assert marker in client.get(url, {"gold": "on", "bootstrap": 0}).content.decode()
    assert marker not in client.get(url, {"bootstrap": 0}).content.decode()
