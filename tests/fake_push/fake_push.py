#!/usr/bin/env python3
"""A fake Web Push service for the tests, on loopback (the far side of the network).

It plays a browser vendor's push service: it makes each subscription's key pair itself and
keeps the private key, so it decrypts every message it receives (RFC 8291 `aes128gcm`, with
the independent Python `http_ece` implementation) and checks the VAPID signature (RFC 8292,
ES256 JWT verified with `cryptography`) with the key of the `Authorization` header.

Its dependencies are pinned in `requirements.txt`; `cargo xtask test` installs them into a venv
under `target/fake-push-venv` and passes that interpreter to the test suites (Rust and browser) as
`$CARTABLE_FAKE_PUSH_PYTHON`. Start: `$CARTABLE_FAKE_PUSH_PYTHON tests/fake_push/fake_push.py
[--port 0]`. Once bound it prints one line on stdout:
`listening on http://127.0.0.1:PORT`. It stops on SIGTERM / SIGINT (or when killed).

Control API (JSON over HTTP, every body and answer is JSON):

- `POST /subscriptions` (empty body or `{}`) -> `201`
  `{"id": ID, "endpoint": "http://127.0.0.1:PORT/push/ID", "keys": {"p256dh": B64URL, "auth": B64URL}}`
  (the shape of `PushSubscription.toJSON()`, plus the id).
- `DELETE /subscriptions/ID` -> `204`; later pushes to it are answered `410 Gone`, as a push
  service does for an expired subscription.
- `POST /push/ID` (what the application server calls) -> `201 Created` with a `Location`, or
  the next scripted answer; `404` for an unknown id, `410` for a deleted one, `413` for a body
  over 4096 bytes (RFC 8030 §7.2). Every request is recorded in `/attempts`; the ones answered
  2xx are recorded in `/messages`.
- `POST /script` `{"subscription": ID, "responses": [{"status": 429, "retry_after": 1},
  {"status": 410}]}` -> `204`: the next pushes to ID get these answers, in order (a
  `retry_after` becomes a `Retry-After` header in seconds), then `201` again. Not recorded in
  `/messages`.
- `GET /messages[?subscription=ID]` -> `200` list of accepted messages, oldest first:
  `{"subscription": ID, "headers": {"ttl": STR|null, "urgency": STR|null, "topic": STR|null,
  "content_encoding": STR|null}, "vapid": {"valid": BOOL, "error": STR|null, "sub": STR|null,
  "aud": STR|null, "exp": INT|null, "key": B64URL|null}, "decrypted": BOOL, "error": STR|null,
  "payload": <decrypted JSON, or text when it is not JSON, or null>, "received_at": FLOAT (unix
  seconds)}`.
- `GET /attempts[?subscription=ID]` -> `200` every push request, answered or refused:
  `{"subscription": ID, "status": INT, "received_at": FLOAT}`.
- `POST /reset` -> `204`: forgets messages, attempts and scripts (keeps subscriptions).

VAPID checks (`vapid.valid`): scheme `vapid t=JWT, k=KEY`; JWT header `{"typ":"JWT","alg":"ES256"}`;
signature valid for KEY; `aud` is the endpoint's origin, with or without its port (the Rust
senders drop the port: see the stack notes); `exp` in the future and at most 24 h ahead; `sub` is a
`mailto:` or `https:` URL.
"""

import argparse
import base64
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MAX_PUSH_BODY = 4096
MAX_CONTROL_BODY = 64 * 1024


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Subscription:
    def __init__(self, sub_id: str):
        self.id = sub_id
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.public = self.private_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        self.auth = secrets.token_bytes(16)
        self.deleted = False
        self.script = []


class State:
    """Everything the service remembers, behind one lock (the server is threaded)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.subscriptions = {}
        self.messages = []
        self.attempts = []
        self.origin = None


STATE = State()


def verify_vapid(authorization, origin: str) -> dict:
    """Checks a `vapid t=..., k=...` header; returns the `vapid` record of a message."""
    out = {"valid": False, "error": None, "sub": None, "aud": None, "exp": None, "key": None}
    if not authorization:
        out["error"] = "no Authorization header"
        return out
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        out["error"] = f"scheme {scheme!r} is not vapid"
        return out
    fields = {}
    for part in params.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name.strip()] = value.strip()
    token, key = fields.get("t"), fields.get("k")
    if not token or not key:
        out["error"] = "t= or k= missing"
        return out
    out["key"] = key
    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(unb64url(head_b64))
        claims = json.loads(unb64url(claims_b64))
        signature = unb64url(sig_b64)
    except (ValueError, json.JSONDecodeError) as e:
        out["error"] = f"malformed JWT: {e}"
        return out
    out["sub"], out["aud"], out["exp"] = claims.get("sub"), claims.get("aud"), claims.get("exp")
    if header.get("alg") != "ES256":
        out["error"] = f"alg {header.get('alg')!r} is not ES256"
        return out
    if len(signature) != 64:
        out["error"] = "ES256 signature is not 64 bytes"
        return out
    try:
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public.verify(der, f"{head_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature) as e:
        out["error"] = f"bad signature: {e!r}"
        return out
    parsed = urlsplit(origin)
    accepted_aud = {origin, f"{parsed.scheme}://{parsed.hostname}"}
    if out["aud"] not in accepted_aud:
        out["error"] = f"aud {out['aud']!r} is not {origin!r}"
        return out
    now = time.time()
    exp = out["exp"]
    if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600 + 60:
        out["error"] = f"exp {exp!r} is not within the next 24 h"
        return out
    sub = out["sub"]
    if not isinstance(sub, str) or not (sub.startswith("mailto:") or sub.startswith("https:")):
        out["error"] = f"sub {sub!r} is not a mailto: or https: URL"
        return out
    out["valid"] = True
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-push/1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _body(self, limit: int):
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            # Read it anyway so that the connection stays usable for the next request.
            self.rfile.read(length)
            return None
        return self.rfile.read(length)

    def _send(self, status: int, payload=None, headers=None):
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _query(self):
        parsed = urlsplit(self.path)
        return parsed.path, {k: v[-1] for k, v in parse_qs(parsed.query).items()}

    def do_GET(self):
        path, query = self._query()
        wanted = query.get("subscription")
        with STATE.lock:
            if path == "/messages":
                items = [m for m in STATE.messages if wanted in (None, m["subscription"])]
            elif path == "/attempts":
                items = [a for a in STATE.attempts if wanted in (None, a["subscription"])]
            else:
                items = None
        if items is None:
            self._send(404, {"error": "not_found"})
        else:
            self._send(200, items)

    def do_DELETE(self):
        path, _ = self._query()
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "subscriptions":
            with STATE.lock:
                sub = STATE.subscriptions.get(parts[1])
                if sub is not None:
                    sub.deleted = True
            self._send(204 if sub is not None else 404)
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self):
        path, _ = self._query()
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "push":
            self._push(parts[1])
            return
        body = self._body(MAX_CONTROL_BODY)
        try:
            request = json.loads(body or b"{}")
        except (json.JSONDecodeError, TypeError):
            self._send(400, {"error": "invalid_json"})
            return
        if path == "/subscriptions":
            sub = Subscription(secrets.token_hex(8))
            with STATE.lock:
                STATE.subscriptions[sub.id] = sub
            self._send(
                201,
                {
                    "id": sub.id,
                    "endpoint": f"{STATE.origin}/push/{sub.id}",
                    "keys": {"p256dh": b64url(sub.public), "auth": b64url(sub.auth)},
                },
            )
        elif path == "/script":
            responses = request.get("responses")
            if not isinstance(responses, list) or not all(
                isinstance(r, dict) and isinstance(r.get("status"), int) for r in responses
            ):
                self._send(400, {"error": "responses must be a list of {status, retry_after?}"})
                return
            with STATE.lock:
                sub = STATE.subscriptions.get(request.get("subscription"))
                if sub is not None:
                    sub.script.extend(responses)
            self._send(204 if sub is not None else 404)
        elif path == "/reset":
            with STATE.lock:
                STATE.messages.clear()
                STATE.attempts.clear()
                for sub in STATE.subscriptions.values():
                    sub.script.clear()
            self._send(204)
        else:
            self._send(404, {"error": "not_found"})

    def _push(self, sub_id: str):
        body = self._body(MAX_PUSH_BODY)
        received_at = time.time()
        with STATE.lock:
            sub = STATE.subscriptions.get(sub_id)
            if body is None:
                status, scripted = 413, None
            elif sub is None:
                status, scripted = 404, None
            elif sub.deleted:
                status, scripted = 410, None
            elif sub.script:
                scripted = sub.script.pop(0)
                status = scripted["status"]
            else:
                status, scripted = 201, None
            STATE.attempts.append(
                {"subscription": sub_id, "status": status, "received_at": received_at}
            )
        if status // 100 != 2:
            headers = {}
            if scripted and scripted.get("retry_after") is not None:
                headers["Retry-After"] = str(scripted["retry_after"])
            self._send(status, {"error": "scripted" if scripted else "refused"}, headers)
            return
        message = {
            "subscription": sub_id,
            "headers": {
                "ttl": self.headers.get("TTL"),
                "urgency": self.headers.get("Urgency"),
                "topic": self.headers.get("Topic"),
                "content_encoding": self.headers.get("Content-Encoding"),
            },
            "vapid": verify_vapid(self.headers.get("Authorization"), STATE.origin),
            "decrypted": False,
            "error": None,
            "payload": None,
            "received_at": received_at,
        }
        try:
            plain = http_ece.decrypt(
                body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm"
            )
            message["decrypted"] = True
            try:
                message["payload"] = json.loads(plain)
            except (json.JSONDecodeError, UnicodeDecodeError):
                message["payload"] = plain.decode("utf-8", errors="replace")
        except Exception as e:  # noqa: BLE001 - any failure is what the test wants to see
            message["error"] = f"decryption failed: {e!r}"
        with STATE.lock:
            STATE.messages.append(message)
        self._send(201, None, {"Location": f"{STATE.origin}/message/{secrets.token_hex(8)}"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    STATE.origin = f"http://127.0.0.1:{server.server_address[1]}"
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"listening on {STATE.origin}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
