"""Forms of the team-setup pages (projects, members, invitations, uploads, document metadata
and memos). They parse input only; every rule is checked by the service the view calls, whose
``ValidationError`` is shown inline with ``form.add_error``."""

import json

from django import forms
from django.core.exceptions import ValidationError

from .models import Membership, Project
from .services import imports
from .services.projects import creatable_codebooks
from .services.uploads import check_metadata

ROLE_CHOICES = Membership.Role.choices


class Form(forms.Form):
    """Labels without Django's trailing colon, like the rest of the app's forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ProjectSettingsForm(Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    granularity = forms.ChoiceField(
        choices=Project.Granularity.choices,
        help_text="Word: selections snap outward to whole words.",
    )
    blind_coding = forms.BooleanField(
        required=False, help_text="Annotators see only their own codings and memos."
    )
    uses_assignments = forms.BooleanField(
        label="Use assignments",
        required=False,
        help_text="Managers assign documents to coders; off: every annotator codes every document.",
    )


class ProjectCreateForm(ProjectSettingsForm):
    codebook = forms.ChoiceField(
        label="Codebook",
        help_text="A new empty codebook named after the project (write its codes afterwards), "
        "or share the codebook of a project you manage.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blind_coding"].initial = True
        self.fields["uses_assignments"].initial = True
        self.fields["codebook"].choices = [("new", "A new empty codebook")] + [
            (str(cb.pk), f"Share “{cb.name}”") for cb in creatable_codebooks(user).order_by("name")
        ]
        self.user = user

    def clean_codebook(self):
        value = self.cleaned_data["codebook"]
        if value == "new":
            return None
        return creatable_codebooks(self.user).get(pk=int(value))


class MemberAddForm(Form):
    user = forms.CharField(label="Username or email", max_length=254)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Membership.Role.ANNOTATOR)


class MemberRoleForm(Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class InvitationForm(Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Membership.Role.ANNOTATOR)
    email = forms.EmailField(
        required=False,
        help_text="Optional: the link is also sent there. It is always shown to you once.",
    )


class AcceptForm(Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


UPLOAD_FORMATS = [
    ("files", "Documents: .txt, .pdf (text layer), .docx, .html, .md — one document per file"),
    ("csv", "A CSV file: one document per row (text column “text”)"),
    ("jsonl", "A JSON Lines file: one document per line"),
]


class UploadForm(Form):
    format = forms.ChoiceField(choices=UPLOAD_FORMATS, initial="files", widget=forms.RadioSelect)
    files = MultipleFileField(label="Files")  # type: ignore[assignment]  # a declared field, not BaseForm.files
    columns = forms.CharField(
        label="CSV only: other columns, as field=column pairs",
        required=False,
        max_length=2000,
        help_text="For example title=Headline,published=Date,desk=Desk: title, source, author, "
        "url, published and external_id fill those fields; other names become metadata.",
    )

    def clean_columns(self):
        return imports.column_mapping(self.cleaned_data["columns"])


class DocumentMetadataForm(Form):
    title = forms.CharField(max_length=500, required=False)
    source = forms.CharField(label="Source / outlet", max_length=300, required=False)
    author = forms.CharField(max_length=300, required=False)
    url = forms.URLField(label="URL", max_length=1000, required=False, assume_scheme="https")
    published = forms.DateField(
        label="Published date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    external_id = forms.CharField(label="External id", max_length=200, required=False)
    metadata = forms.CharField(
        label="Other metadata (JSON object)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='For example {"desk": "World", "language": "en"}.',
    )

    def clean_metadata(self):
        raw = self.cleaned_data["metadata"].strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from None
        return check_metadata(value)


class MemoForm(Form):
    text = forms.CharField(
        label="Your memo on this document",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Empty the field and save to delete it.",
    )
