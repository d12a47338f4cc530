"""Images decoded and encoded again in sRGB, leaving behind metadata and anything hidden in or after them."""

import io

import pillow_heif
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from enquiries.uploads.rules import JPEG_QUALITY, MAX_IMAGE_PIXELS, Kind, Refused

# Pillow reads HEIC photos, and its own guard against huge images matches ours (rules.MAX_IMAGE_PIXELS).
pillow_heif.register_heif_opener()
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


def _image_refused_damaged(shown: str) -> Refused:
    return Refused(
        _(
            "“%(name)s” could not be read as an image: it may be damaged or incomplete. "
            "Check that it opens on your device, save it again, then choose it again."
        )
        % {"name": shown},
        "image_damaged",
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert through the image's colour profile to sRGB, so colours survive dropping the profile."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A profile LittleCMS cannot use: the pixels as they are.
        return image


def image_reencoded(content: bytes, kind: str, shown: str) -> tuple[bytes, str]:
    """Decode the whole image and encode it again: only pixels survive. Returns (bytes, content type)."""
    formats = {Kind.JPEG: ["JPEG"], Kind.PNG: ["PNG"], Kind.HEIF: ["HEIF"]}[kind]
    try:
        with Image.open(io.BytesIO(content), formats=formats) as opened:
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            opened.load()
            image: Image.Image = opened
            try:
                # Keep the photo upright once its orientation tag is gone.
                image = ImageOps.exif_transpose(opened)
            except Exception:  # a broken orientation tag leaves the pixels as they are
                image = opened
            image = _to_srgb(image)
            output = io.BytesIO()
            if kind == Kind.PNG:
                if image.mode == "P" and "transparency" in image.info:
                    image = image.convert("RGBA")
                elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
                    image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                clean = image.copy()
                clean.info = {}
                clean.save(output, format="PNG", optimize=False)
                return output.getvalue(), Kind.PNG
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            clean = image.copy()
            clean.info = {}
            clean.save(output, format="JPEG", quality=JPEG_QUALITY)
            return output.getvalue(), Kind.JPEG
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(
            _(
                "“%(name)s” is too large an image: at most %(max)s megapixels. "
                "Resize it or take the photo at a lower resolution, then choose it again."
            )
            % {"name": shown, "max": _megapixels(MAX_IMAGE_PIXELS)},
            "image_too_many_pixels",
        ) from None
    except Exception:  # whatever the decoder trips on, the file is not a usable image
        raise _image_refused_damaged(shown) from None
