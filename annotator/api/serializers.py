"""Input and Output serializers: plain ``Serializer`` classes, no ``ModelSerializer``.

Inputs refuse unknown fields (``StrictSerializer``); offsets are Unicode code points into the
document's NFC text, half-open ``[start_offset, end_offset)``, as everywhere in Annotator.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import DocumentStatus, Membership, Project
from ..services import imports
from .base import StrictSerializer

# PositiveIntegerField's range on every database we support.
MAX_INT = 2_147_483_647
# Ids are 64-bit; a larger number cannot name an object and some databases refuse to compare it.
MAX_ID = 2**63 - 1


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    codebook = serializers.IntegerField(source="codebook_id")
    granularity = serializers.ChoiceField(choices=Project.Granularity.choices)
    blind_coding = serializers.BooleanField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, help_text="Your role.")
    document_count = serializers.IntegerField()


class MemberOutput(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class CodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    codebook = serializers.IntegerField(source="codebook_id")
    name = serializers.CharField()
    color = serializers.CharField(help_text="#RRGGBB")
    definition = serializers.CharField()
    inclusion_criteria = serializers.CharField()
    exclusion_criteria = serializers.CharField()
    example = serializers.CharField()
    shortcut = serializers.CharField(help_text="One key, 1-9 or a-z; blank for none.")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]  # stub: Field.parent
    order = serializers.IntegerField()
    is_active = serializers.BooleanField()


class CodebookOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    codes = CodeOutput(many=True)


class CodeInput(StrictSerializer):
    """A code; on update (PATCH) every field is optional. Uniqueness is checked by the model."""

    name = serializers.CharField(max_length=200)
    color = serializers.RegexField(
        r"^#[0-9A-Fa-f]{6}$", required=False, help_text="#RRGGBB", max_length=7
    )
    definition = serializers.CharField(required=False, allow_blank=True)
    inclusion_criteria = serializers.CharField(required=False, allow_blank=True)
    exclusion_criteria = serializers.CharField(required=False, allow_blank=True)
    example = serializers.CharField(required=False, allow_blank=True)
    shortcut = serializers.RegexField(
        r"^[1-9a-z]?$", required=False, allow_blank=True, max_length=1
    )
    parent = serializers.IntegerField(  # type: ignore[assignment]  # stub: Field.parent
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="A code of the same codebook.",
    )
    order = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT)
    is_active = serializers.BooleanField(required=False)


class DocumentListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    title = serializers.CharField()
    display_title = serializers.SerializerMethodField(
        help_text="The title, or the opening words when the article states none."
    )
    source = serializers.CharField()  # type: ignore[assignment]  # stub: Field.source
    author = serializers.CharField()
    url = serializers.CharField()
    published = serializers.DateField(allow_null=True)
    external_id = serializers.CharField()
    length = serializers.IntegerField(help_text="Length of the text in Unicode code points.")
    order = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_display_title(self, document) -> str:
        # Lists defer the text and annotate its first 80 characters as ``opening``: the same
        # words ``Document.display_title`` takes, without loading every text.
        opening = getattr(document, "opening", None)
        if document.title or opening is None:
            return document.display_title
        return "Untitled — " + " ".join(opening.split()[:8]) + "…"


class DocumentOutput(DocumentListOutput):
    text = serializers.CharField(help_text="NFC-normalised; offsets are code points into it.")
    text_sha256 = serializers.CharField()
    metadata = serializers.DictField()


class DocumentInput(StrictSerializer):
    text = serializers.CharField(trim_whitespace=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)  # type: ignore[assignment]  # stub: Field.source
    author = serializers.CharField(required=False, allow_blank=True, max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    published = serializers.DateField(required=False, allow_null=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    metadata = serializers.DictField(required=False)
    order = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT)


class DocumentFilter(StrictSerializer):
    search = serializers.CharField(
        required=False, help_text="Title, source, author or text contains (case-insensitive)."
    )
    source = serializers.CharField(required=False, help_text="Source/outlet, exactly.")  # type: ignore[assignment]  # stub: Field.source
    published_after = serializers.DateField(required=False, help_text="On or after this date.")
    published_before = serializers.DateField(required=False, help_text="On or before this date.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT)


class DocumentStatusInput(StrictSerializer):
    state = serializers.ChoiceField(
        choices=DocumentStatus.State.choices,
        help_text='"done" marks the document done; "in_progress" reopens it.',
    )


class DocumentStatusOutput(serializers.Serializer):
    document = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=DocumentStatus.State.choices, allow_null=True, help_text="null: not started."
    )


class AnnotationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="document.project_id")
    document = serializers.IntegerField(source="document_id")
    coder = serializers.IntegerField(source="coder_id")
    coder_username = serializers.CharField(source="coder.username")
    code = serializers.IntegerField(source="code_id")
    code_name = serializers.CharField(source="code.name")
    start_offset = serializers.IntegerField(help_text="Code point, inclusive.")
    end_offset = serializers.IntegerField(help_text="Code point, exclusive.")
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AnnotationItemInput(StrictSerializer):
    code = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A code of the project's codebook."
    )
    start_offset = serializers.IntegerField(min_value=0, max_value=MAX_INT)
    end_offset = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    memo = serializers.CharField(
        required=False, allow_blank=True, max_length=10_000, trim_whitespace=False
    )


class AnnotationInput(AnnotationItemInput):
    document = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AnnotationUpdateInput(StrictSerializer):
    memo = serializers.CharField(allow_blank=True, max_length=10_000, trim_whitespace=False)


class AnnotationBulkInput(StrictSerializer):
    document = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    items = serializers.ListField(
        child=AnnotationItemInput(), min_length=1, max_length=10_000, allow_empty=False
    )


class AnnotationBulkOutput(serializers.Serializer):
    created = serializers.IntegerField(help_text="How many codings were new.")
    annotations = AnnotationOutput(many=True, help_text="One per item, in item order.")


class AnnotationFilter(StrictSerializer):
    project = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    document = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    coder = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    code = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INT,
        help_text="Codings per page: 100 by default, at most 10,000.",
    )
    cursor = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Where the page starts: take it from the previous page's `next`.",
    )


class AnnotationPageOutput(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page (keyset cursor), null on the last page."
    )
    results = AnnotationOutput(many=True, help_text="In text order: document, start, end, id.")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


# Import uploads (multipart). The files are checked against the size limit and parsed by the
# import services, which name the file, line and field of any problem.


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file part of a multipart request. Without COMPONENT_SPLIT_REQUEST drf-spectacular
    would describe a ``FileField`` as a URI (its output form), not as the bytes a client sends."""


class DocumentImportInput(StrictSerializer):
    """Documents to add: .txt files, a CSV or JSON Lines."""

    format = serializers.ChoiceField(
        choices=["txt", "csv", "jsonl"],
        help_text="txt: one document per file (the title is the file name); csv: one document "
        "per row; jsonl: one document per line (its codings are ignored).",
    )
    files = serializers.ListField(
        child=UploadField(),
        min_length=1,
        help_text="One or more .txt files; exactly one file for csv and jsonl.",
    )
    text_column = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='csv only: the column holding the text (default "text").',
    )
    columns = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="csv only: field=column pairs, e.g. title=Headline,published=Date,desk=Desk. "
        "title, source, author, url, published and external_id fill those fields; other names "
        "become metadata.",
    )

    def validate_columns(self, value) -> dict[str, str]:
        return imports.column_mapping(value)

    def validate(self, attrs):
        if attrs["format"] != "csv":
            extra = [name for name in ("text_column", "columns") if name in attrs]
            if extra:
                raise serializers.ValidationError(
                    {name: ["Only for format csv."] for name in extra}
                )
        return attrs


class CodebookImportInput(StrictSerializer):
    """Codes to add to the project's codebook."""

    file = UploadField(help_text="A REFI-QDA codebook (.qdc).")


class AnnotationImportInput(StrictSerializer):
    """Codings to add, with the documents they need."""

    format = serializers.ChoiceField(
        choices=["jsonl", "qdpx"],
        help_text="jsonl: Annotator or doccano JSON Lines; qdpx: a REFI-QDA project.",
    )
    file = UploadField(help_text="A .jsonl or .qdpx file.")


class ImportOutput(serializers.Serializer):
    """What an import wrote."""

    documents = serializers.IntegerField(help_text="Documents created.")
    codings = serializers.IntegerField(help_text="Codings created.")
    codings_existing = serializers.IntegerField(help_text="Codings already stored, kept once.")
    codes = serializers.IntegerField(help_text="Codes added to the codebook.")
    codes_existing = serializers.IntegerField(help_text="Codes already in the codebook (kept).")
    users_created = serializers.IntegerField(help_text="Inactive coder accounts created.")
    skipped_sources = serializers.IntegerField(help_text="Non-text sources of a .qdpx skipped.")
    message = serializers.SerializerMethodField(help_text="The counts in one sentence.")

    def get_message(self, result) -> str:
        return str(result)
