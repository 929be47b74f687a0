"""Fuzz the whole API from its OpenAPI document with Schemathesis, as two roles, on one database engine.

    .venv/bin/python scripts/fuzz_api.py sqlite
    .venv/bin/python scripts/fuzz_api.py postgresql   # a scratch database on 127.0.0.1:5432

`integrity serve` runs on loopback over a fresh database with the demo data; an inspector and an
administrator each get an API token and Schemathesis generates requests for every operation (a fixed
seed, a bounded number of examples, a time limit). It fails on any server error or any response that
does not match the document: status code, content type, headers, body schema, or a route answering
without its sign-in. CI runs it on both engines (.ci/run).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("INTEGRITY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROLES = ("li.na", "admin")  # an inspector (cases, decisions, follow-up) and an administrator
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",
    )
)
# LIMIT_SECONDS bounds one run against a hang: a run takes 4 to 5 minutes on a 2-core machine.
EXAMPLES, SEED, LIMIT_SECONDS = 5, 20261130, 900
# Revoking the fuzzer's own token would sign it out halfway.
EXCLUDED = r"^/api/v1/tokens/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{folder / 'fuzz.db'}"
    name = f"integrity_fuzz_{os.getpid()}"
    _pg(f"DROP DATABASE IF EXISTS {name}")
    _pg(f"CREATE DATABASE {name}")
    base = PG_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1)
    return re.sub(r"/[^/]*$", f"/{name}", base)


def _integrity(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN / "integrity"), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"integrity {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def main(backend: str) -> int:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        url = _database(backend, folder)
        env = {
            **os.environ,
            "INTEGRITY_ENV": "development",
            "INTEGRITY_DATA_DIR": str(folder),
            "INTEGRITY_DATABASE_URL": url,
        }
        _integrity(env, "db", "upgrade")
        _integrity(env, "demo")
        tokens = {}
        for user in ROLES:
            printed = _integrity(env, "tokens", "create", user, "--name", "fuzz", "--days", "1")
            found = re.search(r"itk_[A-Za-z0-9_-]+", printed)
            assert found, printed
            tokens[user] = found.group(0)
        port = _free_port()
        log = (folder / "serve.log").open("w")
        server = subprocess.Popen(
            [str(BIN / "integrity"), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        failed = []
        try:
            for _ in range(60):
                try:
                    urllib.request.urlopen(f"{base}/health/live", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            for user, token in tokens.items():
                print(f"== schemathesis as {user} on {backend}", flush=True)
                started = time.monotonic()
                run = subprocess.run(
                    [
                        str(BIN / "schemathesis"), "run", f"{base}/api/v1/schema/openapi.json",
                        "-H", f"Authorization: Bearer {token}",
                        "--checks", CHECKS,
                        "--max-examples", str(EXAMPLES),
                        "--seed", str(SEED),
                        "--request-timeout", "30",
                        "--exclude-path-regex", EXCLUDED,
                        "--no-color",
                    ],
                    timeout=LIMIT_SECONDS,
                    capture_output=True,
                    text=True,
                )  # fmt: skip
                summary = run.stdout[run.stdout.find("SUMMARY") :] if "SUMMARY" in run.stdout else run.stdout
                print(summary.strip(), f"\n({time.monotonic() - started:.0f} s)", flush=True)
                if run.returncode != 0:
                    failed.append(user)
                    print(run.stdout[-20_000:], run.stderr[-5_000:])
        finally:
            server.terminate()
            server.wait(timeout=30)
            if backend == "postgresql":
                _pg(f"DROP DATABASE IF EXISTS integrity_fuzz_{os.getpid()} WITH (FORCE)")
        if failed:
            print(f"FAIL: server errors or schema violations as {', '.join(failed)} on {backend}")
            print((folder / "serve.log").read_text()[-20_000:])
            return 1
    print(f"fuzz passed on {backend}: 0 server errors, 0 schema violations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite"))
