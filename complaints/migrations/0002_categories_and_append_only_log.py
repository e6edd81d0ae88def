"""The allegation categories a fresh install offers, and PostgreSQL's guard on the access log.

The categories are data (administrators can rename, reorder, retire or add them in the admin);
these are the ones the issue names. On PostgreSQL a trigger refuses UPDATE and DELETE on the
access log whoever asks, so "append-only" holds below the ORM as well.
"""

from django.db import migrations

CATEGORIES = [
    ("use-of-force", "Use of force", "Uso de la fuerza", "Force that was not needed or went too far.",
     "Fuerza que no era necesaria o que fue excesiva."),
    ("discourtesy", "Discourtesy", "Falta de cortesía", "Rude, insulting or disrespectful words or behaviour.",
     "Palabras o conducta groseras, insultantes o irrespetuosas."),
    ("improper-stop-or-search", "Improper stop or search", "Detención o registro indebido",
     "Being stopped, searched or arrested without a good reason.",
     "Ser detenido, registrado o arrestado sin una buena razón."),
    ("discrimination-or-bias", "Discrimination or bias", "Discriminación o prejuicio",
     "Treated differently because of who you are.", "Recibir un trato distinto por quién es usted."),
    ("failure-to-act", "Failure to act", "No actuar", "An officer did not do something they should have done.",
     "Un agente no hizo algo que debía hacer."),
    ("property", "Property", "Bienes", "Property damaged, taken or not returned.",
     "Bienes dañados, tomados o no devueltos."),
    ("other", "Other", "Otro", "Something else about an officer's conduct.", "Otra cosa sobre la conducta de un agente."),
]

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION complaints_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the complaint access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaints_access_log_append_only
    BEFORE UPDATE OR DELETE ON complaints_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION complaints_access_log_append_only();
"""
DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS complaints_access_log_append_only ON complaints_accesslogentry;
DROP FUNCTION IF EXISTS complaints_access_log_append_only();
"""


def add_categories(apps, schema_editor):
    AllegationCategory = apps.get_model("complaints", "AllegationCategory")
    for order, (slug, name_en, name_es, help_en, help_es) in enumerate(CATEGORIES):
        AllegationCategory.objects.get_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_es": name_es, "help_en": help_en, "help_es": help_es, "order": order},
        )


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [
        migrations.RunPython(add_categories, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
