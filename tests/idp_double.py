"""A hostile OpenID provider for tests: real discovery, JWKS and token endpoints on loopback,
answering with whatever ID token the test crafts (signed with real keys, or forged)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class HostileProvider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.jwks_hits = 0
        self.token_requests: list[dict] = []
        self.token_response: dict | None = None
        self.userinfo: dict = {}
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.discovery_issuer: str | None = None
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()

    # -- crafting tokens ---------------------------------------------------
    def claims(self, nonce_value: str, **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "hostile-user", "aud": "portal", "exp": now + 300, "iat": now,
                  "nonce": nonce_value, "name": "Harry Hostile", "email": "harry@hostile.test"}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict, key: RSAKey | None = None, kid: str = "k1", alg: str = "RS256") -> str:
        return jwt.encode({"alg": alg, "kid": kid}, claims, key or self.key)

    @staticmethod
    def unsigned(claims: dict) -> str:
        return f"{b64(json.dumps({'alg': 'none'}).encode())}.{b64(json.dumps(claims).encode())}."

    def hs256_with_public_key(self, claims: dict) -> str:
        secret = self.key.as_pem(private=False)
        signing_input = f"{b64(json.dumps({'alg': 'HS256', 'kid': 'k1'}).encode())}.{b64(json.dumps(claims).encode())}"
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(signature)}"

    def answer(self, id_token: str | None, **extra) -> None:
        body = {"access_token": "at-" + b64(hashlib.sha256(str(time.time()).encode()).digest()), "token_type": "Bearer", "expires_in": 300}
        if id_token is not None:
            body["id_token"] = id_token
        body.update(extra)
        self.token_response = body

    # -- HTTP --------------------------------------------------------------
    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path == "/.well-known/openid-configuration":
            return self._json({
                "issuer": self.discovery_issuer or self.issuer,
                "authorization_endpoint": f"{self.issuer}/auth",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
                "code_challenge_methods_supported": ["S256"],
            })
        if request.path == "/jwks":
            self.jwks_hits += 1
            return self._json({"keys": [self.key.as_dict(private=False)]})
        if request.path == "/token" and request.method == "POST":
            self.token_requests.append({"form": dict(request.form), "authorization": request.headers.get("Authorization")})
            if self.token_response is None:
                return self._json({"error": "invalid_grant"}, 400)
            body, self.token_response = self.token_response, None  # each code works once
            return self._json(body)
        if request.path == "/userinfo":
            return self._json(self.userinfo)
        return Response("not found", status=404)

    @staticmethod
    def _json(body: dict, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json")
