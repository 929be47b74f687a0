"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, the provider found by
discovery, its ID token's signature, issuer, audience, expiry and nonce checked (joserfc, the JOSE
library of the Authlib project); the user matched to an existing account by a configured claim.

Nobody the claim does not name gets in: no account is created and no role given, ever. Requests go only
to the configured issuer's host (discovery may not point elsewhere), without proxies or redirects."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.models import Person, User
from integrity.lib.errors import DomainError
from integrity.lib.i18n import N_
from integrity.lib.security import tokens

CALLBACK = "/login/sso/callback"
SEALING = "integrity-sso"  # what a sign-in's state, nonce and verifier are sealed for
FLOW_SECONDS = 10 * 60  # how long a sign-in may stay at the provider
TIMEOUT = 10.0
CLOCK_SKEW = 60  # seconds of disagreement between clocks a token's times may show
ALGORITHMS = ["RS256", "ES256", "PS256"]


class SsoRefused(DomainError):
    """Single sign-on did not sign anyone in; `detail` says why in the reader's words."""

    status, slug, title = 403, "sso-refused", N_("Single sign-on refused")
    denied = True


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class Flow:
    """What the browser carries (sealed) between leaving for the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    next: str


def _same_host(settings: Settings, url: str) -> bool:
    issuer, other = urlsplit(settings.oidc_issuer), urlsplit(url)
    return (issuer.scheme, issuer.netloc) == (other.scheme, other.netloc)


def _client(settings: Settings) -> httpx.AsyncClient:
    # No proxy from the environment and no redirects: only the configured host is ever asked.
    return httpx.AsyncClient(timeout=TIMEOUT, trust_env=False, follow_redirects=False)


async def discover(settings: Settings) -> Provider:
    """The provider's endpoints, from its discovery document; refused unless it names the configured
    issuer and keeps every endpoint on the issuer's host."""
    url = settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with _client(settings) as client:
            answer = await client.get(url)
        answer.raise_for_status()
        doc = answer.json()
        provider = Provider(
            doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"], doc["jwks_uri"]
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise SsoRefused(N_("The single sign-on service cannot be reached; try again later.")) from exc
    endpoints = (provider.authorization_endpoint, provider.token_endpoint, provider.jwks_uri)
    if provider.issuer.rstrip("/") != settings.oidc_issuer.rstrip("/") or not all(
        _same_host(settings, e) for e in endpoints
    ):
        raise SsoRefused(N_("The single sign-on service is not the one this server is configured for."))
    return provider


def seal_flow(settings: Settings, flow: Flow) -> str:
    return tokens.seal(settings.secret_key, SEALING, json.dumps(flow.__dict__))


def open_flow(settings: Settings, sealed: str | None) -> Flow | None:
    opened = tokens.unseal(settings.secret_key, SEALING, sealed, FLOW_SECONDS)
    if opened is None:
        return None
    try:
        return Flow(**json.loads(opened))
    except (ValueError, TypeError):
        return None


def redirect_uri(settings: Settings) -> str:
    return settings.base_url.rstrip("/") + CALLBACK


def start(settings: Settings, provider: Provider, next_path: str) -> tuple[str, Flow]:
    """The provider's sign-in address, and the flow to keep until the browser comes back."""
    flow = Flow(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48), next_path)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(flow.verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_uri(settings),
        "scope": "openid profile email",
        "state": flow.state,
        "nonce": flow.nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{provider.authorization_endpoint}?{urlencode(query)}", flow


async def finish(settings: Settings, provider: Provider, flow: Flow, code: str) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the ID token's claims once its signature,
    issuer, audience, times and nonce are checked."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(settings),
        "code_verifier": flow.verifier,
    }
    try:
        async with _client(settings) as client:
            answer = await client.post(
                provider.token_endpoint,
                data=form,
                auth=(settings.oidc_client_id, settings.oidc_client_secret),
            )
            answer.raise_for_status()
            id_token = answer.json()["id_token"]
            keys = await client.get(provider.jwks_uri)
            keys.raise_for_status()
            key_set = KeySet.import_key_set(keys.json())
    except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as exc:
        raise SsoRefused(N_("The single sign-on service did not confirm the sign-in; try again.")) from exc
    try:
        token = jwt.decode(id_token, key_set, algorithms=ALGORITHMS)
        claims = jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": settings.oidc_client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": flow.nonce},
            sub={"essential": True},
        )
        claims.validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise SsoRefused(N_("The sign-in from the single sign-on service could not be verified.")) from exc
    audience = token.claims.get("aud")
    if (
        isinstance(audience, list)
        and len(audience) > 1
        and token.claims.get("azp") != settings.oidc_client_id
    ):
        raise SsoRefused(N_("The sign-in from the single sign-on service could not be verified."))
    if int(token.claims.get("iat", 0)) > time.time() + CLOCK_SKEW:
        raise SsoRefused(N_("The sign-in from the single sign-on service could not be verified."))
    return dict(token.claims)


async def account_for(session: AsyncSession, settings: Settings, claims: dict[str, Any]) -> User | None:
    """The active account the configured claim names, or None (never a new one)."""
    value = claims.get(settings.oidc_claim)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    stmt = select(User).where(col(User.is_active).is_(True))
    if settings.oidc_match == "username":
        stmt = stmt.where(func.lower(User.username) == value.lower())
    elif settings.oidc_match == "email":
        stmt = stmt.where(func.lower(User.email) == value.lower(), col(User.email) != "")
    else:
        stmt = stmt.join(Person, col(Person.id) == col(User.person_id)).where(
            col(Person.employee_no) == value
        )
    found = (await session.execute(stmt)).scalars().all()
    return found[0] if len(found) == 1 else None  # two accounts with one email: nobody
