# The Flask app from Filestack's security tutorial (../shared/seeds), verbatim except for
# the import line, which now takes the helper from capsign. tests/python/test_filestack.py
# runs it.
import time

from flask import Flask, jsonify, render_template

from capsign.filestack import security as create_security

api_key = "YOUR_API_KEY"
app_secret = "YOUR_APP_SECRET"
app = Flask(__name__)


# Creates credentials to perform an upload, valid for 15 minutes
def create_upload_creds():
    expiry = int(time.time()) + 15 * 60  # Policy is valid for 15 minutes
    json_policy = {"call": ["pick"], "expiry": expiry}
    sec = create_security(json_policy, app_secret)
    sec["policy"] = sec["policy"].decode("ascii")
    creds = {"api_key": api_key}
    creds["policy"] = sec["policy"]
    creds["signature"] = sec["signature"]
    return creds


# This endpoint should be behind user auth
# Renders a simple page that contains the web picker
@app.route("/")
def render_picker():
    creds = create_upload_creds()
    return render_template("picker.html", **creds)


# This endpoint should be behind user auth
# Returns credentials as JSON
@app.route("/json")
def get_upload_creds():
    creds = create_upload_creds()
    return jsonify(creds)
