from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Annotation(models.Model):
    """One coding: a coder applied a code to ``text[start_offset:end_offset]``.

    Offsets are Unicode code points (Python ``str`` indices), half-open ``[start, end)``, into
    the document's immutable NFC text. The database enforces ``0 <= start < end`` and
    uniqueness; ``annotation_create`` checks that the code belongs to the project's codebook
    and that ``end_offset <= document.length``.
    """

    document = models.ForeignKey(
        "annotator.Document", on_delete=models.CASCADE, related_name="annotations"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    code = models.ForeignKey("annotator.Code", on_delete=models.PROTECT, related_name="annotations")
    start_offset = models.PositiveIntegerField()
    end_offset = models.PositiveIntegerField()
    memo = models.TextField(blank=True)
    # The latest published codebook version when the coding was made (None: made before
    # versions existed or imported from another tool).
    codebook_version = models.ForeignKey(
        "annotator.CodebookVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annotations",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "start_offset", "end_offset", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_offset__gte=0) & Q(start_offset__lt=F("end_offset")),
                name="annotation_offsets_valid",
            ),
            models.UniqueConstraint(
                fields=["document", "coder", "code", "start_offset", "end_offset"],
                name="annotation_unique",
            ),
        ]
        indexes = [
            # The workspace and agreement read one document's codings in text order; the API
            # pages through them by this key (keyset pagination: WHERE (key) > (...) LIMIT n).
            models.Index(
                fields=["document", "start_offset", "end_offset", "id"],
                name="annotation_doc_text_order",
            ),
            # Per-coder reads (blind coding, progress) within a document.
            models.Index(fields=["coder", "document"], name="annotation_coder_doc"),
            # Analysis (issue 15). Codings of some codes in document order, covering the pair
            # conditions: retrieval's "A overlaps B" runs as a merge semi-join of two
            # index-only scans.
            models.Index(
                fields=["code", "document", "coder", "start_offset", "end_offset", "id"],
                name="annotation_code_doc",
            ),
            # Each coder's codings of a document in text order: co-occurrence sweeps them
            # without sorting.
            models.Index(
                fields=["document", "coder", "start_offset", "end_offset", "code", "id"],
                name="annotation_doc_coder_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start_offset}, {self.end_offset}) by {self.coder}"


class DocumentStatus(models.Model):
    """A coder's progress on a document. No row means "not started"."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    document = models.ForeignKey(
        "annotator.Document", on_delete=models.CASCADE, related_name="statuses"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_statuses"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "document statuses"
        constraints = [
            models.UniqueConstraint(fields=["document", "coder"], name="document_status_unique"),
            models.CheckConstraint(
                condition=Q(state__in=["in_progress", "done"]), name="document_status_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coder} — {self.document_id}: {self.state}"
