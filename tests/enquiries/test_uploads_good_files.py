"""Good files pass the pipeline: their real type, a clean name, images without metadata, PDFs as sent."""

import hashlib
import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from PIL import Image

from enquiries.uploads import DocumentsField, documents_check, file_name_clean, file_name_for_type
from tests.enquiries.documents_support import (
    checked,
    heic_bytes,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    upload,
)


def test_a_small_pdf_is_accepted_byte_for_byte():
    content = pdf_bytes(pages=2)
    (item,) = checked(("Letter from the bank.pdf", content))
    assert item.content == content
    assert item.content_type == "application/pdf"
    assert item.name == "Letter from the bank.pdf"
    assert item.size == len(content)
    assert item.sha256 == hashlib.sha256(content).hexdigest()


def test_a_jpeg_is_accepted_as_a_new_jpeg():
    (item,) = checked(("passport.JPEG", jpeg_bytes(size=(120, 80))))
    assert item.content_type == "image/jpeg"
    assert item.name == "passport.jpg"
    assert Image.open(io.BytesIO(item.content)).size == (120, 80)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P", "1"])
def test_a_png_is_accepted_in_each_common_mode(mode):
    (item,) = checked(("scan.png", png_bytes(mode=mode, color=1 if mode in ("P", "1", "L") else "red")))
    assert item.content_type == "image/png"
    assert item.name == "scan.png"
    Image.open(io.BytesIO(item.content)).load()


def test_a_heic_photo_becomes_a_jpeg():
    (item,) = checked(("IMG_0042.HEIC", heic_bytes(size=(64, 48))))
    assert item.content_type == "image/jpeg"
    assert item.name == "IMG_0042.jpg"
    image = Image.open(io.BytesIO(item.content))
    assert image.format == "JPEG"
    assert image.size == (64, 48)


def test_a_cmyk_jpeg_becomes_rgb():
    (item,) = checked(("print.jpg", jpeg_bytes(mode="CMYK", color=(0, 0, 0, 255))))
    assert Image.open(io.BytesIO(item.content)).mode == "RGB"


def test_a_photo_loses_its_location_and_camera_details_but_stays_upright():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    exif[0x8825] = {2: (45.0, 25.0, 0.0)}  # GPS latitude
    photo = jpeg_bytes(size=(60, 20), exif=exif.tobytes())
    (item,) = checked(("holiday.jpg", photo))
    image = Image.open(io.BytesIO(item.content))
    assert image.size == (20, 60)
    assert not image.getexif()
    assert b"PhoneMaker" not in item.content
    assert b"Exif" not in item.content


def test_a_name_lies_about_the_type_and_the_content_wins():
    (pdf,) = checked(("photo.jpg", pdf_bytes()))
    (png,) = checked(("document.pdf", png_bytes()))
    assert (pdf.name, pdf.content_type) == ("photo.pdf", "application/pdf")
    assert (png.name, png.content_type) == ("document.png", "image/png")


def test_the_same_file_chosen_twice_is_kept_once():
    content = pdf_bytes()
    items = documents_check(files=[upload("a.pdf", content), upload("copy of a.pdf", content)])
    assert [item.name for item in items] == ["a.pdf"]


def test_ten_files_is_the_limit_and_is_allowed():
    items = documents_check(files=[upload(f"page-{n}.pdf", pdf_bytes(pages=n + 1)) for n in range(10)])
    assert len(items) == 10


@pytest.mark.parametrize(
    ("sent", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\System32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\marie\\Desktop\\lettre.pdf", "lettre.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("bell\x07escape\x1b[31m.pdf", "bellescape[31m.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth\u2066isolate\u2069.pdf", "zerowidthisolate.pdf"),
        ("line\u2028break\r\nhere.pdf", "line break here.pdf"),
        ("  spaced   out\t\tname  .pdf", "spaced out name .pdf"),
        ('quote"pipe|star*colon:.pdf', "quote_pipe_star_colon_.pdf"),
        ("...", ""),
        (".htaccess", "htaccess"),
        ("Relevé bancaire – mars.pdf", "Relevé bancaire – mars.pdf"),
    ],
)
def test_a_file_name_is_cleaned_of_paths_and_invisible_characters(sent, cleaned):
    assert file_name_clean(sent) == cleaned


def test_a_very_long_name_is_shortened_and_keeps_its_extension():
    cleaned = file_name_clean("a" * 500 + ".pdf")
    assert len(cleaned) == 120
    assert cleaned.endswith("aaa.pdf")
    assert file_name_for_type(cleaned, "application/pdf") == cleaned


@pytest.mark.parametrize(
    ("name", "content_type", "stored"),
    [
        ("invoicefdp.exe", "application/pdf", "invoicefdp.pdf"),
        ("photo.heic", "image/jpeg", "photo.jpg"),
        ("scan 2024.03.05", "application/pdf", "scan 2024.03.05.pdf"),
        ("", "image/png", "document.png"),
        ("report.pdf.exe", "application/pdf", "report.pdf.pdf"),
    ],
)
def test_the_stored_name_ends_with_the_extension_of_the_real_type(name, content_type, stored):
    assert file_name_for_type(name, content_type) == stored


def test_hostile_names_on_good_files_are_stored_clean():
    items = documents_check(
        files=[
            upload("..\\..\\x.pdf", pdf_bytes(pages=1)),
            upload("ctrl\x01\x02.pdf", pdf_bytes(pages=2)),
            upload("rtl\u202egpj.exe", jpeg_bytes()),
            upload("x" * 300 + ".png", png_bytes()),
        ]
    )
    assert [item.name for item in items[:3]] == ["x.pdf", "ctrl.pdf", "rtlgpj.jpg"]
    assert len(items[3].name) <= 120 and items[3].name.endswith(".png")


class AttachmentsForm(forms.Form):
    documents = DocumentsField(required=False)


class RequiredForm(forms.Form):
    documents = DocumentsField()


def test_the_field_renders_a_multiple_file_input_that_hints_at_the_types():
    html = str(RequiredForm()["documents"])
    assert 'type="file"' in html and "multiple" in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.heic,.heif' in html
    assert "10 files" in str(RequiredForm()["documents"].help_text)


def test_the_field_cleans_into_checked_files():
    files = MultiValueDict({"documents": [upload("a.pdf", pdf_bytes()), upload("b.png", png_bytes())]})
    form = RequiredForm(data={}, files=files)
    assert form.is_valid(), form.errors
    assert [item.content_type for item in form.cleaned_data["documents"]] == ["application/pdf", "image/png"]


def test_the_field_says_what_is_wrong_with_each_file():
    files = MultiValueDict({"documents": [upload("a.pdf", b""), upload("b.png", b"nope")]})
    form = RequiredForm(data={}, files=files)
    assert not form.is_valid()
    assert len(form.errors["documents"]) == 2


def test_an_optional_field_cleans_to_no_files_and_a_required_one_asks_for_one():
    assert AttachmentsForm(data={}, files=MultiValueDict()).is_valid()
    form = RequiredForm(data={}, files=MultiValueDict())
    assert not form.is_valid()
    assert form.errors["documents"] == ["Choose at least one file to send."]


def test_documents_check_raises_a_validation_error_not_anything_else_for_odd_uploads():
    class Broken(io.BytesIO):
        name = "broken.pdf"
        size = 10

        def read(self, *args):
            raise OSError("connection reset")

    with pytest.raises(ValidationError) as refused:
        documents_check(files=[Broken()])
    assert refused.value.error_list[0].code == "unreadable"
