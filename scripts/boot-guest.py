#!/usr/bin/python3
"""The checks scripts/boot-test runs inside a Debian 12 guest with systemd as PID 1.

Installs /root/authd.deb and checks, against the running units: sysusers and
tmpfiles, socket activation (root, authd-admins, and a stranger refused),
credentials (PyJWT both ways, no secret in /proc/PID/environ), the sandbox (score
and writes tried from inside its mount namespace), restart and reload under load,
the watchdog, a configuration error, the journal (MESSAGE_IDs, no secrets), the
gateway on 127.0.0.1:8080, then reinstall, remove and purge. One line per check
in RESULTS/checks.log ("ok ..." or "FAIL ..."), then RESULTS/done.
"""
import grp
import hashlib
import json
import os
import pwd
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import jwt

RESULTS = sys.argv[1]
SOCK = "/run/authd/authd.sock"
LOG = open(f"{RESULTS}/checks.log", "w", buffering=1)
SECRETS = []  # every password, token and key of the run: none may reach the journal
FAILED = []


def check(what, ok, detail=""):
    line = f"{'ok  ' if ok else 'FAIL'} {what}" + (f" ({detail})" if detail else "")
    print(line, flush=True)
    LOG.write(line + "\n")
    if not ok:
        FAILED.append(what)
    return ok


def sh(*args, user=None, input=None, timeout=120):
    """Runs a command (as user, when given); for authctl as another user than root,
    callers pass --socket: its default is then the user's own socket."""
    if user:
        args = ("runuser", "-u", user, "--") + args
    return subprocess.run(args, input=input, capture_output=True, text=True, timeout=timeout)


def wait_for(condition, timeout):
    """Polls condition until it is true or timeout seconds pass; True when it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def prop(unit, name):
    return sh("systemctl", "show", unit, "-p", name, "--value").stdout.strip()


def rpc(method, params=None, conn=None):
    """One JSON-RPC call as root, on conn or a new connection; the whole response."""
    own = conn is None
    conn = conn or connect()
    try:
        conn.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}) + "\n").encode())
        return json.loads(read_line(conn))
    finally:
        if own:
            conn.close()


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(SOCK)
    return s


def read_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("connection closed before the answer")
        data += chunk
    return data


def http(method, path, body=None, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:8080{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def mode_owner(path):
    st = os.stat(path)
    return f"{st.st_mode & 0o7777:o} {pwd.getpwuid(st.st_uid).pw_name}:{grp.getgrgid(st.st_gid).gr_name}"


def install_and_layout():
    r = sh("dpkg", "-i", "/root/authd.deb")
    if not check("dpkg -i installs the package", r.returncode == 0, r.stderr.strip()[-300:]):
        return False
    for user in ("authd", "authd-gateway"):
        try:
            entry = pwd.getpwnam(user)
            check(f"sysusers: system user {user}", entry.pw_uid < 1000 and entry.pw_shell.endswith("nologin"),
                  f"uid {entry.pw_uid}, shell {entry.pw_shell}")
        except KeyError:
            check(f"sysusers: system user {user}", False, "missing")
    clients = grp.getgrnam("authd-clients")
    check("sysusers: authd-gateway is in authd-clients", clients.gr_mem == ["authd-gateway"], str(clients.gr_mem))
    check("sysusers: authd-admins starts empty", grp.getgrnam("authd-admins").gr_mem == [])
    check("tmpfiles: /etc/authd 0750 root:authd", mode_owner("/etc/authd") == "750 root:authd", mode_owner("/etc/authd"))
    check("tmpfiles: /var/lib/authd 0700 authd:authd", mode_owner("/var/lib/authd") == "700 authd:authd",
          mode_owner("/var/lib/authd"))
    for name, length in (("jwt-secret", 96), ("mfa-key", 64)):
        path = f"/etc/authd/{name}"
        text = open(path).read() if os.path.exists(path) else ""
        SECRETS.append(text)
        check(f"postinst: {path} 0640 root:authd, {length} hex digits",
              os.path.exists(path) and mode_owner(path) == "640 root:authd" and len(text) == length
              and all(c in "0123456789abcdef" for c in text), mode_owner(path) if text else "missing")
    conffiles = sh("dpkg-query", "-W", "-f=${Conffiles}", "authd").stdout
    check("/etc/authd/authd.env is a conffile", "/etc/authd/authd.env" in conffiles)
    return True


def socket_activation():
    r = sh("systemctl", "enable", "--now", "authd.socket", "authd-gateway.socket")
    check("systemctl enable --now authd.socket authd-gateway.socket", r.returncode == 0, r.stderr.strip())
    check("authd is not running before the first connection", prop("authd.service", "ActiveState") == "inactive")
    check("socket /run/authd/authd.sock 0660 root:authd-clients", mode_owner(SOCK) == "660 root:authd-clients",
          mode_owner(SOCK))
    r = sh("authctl", "health")
    check("authctl health as root (the first connection starts authd)", r.returncode == 0 and r.stdout.startswith("ok"),
          (r.stdout + r.stderr).strip())
    check("systemctl is-active authd says active", sh("systemctl", "is-active", "authd").stdout.strip() == "active")
    sh("useradd", "--system", "-G", "authd-admins,authd-clients", "alice")
    r = sh("authctl", "health", "--socket", SOCK, user="alice")
    check("authctl health as a member of authd-admins", r.returncode == 0, (r.stdout + r.stderr).strip())
    sh("useradd", "--system", "dave")
    r = sh("authctl", "health", "--socket", SOCK, user="dave")
    check("a user outside authd-clients cannot connect (authctl exits 3)", r.returncode == 3, f"exit {r.returncode}")


def credentials():
    """The service signs with /etc/authd/jwt-secret (LoadCredential=), both ways."""
    secret = open("/etc/authd/jwt-secret").read()
    password = "Boot#Test1234"
    SECRETS.append(password)
    reg = rpc("auth.register", {"username": "bob", "email": "bob@example.com", "password": password})
    check("auth.register", "result" in reg, str(reg.get("error")))
    login = rpc("auth.login", {"username": "bob", "password": password})
    token = login.get("result", {}).get("access_token", "")
    SECRETS.append(token)
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
        check("a token authd issued verifies with PyJWT against /etc/authd/jwt-secret", claims.get("type") == "access")
    except jwt.PyJWTError as e:
        check("a token authd issued verifies with PyJWT against /etc/authd/jwt-secret", False, str(e))
    now = int(time.time())
    user_id = str(reg.get("result", {}).get("id"))
    foreign = jwt.encode({"sub": user_id, "jti": os.urandom(16).hex(), "type": "access", "fresh": False,
                          "iat": now, "nbf": now, "exp": now + 600}, secret, algorithm="HS256")
    SECRETS.append(foreign)
    answer = rpc("auth.verify", {"token": foreign}).get("result", {})
    check("a token PyJWT signed with /etc/authd/jwt-secret is active in authd", answer.get("active") is True, str(answer))
    pid = prop("authd.service", "MainPID")
    environ = open(f"/proc/{pid}/environ", "rb").read()
    check("the secret is not in authd's /proc/PID/environ",
          secret.encode() not in environ and b"JWT_SECRET_KEY" not in environ and b"CREDENTIALS_DIRECTORY" in environ)
    return token, password


def exposure(unit):
    """The overall exposure level systemd-analyze security gives the unit, or None."""
    out = sh("systemd-analyze", "security", unit).stdout
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out)
    return float(found.group(1)) if found else None


def sandbox():
    for unit in ("authd.service", "authd-gateway.service"):
        score = exposure(unit)
        check(f"systemd-analyze security {unit} (running) at most 1.5", score is not None and score <= 1.5, str(score))
    for name, want in (("User", "authd"), ("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"),
                       ("CapabilityBoundingSet", ""), ("PrivateTmp", "yes"), ("ProtectHome", "yes")):
        value = prop("authd.service", name)
        check(f"authd.service {name}={want}", value == want, value)
    # Writes tried as root inside the service's own mount namespace, so that file
    # modes play no part: only the state directory is writable there, /home and
    # /root are empty, and /tmp is a private one.
    pid = prop("authd.service", "MainPID")

    def inside(command):
        return sh("nsenter", "-t", pid, "-m", "--", "sh", "-c", command).returncode == 0
    check("sandbox: the state directory /var/lib/authd is writable",
          inside("touch /var/lib/authd/.probe && rm /var/lib/authd/.probe"))
    for path in ("/etc/authd/.probe", "/usr/lib/.probe", "/var/.probe", "/.probe", "/root/.probe"):
        check(f"sandbox: {path} cannot be written", not inside(f"touch {path}") and not os.path.exists(path))
    check("sandbox: /root is empty inside", inside("test -z \"$(ls -A /root)\"") and os.listdir("/root") != [])
    inside("touch /tmp/.authd-probe")
    check("sandbox: authd's /tmp is private", not os.path.exists("/tmp/.authd-probe"))


def load(stop, counts, method, params):
    """A client on new connections until stop: counts answered, refused, dropped."""
    while not stop.is_set():
        try:
            s = connect()
        except OSError:
            counts["refused"] += 1
            continue
        try:
            answer = rpc(method, params, conn=s)
            counts["answered" if "result" in answer else "errors"] += 1
        except (OSError, EOFError) as e:
            # Connected, request sent, and the connection closed (or reset) before
            # the answer: a request in flight that did not finish.
            counts["dropped"] += 1
            counts.setdefault("why", []).append(type(e).__name__)
        finally:
            s.close()


def restart_under_load(password):
    stop = threading.Event()
    workers = []
    for method, params in (("system.health", {}), ("system.health", {}),
                           ("auth.login", {"username": "bob", "password": password})):
        counts = {"answered": 0, "refused": 0, "dropped": 0, "errors": 0}
        t = threading.Thread(target=load, args=(stop, counts, method, params))
        t.start()
        workers.append((method, counts, t))
    pids = {prop("authd.service", "MainPID")}
    for _ in range(3):
        wait_for(lambda: all(c["answered"] > 0 for _, c, _ in workers), 10)
        before = {m: c["answered"] for m, c, _ in workers}
        r = sh("systemctl", "restart", "authd")
        check("systemctl restart authd under load", r.returncode == 0, r.stderr.strip())
        pids.add(prop("authd.service", "MainPID"))
        wait_for(lambda: all(c["answered"] > before[m] for m, c, _ in workers), 10)
    stop.set()
    for _, _, t in workers:
        t.join()
    check("three restarts gave three new processes", len(pids) == 4, str(pids))
    for method, counts, _ in workers:
        check(f"restart: {method} loop never refused, dropped or failed",
              counts["refused"] == 0 and counts["dropped"] == 0 and counts["errors"] == 0 and counts["answered"] > 3,
              str(counts))


def reload():
    original = open("/etc/authd/authd.env").read()
    sh("groupadd", "--system", "authd-ops")
    sh("useradd", "--system", "-G", "authd-ops,authd-clients", "carol")
    check("before reload: authd-admins member alice is privileged", sh("authctl", "user", "list", "--socket", SOCK, user="alice").returncode == 0)
    check("before reload: carol is not", sh("authctl", "user", "list", "--socket", SOCK, user="carol").returncode != 0)
    conn = connect()
    rpc("system.health", conn=conn)
    pid = prop("authd.service", "MainPID")
    since = time.strftime("%Y-%m-%d %H:%M:%S")
    with open("/etc/authd/authd.env", "w") as f:
        f.write(original.replace("AUTHD_ADMIN_GROUP=authd-admins", "AUTHD_ADMIN_GROUP=authd-ops")
                .replace("AUTHD_LOG_LEVEL=info", "AUTHD_LOG_LEVEL=debug"))
    r = sh("systemctl", "reload", "authd")
    check("systemctl reload authd", r.returncode == 0, r.stderr.strip())
    applied = wait_for(lambda: sh("authctl", "user", "list", "--socket", SOCK, user="carol").returncode == 0, 10)
    check("reload applies the admin group: carol (authd-ops) is privileged", applied)
    check("reload: alice (authd-admins) no longer is", sh("authctl", "user", "list", "--socket", SOCK, user="alice").returncode != 0)
    check("reload: the connection opened before still answers", "result" in rpc("system.health", conn=conn))
    check("reload: same process", prop("authd.service", "MainPID") == pid)
    # journald stores what it is sent a moment later: each journal check waits for it.
    debug = wait_for(lambda: sh("journalctl", "-u", "authd", "--since", since, "-p", "debug..debug", "-o", "cat").stdout.strip(), 10)
    check("reload applies the log level: debug lines after it", bool(debug))
    conn.close()
    with open("/etc/authd/authd.env", "w") as f:
        f.write(original)
    sh("systemctl", "reload", "authd")
    wait_for(lambda: sh("authctl", "user", "list", "--socket", SOCK, user="alice").returncode == 0, 10)


def dropin(name, text):
    os.makedirs("/run/systemd/system/authd.service.d", exist_ok=True)
    path = f"/run/systemd/system/authd.service.d/{name}.conf"
    if text is None:
        os.unlink(path)
    else:
        open(path, "w").write("[Service]\n" + text)
    sh("systemctl", "daemon-reload")


def watchdog():
    dropin("watchdog", "WatchdogSec=3s\nTimeoutAbortSec=2s\n")
    sh("systemctl", "restart", "authd")
    pid, restarts = prop("authd.service", "MainPID"), int(prop("authd.service", "NRestarts"))
    os.kill(int(pid), 19)  # SIGSTOP: no more watchdog pings
    started = time.monotonic()
    again = wait_for(lambda: prop("authd.service", "MainPID") not in ("0", pid)
                     and prop("authd.service", "ActiveState") == "active", 30)
    elapsed = time.monotonic() - started
    check("watchdog: a stopped authd is restarted by systemd (WatchdogSec=3s, TimeoutAbortSec=2s)",
          again and int(prop("authd.service", "NRestarts")) == restarts + 1 and elapsed < 3 + 2 + 3, f"{elapsed:.1f} s")
    check("watchdog: the journal says why",
          wait_for(lambda: "Watchdog timeout" in sh("journalctl", "-u", "authd", "-o", "cat").stdout, 10))
    check("watchdog: authd answers again", "result" in rpc("system.health"))
    dropin("watchdog", None)
    sh("systemctl", "restart", "authd")


def config_error():
    dropin("broken", "Environment=AUTHD_MAX_CONNECTIONS=many\n")
    sh("systemctl", "reset-failed", "authd")
    restarts = int(prop("authd.service", "NRestarts"))
    r = sh("systemctl", "restart", "authd")
    check("a configuration error fails the start", r.returncode != 0)
    failed = wait_for(lambda: prop("authd.service", "ActiveState") == "failed", 20)
    check("configuration error: exit 78, failed, never restarted",
          failed and prop("authd.service", "ExecMainStatus") == "78"
          and int(prop("authd.service", "NRestarts")) == restarts,
          f"state {prop('authd.service', 'ActiveState')}, status {prop('authd.service', 'ExecMainStatus')}, "
          f"restarts {int(prop('authd.service', 'NRestarts')) - restarts}")
    dropin("broken", None)
    sh("systemctl", "reset-failed", "authd")
    check("fixed configuration: authd serves again", sh("authctl", "health").returncode == 0)


def journal(password):
    rpc("auth.login", {"username": "bob", "password": "Wrong#Pass123"})
    SECRETS.append("Wrong#Pass123")
    rpc("auth.login", {"username": "bob", "password": password})
    wanted = ("b54e841a50d04ec2ab7022e5e461c87f", "542375cbf6644ae9bccca32af491442a")
    entries = []

    def stored():
        entries[:] = [json.loads(line) for line in sh("journalctl", "-u", "authd", "-o", "json").stdout.splitlines()]
        return all(any(e.get("MESSAGE_ID") == m for e in entries) for m in wanted)
    wait_for(stored, 10)
    for what, message_id, extra in (("login", "b54e841a50d04ec2ab7022e5e461c87f", "AUTHD_USER_ID"),
                                    ("failed login", "542375cbf6644ae9bccca32af491442a", "AUTHD_PEER_UID")):
        hits = [e for e in entries if e.get("MESSAGE_ID") == message_id]
        fields = all(e.get("AUTHD_METHOD") == "auth.login" and e.get("SYSLOG_IDENTIFIER") == "authd"
                     and "AUTHD_EVENT" in e and extra in e and "PRIORITY" in e for e in hits)
        check(f"journal: {what} with MESSAGE_ID {message_id} and the README's fields", hits != [] and fields,
              f"{len(hits)} entries")


def gateway(password):
    check("authd-gateway is not running before the first request",
          prop("authd-gateway.service", "ActiveState") == "inactive")
    status, body = http("GET", "/healthz")
    check("gateway: GET 127.0.0.1:8080/healthz through its socket unit", status == 200, f"{status} {body}")
    check("gateway: the service is active, started by its socket", prop("authd-gateway.service", "ActiveState") == "active")
    pid = prop("authd-gateway.service", "MainPID")
    status_text = open(f"/proc/{pid}/status").read()
    uid = next(line.split()[1] for line in status_text.splitlines() if line.startswith("Uid:"))
    groups = next(line.split()[1:] for line in status_text.splitlines() if line.startswith("Groups:"))
    check("gateway: runs as authd-gateway in authd-clients, not authd-admins",
          uid == str(pwd.getpwnam("authd-gateway").pw_uid) and str(grp.getgrnam("authd-clients").gr_gid) in groups
          and str(grp.getgrnam("authd-admins").gr_gid) not in groups, f"uid {uid}, groups {groups}")
    status, user = http("POST", "/api/auth/register", {"username": "erin", "email": "erin@example.com", "password": password})
    check("gateway: POST /api/auth/register reaches authd", status == 201, f"{status} {user}")
    status, login = http("POST", "/api/auth/login", {"username": "erin", "password": password})
    token = (login or {}).get("access_token", "")
    SECRETS.append(token)
    status, me = http("GET", f"/api/users/{(user or {}).get('id')}", token=token)
    check("gateway: login and GET /api/users/<id> with the token", status == 200 and me.get("username") == "erin",
          f"{status} {me}")
    status, _ = http("POST", "/api/auth/logout", token=token)
    check("gateway: logout", status == 200)


def no_secrets_in_journal():
    text = sh("journalctl", "-o", "export", "--no-pager").stdout
    with open(f"{RESULTS}/journal.txt", "w") as f:
        f.write(sh("journalctl", "-u", "authd", "-u", "authd-gateway", "-u", "authd-boot-test", "--no-pager").stdout)
    leaked = [s[:12] + "…" for s in SECRETS if s and s in text]
    check("journal: no secret, password or token anywhere in the run's journal", leaked == [], str(leaked))
    check("journal: no password hash anywhere", "$2b$" not in text and "$2a$" not in text and "$y$" not in text)


def reinstall_remove_purge():
    def digest(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()
    secret = digest("/etc/authd/jwt-secret")
    with open("/etc/authd/authd.env", "a") as f:
        f.write("# changed by the administrator\n")
    r = sh("dpkg", "-i", "/root/authd.deb")
    check("reinstall: keeps the secret and the changed authd.env without asking",
          r.returncode == 0 and digest("/etc/authd/jwt-secret") == secret
          and "changed by the administrator" in open("/etc/authd/authd.env").read(), r.stderr.strip()[-200:])
    check("reinstall: authd still serves", sh("authctl", "health").returncode == 0)
    r = sh("dpkg", "-r", "authd")
    check("dpkg -r authd", r.returncode == 0, r.stderr.strip()[-200:])
    check("remove: units stopped", all(prop(u, "ActiveState") in ("inactive", "")
                                       for u in ("authd.service", "authd.socket", "authd-gateway.service",
                                                 "authd-gateway.socket"))
          and sh("pgrep", "-x", "authd").returncode != 0 and not os.path.exists(SOCK))
    check("remove: units disabled", not any(os.path.lexists(f"/etc/systemd/system/sockets.target.wants/{u}")
                                            for u in ("authd.socket", "authd-gateway.socket")))
    check("remove: state and secrets stay", os.path.exists("/var/lib/authd/authd.db")
          and os.path.exists("/etc/authd/jwt-secret"), str(os.listdir("/var/lib/authd")))
    r = sh("dpkg", "--purge", "authd")
    check("purge: authd.env removed, state and secrets kept unless asked",
          r.returncode == 0 and not os.path.exists("/etc/authd/authd.env") and os.path.exists("/var/lib/authd/authd.db")
          and os.path.exists("/etc/authd/jwt-secret"), r.stderr.strip()[-200:])
    sh("dpkg", "-i", "/root/authd.deb")
    r = subprocess.run(["dpkg", "--purge", "authd"], env=dict(os.environ, AUTHD_PURGE_STATE="yes"),
                       capture_output=True, text=True)
    check("purge with AUTHD_PURGE_STATE=yes removes /var/lib/authd and /etc/authd",
          r.returncode == 0 and not os.path.exists("/var/lib/authd") and not os.path.exists("/etc/authd"),
          r.stderr.strip()[-200:])


def main():
    sh("systemctl", "is-system-running", "--wait", timeout=300)
    failed_units = sh("systemctl", "--failed", "--no-legend").stdout.strip()
    check("the guest booted with no failed unit", failed_units == "", failed_units)
    try:
        if install_and_layout():
            socket_activation()
            _, password = credentials()
            sandbox()
            restart_under_load(password)
            reload()
            watchdog()
            config_error()
            journal(password)
            gateway(password)
            no_secrets_in_journal()
            reinstall_remove_purge()
    except Exception as e:  # a check that crashed is a failed check, with its reason
        check(f"checks ran to the end ({type(e).__name__})", False, str(e))
    open(f"{RESULTS}/done", "w").write(f"{len(FAILED)} failed\n")


main()
