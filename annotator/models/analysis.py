"""Provenance of codings made by a tool rather than by hand (auto-coding by search).

A ``CodingProvenance`` row marks an ordinary ``Annotation`` of its coder as proposed by the
auto-coder and accepted in review; the query is kept so the coding can be traced, and the
agreement report (or anyone reading the data) can include or exclude auto-coded codings.
Codings without a row were made by hand (or imported).
"""

from django.db import models
from django.db.models import Q


class CodingProvenance(models.Model):
    class Source(models.TextChoices):
        AUTO_CODE = "auto-code", "Auto-coded by search"

    annotation = models.OneToOneField(
        "annotator.Annotation", on_delete=models.CASCADE, related_name="coding_provenance"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.AUTO_CODE)
    # The query as the coder typed it, with its options, e.g. "regex: \bIran\b (case, words)".
    query = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "coding provenance"
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["auto-code"]), name="coding_provenance_source_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.query}"
