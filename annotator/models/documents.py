from django.db import models
from django.db.models import Q


class Document(models.Model):
    """An article to code.

    ``text`` is NFC-normalised by ``document_create`` and never changes afterwards: offsets of
    every coding point into it. A database trigger (see migration 0002) refuses any UPDATE that
    changes ``text``, ``text_sha256`` or ``length``, whatever path the write takes.
    """

    project = models.ForeignKey(
        "annotator.Project", on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=500, blank=True)
    source = models.CharField("source / outlet", max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField("published date", null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, editable=False)
    length = models.PositiveIntegerField(editable=False, help_text="Length in code points.")
    # Whitespace-separated words (``len(text.split())``), set at import; the frequency table
    # divides by it. Null only for rows written around ``document_create`` (analysis then
    # estimates the count in SQL).
    word_count = models.PositiveIntegerField(null=True, editable=False)
    metadata = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "text_sha256"], name="document_text_unique_in_project"
            ),
            models.CheckConstraint(condition=Q(length__gte=0), name="document_length_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The stated title, or the opening words when the article states none."""
        if self.title:
            return self.title
        words = self.text[:80].split()
        return "Untitled — " + " ".join(words[:8]) + "…"
