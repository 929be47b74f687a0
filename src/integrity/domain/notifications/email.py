"""Email over SMTP: one message per delivery, plain text and HTML, in the recipient's language.

The standard library's smtplib (STARTTLS, implicit TLS, login) runs in a worker thread, a few at a
time, so a slow mail server never holds the event loop.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import anyio

from integrity.config import Settings
from integrity.lib.i18n import current_locale, gettext
from integrity.lib.templating import template_environment

_LIMIT = anyio.CapacityLimiter(4)
_ENV = template_environment()


@dataclass(frozen=True)
class Line:
    """One notification as an email shows it."""

    headline: str
    about: str
    detail: str
    due_on: str
    link: str


def compose(
    settings: Settings, to: str, locale: str, subject: str, lines: list[Line], marker: str
) -> EmailMessage:
    """The message, rendered in `locale`; `marker` (the delivery) goes into the Message-ID."""
    token = current_locale.set(locale)
    try:
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(idstring=marker, domain="integrity")
        text = [subject, ""]
        for line in lines:
            text.append(f"- {line.headline}")
            text.extend(f"  {part}" for part in (line.about, line.detail) if part)
            if line.due_on:
                text.append(f"  {gettext('Due on')}: {line.due_on}")
            text.append(f"  {line.link}")
        text += ["", gettext("You receive this because of your notification settings in Integrity.")]
        message.set_content("\n".join(text))
        html = _ENV.get_template("email/notification.html").render(
            subject=subject, lines=lines, settings_link=f"{settings.base_url}/account/notifications"
        )
        message.add_alternative(html, subtype="html")
        return message
    finally:
        current_locale.reset(token)


def _send_now(settings: Settings, message: EmailMessage) -> None:
    timeout = settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_security == "tls":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


async def send(settings: Settings, message: EmailMessage) -> None:
    """Send off the event loop; raises what smtplib raises (the caller records it and retries)."""
    await anyio.to_thread.run_sync(_send_now, settings, message, limiter=_LIMIT)
