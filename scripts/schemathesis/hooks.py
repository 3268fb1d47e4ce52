"""Schemathesis hooks for authd-gateway (scripts/schemathesis-test): every generated
request carries a fresh user's bearer token. The fuzzer's own logout test revokes
the token it was given, so a 401 makes Schemathesis drop the cached token and log
in again (retry_on). Cases with a non-ASCII password are dropped (filter_case).
Schema-valid requests that need a secret no schema can give (the user's own
current_password, a real reset token: contract section 8) get it (before_call)."""
import json
import os
import socket

import requests
import schemathesis

BASE = os.environ["AUTHD_SCHEMATHESIS_BASE"]
# authd's socket, for users.reset_token (the hooks run as root, a privileged peer).
SOCKET = os.environ["AUTHD_SCHEMATHESIS_SOCKET"]
PASSWORD = "Fuzz#er12345"
# The fuzzer's user and its password as it stands (the fuzzer may change it).
CURRENT = {"id": None, "password": PASSWORD}


@schemathesis.auth(refresh_interval=300, retry_on=[401])
class GatewayLogin:
    # The fuzzer may change its user's password, name or email (PATCH with its own token)
    # or delete it, so each login falls back to a new user of its own.
    serial = 0

    def get(self, case, context):
        for _ in range(3):
            name = f"fuzzer{GatewayLogin.serial}"
            requests.post(f"{BASE}/api/auth/register", timeout=10,
                          json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
            r = requests.post(f"{BASE}/api/auth/login", json={"username": name, "password": PASSWORD}, timeout=10)
            if r.status_code == 200:
                CURRENT.update(id=r.json()["user"]["id"], password=PASSWORD)
                return r.json()["access_token"]
            GatewayLogin.serial += 1
        r.raise_for_status()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


PASSWORD_FIELDS = ("password", "current_password")


@schemathesis.hook
def filter_case(context, case):
    """ASCII passwords only, in every phase. The document's password pattern is exact for
    ASCII and its description says the rest (letters of any script count as letters; the
    limit is 72 bytes, not characters), which no JSON Schema keyword can state. The
    fuzzing phase keeps to ASCII through --generation-codec ascii, but the coverage phase
    draws pattern strings from all of Unicode (st.from_regex without an alphabet), so a
    72-character password of multi-byte letters reads as schema-valid there. Non-ASCII
    passwords are covered by the Swift tests (ValidationTests, the integration suite)."""
    body = case.body
    if isinstance(body, dict):
        return not any(isinstance(body.get(f), str) and not body[f].isascii() for f in PASSWORD_FIELDS)
    return True


def call(method, params):
    """One call on authd's socket; the hooks run as root, a privileged peer."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(SOCKET)
        request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        s.sendall(json.dumps(request).encode() + b"\n")
        response = json.loads(s.makefile().readline())
    if "result" not in response:
        raise RuntimeError(f"{method}: {response}")
    return response["result"]


# Resets go to a user of the hooks' own, whom the fuzzer holds no token of: it can
# neither delete nor change that user, and a reset never touches the fuzzer's own.
RESET_USER = {"id": None}


def reset_token():
    """A real reset token, from authd itself."""
    if RESET_USER["id"] is None:
        RESET_USER["id"] = call("auth.register", {
            "username": f"reset-{os.getpid()}", "email": f"reset-{os.getpid()}@example.com",
            "password": PASSWORD})["id"]
    return call("users.reset_token", {"id": RESET_USER["id"]})["reset_token"]


def is_positive(case):
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


@schemathesis.hook
def before_call(context, case, **kwargs):
    """A schema-valid change of one's own account carries the current password, as a
    client that knows it would (a wrong one is rightly a 400, which no schema can say);
    a schema-valid reset carries a real token. Negative cases are left as drawn."""
    body = case.body
    if not is_positive(case) or not isinstance(body, dict) or CURRENT["id"] is None:
        return
    if case.path == "/api/users/{id}" and case.method.upper() in ("PATCH", "DELETE"):
        body["current_password"] = CURRENT["password"]
    elif case.path == "/api/auth/password-reset" and case.method.upper() == "POST":
        body["reset_token"] = reset_token()


@schemathesis.hook
def after_call(context, case, response):
    """Follows the fuzzer's own password changes, so that the next one still knows it."""
    body = case.body
    if response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("password"), str) \
            and case.method.upper() == "PATCH" and case.path == "/api/users/{id}" \
            and case.path_parameters.get("id") == CURRENT["id"]:
        CURRENT["password"] = body["password"]
