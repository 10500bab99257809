"""SMTP sink for cw-notify's email tests: a real aiosmtpd server.

Listens on 127.0.0.1 at a port the OS picks, prints ``READY <port>`` on
stdout once listening, and stores every accepted message in ``--dir`` as
``<n>.eml`` (the raw bytes) and ``<n>.json`` (envelope, headers and every
non-multipart part decoded by Python's ``email`` package, so the Rust test
needs no MIME parser). Exits when its stdin closes, i.e. when the test
process that spawned it ends, however it ends.

Options: ``--auth USER:PASSWORD`` requires AUTH (PLAIN/LOGIN, allowed
without TLS since this is loopback-only); ``--fail-first N`` answers the
first N DATA commands with ``451 4.3.0`` (a transient failure) to exercise
retries.

Needs ``python3 -m pip install aiosmtpd``.
"""

import argparse
import asyncio
import json
import os
import sys

from email import policy
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    """aiosmtpd handler that writes messages to a folder."""

    def __init__(self, directory, fail_first):
        self.directory = directory
        self.fail_first = fail_first
        self.data_commands = 0
        self.stored = 0

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands <= self.fail_first:
            return "451 4.3.0 Try again later (test sink)"
        self.stored += 1
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        parts = []
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            parts.append(
                {
                    "content_type": part.get_content_type(),
                    "charset": part.get_content_charset(),
                    "body": part.get_content(),
                }
            )
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(message["subject"] or ""),
            "from": str(message["from"] or ""),
            "to": str(message["to"] or ""),
            "message_id": str(message["message-id"] or ""),
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        base = os.path.join(self.directory, str(self.stored))
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        # The JSON appears last and atomically: its presence means "complete".
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False)
        os.replace(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Stored by test sink"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return check


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Sink(args.dir, args.fail_first)
    options = {}
    if args.auth:
        user, _, password = args.auth.partition(":")
        options = {
            "authenticator": authenticator(user, password),
            "auth_required": True,
            "auth_require_tls": False,
        }
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="clausewatch-test-sink", **options),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    # Block (off the event loop) until the parent closes our stdin.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--auth")
    parser.add_argument("--fail-first", type=int, default=0)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
