"""/v3/webhooks: destinations (reference §8.1), ip-addresses, secret rotation, and the
operator's view of deliveries (list, redeliver)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.api.deps import AdminAuth, DbSession, json_object, parse_int
from slotwise.api.envelope import ok, ok_list, request_id
from slotwise.api.openapi import request_body
from slotwise.config import DeliveryPolicy
from slotwise.edge.request import get_settings
from slotwise.notifications import delivery
from slotwise.validation import validate_model
from slotwise.webhooks import repository, service
from slotwise.webhooks.schemas import CreateWebhook, UpdateWebhook

router = APIRouter(prefix="/v3/webhooks", dependencies=[AdminAuth])

_STARTED_AT = clock.now()


@router.get("")
def list_webhooks(request: Request, session: Session = DbSession) -> JSONResponse:
    destinations = repository.list_destinations(session)
    return ok_list(request, [service.to_wire(d) for d in destinations])


@router.post("", openapi_extra=request_body(CreateWebhook))
def create_webhook(
    request: Request, body: dict[str, Any] = Depends(json_object), session: Session = DbSession
) -> JSONResponse:
    data = validate_model(CreateWebhook, body)
    service.check_triggers(data.trigger_types)
    url = service.check_url(data.webhook_url)
    # Nothing is written yet: end the transaction the auth check opened, so the (up to 10 s)
    # challenge holds no database lock.
    session.rollback()
    service.verify_endpoint(url, get_settings(request).webhook_challenge_timeout)
    destination = service.create_destination(session, data)
    return ok(request, service.to_wire(destination, with_secret=True))


@router.get("/ip-addresses", summary="Addresses webhooks are sent from")
def ip_addresses(request: Request) -> JSONResponse:
    policy = DeliveryPolicy.from_env()
    return ok(request, {"ip_addresses": policy.ip_addresses, "updated_at": _STARTED_AT})


@router.get("/{webhook_id}")
def find_webhook(request: Request, webhook_id: str, session: Session = DbSession) -> JSONResponse:
    return ok(request, service.to_wire(service.get_destination(session, webhook_id)))


@router.put("/{webhook_id}", openapi_extra=request_body(UpdateWebhook))
def update_webhook(
    request: Request,
    webhook_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    data = validate_model(UpdateWebhook, body)
    if data.trigger_types is not None:
        service.check_triggers(data.trigger_types)
    destination = service.get_destination(session, webhook_id)
    url = service.needs_verification(destination, data)
    if url is not None:
        session.rollback()  # as on create: no lock held during the challenge
        service.verify_endpoint(url, get_settings(request).webhook_challenge_timeout)
        destination = service.get_destination(session, webhook_id)
    destination = service.update_destination(session, destination, data)
    return ok(request, service.to_wire(destination))


@router.delete("/{webhook_id}")
def delete_webhook(request: Request, webhook_id: str, session: Session = DbSession) -> JSONResponse:
    service.delete_destination(session, service.get_destination(session, webhook_id))
    return JSONResponse({"request_id": request_id(request), "data": {"status": "success"}})


def _rotate(request: Request, webhook_id: str, session: Session) -> JSONResponse:
    destination = service.rotate_secret(session, service.get_destination(session, webhook_id))
    return ok(request, service.to_wire(destination, with_secret=True))


@router.put("/{webhook_id}/rotate-secret", summary="Rotate a webhook's secret")
def rotate_secret_put(
    request: Request, webhook_id: str, session: Session = DbSession
) -> JSONResponse:
    return _rotate(request, webhook_id, session)


@router.post("/rotate-secret/{webhook_id}", summary="Rotate a webhook's secret (the older path)")
def rotate_secret_post(
    request: Request, webhook_id: str, session: Session = DbSession
) -> JSONResponse:
    return _rotate(request, webhook_id, session)


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    request: Request, webhook_id: str, session: Session = DbSession
) -> JSONResponse:
    """Operator view: the most recent deliveries to a destination, each with its attempts."""
    service.get_destination(session, webhook_id)
    limit = parse_int("limit", request.query_params.get("limit"), 50) or 50
    limit = max(1, min(limit, 200))
    deliveries = repository.recent_deliveries(session, webhook_id, limit)
    attempts = repository.attempts_of(session, [d.id for d in deliveries])
    by_delivery: dict[str, list[Any]] = {}
    for a in attempts:
        by_delivery.setdefault(a.delivery_id, []).append(a)
    data = [delivery.delivery_to_wire(d, by_delivery.get(d.id, [])) for d in deliveries]
    return ok_list(request, data)


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", summary="Send a delivery again")
def redeliver(
    request: Request, webhook_id: str, delivery_id: str, session: Session = DbSession
) -> JSONResponse:
    service.get_destination(session, webhook_id)
    found = delivery.redeliver(session, webhook_id, delivery_id)
    return ok(request, delivery.delivery_to_wire(found, []))
