"""Input and Output serializers: plain ``Serializer`` classes, no ``ModelSerializer``.

Inputs refuse unknown fields (``StrictSerializer``); offsets are Unicode code points into the
document's NFC text, half-open ``[start_offset, end_offset)``, as everywhere in Annotator.
"""

from rest_framework import serializers

from ..models import DocumentStatus, Membership, Project
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
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
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
    parent = serializers.IntegerField(
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
    source = serializers.CharField()
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
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
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
    source = serializers.CharField(required=False, help_text="Source/outlet, exactly.")
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
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
