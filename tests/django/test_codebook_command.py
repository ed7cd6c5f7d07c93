"""``publish_codebook``: one line out, exit 1 with one line on bad input, nothing changed."""

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Code, CodebookVersion
from annotator.services import codebooks


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("publish_codebook", *args, stdout=out)
    return out.getvalue().strip()


def test_it_publishes_the_draft_with_a_note(members):
    assert run("1", "--dry-run").startswith("added ")
    line = run("1", "--note", "first", "--by", "manager")
    assert line == "Published version 1 of “Israel–Russia relations” (5 codes, 5 change(s))."
    version = CodebookVersion.objects.get()
    assert (version.note, version.published_by) == ("first", members["manager"])
    codebooks.code_edit(code=Code.objects.get(name="Iran"), user=None, data={"name": "Persia"})
    assert run("1", "--dry-run") == "Iran is now Persia"
    assert run("1", "--note", "renamed").startswith("Published version 2")


@pytest.mark.parametrize(
    "args, message",
    [
        (["99", "--note", "x"], "No project with id 99."),
        (["1"], "Say what this version changes."),
        (["1", "--note", "x", "--by", "annotator"], "'annotator' is not a manager"),
    ],
)
def test_it_refuses_bad_input_and_publishes_nothing(members, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not CodebookVersion.objects.exists()


def test_it_refuses_to_publish_an_unchanged_draft(members):
    run("1", "--note", "first")
    with pytest.raises(CommandError, match="Nothing to publish"):
        run("1", "--note", "again")
    assert CodebookVersion.objects.count() == 1
