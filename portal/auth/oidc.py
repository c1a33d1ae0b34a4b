"""OpenID Connect relying party: discovery, authorization URL, code exchange and ID token checks.

Authlib does the OAuth 2 plumbing (PKCE, token request); joserfc checks the
signature. The checks Authlib leaves to the application (security.md items
1, 3, 5-10) are done here, explicitly, and each failure names its reason.
"""
from __future__ import annotations

import math
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, TypeGuard, cast
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..config import OIDCProvider

ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256")
LEEWAY_SECONDS = 60
TIMEOUT = (3.05, 10)
METADATA_TTL = 3600
JWKS_REFETCH_INTERVAL = 60
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_MAX_AGE = 300  # a logout token older than five minutes is refused


def _instant(value) -> TypeGuard[int | float]:
    """A NumericDate: a finite number of seconds (never a bool, NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 2**40


def _audiences(claims: dict) -> list:
    """`aud` of a token as a list (a single string or a list of them; anything else is no audience)."""
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []


class LoginError(Exception):
    """A refused login. `reason` goes to the audit trail; users see a fixed Dutch text."""

    def __init__(self, reason: str, user_message: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.user_message = user_message


class ProviderUnavailable(LoginError):
    def __init__(self, reason: str):
        super().__init__(reason)


@dataclass
class Pending:
    """What the portal remembers, server-side, between the redirect and the callback."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next: str
    created: float

    @classmethod
    def start(cls, provider: str, next_path: str) -> Pending:
        return cls(provider, secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                   secrets.token_urlsafe(64), next_path, time.time())


class ProviderClient:
    """One configured identity provider, with cached discovery and keys."""

    def __init__(self, config: OIDCProvider, redirect_uri: str):
        self.config = config
        self.redirect_uri = redirect_uri
        self._lock = threading.Lock()
        self._metadata: dict | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._last_refetch = 0.0

    # -- discovery and keys -------------------------------------------------
    def _get_json(self, url: str, reason: str) -> dict:
        try:
            response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(reason) from exc

    def metadata(self) -> dict:
        with self._lock:
            if self._metadata is None or time.time() - self._metadata_at > METADATA_TTL:
                url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                metadata = self._get_json(url, "discovery_unreachable")
                # Discovery must describe exactly the configured issuer (mix-up defence).
                if metadata.get("issuer") != self.config.issuer:
                    raise LoginError("discovery_issuer_mismatch")
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(metadata.get(key), str):
                        raise LoginError(f"discovery_missing_{key}")
                # Never trust the algorithms the provider lists: only asymmetric ones.
                metadata["id_token_signing_alg_values_supported"] = list(ALLOWED_ALGORITHMS)
                self._metadata, self._metadata_at = metadata, time.time()
            return self._metadata

    def _load_keys(self) -> KeySet:
        data = self._get_json(self.metadata()["jwks_uri"], "jwks_unreachable")
        try:
            keys = KeySet.import_key_set(cast(Any, data))  # checked by the import itself: errors below
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise LoginError("jwks_invalid") from exc
        self._keys = keys
        return keys

    def key_for(self, kid: str | None) -> KeySet:
        """The key set holding `kid`. An unknown kid may mean rotated keys: refetch, at most once a minute."""
        keys = self._keys or self._load_keys()
        if kid is None or any(k.kid == kid for k in keys.keys):
            return keys
        if time.time() - self._last_refetch >= JWKS_REFETCH_INTERVAL:
            self._last_refetch = time.time()
            keys = self._load_keys()
            if any(k.kid == kid for k in keys.keys):
                return keys
        raise LoginError("unknown_kid")

    # -- the flow --------------------------------------------------------------
    def _oauth(self) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scope=" ".join(self.config.scopes),
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
            default_timeout=TIMEOUT,
        )

    def authorization_url(self, pending: Pending) -> str:
        url, _state = self._oauth().create_authorization_url(
            self.metadata()["authorization_endpoint"],
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
        return url

    def exchange(self, code: str, pending: Pending) -> dict:
        try:
            token = self._oauth().fetch_token(
                self.metadata()["token_endpoint"], code=code, code_verifier=pending.code_verifier,
                grant_type="authorization_code",
            )
        except (OAuth2Error, OAuthError) as exc:
            raise LoginError("token_error") from exc
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable("token_endpoint_unreachable") from exc
        if not token.get("id_token"):
            raise LoginError("no_id_token")
        return dict(token)

    def _decode(self, token: str, kind: str) -> dict:
        """The claims of a signed JWT from this provider (alg from our list only, key by kid); `kind` names the reasons."""
        try:
            header = jws.extract_compact(token.encode()).protected
        except (JoseError, ValueError, TypeError) as exc:
            raise LoginError(f"{kind}_malformed") from exc
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise LoginError(f"{kind}_alg_refused")
        keys = self.key_for(header.get("kid"))
        try:
            return jwt.decode(token, keys, algorithms=[alg]).claims
        except (JoseError, ValueError, TypeError) as exc:
            raise LoginError(f"{kind}_signature") from exc

    def verify_id_token(self, id_token: str, nonce: str) -> dict:
        claims = self._decode(id_token, "id_token")
        self.check_claims(claims, nonce)
        return claims

    def verify_logout_token(self, logout_token: str) -> dict:
        """OpenID Connect Back-Channel Logout 1.0, section 2.6: signature, iss, aud, iat, jti, the event, sub or sid, no nonce."""
        claims = self._decode(logout_token, "logout_token")
        if claims.get("iss") != self.config.issuer:
            raise LoginError("logout_token_issuer")
        if self.config.client_id not in _audiences(claims):
            raise LoginError("logout_token_audience")
        _check_logout_times(claims)
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise LoginError("logout_token_jti")
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
            raise LoginError("logout_token_event")
        if "nonce" in claims:
            raise LoginError("logout_token_nonce")
        _check_logout_subject(claims)
        return claims

    def check_claims(self, claims: dict, nonce: str) -> None:
        now = time.time()
        if claims.get("iss") != self.config.issuer:
            raise LoginError("id_token_issuer")
        audiences = _audiences(claims)
        if self.config.client_id not in audiences:
            raise LoginError("id_token_audience")
        if "azp" in claims and claims["azp"] != self.config.client_id:
            raise LoginError("id_token_azp")
        if len(audiences) > 1 and "azp" not in claims:
            raise LoginError("id_token_azp")
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, (int, float)) or exp + LEEWAY_SECONDS < now:
            raise LoginError("id_token_expired")
        if not isinstance(iat, (int, float)) or iat - LEEWAY_SECONDS > now:
            raise LoginError("id_token_issued_in_future")
        if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
            raise LoginError("id_token_nonce")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise LoginError("id_token_sub")

    def userinfo(self, access_token: str, sub: str) -> dict:
        endpoint = self.metadata().get("userinfo_endpoint")
        if not endpoint or not access_token:
            return {}
        try:
            response = requests.get(endpoint, timeout=TIMEOUT, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
            info = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable("userinfo_unreachable") from exc
        if info.get("sub") != sub:
            raise LoginError("userinfo_sub_mismatch")
        return info

    def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except LoginError:
            return None
        if not endpoint:
            return None
        sep = "&" if "?" in endpoint else "?"
        return endpoint + sep + urlencode({"client_id": self.config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})


def _check_logout_times(claims: dict) -> None:
    """iat within the leeway and at most LOGOUT_TOKEN_MAX_AGE old; exp, when given, not passed."""
    iat, exp = claims.get("iat"), claims.get("exp")
    now = time.time()
    if not _instant(iat) or iat - LEEWAY_SECONDS > now or iat + LOGOUT_TOKEN_MAX_AGE < now:
        raise LoginError("logout_token_iat")
    if exp is not None and (not _instant(exp) or exp + LEEWAY_SECONDS < now):
        raise LoginError("logout_token_expired")


def _check_logout_subject(claims: dict) -> None:
    """sub or sid (at least one, each a non-empty string when present)."""
    sub, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(sub, str) and sub) and not (isinstance(sid, str) and sid):
        raise LoginError("logout_token_subject")
    if (sub is not None and not isinstance(sub, str)) or (sid is not None and not isinstance(sid, str)):
        raise LoginError("logout_token_subject")
