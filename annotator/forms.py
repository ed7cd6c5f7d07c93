"""Every form of the HTML pages, also used by the API where it accepts the same filters
(the agreement report and exports), so the page and the API validate one way."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.functions import Substr
from django.http import QueryDict

from .exports import formats
from .exports.units import UNIT_LABELS
from .models import Annotation, Code, Document, Membership
from .reports.compute import DEFAULT_BOOTSTRAP, DEFAULT_SEED, MAX_BOOTSTRAP
from .selectors.agreement import AgreementNarrowing
from .selectors.exports import ExportNarrowing, code_paths
from .services import imports

Role = Membership.Role


# --- exports and imports ----------------------------------------------------------------------


OFFSET_CHOICES = [("", "The format's default"), *UNIT_LABELS.items()]
OFFSETS_HELP = (
    "Only for formats that count offsets in a chosen unit (doccano, JSON Lines' label): "
    "doccano counts UTF-16 code units by default, grapheme clusters in its grapheme mode."
)


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(key, entry.label) for key, entry in formats.exportable().items()],
        initial="csv",
        widget=forms.RadioSelect,
    )
    offsets = forms.ChoiceField(
        label="Offset unit",
        choices=OFFSET_CHOICES,
        required=False,
        help_text=OFFSETS_HELP,
        widget=forms.RadioSelect,
    )
    coders = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    codes = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    documents = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        coder_ids = Annotation.objects.filter(document__project=project).values("coder_id")
        people = User.objects.filter(pk__in=coder_ids) | User.objects.filter(
            memberships__project=project
        )
        self.fields["coders"].choices = [
            (user.pk, user.get_username()) for user in people.distinct().order_by("username")
        ]
        self.fields["codes"].choices = sorted(
            code_paths(project.codebook_id).items(), key=lambda item: item[1]
        )
        self.fields["documents"].choices = [
            (document.pk, document.display_title)
            for document in Document.objects.filter(project=project)
            .only("title", "text")
            .order_by("order", "id")
        ]

    def clean(self):
        data = super().clean()
        entry = formats.REGISTRY.get(data.get("format", ""))
        if entry is not None and data.get("offsets") and not entry.offsets:
            self.add_error("offsets", f"{entry.label} has no offset unit to choose.")
        return data

    def narrowing(self) -> ExportNarrowing:
        data = self.cleaned_data
        return ExportNarrowing(
            coder_ids=tuple(data["coders"]),
            code_ids=tuple(data["codes"]),
            document_ids=tuple(data["documents"]),
        )


# Every kind of import the registry offers: "Documents: doccano …", "Codings: …".
IMPORT_KINDS = {
    kind: f"{formats.KIND_LABEL[what]}: {entry.label}"
    for kind, (what, entry) in formats.import_kinds().items()
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What to import", choices=list(IMPORT_KINDS.items()))
    offsets = forms.ChoiceField(
        label="Offset unit", choices=OFFSET_CHOICES, required=False, help_text=OFFSETS_HELP
    )
    text_column = forms.CharField(
        label="CSV: column holding the text", initial="text", required=False, max_length=200
    )
    columns = forms.CharField(
        label="CSV: other columns, as field=column pairs",
        required=False,
        max_length=2000,
        help_text="For example title=Headline,published=Date,section=Section. title, source, "
        "author, url, published and external_id fill those fields; other names become metadata.",
    )

    placeholder_prefix = forms.CharField(
        label="Codings: prefix of new placeholder accounts",
        required=False,
        max_length=40,
        help_text="Coders who are not members of the project become inactive placeholder "
        'accounts named with this prefix (default "imported-"); you see the mapping before '
        "anything is written.",
    )
    # The digest of the coder mapping the manager saw and confirmed (the Confirm button).
    confirm = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_columns(self):
        return imports.column_mapping(self.cleaned_data["columns"])

    def clean_placeholder_prefix(self):
        try:
            return imports.check_prefix(self.cleaned_data["placeholder_prefix"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["placeholder_prefix"]) from None


# --- agreement --------------------------------------------------------------------------------


class AgreementForm(forms.Form):
    documents = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    coders = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    codes = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(
        label="Documents marked done from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label="to (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    bootstrap = forms.IntegerField(
        label="Bootstrap replicates",
        required=False,
        min_value=0,
        max_value=MAX_BOOTSTRAP,
        help_text="0 for no confidence intervals.",
    )
    seed = forms.IntegerField(label="Seed", required=False, min_value=0, max_value=2**63 - 1)
    gold = forms.BooleanField(
        label="Compare with the gold standard",
        required=False,
        help_text="Adds the curated gold standard as a coder (on the documents curated).",
    )

    def __init__(self, project, data):
        super().__init__(data)
        self.fields["bootstrap"].widget.attrs["placeholder"] = str(DEFAULT_BOOTSTRAP)
        self.fields["seed"].widget.attrs["placeholder"] = str(DEFAULT_SEED)
        docs = (
            Document.objects.filter(project=project)
            .order_by("order", "id")
            .annotate(opening=Substr("text", 1, 80))
            .values_list("id", "title", "opening")
        )
        self.fields["documents"].choices = [
            (pk, Document(title=title, text=opening).display_title) for pk, title, opening in docs
        ]
        usernames = Membership.objects.filter(project=project).values_list(
            "user__username", flat=True
        )
        self.fields["coders"].choices = [(u, u) for u in sorted(usernames)]
        self.fields["codes"].choices = list(
            Code.objects.filter(codebook_id=project.codebook_id)
            .order_by("order", "name", "id")
            .values_list("id", "name")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError("The start date must not be after the end date.")
        if data.get("bootstrap") is None:
            data["bootstrap"] = DEFAULT_BOOTSTRAP
        if data.get("seed") is None:
            data["seed"] = DEFAULT_SEED
        return data

    def narrowing(self) -> AgreementNarrowing:
        data = self.cleaned_data
        return AgreementNarrowing(
            documents=tuple(data["documents"]),
            coders=tuple(data["coders"]),
            codes=tuple(data["codes"]),
            date_from=data["date_from"],
            date_to=data["date_to"],
            include_gold=bool(data.get("gold")),
        )

    def query_string(self) -> str:
        """The canonical query string of the valid filters (links carry it)."""
        data = self.cleaned_data
        qs = QueryDict(mutable=True)
        for name in ("documents", "coders", "codes"):
            qs.setlist(name, [str(v) for v in data[name]])
        for name in ("date_from", "date_to"):
            if data[name]:
                qs[name] = data[name].isoformat()
        qs["bootstrap"] = str(data["bootstrap"])
        qs["seed"] = str(data["seed"])
        if data.get("gold"):
            qs["gold"] = "on"
        return qs.urlencode()


# --- workflow --------------------------------------------------------------------------------


def project_members(project, roles=(Role.ANNOTATOR,)):
    return (
        get_user_model()
        .objects.filter(memberships__project=project, memberships__role__in=roles)
        .order_by("username")
    )


class ManualAssignmentForm(forms.Form):
    document = forms.ModelChoiceField(queryset=Document.objects.none())
    coder = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = project.documents.defer("text").order_by("order", "id")
        self.fields["coder"].queryset = project_members(project)


class AutoAssignmentForm(forms.Form):
    coders = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple
    )
    k = forms.IntegerField(label="Coders per document", min_value=1, initial=2)
    shuffle = forms.BooleanField(label="Random order", required=False)
    seed = forms.IntegerField(required=False, help_text="For a reproducible random order.")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coders"].queryset = project_members(project)


class GoldForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    annotation = forms.IntegerField(required=False)
    code = forms.IntegerField(required=False)
    start_offset = forms.IntegerField(required=False, min_value=0)
    end_offset = forms.IntegerField(required=False, min_value=0)
    min_coders = forms.IntegerField(required=False, min_value=1)
    match = forms.ChoiceField(choices=[("exact", "exact"), ("overlap", "overlap")], required=False)
    text = forms.CharField(required=False)
