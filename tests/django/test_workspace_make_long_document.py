"""The make_long_document command behind the workspace benchmark."""

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation, Document

pytestmark = pytest.mark.django_db


def test_it_makes_a_document_of_the_length_with_codings_by_three_coders(capsys):
    call_command("make_long_document", "--length", "3000", "--codings", "40", "--seed", "7")
    doc = Document.objects.get()
    assert doc.length == len(doc.text) == 3000
    assert Annotation.objects.filter(document=doc).count() == 40
    coders = set(Annotation.objects.values_list("coder__username", flat=True))
    assert coders == {"coder1", "coder2", "coder3"}
    for a in Annotation.objects.all():
        text = doc.text[a.start_offset : a.end_offset]
        assert text == text.strip() and text
    assert "3000 characters, 40 codings" in capsys.readouterr().out


def test_it_refuses_the_same_document_twice_in_one_line():
    call_command("make_long_document", "--length", "500", "--codings", "3")
    with pytest.raises(CommandError, match="same text"):
        call_command("make_long_document", "--length", "500", "--codings", "3")
    assert Document.objects.count() == 1


def test_it_refuses_impossible_options():
    with pytest.raises(CommandError):
        call_command("make_long_document", "--length", "10")
