"""A real HTTP server for hikeshi's chat channel tests: Python's http.server on 127.0.0.1.

Started by tests/common/webhook.rs. Prints "READY <port>" once it accepts connections, and
appends every request it receives to --log as one JSON line: the path, the headers, the body
(as text), and for signed requests whether the signature verifies with --secret.

The first segment of the path says how to answer, so tests can provoke each case:
  /ok/...          200 "ok"
  /busy-N/...      429 with Retry-After: 120 for the first N requests to that path, then 200
  /fail-N/...      500 for the first N requests to that path, then 200
  /hang-N/...      no answer for 30 s for the first N requests to that path, then 200
  /gone/...        404 always
  /evil/...        404 with terminal escapes and a right-to-left override in its answer
  /endless/...     200 with a chunked body that never ends (until the client goes, or 60 s)
"""

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
seen = {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--secret", default="")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            timestamp = self.headers.get("X-Hikeshi-Timestamp")
            signature = self.headers.get("X-Hikeshi-Signature")
            verified = None
            if signature is not None and timestamp is not None:
                mac = hmac.new(args.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
                verified = hmac.compare_digest(signature, "sha256=" + mac.hexdigest())
            with lock:
                count = seen.get(self.path, 0) + 1
                seen[self.path] = count
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body.decode("utf-8"),
                        "signature_ok": verified,
                        "count": count,
                    }, ensure_ascii=False) + "\n")
            mode = self.path.split("/")[1]
            kind, _, n = mode.partition("-")
            first = count <= int(n or "0")
            if kind == "busy" and first:
                self.answer(429, b"slow down", [("Retry-After", "120")])
            elif kind == "fail" and first:
                self.answer(500, b"internal error")
            elif kind == "hang" and first:
                time.sleep(30)
                self.answer(200, b"too late")
            elif kind == "evil":
                self.answer(404, "no\x1b]0;pwned\x07 hook\x1b[2J \u202egnp.exe".encode("utf-8"))
            elif kind == "endless":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"x" * 4096
                deadline = time.time() + 60
                try:
                    while time.time() < deadline:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True
            elif kind == "gone":
                self.answer(404, b"no such webhook")
            else:
                self.answer(200, b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("READY", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
