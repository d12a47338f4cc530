"""Helpers for the documents tests: files made on the spot, a private store in tmp_path, verified sessions."""

import io
import time
import zipfile
from pathlib import Path

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from enquiries.uploads import CheckedFile, documents_check


def use_documents_root(settings, root: Path) -> Path:
    """Point the "documents" store at `root` for this test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    settings.DOCUMENTS_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def sign_in_verified(client, user) -> None:
    """Sign `user` in as if with a password and a TOTP code: allauth's record of the methods used."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp", "id": 1},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


# --- good files ----------------------------------------------------------------------------------


def pdf_bytes(mutate=None, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if mutate is not None:
        mutate(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def image_bytes(format: str, *, size=(40, 30), mode="RGB", color="navy", **save) -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, color).save(output, format=format, **save)
    return output.getvalue()


def jpeg_bytes(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def png_bytes(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def heic_bytes(size=(48, 32)) -> bytes:
    pillow_heif.register_heif_opener()
    return image_bytes("HEIF", size=size, color="teal")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def checked(*files: tuple[str, bytes]) -> list[CheckedFile]:
    return documents_check(files=[upload(name, content) for name, content in files])


# --- hostile PDFs ---------------------------------------------------------------------------------


def _open_action(action: str, **entries):
    def mutate(writer):
        values = {NameObject("/S"): NameObject(action)}
        values.update({NameObject(key): value for key, value in entries.items()})
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(values)

    return mutate


def pdf_with_open_action_javascript() -> bytes:
    return pdf_bytes(_open_action("/JavaScript", **{"/JS": TextStringObject("app.alert('hi')")}))


def pdf_with_launch_action() -> bytes:
    return pdf_bytes(_open_action("/Launch", **{"/F": TextStringObject("cmd.exe")}))


def pdf_with_page_additional_actions() -> bytes:
    def mutate(writer):
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://example.com")}
        )
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})

    return pdf_bytes(mutate)


def pdf_with_javascript_name_tree() -> bytes:
    def mutate(writer):
        script = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("this.print()")}
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(script)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})

    return pdf_bytes(mutate)


def pdf_with_xfa_form() -> bytes:
    def mutate(writer):
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}
        )

    return pdf_bytes(mutate)


def pdf_with_embedded_file() -> bytes:
    return pdf_bytes(lambda writer: writer.add_attachment("payload.exe", b"MZ\x90\x00 not really"))


def pdf_with_file_attachment_annotation() -> bytes:
    def mutate(writer):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(10), FloatObject(10)]),
                NameObject("/Contents"): TextStringObject("open me"),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return pdf_bytes(mutate)


def pdf_with_rich_media() -> bytes:
    def mutate(writer):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/RichMedia"),
                NameObject("/RichMediaContent"): DictionaryObject(),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return pdf_bytes(mutate)


def pdf_encrypted(user_password: str = "") -> bytes:
    return pdf_bytes(lambda writer: writer.encrypt(user_password=user_password, owner_password="owner"))


def zip_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("evil.exe", b"MZ" + b"\x00" * 64)
        archive.writestr("readme.txt", b"PAYLOAD-IN-ZIP")
    return output.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)
PAYLOAD = b"<html><script>alert('polyglot')</script></html>"
