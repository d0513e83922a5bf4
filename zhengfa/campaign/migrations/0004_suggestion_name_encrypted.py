"""Citizens' names on opinions are personal data: store them encrypted, like their phones."""

from django.db import migrations

import zhengfa.core.crypto


def encrypt_existing(apps, schema_editor):
    from zhengfa.core.crypto import encrypt

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM campaign_suggestion WHERE name <> ''")
        rows = cursor.fetchall()
        for pk, name in rows:
            if not name.startswith("gAAAA"):  # already a Fernet token
                cursor.execute("UPDATE campaign_suggestion SET name = %s WHERE id = %s",
                               [encrypt(name), pk])


def decrypt_existing(apps, schema_editor):
    """Going back: plain names again, before the column returns to varchar(50)."""
    from zhengfa.core.crypto import decrypt

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM campaign_suggestion WHERE name <> ''")
        for pk, name in cursor.fetchall():
            if name.startswith("gAAAA"):
                cursor.execute("UPDATE campaign_suggestion SET name = %s WHERE id = %s",
                               [decrypt(name)[:50], pk])


class Migration(migrations.Migration):
    dependencies = [("campaign", "0003_suggestion_task")]

    operations = [
        migrations.AlterField(
            model_name="suggestion",
            name="name",
            field=zhengfa.core.crypto.EncryptedCharField(blank=True, default="", verbose_name="name"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
