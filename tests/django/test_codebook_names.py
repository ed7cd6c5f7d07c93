"""Names unique among siblings only: everything that identifies codes goes by path or id."""

from annotator.models import Code
from annotator.selectors.agreement import AgreementNarrowing, agreement_data
from annotator.selectors.exports import code_paths
from annotator.services import codebooks


def _twins(book, user):
    israel = codebooks.code_add(codebook=book, user=user, data={"name": "Israel"})
    russia = codebooks.code_add(codebook=book, user=user, data={"name": "Russia"})
    a = codebooks.code_add(codebook=book, user=user, data={"name": "positive", "parent": israel})
    b = codebooks.code_add(codebook=book, user=user, data={"name": "positive", "parent": russia})
    return a, b


def test_the_agreement_report_keeps_same_named_codes_apart(demo_project, members):
    a, b = _twins(demo_project.codebook, members["manager"])
    data = agreement_data(project=demo_project, narrowing=AgreementNarrowing())
    assert {"Israel/positive", "Russia/positive"} <= set(data.codes)
    assert (data.code_ids["Israel/positive"], data.code_ids["Russia/positive"]) == (a.pk, b.pk)
    # Narrowing by a bare name keeps every code of that name; by path, only that one.
    narrowed = agreement_data(
        project=demo_project, narrowing=AgreementNarrowing(codes=("positive",))
    )
    assert narrowed.codes == ["Israel/positive", "Russia/positive"]
    narrowed = agreement_data(
        project=demo_project, narrowing=AgreementNarrowing(codes=("Russia/positive",))
    )
    assert narrowed.codes == ["Russia/positive"]


def test_code_paths_go_by_id(demo_project, members):
    a, b = _twins(demo_project.codebook, members["manager"])
    paths = code_paths(demo_project.codebook_id)
    assert (paths[a.pk], paths[b.pk]) == ("Israel/positive", "Russia/positive")
    assert len(paths) == Code.objects.count()
