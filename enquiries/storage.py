"""Where clients' documents are kept: the "documents" store of settings.STORAGES, never a public URL.

The store is looked up on every call rather than once at start-up, so that the
Document model's file field always writes where STORAGES says now (the file system
under DOCUMENTS_ROOT, or an S3-compatible bucket), including a store swapped in by a
settings change.
"""

from django.core.files.storage import Storage, storages

DOCUMENTS_STORAGE = "documents"


class DocumentsStorage(Storage):
    """Passes every call to `storages["documents"]` as configured at the time of the call."""

    @staticmethod
    def target() -> Storage:
        return storages[DOCUMENTS_STORAGE]

    def save(self, name, content, max_length=None):
        return self.target().save(name, content, max_length=max_length)

    def open(self, name, mode="rb"):
        return self.target().open(name, mode)

    def delete(self, name):
        return self.target().delete(name)

    def exists(self, name):
        return self.target().exists(name)

    def listdir(self, path):
        return self.target().listdir(path)

    def size(self, name):
        return self.target().size(name)

    def url(self, name):
        return self.target().url(name)

    def path(self, name):
        return self.target().path(name)

    def generate_filename(self, filename):
        return self.target().generate_filename(filename)

    def get_valid_name(self, name):
        return self.target().get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.target().get_available_name(name, max_length=max_length)

    def get_alternative_name(self, file_root, file_ext):
        return self.target().get_alternative_name(file_root, file_ext)

    def get_accessed_time(self, name):
        return self.target().get_accessed_time(name)

    def get_created_time(self, name):
        return self.target().get_created_time(name)

    def get_modified_time(self, name):
        return self.target().get_modified_time(name)


def documents_storage() -> Storage:
    """The Document file field's storage (a callable, so migrations name it rather than its settings)."""
    return DocumentsStorage()
