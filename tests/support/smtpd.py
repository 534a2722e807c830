"""A real SMTP server for hikeshi's tests: aiosmtpd, storing mail in a Maildir.

Started by tests/common/mod.rs on 127.0.0.1. Prints "READY" once it accepts connections.

Recipient rules, so tests can provoke the server's answers:
  tempfail...@  -> 451 on the first RCPT for that address, accepted afterwards
  reject...@    -> 550 always
Everything else is accepted. Every accepted message is stored with the envelope in
X-MailFrom / X-RcptTo headers (aiosmtpd's Mailbox handler).
"""

import argparse
import logging
import os
import ssl
import sys
import warnings

# aiosmtpd 1.4 warns about its own deprecated attribute on every login.
warnings.simplefilter("ignore")
logging.getLogger("mail.log").setLevel(logging.ERROR)

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


class Rules(Mailbox):
    def __init__(self, maildir):
        super().__init__(maildir)
        self.seen = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail") and address not in self.seen:
            self.seen.add(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def tls_context(certdir):
    import trustme

    ca_path = os.path.join(certdir, "ca.pem")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    tmp = ca_path + ".tmp"
    ca.cert_pem.write_to_path(tmp)
    os.replace(tmp, ca_path)
    return ctx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--starttls", metavar="CERTDIR", help="require STARTTLS; write ca.pem here")
    p.add_argument("--smtps", metavar="CERTDIR", help="implicit TLS; write ca.pem here")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require this login")
    a = p.parse_args()

    kwargs = {}
    if a.starttls:
        kwargs.update(tls_context=tls_context(a.starttls), require_starttls=True)
    if a.smtps:
        kwargs.update(ssl_context=tls_context(a.smtps))
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            # handled=False: aiosmtpd answers a failure with 535 itself.
            return AuthResult(success=ok, handled=False)

        kwargs.update(
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=bool(a.starttls or a.smtps),
        )

    controller = Controller(
        Rules(a.maildir),
        hostname="127.0.0.1",
        port=a.port,
        server_hostname="localhost",
        **kwargs,
    )
    controller.start()
    print("READY", flush=True)
    try:
        sys.stdin.read()  # runs until the test closes stdin or kills it
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
