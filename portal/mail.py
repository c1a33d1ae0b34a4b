"""Outgoing mail through SMTP_URL (smtp://host:port); without it, mail is logged, not sent."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

log = logging.getLogger("portal.mail")
SENDER = "MDT-portaal <noreply@mdt-portaal.invalid>"


def send(smtp_url: str | None, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not smtp_url:
        log.info("mail not sent (no SMTP_URL): to=%s subject=%s body=%r", to, subject, body)
        return
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("SMTP_URL must be smtp://host:port or smtps://host:port")
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with cls(parts.hostname or "localhost", parts.port or (465 if parts.scheme == "smtps" else 25), timeout=15) as smtp:
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)
