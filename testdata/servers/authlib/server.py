"""Test-only token endpoint: Authlib (Debian python3-authlib) with
JWTBearerClientAssertion ('client_assertion_jwt') on the client_credentials
grant and one registered client, for clientassert's differential tests.

Reads one JSON object on stdin:
    {"port": 0, "client_id": "...", "jwks": {"keys": [...]}}
Prints one JSON object a line on stdout: {"ready": true, ...} once listening,
then, for every request with an X-Realserver-Request header, what Authlib
logged while refusing it (the reason it keeps out of the response). The
header is never read by the endpoint; the side channel changes no response
byte.
"""

import json
import logging
import os
import socket
import sys
import threading
import time

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from flask import Flask, g, request  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402
from authlib.integrations.flask_oauth2 import AuthorizationServer  # noqa: E402
from authlib.jose import JsonWebKey  # noqa: E402
from authlib.oauth2.rfc6749 import grants, InvalidClientError  # noqa: E402
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion  # noqa: E402

JTI_LIFETIME = 3600

out_lock = threading.Lock()


def line(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


cfg = json.loads(sys.stdin.read())


class Client:
    def __init__(self, client_id, jwks):
        self.client_id = client_id
        self.jwks = jwks

    def get_client_id(self):
        return self.client_id

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_endpoint_auth_method(self, method, endpoint):
        return method == JWTClientAuth.CLIENT_AUTH_METHOD

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"

    def check_client_secret(self, secret):
        return False


CLIENT = Client(cfg["client_id"], cfg["jwks"])
used_jtis = {}
jti_lock = threading.Lock()


class JWTClientAuth(JWTBearerClientAssertion):
    # Authlib leaves the jti store to the application; this one keeps a jti
    # per sub for an hour, as Authlib's own docstring suggests.
    def validate_jti(self, claims, jti):
        key = f"{claims['sub']}\x00{jti}"
        now = time.time()
        with jti_lock:
            for k in [k for k, exp in used_jtis.items() if exp < now]:
                del used_jtis[k]
            if key in used_jtis:
                return False
            used_jtis[key] = now + JTI_LIFETIME
        return True

    # Authlib leaves key lookup to the application too: the registered key
    # whose kid equals the header's kid, else the client is refused.
    def resolve_client_public_key(self, client, headers):
        try:
            return JsonWebKey.import_key_set(client.jwks).find_by_kid(headers.get("kid"))
        except ValueError:
            raise InvalidClientError()


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [JWTClientAuth.CLIENT_AUTH_METHOD]


class Reasons(logging.Handler):
    """Collects, for the current request, Authlib's debug log and the error
    it logged while refusing the assertion."""

    def emit(self, record):
        try:
            log = g.realserver_log
        except (AttributeError, RuntimeError):
            return
        log.append(record.getMessage())
        if record.args and isinstance(record.args[0], Exception) and record.msg.startswith("Assertion Error"):
            g.realserver_reason = str(record.args[0])
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            g.realserver_exception = f"{type(exc).__name__}: {exc}"


handler = Reasons()
for name in ("authlib",):
    lg = logging.getLogger(name)
    lg.setLevel(logging.DEBUG)
    lg.addHandler(handler)
    lg.propagate = False
logging.getLogger("werkzeug").setLevel(logging.ERROR)

app = Flask(__name__)
app.logger.addHandler(handler)
app.logger.propagate = False
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(cfg.get("port") or 0)))
port = sock.getsockname()[1]
sock.close()
base = f"http://127.0.0.1:{port}"
TOKEN_URL = base + "/oauth/token"

server = AuthorizationServer(
    app,
    query_client=lambda cid: CLIENT if cid == CLIENT.client_id else None,
    save_token=lambda token, req: None,
)
server.register_client_auth_method(JWTClientAuth.CLIENT_AUTH_METHOD, JWTClientAuth(TOKEN_URL))
server.register_grant(ClientCredentials)


@app.before_request
def start_log():
    g.realserver_log = []


@app.after_request
def report(response):
    rid = request.headers.get("X-Realserver-Request")
    if rid:
        out = {"request": rid, "status": response.status_code, "log": g.get("realserver_log", [])}
        for key in ("reason", "exception"):
            value = g.get("realserver_" + key)
            if value is not None:
                out[key] = value
        line(out)
    return response


@app.route("/oauth/token", methods=["POST"])
def issue_token():
    return server.create_token_response()


httpd = make_server("127.0.0.1", port, app, threaded=True)
line({"ready": True, "url": base, "issuer": base, "token_url": TOKEN_URL})
try:
    httpd.serve_forever()
except KeyboardInterrupt:
    pass
