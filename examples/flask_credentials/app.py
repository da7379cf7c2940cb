"""Filestack's security tutorial app, grown up: credentials only for logged-in users.

Run it with one command (after `pip install capsign[flask]`, or `make python`):

    python examples/flask_credentials/app.py

and open http://127.0.0.1:5000 (user `demo`, password printed at start, or $DEMO_PASSWORD).

- `/` renders the Filestack picker with upload-only credentials for 15 minutes, limited to
  the user's own storage path;
- `/json` returns the same credentials for SPAs and native apps;
- both require a login: whatever credentials allow is public otherwise.

The signing secret is your Filestack app secret ($FILESTACK_APP_SECRET). Without one,
a secret is generated on first run into `.capsign-secret` (mode 600) so the app runs
with no account; the picker itself needs a real Filestack API key ($FILESTACK_API_KEY).
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, session, url_for

import capsign
from capsign.flask import Capsign

HERE = Path(__file__).resolve().parent


def load_secret(path: Path) -> str:
    """$FILESTACK_APP_SECRET, or a secret generated once into `path` (mode 600)."""
    configured = os.environ.get("FILESTACK_APP_SECRET")
    if configured:
        return configured
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(capsign.generate_secret())
    return path.read_text().strip()


def create_app(secret_file: Path = HERE / ".capsign-secret", password: str | None = None) -> Flask:
    app = Flask(__name__, root_path=str(HERE))
    app.secret_key = secrets.token_bytes(32)
    app.config["CAPSIGN_SECRET"] = load_secret(secret_file)
    # Filestack app secrets are chosen by Filestack; accept what the account has.
    app.config["CAPSIGN_MIN_SECRET_LEN"] = 1
    app.config["API_KEY"] = os.environ.get("FILESTACK_API_KEY", "YOUR_API_KEY")
    app.config["DEMO_PASSWORD"] = (
        password or os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
    )
    ext = Capsign(app)

    def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if "user" not in session:
                if request.path == "/json":
                    return jsonify(error="login_required"), 401
                return redirect(url_for("login", next=request.path))
            return view(*args, **kwargs)

        return wrapper

    def upload_creds() -> dict[str, Any]:
        # Upload only, 15 minutes, into the user's own folder, at most 10 MiB.
        creds = ext.issue(
            call=["pick"],
            expires_in=15 * 60,
            path=f"/uploads/{session['user']}/.*",
            max_size=10 * 1024 * 1024,
        )
        return {
            "api_key": app.config["API_KEY"],
            "policy": creds.policy,
            "signature": creds.signature,
        }

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            user = request.form.get("user", "")
            password = request.form.get("password", "")
            if user == "demo" and hmac.compare_digest(password, app.config["DEMO_PASSWORD"]):
                session["user"] = user
                return redirect(request.args.get("next") or url_for("render_picker"))
            error = "Wrong user or password."
        return render_template("login.html", error=error), 401 if error else 200

    @app.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect(url_for("login"))

    @app.route("/")
    @login_required
    def render_picker() -> str:
        return render_template("picker.html", **upload_creds())

    @app.route("/json")
    @login_required
    def get_upload_creds() -> Any:
        response = jsonify(upload_creds())
        response.headers["Cache-Control"] = "no-store"
        return response

    return app


if __name__ == "__main__":
    app = create_app()
    print(f"open http://127.0.0.1:5000  (user: demo, password: {app.config['DEMO_PASSWORD']})")
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
