"""Analysis at scale (issue 15): a stored word count per document, two covering indexes on
codings and, on PostgreSQL, a stored full-text vector with a GIN index.

- ``Document.word_count``: nullable; filled here for existing documents (in batches) and by
  ``document_create`` / the importer for new ones. The frequency table divides by it.
- PostgreSQL only: ``annotator_document.search_vector``, a generated column
  ``to_tsvector('simple', text)`` (the text never changes, so it is computed once per row) with
  a GIN index. It replaces 0005's expression index: ranking with ``ts_rank_cd`` then reads the
  stored vector instead of re-parsing every matching text. SQLite has neither (search there
  stays a substring scan).
"""

from django.db import migrations, models

BATCH = 500
OLD_FTS_INDEX = "annotator_document_fts"
FTS_INDEX = "annotator_document_search_vector"


def fill_word_counts(apps, schema_editor):
    Document = apps.get_model("annotator", "Document")
    todo = Document.objects.filter(word_count__isnull=True).order_by("pk")
    last = 0
    while True:
        batch = list(todo.filter(pk__gt=last).only("pk", "text")[:BATCH])
        if not batch:
            return
        for document in batch:
            # Same definition as services.documents.word_count (frozen here on purpose).
            document.word_count = len(document.text.split())
        Document.objects.bulk_update(batch, ["word_count"])
        last = batch[-1].pk


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE annotator_document ADD COLUMN IF NOT EXISTS search_vector tsvector"
        " GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {FTS_INDEX} ON annotator_document USING gin (search_vector)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_FTS_INDEX}")


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_FTS_INDEX} ON annotator_document "
        "USING gin (to_tsvector('simple'::regconfig, text))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {FTS_INDEX}")
    schema_editor.execute("ALTER TABLE annotator_document DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0008_codebook_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="word_count",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill_word_counts, migrations.RunPython.noop),
        migrations.RunPython(add_search_vector, drop_search_vector),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                fields=["code", "document", "coder", "start_offset", "end_offset", "id"],
                name="annotation_code_doc",
            ),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                fields=["document", "coder", "start_offset", "end_offset", "code", "id"],
                name="annotation_doc_coder_start",
            ),
        ),
    ]
