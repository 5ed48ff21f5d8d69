"""Page images: PUT to the signed URL `upload-image` gave, GET from its public URL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from slotwise.api.deps import DbSession, run_unit_of_work
from slotwise.api.openapi import request_body
from slotwise.errors import PayloadTooLarge
from slotwise.pages import images

router = APIRouter(prefix="/page-images")


@router.put(
    "/{image_id}",
    openapi_extra=request_body(
        description="The image bytes, of the type announced.", media_types=tuple(images.MAGIC)
    ),
)
async def put_image(request: Request, image_id: str, upload: str | None = None) -> JSONResponse:
    # Read at most one byte past the bound, so an oversized upload is never held whole.
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > images.MAX_IMAGE_BYTES:
            raise PayloadTooLarge(f"body: images may be at most {images.MAX_IMAGE_BYTES} bytes")
    content_type = request.headers.get("content-type", "")
    await run_unit_of_work(
        request, lambda session: images.store(session, image_id, upload, content_type, bytes(data))
    )
    return JSONResponse({"success": True})


@router.get(
    "/{image_id}",
    response_class=Response,
    responses={200: {"description": "The image", "content": dict.fromkeys(images.MAGIC, {})}},
)
def get_image(image_id: str, session: Session = DbSession) -> Response:
    image = images.read(session, image_id)
    return Response(
        image.data,
        media_type=image.content_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=3600",
        },
    )
