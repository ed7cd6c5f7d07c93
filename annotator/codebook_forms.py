"""Forms of the codebook editor. They parse input; every rule is the service's, whose
``ValidationError`` the view shows inline. Choices of codes come from the project's codebook,
so a forged id of another codebook's code is refused as an invalid choice."""

from typing import cast

from django import forms

from .models import Annotation, Code, Document
from .selectors.exports import code_paths
from .setup_forms import Form

TEXTS = ("definition", "inclusion_criteria", "exclusion_criteria", "example")


def code_choices(codebook_id: int, *, exclude: int | None = None, blank: str | None = None):
    paths = code_paths(codebook_id)
    choices = sorted(
        ((pk, path) for pk, path in paths.items() if pk != exclude), key=lambda c: c[1]
    )
    return ([("", blank)] if blank is not None else []) + choices


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A field the form declares as a ChoiceField (``Form.fields`` is typed as plain fields)."""
    return cast(forms.ChoiceField, form.fields[name])


class CodeForm(Form):
    name = forms.CharField(max_length=200, help_text="Unique among its siblings; no “/”.")
    parent = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Under", help_text="Nest or un-nest."
    )
    color = forms.CharField(
        max_length=7,
        initial="#4c78a8",
        label="Colour",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    shortcut = forms.CharField(
        max_length=1, required=False, label="Shortcut key", help_text="One key: 1-9 or a-z."
    )
    definition = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown."
    )
    inclusion_criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown."
    )
    exclusion_criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown."
    )
    example = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown."
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Active",
        help_text="Inactive codes keep their codings but cannot be applied.",
    )

    def __init__(self, *args, codebook_id: int, code: Code | None = None, **kwargs):
        if code is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": code.name,
                    "parent": code.parent_id,
                    "color": code.color,
                    "shortcut": code.shortcut,
                    "is_active": code.is_active,
                    **{t: getattr(code, t) for t in TEXTS},
                },
            )
        super().__init__(*args, **kwargs)
        _choice_field(self, "parent").choices = code_choices(
            codebook_id, exclude=code.pk if code else None, blank="(top level)"
        )
        if code is None:
            del self.fields["is_active"]  # a new code is active


class MergeForm(Form):
    source = forms.TypedChoiceField(coerce=int, label="Merge this code")
    target = forms.TypedChoiceField(coerce=int, label="into this code")

    def __init__(self, *args, codebook_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        choices = code_choices(codebook_id, blank="—")
        _choice_field(self, "source").choices = choices
        _choice_field(self, "target").choices = choices


# A split page lists at most this many codings of the code to choose from.
SPLIT_LIMIT = 500


class SplitForm(Form):
    name = forms.CharField(max_length=200, label="Name of the new code")
    annotations = forms.TypedMultipleChoiceField(
        coerce=int, label="Codings to move", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, code: Code, project, **kwargs):
        super().__init__(*args, **kwargs)
        rows = list(
            Annotation.objects.filter(code=code, document__project=project)
            .select_related("coder")
            .order_by("document_id", "start_offset", "id")[:SPLIT_LIMIT]
        )
        # Each document's text once, however many of its codings are listed.
        documents = Document.objects.in_bulk({a.document_id for a in rows})
        _choice_field(self, "annotations").choices = [
            (a.pk, _coding_label(a, documents[a.document_id])) for a in rows
        ]


def _coding_label(annotation, document) -> str:
    quote = document.text[annotation.start_offset : annotation.end_offset]
    return (
        f"{document.title or f'Document {document.pk}'} "
        f"[{annotation.start_offset}, {annotation.end_offset}) by {annotation.coder.username}: "
        f"“{quote[:80]}{'…' if len(quote) > 80 else ''}”"
    )


class PublishForm(Form):
    note = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What this version changes",
    )


class ImportForm(Form):
    file = forms.FileField(
        required=False, help_text="A REFI-QDA codebook (.qdc) or project (.qdpx)."
    )
    # The previewed file, signed by the server, so the import applies what was shown.
    payload = forms.CharField(required=False, widget=forms.HiddenInput)
