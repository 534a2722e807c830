"""Parses mail with Python's own email package and prints it as JSON, for hikeshi's tests.

Arguments: .eml files or Maildir folders. Output: a JSON list, one object per message,
with decoded headers and body, sorted by Message-ID.
"""

import email
import email.policy
import json
import mailbox
import os
import sys


def parse(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    return {
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "subject": str(msg["Subject"]),
        "date": str(msg["Date"]),
        "mime_version": str(msg["MIME-Version"]) if msg["MIME-Version"] else None,
        "message_id": str(msg["Message-ID"]),
        "in_reply_to": str(msg["In-Reply-To"]) if msg["In-Reply-To"] else None,
        "references": str(msg["References"]) if msg["References"] else None,
        "exercise": str(msg["X-Hikeshi-Exercise"]) if msg["X-Hikeshi-Exercise"] else None,
        "incident": str(msg["X-Hikeshi-Incident"]) if msg["X-Hikeshi-Incident"] else None,
        "rcpt_to": str(msg["X-RcptTo"]) if msg["X-RcptTo"] else None,
        "charset": body.get_content_charset() if body else None,
        "body": body.get_content() if body else None,
        "defects": [type(d).__name__ for d in msg.defects],
    }


def main():
    out = []
    for arg in sys.argv[1:]:
        if os.path.isdir(arg):
            for _, m in mailbox.Maildir(arg, factory=None, create=False).iteritems():
                out.append(parse(m.as_bytes()))
        else:
            with open(arg, "rb") as f:
                out.append(parse(f.read()))
    out.sort(key=lambda m: m["message_id"])
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
