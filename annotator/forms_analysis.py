"""Forms of the analysis pages, also used by their API endpoints (same parameters, same
validation). Each form is built for one user of one project: the coder choices are the coders
that user may read (``selectors.analysis.visible_coders``), so an annotator under blind coding
cannot even name another coder."""

import re

from django import forms
from django.core.exceptions import ValidationError

from .models import Code, Document
from .selectors import analysis as sel
from .services.autocode import EXTENDS, AutocodeQuery

MAX_CODES = 30
_META_KEY = re.compile(r"^[\w .:-]{1,100}$")


class _Multi(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ScopeForm(forms.Form):
    codes = _Multi(coerce=int, required=False, label="Codes")
    subcodes = forms.BooleanField(required=False, label="Include sub-codes")
    coders = _Multi(coerce=int, required=False, label="Coders")
    documents = forms.CharField(
        required=False, max_length=2000, label="Document ids (comma-separated)"
    )
    title = forms.CharField(required=False, max_length=200, label="Title contains")
    source = forms.CharField(required=False, max_length=300, label="Source contains")
    date_from = forms.DateField(required=False, label="Published from")
    date_to = forms.DateField(required=False, label="Published to")
    meta_key = forms.CharField(required=False, max_length=100, label="Metadata key")
    meta_value = forms.CharField(required=False, max_length=300, label="Metadata value")
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, label="Page")

    def __init__(self, project_access, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_access, self.user = project_access, user
        self.project = project_access.project
        self.tree = sel.code_tree(self.project)
        self.fields["codes"].choices = [(pk, path) for pk, path, _ in self.tree]
        self.fields["coders"].choices = [
            (int(v), label) for v, label in sel.visible_coders(project_access, user)
        ]

    def clean_documents(self):
        raw = self.cleaned_data["documents"].strip()
        if not raw:
            return ()
        try:
            ids = sorted({int(part) for part in raw.replace(" ", "").split(",") if part})
        except ValueError:
            raise ValidationError("List document ids separated by commas.") from None
        if any(pk <= 0 or pk > 2**31 for pk in ids):
            raise ValidationError("Not a document of this project.")
        found = set(
            Document.objects.filter(project=self.project, pk__in=ids).values_list("pk", flat=True)
        )
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ValidationError(f"Not a document of this project: {missing[0]}.")
        return tuple(ids)

    def clean_meta_key(self):
        key = self.cleaned_data["meta_key"].strip()
        if key and not _META_KEY.match(key):
            raise ValidationError("A metadata key is letters, digits, spaces, . : - or _.")
        return key

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "Must not be before the start date.")
        if data.get("meta_value") and not data.get("meta_key"):
            self.add_error("meta_key", "Name the metadata key the value belongs to.")
        return data

    def expand(self, code_ids) -> tuple[int, ...]:
        if self.cleaned_data.get("subcodes"):
            return sel.with_subcodes(self.tree, code_ids)
        return tuple(code_ids)

    def scope(self, **extra) -> sel.Scope:
        data = self.cleaned_data
        coder_ids = tuple(data["coders"]) or sel.default_coder_ids(self.project_access, self.user)
        return sel.Scope(
            project=self.project,
            coder_ids=coder_ids,
            code_ids=self.expand(data["codes"]),
            document_ids=data["documents"],
            title=data["title"],
            source=data["source"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            meta_key=data["meta_key"],
            meta_value=data["meta_value"],
            **extra,
        )

    @property
    def page_index(self) -> int:
        return self.cleaned_data.get("page") or 1


class RetrievalForm(ScopeForm):
    text = forms.CharField(required=False, max_length=300, label="Coded text contains")
    op = forms.ChoiceField(
        required=False,
        label="Only segments that",
        choices=[(k, v) for k, v in sel.OPERATORS.items()],
    )
    other = _Multi(coerce=int, required=False, label="Compared with codes")
    distance = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, initial=100, label="n (characters)"
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("", "page"), ("csv", "CSV"), ("md", "Markdown"), ("html", "HTML (DOCX)")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = self.fields["codes"].choices

    def clean(self):
        data = super().clean()
        if data.get("op") and not data.get("other"):
            self.add_error("other", "Choose the codes the operator compares with.")
        if data.get("other") and not data.get("op"):
            self.add_error("op", "Choose how the segments relate to these codes.")
        return data

    def scope(self, **extra) -> sel.Scope:
        data = self.cleaned_data
        return super().scope(
            text=data["text"],
            op=data["op"] or "",
            other_code_ids=self.expand(data["other"]) if data["op"] else (),
            distance=data["distance"] if data["distance"] is not None else 100,
            **extra,
        )


METRIC_CHOICES = [
    ("segments", "Segments"),
    ("documents", "Documents"),
    ("characters", "Coded characters"),
    ("per_1000_words", "Segments per 1,000 words"),
]


class FrequencyForm(ScopeForm):
    variable = forms.ChoiceField(label="Compare by", required=False)
    metric = forms.ChoiceField(required=False, label="Show", choices=METRIC_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keys = sel.metadata_keys(self.project)
        self.fields["variable"].choices = [*sel.VARIABLES.items()] + [
            (f"metadata.{k}", f"Metadata: {k}") for k in keys
        ]

    def clean_variable(self):
        return self.cleaned_data["variable"] or "source"

    def clean_metric(self):
        return self.cleaned_data["metric"] or "segments"


class CooccurrenceForm(ScopeForm):
    mode = forms.ChoiceField(
        required=False,
        label="Co-occur when",
        choices=[
            ("overlap", "they overlap"),
            ("near", "within n characters"),
            ("paragraph", "in the same paragraph"),
        ],
    )
    distance = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, label="n (characters)"
    )
    measure = forms.ChoiceField(
        required=False, label="Measure", choices=[("count", "Counts"), ("jaccard", "Jaccard")]
    )

    def clean(self):
        data = super().clean()
        if len(data.get("codes") or ()) > MAX_CODES:
            self.add_error("codes", f"Choose at most {MAX_CODES} codes.")
        data["mode"] = data.get("mode") or "overlap"
        data["measure"] = data.get("measure") or "count"
        if data.get("distance") is None:
            data["distance"] = 100
        return data

    def matrix_codes(self) -> list[int]:
        chosen = self.expand(self.cleaned_data["codes"])
        if chosen:
            return list(chosen)[: MAX_CODES * 4]
        active = Code.objects.filter(codebook_id=self.project.codebook_id, is_active=True)
        return list(active.order_by("order", "name").values_list("pk", flat=True)[:20])


class SearchForm(forms.Form):
    q = forms.CharField(max_length=300, label="Search the documents")
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        if not sel.search_terms(q):
            raise ValidationError("Enter at least one word.")
        return q


class MemoForm(ScopeForm):
    q = forms.CharField(required=False, max_length=300, label="Memo contains")


class AutocodeForm(forms.Form):
    code = forms.TypedChoiceField(coerce=int, label="Code to apply")
    query = forms.CharField(max_length=500, strip=False, label="Search for")
    regex = forms.BooleanField(required=False, label="Regular expression")
    whole_words = forms.BooleanField(required=False, label="Whole words only")
    case_sensitive = forms.BooleanField(required=False, label="Match case")
    extend = forms.ChoiceField(
        required=False,
        label="Code",
        choices=[(k, v) for k, v in EXTENDS.items()],
    )

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = {
            c.pk: c
            for c in Code.objects.filter(codebook_id=project.codebook_id, is_active=True).order_by(
                "order", "name"
            )
        }
        self.fields["code"].choices = [(pk, c.name) for pk, c in self.codes.items()]

    def autocode_query(self) -> AutocodeQuery:
        data = self.cleaned_data
        return AutocodeQuery(
            text=data["query"],
            is_regex=data["regex"],
            whole_words=data["whole_words"],
            case_sensitive=data["case_sensitive"],
            extend=data["extend"] or "",
        )

    def chosen_code(self) -> Code:
        return self.codes[self.cleaned_data["code"]]
