"""A small OpenID Connect provider on loopback, for the single sign-on tests: real HTTP, discovery, an
authorization code bound to its PKCE challenge, client authentication, RS256 ID tokens and a JWKS; and
the faults a provider (or an attacker in its place) can produce: a token for another audience, one
signed with another key, an expired one, one carrying the nonce of an earlier sign-in."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "integrity-test"
CLIENT_SECRET = "integrity-test-secret"
FAULTS = ("none", "wrong_audience", "bad_signature", "expired", "replayed_nonce")


@dataclass
class Login:
    """Who signs in at the provider next, and what goes wrong with the token it issues."""

    claims: dict[str, Any]
    fault: str = "none"


@dataclass
class _Grant:
    redirect_uri: str
    nonce: str
    challenge: str
    login: Login


@dataclass
class OpenIdProvider:
    issuer: str = ""
    next_login: Login = field(default_factory=lambda: Login({"sub": "nobody"}))
    codes: dict[str, _Grant] = field(default_factory=dict)
    nonces: list[str] = field(default_factory=list)
    key: RSAKey = field(default_factory=lambda: _key())
    stranger: RSAKey = field(default_factory=lambda: _key())  # same key id, another key

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **grant.login.claims,
        }
        fault = grant.login.fault
        if fault == "wrong_audience":
            claims["aud"] = "some-other-client"
        elif fault == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif fault == "replayed_nonce":
            claims["nonce"] = self.nonces[-2]  # the nonce of the sign-in before this one
        key = self.stranger if fault == "bad_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})


def _handler(provider: OpenIdProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token",
                        "jwks_uri": f"{provider.issuer}/jwks",
                        "response_types_supported": ["code"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"],
                    }
                )
            elif url.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if (
                    query.get("client_id") != CLIENT_ID
                    or query.get("response_type") != "code"
                    or query.get("code_challenge_method") != "S256"
                    or "openid" not in query.get("scope", "").split()
                ):
                    self._json({"error": "invalid_request"}, 400)
                    return
                code = secrets.token_urlsafe(16)
                provider.nonces.append(query["nonce"])
                provider.codes[code] = _Grant(
                    query["redirect_uri"], query["nonce"], query["code_challenge"], provider.next_login
                )
                self.send_response(302)
                back = urlencode({"code": code, "state": query["state"]})
                self.send_header("location", f"{query['redirect_uri']}?{back}")
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._json({"error": "not_found"}, 404)
                return
            length = int(self.headers.get("content-length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("authorization") != f"Basic {expected}":
                self._json({"error": "invalid_client"}, 401)
                return
            grant = provider.codes.pop(form.get("code", ""), None)  # a code is good once
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if (
                grant is None
                or grant.redirect_uri != form.get("redirect_uri")
                or grant.challenge != challenge
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            self._json(
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "id_token": provider.id_token(grant),
                }
            )

    return Handler


def start_provider() -> Iterator[OpenIdProvider]:
    provider = OpenIdProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
