"""Work-chat group robots (WeCom, DingTalk, or plain JSON): the one URL an administrator entered.

The rules the PDF fetcher follows, for the network: only http(s) URLs whose host the operator allows
(`INTEGRITY_WEBHOOK_HOSTS`), checked when the URL is entered and again before every call; no credentials
in the URL; no redirect followed (a 3xx is a failure); no proxy taken from the environment; a timeout.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from integrity.config import Settings
from integrity.lib.errors import InvalidInput
from integrity.lib.i18n import N_

FLAVOURS = ("wecom", "dingtalk", "json")
FLAVOUR_LABELS = {
    "wecom": N_("WeCom group robot"),
    "dingtalk": N_("DingTalk group robot"),
    "json": N_("Plain JSON"),
}


def check_url(settings: Settings, url: str) -> str:
    """The URL if it may be called, else InvalidInput saying why."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(N_("A webhook address starts with https:// and names a host."))
    if parts.username or parts.password:
        raise InvalidInput(N_("A webhook address may not carry a user name or password."))
    allowed = {h.strip().lower() for h in settings.webhook_hosts if h.strip()}
    if parts.hostname.lower() not in allowed:
        raise InvalidInput(
            N_("This host is not among the webhook hosts the operator allows (INTEGRITY_WEBHOOK_HOSTS).")
        )
    return url.strip()


def body(flavour: str, text: str, link: str, event: dict[str, Any]) -> dict[str, Any]:
    """What the robot takes: WeCom and DingTalk want a text message; plain JSON gets the facts too."""
    content = f"{text}\n{link}"
    if flavour in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": content}}
    return {"text": content, "link": link, **event}


class Refused(Exception):
    """A call that was not made or not accepted; the message is what the administrators see."""


async def post(settings: Settings, url: str, payload: dict[str, Any]) -> None:
    """POST once; Refused on anything but a 2xx (a redirect is not followed)."""
    try:
        target = check_url(settings, url)
    except InvalidInput as exc:
        raise Refused(f"address refused: {exc.detail}") from exc
    timeout = httpx.Timeout(settings.webhook_timeout_seconds)
    try:
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout) as client:
            response = await client.post(target, json=payload)
    except httpx.HTTPError as exc:
        raise Refused(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if response.is_redirect:
        raise Refused(f"HTTP {response.status_code}: redirect not followed")
    if not response.is_success:
        raise Refused(f"HTTP {response.status_code}: {response.text[:200]}")
    answer = _json(response)
    # WeCom and DingTalk answer 200 with an error code in the body when they refuse a message.
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        raise Refused(f"errcode {answer.get('errcode')}: {str(answer.get('errmsg', ''))[:200]}")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
