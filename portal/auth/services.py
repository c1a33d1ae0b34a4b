"""Turning verified claims into a portal user: organisation, role, just-in-time account."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import ROLES, AccessToken, Organisation, UsedLogoutToken, User

from .. import audit
from ..config import OIDCProvider
from ..sessions import end_sessions_of, sessions_of
from .oidc import LEEWAY_SECONDS, LOGOUT_TOKEN_MAX_AGE, LoginError

NO_ORGANISATION = _l(
    "Uw organisatie kon niet worden vastgesteld of doet niet mee aan het portaal. "
    "Er is geen account voor u aangemaakt. Neem contact op met de beheerder van uw organisatie."
)


def resolve_organisation(session: Session, provider: OIDCProvider, claims: dict) -> Organisation:
    """The organisation comes from this provider's configuration only, never from another provider."""
    code: str | None
    if provider.organisation:
        code = provider.organisation
    else:
        value = claims.get(provider.organisation_claim or "")
        code = provider.organisation_map.get(value) if isinstance(value, str) else None
    organisation = session.scalars(
        select(Organisation).where(Organisation.code == code, Organisation.taking_part())
    ).one_or_none() if code else None
    if organisation is None:
        raise LoginError("organisation_unknown", str(NO_ORGANISATION))
    return organisation


def resolve_role(provider: OIDCProvider, claims: dict) -> str:
    """The highest `portal:<role>` value in the role claim, else the provider's default role."""
    if provider.role_claim:
        values = claims.get(provider.role_claim)
        values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
        granted = [v.removeprefix("portal:") for v in values if isinstance(v, str) and v.startswith("portal:")]
        ranked = [r for r in ROLES if r in granted]
        if ranked:
            return ranked[-1]
    return provider.default_role


def upsert_user(session: Session, provider: OIDCProvider, claims: dict, organisation: Organisation) -> tuple[User, bool]:
    """Find or create the user by (issuer, sub). Keeps only name, e-mail and organisation."""
    user = session.scalars(
        select(User).where(User.issuer == provider.issuer, User.subject == claims["sub"])
    ).one_or_none()
    created = user is None
    name = str(claims.get("name") or claims.get("email") or "Onbekend")[:200]
    email: str | None
    email = claims.get("email")
    email = email.strip().lower()[:320] if isinstance(email, str) and "@" in email else None
    if user is None:
        user = User(issuer=provider.issuer, subject=claims["sub"], role=resolve_role(provider, claims))
        session.add(user)
    elif provider.role_claim:
        # With a role claim the provider is the source of truth for the role.
        user.role = resolve_role(provider, claims)
    user.name = name
    user.email = email
    user.organisation = organisation
    user.last_login_at = datetime.now(UTC)
    session.flush()
    return user, created


def revoke_tokens_of(session: Session, user: User) -> int:
    """Rule 8: deactivating a user revokes its personal access tokens for good (reactivation does not revive them)."""
    statement = (update(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
                 .values(revoked_at=datetime.now(UTC)))
    result = session.execute(statement)
    return result.rowcount if isinstance(result, CursorResult) else 0


def end_everything(session: Session, app, user: User) -> tuple[int, int]:
    """"End all": every session of the user ends and every token is revoked for good; audited. Returns (sessions, tokens)."""
    count = len(sessions_of(app, user.id))
    revoked = revoke_tokens_of(session, user)
    audit.record("session.ended_all", session=session, actor=user, entity_type="user", entity_id=user.id, sessions=count, tokens=revoked)
    session.commit()
    end_sessions_of(app, user.id)
    session.commit()
    return count, revoked


def remember_logout_token(session: Session, issuer: str, claims: dict) -> None:
    """Keep a verified logout token's jti for as long as the token is valid; a second use of it is refused
    (LoginError "logout_token_replayed"). Expired entries are removed on the way."""
    now = datetime.now(UTC)
    session.execute(delete(UsedLogoutToken).where(UsedLogoutToken.expires_at < now))
    expires = datetime.fromtimestamp(claims["iat"] + LOGOUT_TOKEN_MAX_AGE + LEEWAY_SECONDS, UTC)
    try:
        with session.begin_nested():
            session.add(UsedLogoutToken(issuer=issuer, jti=claims["jti"][:255], expires_at=expires))
    except IntegrityError:
        raise LoginError("logout_token_replayed") from None
