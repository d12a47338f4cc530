# Documents: the file field writes to the "documents" store; files sent together share a
# submission id (existing rows each get their own); the retention job's index on closed tickets.

import enquiries.models
import enquiries.storage
import uuid
from django.conf import settings
from django.db import migrations, models


def give_each_document_its_own_submission(apps, schema_editor):
    Document = apps.get_model("enquiries", "Document")
    for document in Document.objects.filter(submission__isnull=True).only("pk"):
        Document.objects.filter(pk=document.pk).update(submission=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0008_approved_next_steps'),
        ('enquiries', '0004_agents_workspace'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='note',
            field=models.TextField(blank=True, max_length=1000, verbose_name='note from the sender'),
        ),
        migrations.AddField(
            model_name='document',
            name='submission',
            field=models.UUIDField(editable=False, null=True, verbose_name='sent together as'),
        ),
        migrations.RunPython(give_each_document_its_own_submission, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='document',
            name='submission',
            field=models.UUIDField(default=uuid.uuid4, editable=False, verbose_name='sent together as'),
        ),
        migrations.AlterField(
            model_name='document',
            name='file',
            field=models.FileField(blank=True, max_length=200, storage=enquiries.storage.documents_storage, upload_to=enquiries.models.document_path, verbose_name='file'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('state', 'closed')), fields=['closed_at'], name='ticket_closed_idx'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(fields=('submission', 'sha256'), name='document_once_per_submission'),
        ),
    ]
