"""What the upload pipeline accepts: the limits, the kinds of file, a checked file and a refusal."""

from dataclasses import dataclass

# A photo from a recent phone is at most about 50 megapixels; an image that claims more is
# refused before it is decoded. Pillow's own guard is lowered to match, for every image this
# process opens (images.py): it warns above this and refuses above twice this.
MAX_IMAGE_PIXELS = 50_000_000

# A PDF with more objects than this is not a scanned letter: refused rather than walked.
MAX_PDF_OBJECTS = 100_000
MAX_NAME_LENGTH = 120
JPEG_QUALITY = 90


class Kind:
    """The real type of a file, as decided from its content."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIF = "image/heif"


EXTENSION_FOR_TYPE = {Kind.PDF: "pdf", Kind.JPEG: "jpg", Kind.PNG: "png"}


ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic,image/heif"


# HEIF brands (ISO/IEC 23008-12) of still images and sequences that pillow-heif decodes.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the check: the bytes to store (re-encoded for images) and what they are."""

    name: str  # cleaned, with the extension of its real type
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


class Refused(Exception):
    """One file refused; the message says why and what to do, in the active language."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code
