"""The database refuses to change a casilla notification (SQLite and PostgreSQL triggers).

A deposited item has legal effect: its content columns never change, and `first_opened_at`
is set once (NULL -> a time) and then never again. The two foreign keys Django sets to NULL
when their row goes (`template`, `deposited_by`: on_delete SET_NULL) may only become NULL.
An attachment row never changes at all. Deleting is refused in code, not here (test
databases are flushed by deleting rows)."""

from django.db import migrations

# Columns that never change once the row exists.
CONTENT = [
    "id", "recipient_id", "recipient_document", "recipient_name", "institution_id",
    "template_version", "kind", "subject", "body", "reference", "link", "corrects_id",
    "deposited_at", "content_sha256", "code",
]  # fmt: skip
ATTACHMENT = ["id", "item_id", "position", "file", "name", "content_type", "size", "sha256"]


def _changed(columns):
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def _distinct(columns):
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


ITEM_REFUSED_SQLITE = (
    f"{_changed(CONTENT)}"
    " OR (OLD.first_opened_at IS NOT NULL AND NEW.first_opened_at IS NOT OLD.first_opened_at)"
    " OR (NEW.template_id IS NOT NULL AND NEW.template_id IS NOT OLD.template_id)"
    " OR (NEW.deposited_by_id IS NOT NULL AND NEW.deposited_by_id IS NOT OLD.deposited_by_id)"
)
ITEM_REFUSED_POSTGRES = (
    f"{_distinct(CONTENT)}"
    " OR (OLD.first_opened_at IS NOT NULL"
    " AND NEW.first_opened_at IS DISTINCT FROM OLD.first_opened_at)"
    " OR (NEW.template_id IS NOT NULL AND NEW.template_id IS DISTINCT FROM OLD.template_id)"
    " OR (NEW.deposited_by_id IS NOT NULL"
    " AND NEW.deposited_by_id IS DISTINCT FROM OLD.deposited_by_id)"
)

SQLITE_FORWARD = [
    f"""CREATE TRIGGER notifications_inboxitem_immutable
        BEFORE UPDATE ON notifications_inboxitem
        WHEN {ITEM_REFUSED_SQLITE}
        BEGIN SELECT RAISE(ABORT, 'casilla: una notificación depositada no se modifica'); END""",
    f"""CREATE TRIGGER notifications_inboxattachment_immutable
        BEFORE UPDATE ON notifications_inboxattachment
        WHEN {_changed(ATTACHMENT)}
        BEGIN SELECT RAISE(ABORT, 'casilla: un adjunto depositado no se modifica'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS notifications_inboxattachment_immutable",
    "DROP TRIGGER IF EXISTS notifications_inboxitem_immutable",
]
# SQLSTATE 23000 (integrity_constraint_violation): Django raises IntegrityError on both engines.
POSTGRES_FORWARD = [
    f"""CREATE FUNCTION notifications_inboxitem_immutable() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {ITEM_REFUSED_POSTGRES} THEN
                RAISE EXCEPTION 'casilla: una notificación depositada no se modifica'
                    USING ERRCODE = '23000';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER notifications_inboxitem_immutable
        BEFORE UPDATE ON notifications_inboxitem
        FOR EACH ROW EXECUTE FUNCTION notifications_inboxitem_immutable()""",
    f"""CREATE FUNCTION notifications_inboxattachment_immutable() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {_distinct(ATTACHMENT)} THEN
                RAISE EXCEPTION 'casilla: un adjunto depositado no se modifica'
                    USING ERRCODE = '23000';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER notifications_inboxattachment_immutable
        BEFORE UPDATE ON notifications_inboxattachment
        FOR EACH ROW EXECUTE FUNCTION notifications_inboxattachment_immutable()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS notifications_inboxattachment_immutable"
    " ON notifications_inboxattachment",
    "DROP FUNCTION IF EXISTS notifications_inboxattachment_immutable()",
    "DROP TRIGGER IF EXISTS notifications_inboxitem_immutable ON notifications_inboxitem",
    "DROP FUNCTION IF EXISTS notifications_inboxitem_immutable()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
