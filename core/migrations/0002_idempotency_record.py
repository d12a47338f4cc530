# The Idempotency-Key answers move here from status_tracker. The table stays where it is,
# under its old name: only Django's idea of which app owns it changes.

from django.db import migrations, models

from core.model_moves import content_types_move

# Permissions granted on the model follow it.
forward, backward = content_types_move(from_app="status_tracker", to_app="core", models=["idempotencyrecord"])


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0001_audit_event'),
        # The table this model takes over is made there.
        ('status_tracker', '0003_upstream_api_decisions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.BigIntegerField(db_column='api_client_id', db_index=True, verbose_name='API client')),
                        ('key', models.CharField(max_length=255, verbose_name='idempotency key')),
                        ('request_hash', models.CharField(max_length=64, verbose_name='request digest')),
                        ('status_code', models.PositiveSmallIntegerField(verbose_name='status code')),
                        ('response_body', models.JSONField(verbose_name='response body')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                    ],
                    options={
                        'verbose_name': 'idempotency record',
                        'verbose_name_plural': 'idempotency records',
                        'db_table': 'status_tracker_idempotencyrecord',
                        'constraints': [models.UniqueConstraint(fields=('client_id', 'key'), name='idempotency_key_once_per_client')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
