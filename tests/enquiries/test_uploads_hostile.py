"""Hostile files against the one upload pipeline: each refused with its reason, or stored only as clean pixels.

Every file is made here, on the spot. Each goes through documents_check and through the
*Send documents* page as a browser would send it: no 500, no row, nothing in the store.
"""

import datetime
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from applications.models import Stage
from enquiries.models import Document
from enquiries.uploads import documents_check
from tests.enquiries.documents_support import (
    ELF,
    HTML,
    PAYLOAD,
    PE,
    SVG,
    heic_bytes,
    image_bytes,
    jpeg_bytes,
    pdf_bytes,
    pdf_encrypted,
    pdf_with_embedded_file,
    pdf_with_file_attachment_annotation,
    pdf_with_javascript_name_tree,
    pdf_with_launch_action,
    pdf_with_open_action_javascript,
    pdf_with_page_additional_actions,
    pdf_with_rich_media,
    pdf_with_xfa_form,
    png_bytes,
    stored_files,
    upload,
    use_documents_root,
    zip_bytes,
)
from tests.factories import status_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


@pytest.fixture
def waiting_application(applicant_application):
    status_event_record(
        application=applicant_application,
        stage=Stage.objects.get(code="biometrics"),
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        source_id="bio-waiting",
    )
    return applicant_application


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with a few bytes of data: a bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def bomb_png() -> bytes:
    """12,000 × 12,000 pixels (144 megapixels) in a few kilobytes."""
    output = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(output, format="PNG")
    return output.getvalue()


def pdf_with_appended_zip() -> bytes:
    return pdf_bytes() + zip_bytes()


def pdf_with_hex_escaped_javascript() -> bytes:
    # "/J#61vaScript" is "/JavaScript" once the name's escape is read.
    return pdf_with_open_action_javascript().replace(b"/S /JavaScript", b"/S /J#61vaScript")


def zip_bomb_in_png_text() -> bytes:
    """A PNG with a compressed text chunk that inflates to 50 MB."""
    image = png_bytes()
    bomb = b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000, 9)
    chunk = struct.pack(">I", len(bomb)) + b"zTXt" + bomb + struct.pack(">I", zlib.crc32(b"zTXt" + bomb))
    return image[:-12] + chunk + image[-12:]


# (name as sent, content, the refusal's code)
REFUSED = [
    ("renamed-elf.pdf", lambda: ELF, "type_not_accepted"),
    ("renamed-pe.jpg", lambda: PE, "type_not_accepted"),
    ("setup.exe", lambda: PE, "type_not_accepted"),
    ("archive-named.pdf", zip_bytes, "type_not_accepted"),
    ("archive-named.png", zip_bytes, "type_not_accepted"),
    ("script.pdf", lambda: b"#!/bin/sh\nrm -rf /\n", "type_not_accepted"),
    ("page.html", lambda: HTML, "type_not_accepted"),
    ("page-named.pdf", lambda: HTML, "type_not_accepted"),
    ("drawing.svg", lambda: SVG, "type_not_accepted"),
    ("drawing-named.png", lambda: SVG, "type_not_accepted"),
    ("animation.gif", lambda: image_bytes("GIF"), "type_not_accepted"),
    ("animation-named.jpg", lambda: image_bytes("GIF"), "type_not_accepted"),
    ("scan.tiff", lambda: image_bytes("TIFF"), "type_not_accepted"),
    ("bitmap.bmp", lambda: image_bytes("BMP"), "type_not_accepted"),
    ("photo.webp", lambda: image_bytes("WEBP"), "type_not_accepted"),
    (
        "video-named.heic",
        lambda: b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64,
        "type_not_accepted",
    ),
    ("text.pdf", lambda: b"Just some words, not a PDF at all.", "type_not_accepted"),
    ("empty.pdf", lambda: b"", "empty"),
    ("open-action-javascript.pdf", pdf_with_open_action_javascript, "pdf_active_content"),
    ("hex-escaped-javascript.pdf", pdf_with_hex_escaped_javascript, "pdf_active_content"),
    ("javascript-name-tree.pdf", pdf_with_javascript_name_tree, "pdf_active_content"),
    ("page-additional-actions.pdf", pdf_with_page_additional_actions, "pdf_active_content"),
    ("xfa-form.pdf", pdf_with_xfa_form, "pdf_active_content"),
    ("embedded-file.pdf", pdf_with_embedded_file, "pdf_embedded_files"),
    ("file-attachment-annotation.pdf", pdf_with_file_attachment_annotation, "pdf_embedded_files"),
    ("rich-media.pdf", pdf_with_rich_media, "pdf_embedded_files"),
    ("launch.pdf", pdf_with_launch_action, "pdf_launch"),
    ("encrypted-no-password.pdf", pdf_encrypted, "pdf_encrypted"),
    ("encrypted-password.pdf", lambda: pdf_encrypted("secret"), "pdf_encrypted"),
    ("zip-after-the-end.pdf", pdf_with_appended_zip, "pdf_trailing_data"),
    ("truncated.pdf", lambda: pdf_bytes()[:200], "pdf_damaged"),
    ("header-only.pdf", lambda: b"%PDF-1.7\n" + b"\x00garbage" * 40 + b"\n%%EOF\n", "pdf_damaged"),
    ("bomb.png", bomb_png, "image_too_many_pixels"),
    ("claims-huge.png", lambda: png_claiming(30_000, 30_000), "image_too_many_pixels"),
    ("just-over-the-limit.png", lambda: png_claiming(8_000, 7_000), "image_too_many_pixels"),
    ("truncated.jpg", lambda: jpeg_bytes(size=(300, 200))[:400], "image_damaged"),
    ("truncated.png", lambda: png_bytes(size=(300, 200), color="red")[:60], "image_damaged"),
    ("jpeg-header-then-noise.jpg", lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "image_damaged"),
    ("heic-header-then-noise.heic", lambda: b"\x00\x00\x00\x18ftypheic" + b"\x00" * 300, "image_damaged"),
    ("text-bomb.png", zip_bomb_in_png_text, "image_damaged"),
]


def refusal_codes(files) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        documents_check(files=files)
    return [error.code for error in refused.value.error_list]


@pytest.mark.parametrize(("name", "make", "code"), REFUSED, ids=[name for name, _make, _code in REFUSED])
def test_a_hostile_file_is_refused_with_its_reason(name, make, code):
    assert refusal_codes([upload(name, make())]) == [code]


@pytest.mark.parametrize(("name", "make", "code"), REFUSED, ids=[name for name, _make, _code in REFUSED])
def test_a_hostile_file_sent_on_the_page_is_refused_and_leaves_nothing(
    client, applicant, waiting_application, documents_root, name, make, code
):
    client.force_login(applicant)
    response = client.post(
        reverse("documents:send", kwargs={"number": waiting_application.number, "stage_code": "biometrics"}),
        {"documents": [upload(name, make(), content_type="application/pdf")], "note": ""},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert Document.objects.count() == 0
    assert stored_files(documents_root) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.DOCUMENT_MAX_BYTES = 2_000
    big = pdf_bytes(pages=20)
    assert len(big) > 2_000
    assert refusal_codes([upload("big.pdf", big)]) == ["too_large"]


def test_eleven_files_are_refused_together_and_nothing_is_read(client, applicant, waiting_application, documents_root):
    files = [upload(f"page-{index}.pdf", pdf_bytes()) for index in range(11)]
    assert refusal_codes(files) == ["too_many_files"]

    client.force_login(applicant)
    response = client.post(
        reverse("documents:send", kwargs={"number": waiting_application.number, "stage_code": "biometrics"}),
        {"documents": [upload(f"page-{index}.pdf", pdf_bytes()) for index in range(11)]},
    )
    assert response.status_code == 400
    assert "at most 10 files at a time" in response.text
    assert stored_files(documents_root) == []


def test_one_bad_file_among_good_ones_stores_none_of_them(client, applicant, waiting_application, documents_root):
    client.force_login(applicant)
    response = client.post(
        reverse("documents:send", kwargs={"number": waiting_application.number, "stage_code": "biometrics"}),
        {"documents": [upload("good.pdf", pdf_bytes()), upload("bad.pdf", ELF), upload("good.jpg", jpeg_bytes())]},
    )
    assert response.status_code == 400
    assert "“bad.pdf” is not a PDF, JPEG, PNG or HEIC file" in response.text
    assert Document.objects.count() == 0
    assert stored_files(documents_root) == []


def test_each_refused_file_is_explained_on_its_own_in_french(applicant):
    from django.utils import translation

    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            documents_check(files=[upload("vide.pdf", b""), upload("page.html", HTML)])
    messages = refused.value.messages
    assert len(messages) == 2
    assert "vide.pdf" in messages[0] and "page.html" in messages[1]


# Polyglots and carriers: accepted only as an image decoded and encoded again, with nothing else in it.
CLEANED = [
    ("jpeg-then-zip.jpg", lambda: jpeg_bytes() + b"PK\x03\x04" + zip_bytes(), "image/jpeg"),
    ("jpeg-then-html.jpg", lambda: jpeg_bytes() + PAYLOAD, "image/jpeg"),
    ("png-then-html.png", lambda: png_bytes() + PAYLOAD, "image/png"),
    ("png-then-zip-named.pdf", lambda: png_bytes() + zip_bytes(), "image/png"),
    ("jpeg-with-payload-comment.jpg", lambda: jpeg_bytes(comment=PAYLOAD), "image/jpeg"),
    ("heic-then-html.heic", lambda: heic_bytes() + PAYLOAD, "image/jpeg"),
]


@pytest.mark.parametrize(("name", "make", "content_type"), CLEANED, ids=[name for name, _make, _type in CLEANED])
def test_a_polyglot_image_is_kept_only_as_clean_pixels(
    client, applicant, waiting_application, documents_root, name, make, content_type
):
    client.force_login(applicant)
    response = client.post(
        reverse("documents:send", kwargs={"number": waiting_application.number, "stage_code": "biometrics"}),
        {"documents": [upload(name, make())]},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.content_type == content_type
    (path,) = stored_files(documents_root)
    stored = path.read_bytes()
    for payload in (b"PK\x03\x04", b"PAYLOAD-IN-ZIP", b"<script", b"polyglot", b"<html"):
        assert payload not in stored
    Image.open(io.BytesIO(stored)).verify()
    assert stored.endswith(b"\xff\xd9" if content_type == "image/jpeg" else b"IEND\xaeB`\x82")
