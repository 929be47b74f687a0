"""A client generated from the served OpenAPI document (openapi-python-client) comes out whole: the
generator warns about nothing, and the shapes clients need are there under their own names."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import DemoApp, new_client
from tests.support.helpers import close

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# The generator knows no PDF or Excel content types (trail PDF, case export): bytes like any download.
CONFIG = """content_type_overrides:
  application/pdf: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
post_hooks: []
"""


async def test_a_generated_client_has_every_operation_and_no_warning(
    demo_app: DemoApp, tmp_path: Path
) -> None:
    c = await new_client(demo_app, "zhang.wei")
    try:
        document = (await c.get("/api/v1/schema/openapi.json")).json()
    finally:
        await close(c)
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    (tmp_path / "config.yaml").write_text(CONFIG)
    run = await asyncio.to_thread(
        subprocess.run,
        [str(GENERATOR), "generate", "--path", "openapi.json", "--output-path", "client",
         "--meta", "none", "--config", "config.yaml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    said = run.stdout + run.stderr
    assert run.returncode == 0, said
    assert "warning" not in said.lower(), said
    models = {p.stem for p in (tmp_path / "client" / "models").glob("*.py")}
    for shape in ("decision_file_out", "item_file_out", "case_clock_out", "decision_clock_out", "problem"):
        assert shape in models, shape
    # Every operation of the document became a function of the client.
    operations = sum(
        1
        for item in document["paths"].values()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )
    functions = [p for p in (tmp_path / "client" / "api").rglob("*.py") if p.name != "__init__.py"]
    assert len(functions) == operations


async def test_every_api_error_is_documented_as_a_problem(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "zhang.wei")
    try:
        document = (await c.get("/api/v1/schema/openapi.json")).json()
    finally:
        await close(c)
    for path, item in document["paths"].items():
        for method, op in item.items():
            for status, response in op.get("responses", {}).items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
    assert document["components"]["schemas"]["RelationIn"]["additionalProperties"] is False
    assert document["components"]["schemas"]["RelationIn"]["properties"]["kind"]["enum"]
