"""Database triggers refusing a code whose parent belongs to another codebook.

A code and its parent must share a codebook (``services.codes.code_check_parent`` says so for
every write path; the triggers hold whatever the path: admin, shell, raw SQL). Each pair is
checked when the later of the two rows is written: on insert and on a change of ``parent_id``
or ``codebook_id``, against the new parent and against the code's own children. Before creating
the triggers, codes already under a parent of another codebook are detached (made top-level):
they made every export of their project fail.
"""

from django.db import migrations

MESSAGE = "the parent of a code must belong to the same codebook"

# The row breaks the rule if its parent, or one of its children, sits in another codebook.
VIOLATION = """
    EXISTS (SELECT 1 FROM annotator_code p
            WHERE p.id = NEW.parent_id AND p.codebook_id <> NEW.codebook_id)
    OR EXISTS (SELECT 1 FROM annotator_code c
               WHERE c.parent_id = NEW.id AND c.codebook_id <> NEW.codebook_id)
"""

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION annotator_code_parent_same_codebook() RETURNS trigger AS $$
BEGIN
    IF {VIOLATION} THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER annotator_code_parent_same_codebook
    BEFORE INSERT OR UPDATE OF parent_id, codebook_id ON annotator_code
    FOR EACH ROW EXECUTE FUNCTION annotator_code_parent_same_codebook();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS annotator_code_parent_same_codebook ON annotator_code;
DROP FUNCTION IF EXISTS annotator_code_parent_same_codebook();
"""
SQLITE_UP = [
    f"""
CREATE TRIGGER annotator_code_parent_same_codebook_insert
BEFORE INSERT ON annotator_code
WHEN {VIOLATION}
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
""",
    f"""
CREATE TRIGGER annotator_code_parent_same_codebook_update
BEFORE UPDATE OF parent_id, codebook_id ON annotator_code
WHEN {VIOLATION}
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS annotator_code_parent_same_codebook_insert;",
    "DROP TRIGGER IF EXISTS annotator_code_parent_same_codebook_update;",
]

DETACH = """
UPDATE annotator_code SET parent_id = NULL
WHERE parent_id IS NOT NULL AND codebook_id <> (
    SELECT p.codebook_id FROM annotator_code p WHERE p.id = annotator_code.parent_id
)
"""


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in sql_by_vendor:
            raise RuntimeError(f"Unsupported database: {vendor}")
        statements = sql_by_vendor[vendor]
        for sql in [statements] if isinstance(statements, str) else statements:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("annotator", "0003_workflow")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [DETACH, POSTGRES_UP], "sqlite": [DETACH, *SQLITE_UP]}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
