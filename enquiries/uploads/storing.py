"""Storing checked files: all of them in one transaction, or none, with no file left behind."""

import logging
import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from enquiries.models import Document
from enquiries.uploads.rules import CheckedFile

logger = logging.getLogger(__name__)


def _files_delete(names: list[str]) -> None:
    storage = Document._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the orphan sweep removes whatever could not be deleted now
            logger.exception("Could not delete document file %s after a failed save", name)


def documents_save(
    *,
    checked: list[CheckedFile],
    uploaded_by,
    ticket=None,
    message=None,
    application=None,
    stage=None,
    note: str = "",
    submission: uuid.UUID | None = None,
) -> list[Document]:
    """Store the checked files and their rows together: all of them, or (on any failure) none.

    A document belongs to an enquiry (`ticket`, and the `message` it came with) or to a
    *waiting on you* request (`application` and `stage`); an enquiry's documents also
    name its application. Sending the same files with the same `submission` again stores
    nothing more and returns the documents stored the first time.
    """
    if ticket is None and application is None:
        raise ValueError("A document belongs to an enquiry or to an application.")
    if message is not None and (ticket is None or message.ticket_id != ticket.pk):
        raise ValueError("The message must be one of the enquiry's.")
    if stage is not None and application is None:
        raise ValueError("A stage needs its application.")
    if application is None and ticket is not None:
        application = ticket.application
    if not checked:
        return []
    if submission is not None:
        earlier = list(Document.objects.filter(submission=submission, uploaded_by=uploaded_by))
        if earlier and {item.sha256 for item in checked} <= {document.sha256 for document in earlier}:
            return earlier
        if earlier:
            # The same form sent again with other files (an old page brought back): a new submission.
            submission = None
    submission = submission or uuid.uuid4()
    written: list[str] = []
    try:
        with transaction.atomic():
            documents = []
            for item in checked:
                document = Document(
                    ticket=ticket,
                    message=message,
                    application=application,
                    stage=stage,
                    uploaded_by=uploaded_by,
                    original_name=item.name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    submission=submission,
                    note=note,
                )
                document.file.save(item.name, ContentFile(item.content), save=False)
                written.append(document.file.name)
                documents.append(document)
            return Document.objects.bulk_create(documents)
    except IntegrityError:
        _files_delete(written)
        # The same submission stored by a request that committed first: answer with its documents.
        earlier = list(Document.objects.filter(submission=submission, uploaded_by=uploaded_by))
        if earlier:
            return earlier
        raise
    except BaseException:
        _files_delete(written)
        raise
