from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from . import services
from .models import (
    Annotation,
    Assignment,
    Code,
    Codebook,
    Curation,
    CurationNote,
    Document,
    DocumentStatus,
    GoldProvenance,
    Membership,
    Project,
)
from .services.codes import code_check_parent, code_save


@admin.display(description="colour")
def color_swatch(obj) -> str:
    # An SVG data URI rather than an inline style: the Content Security Policy forbids those.
    svg = (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='20' height='20'%3E"
        f"%3Crect width='20' height='20' rx='3' fill='%23{obj.color.lstrip('#')}'/%3E%3C/svg%3E"
    )
    return format_html('<img src="{}" alt="{}" width="20" height="20">', svg, obj.color)


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form, under its field when the form has it."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class CodeAdminForm(forms.ModelForm):
    """The code form of the admin: the hierarchy rules of ``services.codes`` as form errors."""

    class Meta:
        model = Code
        fields = [
            "codebook",
            "name",
            "color",
            "definition",
            "inclusion_criteria",
            "exclusion_criteria",
            "example",
            "shortcut",
            "parent",
            "order",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            parents = Code.objects.select_related("codebook")
            if self.instance.pk:  # the codebook is fixed: offer only its other codes
                parents = parents.filter(codebook=self.instance.codebook_id).exclude(
                    pk=self.instance.pk
                )
            self.fields["parent"].queryset = parents
            self.fields["parent"].label_from_instance = lambda c: f"{c.name} ({c.codebook})"

    def clean(self):
        cleaned = super().clean()
        if "parent" in self.fields and "parent" in cleaned:
            codebook = cleaned.get("codebook") or self.instance.codebook
            probe = Code(pk=self.instance.pk, codebook=codebook)
            try:
                code_check_parent(code=probe, parent=cleaned["parent"])
            except ValidationError as error:
                _add_errors(self, error)
        return cleaned


class CodeInlineFormSet(BaseInlineFormSet):
    """The codes of one codebook, edited together: parents only from this codebook, and the
    hierarchy judged as it will be once every row of the page is saved."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A new codebook has no codes yet, so none can be a parent.
        form.fields["parent"].queryset = Code.objects.filter(
            codebook=self.instance if self.instance.pk else None
        )

    def pending_parents(self) -> dict[int, int | None]:
        return {
            form.instance.pk: getattr(form.cleaned_data.get("parent"), "pk", None)
            for form in self.forms
            if form.instance.pk
            and "parent" in getattr(form, "cleaned_data", {})
            and not self._should_delete_form(form)  # type: ignore[attr-defined]  # not in the stubs
        }

    def clean(self):
        super().clean()
        pending = self.pending_parents()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            if "parent" not in getattr(form, "cleaned_data", {}):
                continue
            probe = Code(pk=form.instance.pk, codebook=self.instance)
            try:
                code_check_parent(code=probe, parent=form.cleaned_data["parent"], pending=pending)
            except ValidationError as error:
                _add_errors(form, error)


class CodeInline(admin.TabularInline):
    model = Code
    formset = CodeInlineFormSet
    extra = 0
    fields = ["order", "name", "color", "shortcut", "parent", "is_active", "definition"]
    ordering = ["order", "name"]
    show_change_link = True


@admin.register(Codebook)
class CodebookAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description", "codes__name"]
    inlines = [CodeInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Code:
            return super().save_formset(request, form, formset, change)
        # Every code through the service, judged against the page's other changes.
        pending = formset.pending_parents()
        codes = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for code in codes:
            code_save(code=code, data={}, pending=pending)
        formset.save_m2m()


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    form = CodeAdminForm
    list_display = ["name", color_swatch, "shortcut", "codebook", "parent", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["codebook", "is_active"]
    search_fields = ["name", "definition", "inclusion_criteria", "exclusion_criteria"]
    ordering = ["codebook", "order", "name"]

    def get_readonly_fields(self, request, obj=None):
        # A code keeps its codebook: its codings and sub-codes belong to that codebook.
        return ["codebook"] if obj else []

    def save_model(self, request, obj, form, change):
        code_save(code=obj, data={})


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "codebook", "granularity", "blind_coding"]
    search_fields = ["name", "description"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["display_title", "project", "source", "published", "length"]
    list_filter = ["project"]
    search_fields = ["title", "source", "author", "external_id"]
    readonly_fields = ["text_sha256", "length", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The text is shown read-only once the document exists: codings point into it.
        return [*self.readonly_fields, "text"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.document_update(document=obj, **fields)
        else:
            fields = {
                name: form.cleaned_data[name]
                for name in services.documents.EDITABLE_FIELDS
                if name in form.cleaned_data
            }
            created = services.document_create(
                project=form.cleaned_data["project"], text=form.cleaned_data["text"], **fields
            )
            obj.pk = created.pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(form_self):
            cleaned = original_clean(form_self)
            if obj is None and cleaned.get("project") and cleaned.get("text"):
                digest = services.documents.text_sha256(
                    services.documents.normalise_text(cleaned["text"])
                )
                if Document.objects.filter(project=cleaned["project"], text_sha256=digest).exists():
                    raise ValidationError("This project already has a document with the same text.")
            return cleaned

        form.clean = clean
        return form


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    """Codings through the coding service, as everywhere else: a new coding is checked and
    stored by ``annotation_create`` (end within the text, a code of the project's codebook,
    active, whitespace trimmed and, with word granularity, snapped to words; the memo rule);
    an existing one changes only its memo, through ``annotation_update``."""

    list_display = ["document", "coder", "code", "start_offset", "end_offset", "updated_at"]
    list_filter = ["code", "coder", "document__project"]
    search_fields = ["memo", "document__title", "coder__username"]
    raw_id_fields = ["document"]
    readonly_fields = ["created_at", "updated_at"]
    SPAN_FIELDS = ["document", "coder", "code", "start_offset", "end_offset"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.SPAN_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(form_self):
            cleaned = original_clean(form_self)
            if obj is not None:
                if "memo" in cleaned:
                    message = services.annotations.memo_error(cleaned["memo"])
                    if message:
                        raise ValidationError({"memo": message})
                return cleaned
            needed = ("document", "code", "start_offset", "end_offset")
            if all(cleaned.get(name) is not None for name in needed):
                start, end = services.annotations.annotation_check(
                    document=cleaned["document"],
                    code=cleaned["code"],
                    start_offset=cleaned["start_offset"],
                    end_offset=cleaned["end_offset"],
                    memo=cleaned.get("memo", ""),
                )
                # What the service will store (the model's own checks then see it too).
                cleaned["start_offset"], cleaned["end_offset"] = start, end
            return cleaned

        form.clean = clean
        return form

    def save_model(self, request, obj, form, change):
        if change:
            services.annotation_update(annotation=obj, memo=obj.memo)
            return
        annotation, _ = services.annotation_create(
            document=obj.document,
            coder=obj.coder,
            code=obj.code,
            start_offset=obj.start_offset,
            end_offset=obj.end_offset,
            memo=obj.memo,
        )
        obj.pk = annotation.pk


@admin.register(DocumentStatus)
class DocumentStatusAdmin(admin.ModelAdmin):
    list_display = ["document", "coder", "state", "updated_at"]
    list_filter = ["state"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["document", "coder", "position", "due_date", "assigned_by", "created_at"]
    list_filter = ["document__project", "coder"]
    search_fields = ["coder__username", "document__title"]
    raw_id_fields = ["document"]


@admin.register(GoldProvenance)
class GoldProvenanceAdmin(admin.ModelAdmin):
    list_display = ["annotation", "action", "accepted_by", "accepted_at", "confirmed"]
    list_filter = ["action", "confirmed"]
    raw_id_fields = ["annotation"]
    readonly_fields = ["accepted_at"]


@admin.register(Curation)
class CurationAdmin(admin.ModelAdmin):
    list_display = ["document", "version", "updated_by", "updated_at"]
    readonly_fields = ["version", "updated_at"]
    raw_id_fields = ["document"]


@admin.register(CurationNote)
class CurationNoteAdmin(admin.ModelAdmin):
    list_display = ["document", "author", "created_at"]
    search_fields = ["text"]
    raw_id_fields = ["document"]
