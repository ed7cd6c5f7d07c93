from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from annotator.models import Annotation, DocumentStatus, Membership


@override_settings(DEBUG=True)
def test_it_is_idempotent_and_creates_the_demo_accounts(db):
    call_command("seed_demo", verbosity=0)
    first = (Annotation.objects.count(), Membership.objects.count(), DocumentStatus.objects.count())
    call_command("seed_demo", "--password", "another-pw", verbosity=0)
    assert (
        Annotation.objects.count(),
        Membership.objects.count(),
        DocumentStatus.objects.count(),
    ) == first
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.get(username="alice").check_password("another-pw")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "admin": "manager",
        "cora": "curator",
        "alice": "annotator",
        "bob": "annotator",
        "carol": "annotator",
    }


@override_settings(DEBUG=True)
def test_demo_codings_look_like_real_coding(db):
    call_command("seed_demo", verbosity=0)
    per_coder = Counter(Annotation.objects.values_list("coder__username", flat=True))
    assert set(per_coder) == {"alice", "bob", "carol"}
    assert all(n >= 30 for n in per_coder.values()), per_coder
    docs = {
        name: set(
            Annotation.objects.filter(coder__username=name).values_list("document", flat=True)
        )
        for name in per_coder
    }
    assert len(docs["alice"]) == len(docs["bob"]) == 5 and len(docs["carol"]) == 2
    rows = list(
        Annotation.objects.values_list("document", "coder", "start_offset", "end_offset", "code")
    )
    spans = Counter((d, c, s, e) for d, c, s, e, _ in rows)
    assert any(n > 1 for n in spans.values()), "some span should carry several codes"
    by_doc_coder = {}
    for d, c, s, e, _ in rows:
        by_doc_coder.setdefault((d, c), []).append((s, e))
    overlapping = any(
        a != b and a[0] < b[1] and b[0] < a[1]
        for spans_ in by_doc_coder.values()
        for a in spans_
        for b in spans_
    )
    assert overlapping
    alice = {
        (d, s, e, k)
        for d, c, s, e, k in rows
        if c == get_user_model().objects.get(username="alice").pk
    }
    bob = {
        (d, s, e, k)
        for d, c, s, e, k in rows
        if c == get_user_model().objects.get(username="bob").pk
    }
    assert alice & bob and alice - bob and bob - alice, "agreement should be real but imperfect"


def test_it_refuses_to_run_with_debug_off(db):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
    assert not get_user_model().objects.exists()
    call_command("seed_demo", "--force", verbosity=0)
    assert get_user_model().objects.filter(username="alice").exists()


def test_the_demo_starts_at_codebook_version_one_and_the_workspace_says_so(db, client):
    from django.contrib.auth import get_user_model

    from annotator.models import Annotation, Document

    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)  # idempotent: still one version
    codings = Annotation.objects.filter(document__project_id=1)
    assert codings.exists()
    assert set(codings.values_list("codebook_version__number", flat=True)) == {1}
    client.force_login(get_user_model().objects.get(username="alice"))
    document = Document.objects.filter(project_id=1).first()
    page = client.get(f"/projects/1/documents/{document.pk}/").content.decode()
    assert "Codebook version 1" in page
