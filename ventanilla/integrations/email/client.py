"""E-mail out over SMTP: one connection, many messages, each with our own Message-ID so the
relay's delivery events (Mailgun-style webhooks) can be matched to it.

    with SmtpClient(host="127.0.0.1", port=8921) as client:
        client.send(OutgoingEmail(message_id="<uuid>@ventanilla.gob.pe", ...))

`send` raises EmailTemporaryError (connection refused or lost, timeout, an SMTP 4xx: try again
later) or EmailPermanentError (an SMTP 5xx for this message or its recipients: do not retry).
The reasons are Spanish, for the back office's status column.
"""

from __future__ import annotations

import base64
import binascii
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from types import TracebackType
from urllib.parse import quote

from django.utils.translation import gettext as _

LOCAL_HOSTNAME = "ventanilla"  # EHLO name; socket.getfqdn() can take seconds to answer


@dataclass
class OutgoingEmail:
    message_id: str  # "<uuid>@domain", without angle brackets
    from_email: str  # "Municipalidad de Lima <no-responder@ventanilla.gob.pe>" or a bare address
    to: list[str]
    subject: str
    text: str
    html: str = ""
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)  # name, content, type


class EmailError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailTemporaryError(EmailError):
    """Connection refused or lost, timeout, SMTP 4xx: the same message may be sent later."""


class EmailPermanentError(EmailError):
    """SMTP 5xx for this message or every recipient: sending it again would fail again."""


def email_bytes(email: OutgoingEmail) -> bytes:
    """The MIME message: the text, the HTML as its alternative, then the attachments. Written
    by hand (quoted-printable and base64 from binascii): the email package's builders take
    milliseconds a message, which the bench's thousands a second cannot afford."""
    headers = [
        ("Message-ID", f"<{email.message_id.strip('<>')}>"),
        ("Date", formatdate(localtime=False)),
        ("From", _address(email.from_email)),
        ("To", ", ".join(_address(a) for a in email.to)),
    ]
    if email.cc:
        headers.append(("Cc", ", ".join(_address(a) for a in email.cc)))
    if email.reply_to:
        headers.append(("Reply-To", ", ".join(_address(a) for a in email.reply_to)))
    headers += [("Subject", _encoded(email.subject)), ("MIME-Version", "1.0")]
    body = _text_part("plain", email.text)
    if email.html:
        body = _multipart("alternative", [body, _text_part("html", email.html)])
    if email.attachments:
        body = _multipart("mixed", [body, *(_attachment(*a) for a in email.attachments)])
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("ascii") + body


def _encoded(value: str) -> str:
    value = " ".join(value.split())  # no line breaks in a header
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode(linesep="\r\n")


def _address(value: str) -> str:
    name, address = parseaddr(value)
    if not address:
        return value.strip()
    return formataddr((" ".join(name.split()), address), charset="utf-8")


def _text_part(subtype: str, text: str) -> bytes:
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return (
        f"Content-Type: text/{subtype}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + encoded.replace(b"\n", b"\r\n")


def _attachment(name: str, content: bytes, content_type: str) -> bytes:
    if name.isascii():
        escaped = name.replace("\\", "_").replace('"', "_").replace("\r", "").replace("\n", "")
        filename = f'filename="{escaped}"'
    else:
        filename = f"filename*=utf-8''{quote(name, safe='')}"
    kind = content_type if "/" in (content_type or "") else "application/octet-stream"
    return (
        f"Content-Type: {kind}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {filename}\r\n\r\n"
    ).encode() + base64.encodebytes(content).replace(b"\n", b"\r\n")


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=_{uuid.uuid4().hex}"
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    separator = f"\r\n--{boundary}\r\n".encode()
    return head + separator + separator.join(parts) + f"\r\n--{boundary}--\r\n".encode()


def _bare(address: str) -> str:
    """The address alone, for the envelope: "Rosa <rosa@example.pe>" -> "rosa@example.pe"."""
    return parseaddr(address)[1] or address.strip()


class SmtpClient:
    """One SMTP connection for many messages, opened on the first send; if the server dropped
    it while idle, it is opened again once (nothing of that message had been sent yet)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        use_tls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.use_tls = use_tls
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, email: OutgoingEmail) -> str:
        """Hand the message to the server; returns the provider reference (its Message-ID)."""
        raw = email_bytes(email)
        sender = _bare(email.from_email)
        recipients = [_bare(a) for a in [*email.to, *email.cc, *email.bcc] if a.strip()]
        if not recipients:
            raise EmailPermanentError(_("El mensaje no tiene destinatarios."))
        for attempt in (1, 2):
            connection = self._connect()
            try:
                code, answer = connection.mail(sender)
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                # A connection the server closed while we were idle: a fresh one, once.
                self._drop()
                if attempt == 1:
                    continue
                raise EmailTemporaryError(
                    _("Se perdió la conexión con el servidor de correo: %(error)s")
                    % {"error": error or type(error).__name__}
                ) from None
            break
        try:
            if code != 250:
                self._reset(connection)
                raise _by_code(code, answer, _("remitente rechazado"))
            refused: list[tuple[int, bytes]] = []
            for recipient in recipients:
                code, answer = connection.rcpt(recipient)
                if code not in (250, 251):
                    refused.append((code, answer))
            if len(refused) == len(recipients):
                self._reset(connection)
                temporary = [r for r in refused if 400 <= r[0] < 500]
                code, answer = temporary[0] if temporary else refused[0]
                raise _by_code(code, answer, _("destinatario rechazado"))
            code, answer = connection.data(raw)
            if code != 250:
                self._reset(connection)
                raise _by_code(code, answer, _("mensaje rechazado"))
        except smtplib.SMTPResponseException as error:
            # data() raises when the server refuses the DATA command itself.
            self._reset(connection)
            raise _by_code(error.smtp_code, error.smtp_error, _("mensaje rechazado")) from None
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            raise EmailTemporaryError(
                _("Se perdió la conexión con el servidor de correo: %(error)s")
                % {"error": error or type(error).__name__}
            ) from None
        return email.message_id

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    # --- the connection ------------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        try:
            connection = smtplib.SMTP(
                self.host, self.port, local_hostname=LOCAL_HOSTNAME, timeout=self.timeout
            )
        except smtplib.SMTPConnectError as error:
            raise _by_code(error.smtp_code, error.smtp_error, _("conexión rechazada")) from None
        except (smtplib.SMTPException, OSError) as error:
            raise EmailTemporaryError(
                _("No se pudo conectar con el servidor de correo %(host)s:%(port)s: %(error)s")
                % {"host": self.host, "port": self.port, "error": error or type(error).__name__}
            ) from None
        try:
            connection.ehlo()
            if self.use_tls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as error:
            connection.close()
            # Wrong credentials are ours to fix: the messages wait, they are not lost.
            raise EmailTemporaryError(
                _("El servidor de correo rechazó las credenciales: %(code)s %(answer)s")
                % {"code": error.smtp_code, "answer": _text(error.smtp_error)}
            ) from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            connection.close()
            raise EmailTemporaryError(
                _("No se pudo iniciar la sesión con el servidor de correo: %(error)s")
                % {"error": error or type(error).__name__}
            ) from None
        self._connection = connection
        return connection

    def _reset(self, connection: smtplib.SMTP) -> None:
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _by_code(code: int, answer: bytes | str, what: str) -> EmailError:
    reason = _("Servidor de correo: %(what)s (%(code)s %(answer)s)") % {
        "what": what,
        "code": code,
        "answer": _text(answer).strip(),
    }
    if 500 <= code < 600:
        return EmailPermanentError(reason)
    return EmailTemporaryError(reason)
