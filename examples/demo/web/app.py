"""The demo's credential service (Flask): the Filestack tutorial's app, grown up.

- `/` (the picker): "Select File" uploads the chosen file to the file API with upload-only
  credentials (call `pick`, a size limit, the user's own path, 15 minutes), then shows a
  short-lived signed read link for the stored file;
- `/json`: the same credentials for SPAs and native apps;
- `/mint`: the IPFS issue's page — checkboxes for permissions, an optional CID, a
  lifetime, a big Sign button, the token, a curl command, and "try it";
- all of them only for logged-in users: whatever credentials allow is public otherwise.

Started by examples/demo/run.py, which passes the configuration in the environment.
"""

from __future__ import annotations

import functools
import hmac
import os
import re
import secrets
import shlex
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, session, url_for

import capsign
from capsign.flask import Capsign

HERE = Path(__file__).resolve().parent

#: The permissions the mint page offers: templates per command (`{cid}` is the optional
#: CID constraint, or `*`); the documented permissions of examples/express_rpc.
COMMANDS: dict[str, dict[str, Any]] = {
    "cat": {"permissions": ["cat {path}", "cat {cid}"], "label": "read files", "rpc": "cat"},
    "pin add": {
        "permissions": ["pin add [--recursive] {cid}"],
        "label": "pin files",
        "rpc": "pin/add",
    },
    "pin rm": {
        "permissions": ["pin rm [--recursive] {cid}"],
        "label": "unpin files",
        "rpc": "pin/rm",
    },
    "pin ls": {"permissions": ["pin ls [--type=*] **"], "label": "list pins", "rpc": "pin/ls"},
    "add": {"permissions": ["add [--pin]"], "label": "store new files", "rpc": "add"},
    "id": {"permissions": ["id"], "label": "show the node's id", "rpc": "id"},
    "version": {"permissions": ["version"], "label": "show the version", "rpc": "version"},
}
LIFETIMES = {"60": "1 minute", "900": "15 minutes", "3600": "1 hour", "86400": "1 day"}
USES = {"": "unlimited", "1": "once", "5": "5 times"}
#: How many minted tokens the mint page lists (and can revoke) per session.
MINTED_LISTED = 20
CID = re.compile(r"^b[a-z2-7]{58}$")
#: Where a login may send the browser next: one of the demo's own pages, nothing else (no
#: scheme, host, `//`, backslash, tab or other character a browser might drop or rewrite).
NEXT = re.compile(r"/(?:[a-z][a-z0-9-]*)?")


def parse_users(spec: str) -> dict[str, str]:
    """`alice:pw,bob:pw2` → {user: password}."""
    users = {}
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        name, _, password = entry.partition(":")
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name) or not password:
            raise ValueError(f"bad DEMO_USERS entry {name!r}: use name:password")
        users[name] = password
    return users


def json_object() -> dict[str, Any]:
    """The request's JSON body when it is an object; anything else counts as empty."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def configure(app: Flask, config: dict[str, Any] | None) -> None:
    """The demo's configuration, from the environment that run.py sets."""
    app.secret_key = secrets.token_bytes(32)
    app.config.update(
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        CAPSIGN_SECRET=Path(os.environ["DEMO_SECRET_FILE"]).read_text().strip()
        if "DEMO_SECRET_FILE" in os.environ
        else None,
        DEMO_NODE_KEY=Path(os.environ["DEMO_NODE_KEY_FILE"]).read_text().strip()
        if "DEMO_NODE_KEY_FILE" in os.environ
        else None,
        DEMO_USERS=parse_users(os.environ.get("DEMO_USERS", "")),
        DEMO_API_URL=os.environ.get("DEMO_API_URL", "http://127.0.0.1:8001"),
        DEMO_MAX_UPLOAD=int(os.environ.get("DEMO_MAX_UPLOAD", str(5 * 1024 * 1024))),
        DEMO_READ_LINK_SECONDS=int(os.environ.get("DEMO_READ_LINK_SECONDS", "120")),
    )
    app.config.update(config or {})


def protect_forms(app: Flask) -> None:
    """Every POST comes from the demo's own pages: a form posted from another origin
    (login CSRF, a logout, a mint) is refused, whatever the cookie says; the login and
    logout forms also carry the session's token."""

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        return str(session["csrf"])

    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def same_origin_posts() -> Any:
        if request.method != "POST":
            return None
        origin = request.headers.get("Origin")
        if origin is not None and origin != request.host_url.rstrip("/"):
            return jsonify(error="cross_origin", message="requests must come from this site"), 403
        if request.path in ("/login", "/logout"):
            sent = request.form.get("csrf", "")
            if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
                return jsonify(error="csrf", message="reload the page and try again"), 403
        return None


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, root_path=str(HERE))
    configure(app, config)
    protect_forms(app)
    ext = Capsign(app)
    api = app.config["DEMO_API_URL"]
    # The RPC node's key: the mint page signs with it, as `ipfs key sign` would.
    node_key = app.config["DEMO_NODE_KEY"]
    node = capsign.Signer(signing_key=capsign.SigningKey(node_key)) if node_key else None

    def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if "user" not in session:
                if request.path == "/json" or request.method == "POST":
                    return jsonify(error="login_required", message="log in first"), 401
                return redirect(url_for("login", next=request.path))
            return view(*args, **kwargs)

        return wrapper

    def upload_credentials() -> dict[str, Any]:
        user = session["user"]
        creds = ext.issue(
            call=["pick"],
            expires_in=15 * 60,
            path=f"/uploads/{user}/.*",
            max_size=app.config["DEMO_MAX_UPLOAD"],
        )
        return {
            "policy": creds.policy,
            "signature": creds.signature,
            "expiry": creds.expiry,
            "upload_url": f"{api}/files",
            "path_prefix": f"/uploads/{user}/",
            "max_size": app.config["DEMO_MAX_UPLOAD"],
        }

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            user = request.form.get("user", "")
            expected = app.config["DEMO_USERS"].get(user)
            given = request.form.get("password", "")
            # Compared as UTF-8 bytes: any password, ASCII or not, is a fair comparison.
            if expected is not None and hmac.compare_digest(given.encode(), expected.encode()):
                session.clear()
                session["user"] = user
                target = request.args.get("next", "/")
                return redirect(target if NEXT.fullmatch(target) else "/")
            error = "Wrong user or password."
        return render_template("login.html", error=error), 401 if error else 200

    @app.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect(url_for("login"))

    @app.get("/")
    @login_required
    def picker() -> str:
        return render_template("picker.html", user=session["user"], creds=upload_credentials())

    @app.get("/json")
    @login_required
    def credentials_json() -> Any:
        response = jsonify(upload_credentials())
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.post("/read-link")
    @login_required
    def read_link() -> Any:
        handle = str(json_object().get("handle", ""))
        if not re.fullmatch(r"[A-Za-z0-9]{20}", handle):
            return jsonify(error="bad_handle", message="not a file handle"), 400
        # Read-only, this one file, and only if it lies under the user's own folder.
        creds = ext.issue(
            call=["read"],
            handle=handle,
            path=f"/uploads/{session['user']}/.*",
            expires_in=app.config["DEMO_READ_LINK_SECONDS"],
        )
        url = f"{api}/files/{handle}?policy={creds.policy}&signature={creds.signature}"
        response = jsonify(url=url, expiry=creds.expiry)
        response.headers["Cache-Control"] = "no-store"
        return response

    mint_routes(app, node, api, login_required)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(ok=True)

    return app


def mint_routes(
    app: Flask, node: capsign.Signer | None, api: str, login_required: Callable[..., Any]
) -> None:
    """The mint page: sign tokens with the node's key, list this session's, revoke one."""

    @app.get("/mint")
    @login_required
    def mint_page() -> str:
        return render_template(
            "mint.html",
            user=session["user"],
            commands=COMMANDS,
            lifetimes=LIFETIMES,
            uses=USES,
            api=api,
            peer_id=node.kid if node else None,
        )

    @app.post("/mint")
    @login_required
    def mint() -> Any:
        if node is None:
            return jsonify(error="no_node_key", message="the demo has no node key"), 503
        try:
            minted = mint_token(node, api, json_object())
        except ValueError as e:
            code, message = e.args
            return jsonify(error=code, message=message), 400
        listed = [
            *session.get("minted", []),
            {k: minted[k] for k in ("jti", "expiry", "permissions")},
        ]
        session["minted"] = listed[-MINTED_LISTED:]
        return jsonify(minted)

    @app.get("/minted")
    @login_required
    def minted_list() -> Any:
        return jsonify(minted=session.get("minted", []))

    @app.post("/revoke")
    @login_required
    def revoke() -> Any:
        """Revokes one of this session's tokens on the node (its store: memory, or Redis
        when REDIS_URL is set), with a token that may revoke only that one."""
        jti = str(json_object().get("jti", ""))
        entry = next((m for m in session.get("minted", []) if m["jti"] == jti), None)
        if node is None or entry is None:
            return jsonify(error="not_yours", message="not a token minted here"), 404
        revoker = node.issue(permissions=[revoke_permission(jti)], expires_in=60)
        target = f"{api}/api/v0/token/revoke?arg={jti}&expiry={entry['expiry']}"
        if not target.startswith(("http://", "https://")):
            return jsonify(error="unavailable", message="the node's URL is not http(s)"), 503
        headers = {"Authorization": f"Bearer {revoker.token}"}
        sent = urllib.request.Request(target, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(sent, timeout=5) as answer:  # noqa: S310
                answer.read()
        except (urllib.error.URLError, TimeoutError) as e:
            return jsonify(error="unavailable", message=f"the node did not revoke it: {e}"), 503
        entry["revoked"] = True
        session.modified = True
        return jsonify(revoked=jti)


def revoke_permission(jti: str) -> str:
    """The one permission that revokes `jti`. The jti is quoted: one that begins with `-`
    (`secrets.token_urlsafe` gives one in 64) would otherwise read as a flag, and a flag
    never matches the positional `arg=` gives."""
    return f'token revoke [--expiry=*] "{jti}"'


def mint_token(node: capsign.Signer, api: str, body: dict[str, Any]) -> dict[str, Any]:
    """The mint page's request → a token with the ticked permissions, signed with the
    node's key, a curl command that uses it, and the command that checks it with the
    peer ID alone. Raises ValueError(code, message) for a request that cannot be minted."""
    commands = body.get("commands", [])
    if not isinstance(commands, list):
        commands = []
    chosen = [c for c in commands if isinstance(c, str) and c in COMMANDS]
    if not chosen:
        raise ValueError("no_permissions", "tick at least one permission")
    constraint = str(body.get("cid", "")).strip().removeprefix("/ipfs/")
    if constraint and not CID.fullmatch(constraint):
        raise ValueError("bad_cid", "not a CID (bafk…)")
    lifetime = str(body.get("lifetime", "900"))
    if lifetime not in LIFETIMES:
        raise ValueError("bad_lifetime", "choose a lifetime from the list")
    uses = str(body.get("uses", ""))
    if uses not in USES:
        raise ValueError("bad_uses", "choose a number of uses from the list")
    fill = {"cid": constraint or "*", "path": f"/ipfs/{constraint}" if constraint else "*"}
    permissions = list(
        dict.fromkeys(t.format(**fill) for c in chosen for t in COMMANDS[c]["permissions"])
    )
    # Every token has a jti, so that it can be revoked (and counted, with uses).
    jti = secrets.token_urlsafe(12)
    creds = node.issue(
        permissions=permissions,
        expires_in=int(lifetime),
        jti=jti,
        uses=int(uses) if uses else None,
    )
    first = chosen[0]
    args = {
        "cat": f"?arg=/ipfs/{constraint}",
        "pin add": f"?arg={constraint}",
        "pin rm": f"?arg={constraint}",
    }
    example = f"{api}/api/v0/{COMMANDS[first]['rpc']}" + (args.get(first, "") if constraint else "")
    curl = " ".join(
        ["curl", "-sS", "-X", "POST", "-H", shlex.quote(f"Authorization: Bearer {creds.token}")]
        + (["-F", "file=@-"] if first == "add" else [])
        + [shlex.quote(example)]
    )
    checked = {"cat": f"cat /ipfs/{constraint}", "pin add": f"pin add {constraint}"}
    checked["pin rm"] = f"pin rm {constraint}"
    command = checked.get(first) if constraint else None
    if first in ("id", "version", "add", "pin ls"):
        command = first
    verify = ["capsign", "verify", "--peer-id", str(node.kid), shlex.quote(creds.token)]
    if command:
        verify += ["--command", shlex.quote(command)]
    return {
        "token": creds.token,
        "jti": jti,
        "expiry": creds.expiry,
        "permissions": permissions,
        "curl": curl,
        "example": example,
        "peer_id": node.kid,
        "verify": " ".join(verify),
    }


if __name__ == "__main__":
    application = create_app()
    application.run(
        host=os.environ.get("DEMO_HOST", "127.0.0.1"),
        port=int(os.environ.get("DEMO_WEB_PORT", "8000")),
        threaded=True,
    )
