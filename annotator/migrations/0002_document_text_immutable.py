"""A database trigger that refuses any change to a document's text once it exists.

Codings are offsets into the text, so the text must never change, whatever path the write takes
(service, admin, shell, raw SQL). The trigger raises with the message below.
"""

from django.db import migrations

MESSAGE = "document text is immutable: codings point into it"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION annotator_document_text_immutable() RETURNS trigger AS $$
BEGIN
    IF NEW.text IS DISTINCT FROM OLD.text
       OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256
       OR NEW.length IS DISTINCT FROM OLD.length THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER annotator_document_text_immutable
    BEFORE UPDATE ON annotator_document
    FOR EACH ROW EXECUTE FUNCTION annotator_document_text_immutable();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS annotator_document_text_immutable ON annotator_document;
DROP FUNCTION IF EXISTS annotator_document_text_immutable();
"""
SQLITE_UP = f"""
CREATE TRIGGER annotator_document_text_immutable
BEFORE UPDATE OF text, text_sha256, length ON annotator_document
WHEN NEW.text IS NOT OLD.text OR NEW.text_sha256 IS NOT OLD.text_sha256
     OR NEW.length IS NOT OLD.length
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS annotator_document_text_immutable;"


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql is None:
            raise RuntimeError(f"Unsupported database: {schema_editor.connection.vendor}")
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql)
        else:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("annotator", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
