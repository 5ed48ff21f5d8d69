"""Access tokens and the /manage/pages API over HTTP, on both databases."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import PageImage
from slotwise.pages import images
from tests.pages.test_flow import advance
from tests.support.pages import account, basic, bearer, create_page, page_body
from tests.support.waiting import HTTP_TIMEOUT


def test_access_tokens_are_shown_once_listed_without_token_and_revocable(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann = account(api, "ann@example.com")
    listed = api.get(f"/v3/grants/{ann.grant_id}/access-tokens").json()["data"]
    assert len(listed) == 1 and "access_token" not in listed[0]
    assert ann.token not in str(listed)
    assert anon.get("/manage/pages", headers=bearer(ann.token)).status_code == 200
    # Only the admin API key manages tokens.
    refused = anon.post(f"/v3/grants/{ann.grant_id}/access-tokens", headers=bearer(ann.token))
    assert refused.status_code == 401
    gone = api.delete(f"/v3/grants/{ann.grant_id}/access-tokens/{listed[0]['id']}")
    assert gone.status_code == 200
    for headers in (bearer(ann.token), basic(ann.token)):
        response = anon.get("/manage/pages", headers=headers)
        assert response.status_code == 401
        assert "not valid" in response.json()["message"]
    assert anon.get("/manage/pages", headers=bearer("swat_made-up")).status_code == 401
    assert (
        api.delete(f"/v3/grants/{ann.grant_id}/access-tokens/{listed[0]['id']}").status_code == 404
    )


def test_page_crud_round_trips_config_and_appears_in_v3(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    body = page_body(ann, bob)
    body["config"]["booking"]["scheduling_method"] = "round-robin-maximize-fairness"
    body["config"]["expire_after"] = {"uses": 5}
    created = create_page(anon, body, ann.token)
    assert isinstance(created["id"], int)
    assert created["edit_token"] and created["slug"] == "team-intro"
    assert created["config"] == body["config"]
    assert len(created["created_at"]) == 10 and "object" not in created
    assert "access_tokens" not in created

    # Node's Basic header, and the other account's token, reach the page too.
    got = anon.get(f"/manage/pages/{created['id']}", headers=basic(bob.token)).json()
    assert got["config"] == body["config"] and "edit_token" not in got

    configs = api.get(f"/v3/grants/{ann.grant_id}/scheduling/configurations").json()["data"]
    assert [c["slug"] for c in configs] == ["team-intro"]
    rules = configs[0]["availability"]["availability_rules"]
    assert rules["availability_method"] == "max-fairness" and rules["strict_rotation"] is True
    assert [p["email"] for p in configs[0]["participants"]] == [ann.email, bob.email]

    updated = copy.deepcopy(got)
    updated["name"] = "Renamed"
    updated["config"]["event"]["duration"] = 45
    updated["edit_token"] = "ignored"
    put = anon.put(
        f"/manage/pages/{created['id']}", json=updated, headers=bearer(created["edit_token"])
    )
    assert put.status_code == 200, put.text
    assert put.json()["name"] == "Renamed" and put.json()["config"]["event"]["duration"] == 45
    config = api.get(f"/v3/grants/{ann.grant_id}/scheduling/configurations").json()["data"][0]
    assert config["availability"]["duration_minutes"] == 45
    # The page is the source of truth: v3 cannot change it behind the page's back.
    v3_put = api.put(
        f"/v3/grants/{ann.grant_id}/scheduling/configurations/{config['id']}", json={"name": "x"}
    )
    assert v3_put.status_code == 409 and f"/manage/pages/{created['id']}" in v3_put.text

    calendars = anon.get(
        f"/manage/pages/{created['id']}/calendars", headers=bearer(ann.token)
    ).json()
    assert [a["email"] for a in calendars] == [ann.email, bob.email]
    assert calendars[0]["id"] == ann.grant_id and calendars[0]["calendars"][0]["is_primary"]

    deleted = anon.delete(f"/manage/pages/{created['id']}", headers=bearer(ann.token))
    assert deleted.json() == {"success": True}
    assert anon.get(f"/manage/pages/{created['id']}", headers=bearer(ann.token)).status_code == 404
    assert api.get(f"/v3/grants/{ann.grant_id}/scheduling/configurations").json()["data"] == []


def test_list_honours_offset_and_limit_and_shows_only_own_pages(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    ids = [create_page(anon, page_body(ann, slug=f"ann-{i}"), ann.token)["id"] for i in range(3)]
    create_page(anon, page_body(bob, slug="bob-only"), bob.token)
    first = anon.get("/manage/pages", params={"limit": 2}, headers=bearer(ann.token)).json()
    rest = anon.get(
        "/manage/pages", params={"offset": 2, "limit": 2}, headers=bearer(ann.token)
    ).json()
    assert [p["id"] for p in first + rest] == ids
    assert len(api.get("/manage/pages").json()) == 4  # the admin API key sees every page
    bad = anon.get("/manage/pages", params={"offset": -1}, headers=bearer(ann.token))
    assert bad.status_code == 400 and bad.json()["message"].startswith("offset")


def test_edit_token_reaches_its_own_page_only(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    mine = create_page(anon, page_body(ann, slug="mine"), ann.token)
    other = create_page(anon, page_body(ann, slug="other"), ann.token)
    token = bearer(mine["edit_token"])
    assert anon.get(f"/manage/pages/{mine['id']}", headers=token).status_code == 200
    for method in ("GET", "PUT", "DELETE"):
        response = anon.request(method, f"/manage/pages/{other['id']}", headers=token, json={})
        assert response.status_code == 404, method
    assert [p["id"] for p in anon.get("/manage/pages", headers=token).json()] == [mine["id"]]
    assert (
        anon.post("/manage/pages", json=page_body(ann, slug="x"), headers=token).status_code == 403
    )
    for path in (
        "/v3/grants",
        f"/v3/grants/{ann.grant_id}/scheduling/configurations",
        f"/v3/grants/{ann.grant_id}/access-tokens",
        f"/v3/grants/{ann.grant_id}/events?calendar_id=primary",
    ):
        assert anon.get(path, headers=token).status_code == 401, path
    # The account's access token does not reach v3 either (v3 takes the API key).
    assert anon.get("/v3/grants", headers=bearer(ann.token)).status_code == 401
    still = api.get(f"/manage/pages/{other['id']}").json()
    assert still["config"] == other["config"]


def test_validation_names_the_field_and_slugs_are_unique(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann = account(api, "ann@example.com")
    create_page(anon, page_body(ann, slug="taken"), ann.token)
    cases: list[tuple[list[Any], Any, str]] = [
        (["booking", "opening_hours", 0, "days"], ["M", "T", "X"], "opening_hours[0].days[2]"),
        (["booking", "opening_hours", 0, "start"], "25:00", "opening_hours[0].start"),
        (["event", "duration"], 7, "config.event.duration"),
        (["booking", "scheduling_method"], "random", "config.booking.scheduling_method"),
        (["booking", "min_buffer"], -5, "config.booking.min_buffer"),
        (["timezone"], "Mars/Olympus", "config.timezone"),
        (["expire_after"], {"uses": 0}, "config.expire_after.uses"),
        (["reminders"], [{"delivery_method": "pigeon"}], "config.reminders[0].delivery_method"),
        (["appearance", "show_week_view"], "maybe", "config.appearance.show_week_view"),
    ]
    for path, value, field in cases:
        body = page_body(ann, slug="fresh")
        target = body["config"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        response = anon.post("/manage/pages", json=body, headers=bearer(ann.token))
        assert response.status_code == 400, (field, response.text)
        assert field in response.json()["message"], response.json()["message"]
    fields = page_body(ann, slug="fresh")
    fields["config"]["booking"]["additional_fields"] = [
        {"name": "size", "label": "Size", "type": "dropdown", "required": True}
    ]
    response = anon.post("/manage/pages", json=fields, headers=bearer(ann.token))
    assert "additional_fields[0].dropdown_options" in response.json()["message"]
    clash = anon.post("/manage/pages", json=page_body(ann, slug="taken"), headers=bearer(ann.token))
    assert clash.status_code == 409 and "slug" in clash.json()["message"]
    revoked = page_body(ann, slug="fresh")
    revoked["access_tokens"] = [ann.token, "swat_nope"]
    response = anon.post("/manage/pages", json=revoked, headers=bearer(ann.token))
    assert response.status_code == 401 and "access_tokens[1]" in response.json()["message"]
    assert len(api.get("/manage/pages").json()) == 1  # nothing half-made


def test_upload_image_is_bounded_and_served_back(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    page = create_page(anon, page_body(ann), ann.token)
    path = f"/manage/pages/{page['id']}/upload-image"
    refused = anon.put(
        path,
        json={"contentType": "image/svg+xml", "objectName": "x.svg"},
        headers=bearer(ann.token),
    )
    assert refused.status_code == 400 and "contentType" in refused.json()["message"]
    urls = anon.put(
        path, json={"contentType": "image/png", "objectName": "logo.png"}, headers=bearer(ann.token)
    ).json()
    assert urls["originalFilename"] == "logo.png"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert (
        httpx.put(
            urls["publicUrl"],
            content=png,
            headers={"Content-Type": "image/png"},
            timeout=HTTP_TIMEOUT,
        ).status_code
        == 401
    )
    wrong = httpx.put(
        urls["signedUrl"],
        content=b"GIF89a",
        headers={"Content-Type": "image/png"},
        timeout=HTTP_TIMEOUT,
    )
    assert wrong.status_code == 400
    big = httpx.put(
        urls["signedUrl"],
        content=b"\x89PNG\r\n\x1a\n" + b"0" * (3 * 1024 * 1024),
        headers={"Content-Type": "image/png"},
        timeout=HTTP_TIMEOUT,
    )
    assert big.status_code == 413
    done = httpx.put(
        urls["signedUrl"], content=png, headers={"Content-Type": "image/png"}, timeout=HTTP_TIMEOUT
    )
    assert done.status_code == 200, done.text
    served = httpx.get(urls["publicUrl"], timeout=HTTP_TIMEOUT)
    assert served.content == png and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"


def test_a_page_keeps_a_few_images_and_never_drops_its_logo(
    api: httpx.Client, anon: httpx.Client, db: Database, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    page = create_page(anon, page_body(ann), ann.token)
    path = f"/manage/pages/{page['id']}/upload-image"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    def upload(name: str) -> dict[str, str]:
        advance(1)  # one upload a second: "oldest" is well defined
        urls: dict[str, str] = anon.put(
            path, json={"contentType": "image/png", "objectName": name}, headers=bearer(ann.token)
        ).json()
        stored = httpx.put(urls["signedUrl"], content=png, headers={"Content-Type": "image/png"})
        assert stored.status_code == 200, stored.text
        return urls

    logo = upload("logo.png")
    edited = api.get(f"/manage/pages/{page['id']}").json()
    edited["config"]["appearance"]["logo"] = logo["publicUrl"]
    assert anon.put(
        f"/manage/pages/{page['id']}", json=edited, headers=bearer(page["edit_token"])
    ).is_success
    first = upload("first.png")
    later = [upload(f"n{i}.png") for i in range(images.MAX_IMAGES_PER_PAGE + 3)]
    with db.session(write=False) as session:
        count = session.scalar(select(func.count()).select_from(PageImage))
    assert count == images.MAX_IMAGES_PER_PAGE
    assert httpx.get(logo["publicUrl"]).content == png  # the logo in use stays
    assert httpx.get(later[-1]["publicUrl"]).content == png
    assert httpx.get(first["publicUrl"]).status_code == 404  # the oldest others went
    gone = httpx.put(first["signedUrl"], content=png, headers={"Content-Type": "image/png"})
    assert gone.status_code == 404 and "newest uploads" in gone.json()["message"], gone.text


__all__ = ["advance"]  # the fixture, used by name
