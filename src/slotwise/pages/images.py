"""A page's images (its logo): announced by `upload-image`, PUT to the signed URL, served back.

The signed URL carries a one-off upload token (stored as its digest); the image must be one of
a few raster types, match its announced type by its first bytes, and stay under the size
bound. SVG is refused: served from our origin it could run script.

A page keeps at most `MAX_IMAGES_PER_PAGE` images: announcing one more drops the oldest (never
the one its `config.appearance.logo` shows), so an editor announcing and uploading in a loop
holds a bounded amount of storage; a signed URL of a dropped image then gets a 404 saying so.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import PageImage, SchedulingPage
from slotwise.errors import InvalidRequest, NotFound, PayloadTooLarge, Unauthorized, field_error
from slotwise.ids import new_uuid
from slotwise.pages import repository
from slotwise.pages.stored import read_page
from slotwise.tokens.secrets import digest, new_secret

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGES_PER_PAGE = 4
# Content type -> the bytes every such file starts with.
MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


def announce(
    session: Session, page: SchedulingPage, body: dict[str, Any], base_url: str
) -> dict[str, str]:
    content_type = body.get("contentType")
    if content_type not in MAGIC:
        raise field_error("contentType", f"must be one of {', '.join(MAGIC)}")
    name = body.get("objectName")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise field_error("objectName", "expected a file name of at most 200 characters")
    _make_room(session, page)
    token = new_secret("", 24)
    image = PageImage(
        id=new_uuid(),
        page_id=page.id,
        upload_token_hash=digest(token),
        content_type=content_type,
        original_filename=name,
        data=None,
        created_at=clock.now(),
    )
    session.add(image)
    session.flush()
    safe = _NAME_RE.sub("_", name)[:100]
    public = f"{base_url}/page-images/{image.id}"
    return {
        "filename": f"{image.id}/{safe}",
        "originalFilename": name,
        "publicUrl": public,
        "signedUrl": f"{public}?upload={token}",
    }


def _make_room(session: Session, page: SchedulingPage) -> None:
    """Drop the oldest images beyond the cap, keeping the one the page shows as its logo."""
    logo = read_page(page).config.appearance.logo
    shown = logo.rstrip("/").rsplit("/", 1)[-1] if logo is not None else None
    ids = [i.id for i in repository.images_of_page(session, page.id)]
    others = [i for i in ids if i != shown]
    kept = MAX_IMAGES_PER_PAGE - 1 - (1 if shown in ids else 0)  # room for the new one
    repository.delete_images(session, others[: max(0, len(others) - kept)])


def store(
    session: Session, image_id: str, token: str | None, content_type: str, data: bytes
) -> None:
    image = repository.find_image(session, image_id)
    if image is None:
        raise NotFound(
            f"image {image_id} not found (a page keeps its {MAX_IMAGES_PER_PAGE} newest uploads)"
        )
    if not token or not hmac.compare_digest(digest(token), image.upload_token_hash):
        raise Unauthorized("upload: the signed URL is not valid for this image")
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"body: images may be at most {MAX_IMAGE_BYTES} bytes")
    if content_type.split(";")[0].strip().lower() != image.content_type:
        raise InvalidRequest(f"Content-Type: this upload was announced as {image.content_type}")
    if not data.startswith(MAGIC[image.content_type]):
        raise InvalidRequest(f"body: not a {image.content_type} image")
    image.data = data
    session.flush()


def read(session: Session, image_id: str) -> PageImage:
    image = repository.find_image(session, image_id)
    if image is None or image.data is None:
        raise NotFound(f"image {image_id} not found")
    return image
