"""A tiny IMAP4rev1 server on loopback, enough for imaplib: LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT."""

import re
import socketserver
import threading


class FakeImap:
    def __init__(self, messages: list[bytes], *, user="replies@demo.example", password="imap-secret"):
        self.messages = dict(enumerate(messages, start=1))
        self.seen: set[int] = set()
        self.user, self.password = user, password
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str | bytes):
                self.wfile.write((line if isinstance(line, bytes) else line.encode()) + b"\r\n")

            def handle(self):
                self.send("* OK fake IMAP ready")
                while line := self.rfile.readline():
                    tag, _, rest = line.decode().strip().partition(" ")
                    command = rest.upper()
                    if command.startswith("CAPABILITY"):
                        self.send("* CAPABILITY IMAP4rev1")
                    elif command.startswith("LOGIN"):
                        _, user, password = rest.split(" ", 2)
                        if (user.strip('"'), password.strip('"')) != (fake.user, fake.password):
                            self.send(f"{tag} NO login failed")
                            continue
                    elif command.startswith("SELECT"):
                        self.send(f"* {len(fake.messages)} EXISTS")
                    elif command.startswith("UID SEARCH"):
                        unseen = " ".join(str(uid) for uid in fake.messages if uid not in fake.seen)
                        self.send(f"* SEARCH {unseen}".rstrip())
                    elif command.startswith("UID FETCH"):
                        uid = int(rest.split()[2])
                        raw = fake.messages[uid]
                        self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}".encode())
                        self.wfile.write(raw)
                        self.send(")")
                    elif command.startswith("UID STORE"):
                        fake.seen.add(int(re.split(r"\s+", rest)[2]))
                    elif command.startswith("LOGOUT"):
                        self.send("* BYE")
                        self.send(f"{tag} OK LOGOUT completed")
                        return
                    self.send(f"{tag} OK done")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
