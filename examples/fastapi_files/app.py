"""A FastAPI file service protected by capsign: upload with ``pick`` credentials (a path
prefix and a size limit), download with ``read`` credentials for one handle.

    .venv/bin/python examples/fastapi_files/app.py       # http://127.0.0.1:8002

The secret comes from ``CAPSIGN_SECRET`` or is generated into ``data/secret`` (mode 600);
files go to ``data/files/``. ``GET /credentials`` stands in for your own login: it hands
out upload credentials for ``/uploads/demo/`` (put it behind your authentication). With
``REDIS_URL`` set, revocations and ``uses`` are shared through Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

import capsign
from capsign.fastapi import Capsign

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("CAPSIGN_FILES_DATA", HERE / "data"))
MAX_UPLOAD = 1024 * 1024


def load_secret() -> str:
    if os.environ.get("CAPSIGN_SECRET"):
        return os.environ["CAPSIGN_SECRET"]
    DATA.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = DATA / "secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(capsign.generate_secret())
    return path.read_text().strip()


def make_store() -> Any:
    if not os.environ.get("REDIS_URL"):
        return capsign.MemoryStore()
    import redis.asyncio

    from capsign.stores import AsyncRedisStore

    return AsyncRedisStore(redis.asyncio.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=1))


SECRET = load_secret()
signer = capsign.Signer(SECRET)
auth = Capsign(capsign.Verifier(SECRET), store=make_store())
files = DATA / "files"
files.mkdir(parents=True, exist_ok=True, mode=0o700)

Upload = Annotated[
    capsign.Grant,
    Depends(
        auth.require(
            call="pick",
            fields=lambda r: {
                "path": r.query_params.get("path"),
                "size": int(r.headers["content-length"]) if "content-length" in r.headers else None,
            },
        )
    ),
]
Read = Annotated[
    capsign.Grant,
    Depends(auth.require(call="read", fields=lambda r: {"handle": r.path_params["handle"]})),
]

app = FastAPI(title="capsign file service")
auth.install(app)


@app.get("/credentials")
def credentials() -> dict[str, Any]:
    """Upload credentials for /uploads/demo/ (stands in for your own login)."""
    creds = signer.issue(
        call=["pick"], path="/uploads/demo/.*", max_size=MAX_UPLOAD, expires_in=900
    )
    return creds.to_dict()


@app.post("/files", status_code=201)
async def upload(request: Request, grant: Upload) -> Any:
    # The declared size was checked against maxSize; the body may not exceed it either.
    body = await request.body()
    if len(body) > int(grant.policy.get("maxSize") or MAX_UPLOAD):
        return JSONResponse({"error": "too_large"}, status_code=413)
    handle = "".join(
        secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        for _ in range(20)
    )
    (files / handle).write_bytes(body)
    read = signer.issue(call=["read"], handle=handle, expires_in=300)
    return {
        "handle": handle,
        "size": len(body),
        "read": f"/files/{handle}?policy={read.policy}&signature={read.signature}",
    }


@app.get("/files/{handle}")
async def download(handle: str, grant: Read) -> Response:
    path = files / handle
    if not handle.isalnum() or not path.is_file():
        return JSONResponse({"error": "not_found"}, status_code=404)
    return FileResponse(path, filename=handle)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8002")))
