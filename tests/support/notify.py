"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP server
standing in for a work-chat robot; and a fresh office (unit, people, accounts with addresses) per test."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from integrity.config import Settings
from integrity.domain.notifications.worker import Worker
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act
from tests.support.helpers import close, make_user, sql, unit_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mail:
    to: list[str]
    message: Message

    def text(self) -> str:
        """Every part of the message, decoded."""
        parts = [p for p in self.message.walk() if not p.is_multipart()]
        return "\n".join(
            str(p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")) for p in parts
        )  # type: ignore[union-attr]


@dataclass
class SmtpSink:
    """Every message the server accepted, in order."""

    port: int
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(
            Mail(list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.to]


def start_smtp() -> tuple[SmtpSink, Controller]:
    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    return sink, controller


@dataclass
class Hit:
    path: str
    body: dict[str, Any]


class HookReceiver:
    """An HTTP server on loopback: /ok answers like a robot, /fail with 500, /refuse with an errcode,
    /redirect sends the caller on to /ok (which it must not follow)."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.hits.append(Hit(self.path.split("?")[0], body))
                path = self.path.split("?")[0]
                if path.endswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", path.replace("/redirect", "/ok"))
                    self.end_headers()
                    return
                status, answer = (500, {"errcode": -1}) if path.endswith("/fail") else (200, {"errcode": 0})
                if path.endswith("/refuse"):
                    answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, prefix: str) -> list[Hit]:
        return [h for h in self.hits if h.path.startswith(prefix)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def settings_for(demo_app: DemoApp, smtp: SmtpSink | None = None, **overrides: Any) -> Settings:
    """The demo app's settings with mail going to the sink and webhooks allowed to loopback."""
    values: dict[str, Any] = {"webhook_hosts": ["127.0.0.1"]}
    if smtp is not None:
        values.update(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none")
    values.update(overrides)
    return demo_app.settings.model_copy(update=values)


def worker(demo_app: DemoApp, settings: Settings) -> Worker:
    state = demo_app.app.state
    return Worker(state.db, settings, state.authorizer, state.pdf_pool)


@dataclass
class Office:
    """A unit of its own under HXT, so what a test counts is only what it made."""

    code: str
    unit_id: int
    users: dict[str, tuple[str, int, str]]  # key -> (username, user id, email)

    def email(self, key: str) -> str:
        return self.users[key][2]

    def username(self, key: str) -> str:
        return self.users[key][0]


async def make_person(demo_app: DemoApp, unit: int, name: str) -> int:
    admin = await new_client(demo_app, "admin")
    try:
        made = await admin.write(
            "POST",
            "/api/v1/persons",
            json={"unit_id": unit, "name": name, "employee_no": f"P{uuid.uuid4().hex[:10]}"},
        )
        assert made.status_code == 201, made.text
        return int(made.json()["id"])
    finally:
        await close(admin)


async def make_office(
    demo_app: DemoApp, roles: dict[str, str], persons: dict[str, int] | None = None
) -> Office:
    """A fresh unit with an account per key (its role there), each with its own email address."""
    code = f"HXT-N{uuid.uuid4().hex[:6].upper()}"
    admin = await new_client(demo_app, "admin")
    try:
        made = await admin.write(
            "POST",
            "/api/v1/units",
            json={
                "parent_id": await unit_id(demo_app, "HXT"),
                "code": code,
                "name": f"通知测试{code[-6:]}",
                "kind": "department",
            },
        )
        assert made.status_code == 201, made.text
        unit = int(made.json()["id"])
    finally:
        await close(admin)
    users = {}
    for key, role in roles.items():
        address = f"{key}.{uuid.uuid4().hex[:8]}@office.test"
        extra: dict[str, Any] = {"email": address}
        if persons and key in persons:
            extra["person_id"] = persons[key]
        username, uid = await make_user(demo_app, role, code, **extra)
        users[key] = (username, uid, address)
    return Office(code, unit, users)


async def new_case(
    maker: Client,
    office: Office,
    subjects: list[int],
    title: str,
    *,
    confidential: bool = False,
    received_on: str = "2026-11-02",
    source: str = "letters_visits",
    category: str = "eight_point_rules",
) -> dict[str, Any]:
    """A lead registered in the office's unit by one of its inspectors."""
    body = {
        "unit_id": office.unit_id,
        "source": source,
        "category": category,
        "title": title,
        "summary": "群众反映某干部违规收受礼金。",
        "received_on": received_on,
        "confidential": confidential,
        "subject_ids": subjects,
    }
    made = await maker.write("POST", "/api/v1/cases", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def running_clock(demo_app: DemoApp, office: Office, due: date) -> tuple[dict[str, object], int]:
    """A case in preliminary verification with its clock, moved to fall due on `due`."""
    person = await make_person(demo_app, await unit_id(demo_app, "HXT"), "提醒对象")
    maker = await new_client(demo_app, office.username("maker"))
    reviewer = await new_client(demo_app, office.username("r1"))
    try:
        case = await new_case(maker, office, [person], "节前提醒测试", received_on="2026-09-01")
        assert (
            await act(maker, case, "propose_disposal", disposal="preliminary_verification")
        ).status_code == 200
        inbox = (await reviewer.get("/api/v1/approvals")).json()
        [request] = [r for r in inbox if r["object_type"] == "case" and r["object_id"] == case["id"]]
        decided = await reviewer.write(
            "POST", f"/api/v1/approvals/{request['id']}/approve", json={"comment": "同意"}
        )
        assert decided.status_code == 200
    finally:
        await close(maker)
        await close(reviewer)
    rows = await sql(
        demo_app,
        "SELECT id FROM case_clocks WHERE case_id = :c AND met_on IS NULL AND stopped_on IS NULL",
        c=case["id"],
    )
    assert len(rows) == 1
    clock_id = int(rows[0][0])
    await sql(demo_app, "UPDATE case_clocks SET due_on = :d WHERE id = :i", d=due, i=clock_id)
    return dict(case), clock_id
