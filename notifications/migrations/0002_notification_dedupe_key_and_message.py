"""Notifications get a deduplication key and the producer's wording (filled by 0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="dedupe_key",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=100, verbose_name="deduplication key"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="message_en",
            field=models.TextField(blank=True, db_default="", default="", verbose_name="message (English)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="message_fr",
            field=models.TextField(blank=True, db_default="", default="", verbose_name="message (French)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="message_in_email",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="message may be quoted in emails"
            ),
        ),
    ]
