"""Real mail servers for the tests (STYLE.md: mail servers we run for real, not mocks).

- ``dovecot``: Debian's Dovecot IMAP server started with a throwaway configuration in a
  temporary directory, on a free port of 127.0.0.1, plaintext login allowed there, one
  passwd-file user and Maildir mail in the same directory. Each test gets its own folder
  (``imap_mailbox``), so tests share one server yet never see each other's mail.
- ``smtp_server``: aiosmtpd on a free port, keeping every message it receives.

``running_dovecot`` and ``running_smtp`` are context managers; ``conftest.py`` makes
fixtures of them. Without Dovecot (and no way to install it) the IMAP tests are skipped,
saying how to install it.
"""

import contextlib
import email
import getpass
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest

IMAP_USER, IMAP_PASSWORD = "support", "s3cret-pass"


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


def _dovecot_binary():
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "dovecot-imapd"],  # noqa: S603,S607 - fixed command
                       capture_output=True, timeout=600, check=False)
        found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    return found


class Dovecot:
    """One Dovecot master process of our own, configured in ``root``."""

    def __init__(self, binary):
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="guanxi-dovecot-"))
        self.root.chmod(0o755)  # the mail processes run as an unprivileged user and must enter it
        self.port = free_port()
        self.tls_port = free_port() if shutil.which("openssl") else None
        self.certificate = self.root / "cert.pem"
        self.pid = None

    def _tls(self):
        """A self-signed certificate for 127.0.0.1 (trust it with SSL_CERT_FILE)."""
        if self.tls_port is None:
            return "ssl = no\n", "port = 0"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",  # noqa: S603,S607
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(self.root / "key.pem"), "-out", str(self.certificate)],
                       capture_output=True, check=True, timeout=60)
        return (f"ssl = yes\nssl_cert = <{self.certificate}\nssl_key = <{self.root / 'key.pem'}\n",
                f"address = 127.0.0.1\n                port = {self.tls_port}")

    def _config(self):
        if os.geteuid() == 0:  # Dovecot never opens mail as root
            mail_user = pwd.getpwnam("nobody")
            login_user, internal_user = "dovenull", "dovecot"
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            login_user = internal_user = getpass.getuser()
        mail = self.root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            os.chown(mail, mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
        (self.root / "state").mkdir()
        (self.root / "run").mkdir()
        ssl, imaps = self._tls()
        return ssl + textwrap.dedent(f"""\
            base_dir = {self.root}/run
            state_dir = {self.root}/state
            log_path = {self.root}/dovecot.log
            instance_name = guanxi-test-{self.port}
            protocols = imap
            listen = 127.0.0.1
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{mail}/%u
            first_valid_uid = 1
            mail_uid = {mail_user.pw_uid}
            mail_gid = {mail_user.pw_gid}
            default_login_user = {login_user}
            default_internal_user = {internal_user}
            passdb {{
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {self.root}/users
            }}
            userdb {{
              driver = static
              args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={mail}/%u
            }}
            service imap-login {{
              chroot =
              inet_listener imap {{
                address = 127.0.0.1
                port = {self.port}
              }}
              inet_listener imaps {{
                {imaps}
              }}
            }}
            service anvil {{
              chroot =
            }}
            """)

    def start(self):
        conf = self.root / "dovecot.conf"
        conf.write_text(self._config())
        # The master forks into the background: no pipes, or the children would hold them open.
        with open(self.root / "start.log", "wb") as output:
            started = subprocess.run([self.binary, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=output,  # noqa: S603
                                     stderr=subprocess.STDOUT, timeout=30, check=False)
        listening = _wait_for_port(self.port) and (self.tls_port is None or _wait_for_port(self.tls_port))
        if started.returncode != 0 or not listening:
            raise RuntimeError(f"dovecot did not start: {(self.root / 'start.log').read_text()} {self.log()}")
        pidfile, deadline = self.root / "run" / "master.pid", time.monotonic() + 15
        while not pidfile.exists() and time.monotonic() < deadline:  # the master writes it after it listens
            time.sleep(0.1)
        if not pidfile.exists():
            raise RuntimeError(f"dovecot wrote no pid file: {(self.root / 'start.log').read_text()} {self.log()}")
        self.pid = int(pidfile.read_text().strip())
        return self

    def log(self):
        path = self.root / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def stop(self):
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self):
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(IMAP_USER, IMAP_PASSWORD)
        return imap


class Mailbox:
    """One folder of the test server: append messages, read their flags, its URL."""

    def __init__(self, server, name):
        self.server, self.name = server, name
        imap = server.client()
        imap.create(name)
        imap.logout()

    @property
    def url(self):
        return (f"imap://{quote(IMAP_USER)}:{quote(IMAP_PASSWORD, safe='')}@127.0.0.1:{self.server.port}/"
                f"{quote(self.name)}")

    @property
    def secure_url(self):
        """The imaps:// address (TLS from the first byte), or None without openssl."""
        if self.server.tls_port is None:
            return None
        return (f"imaps://{quote(IMAP_USER)}:{quote(IMAP_PASSWORD, safe='')}@127.0.0.1:{self.server.tls_port}/"
                f"{quote(self.name)}")

    def append(self, raw, flags=""):
        """APPEND ``raw`` (bytes or an email.message.Message); return its UID."""
        if not isinstance(raw, bytes | bytearray):
            raw = raw.as_bytes(policy=policy.SMTP)
        imap = self.server.client()
        try:
            typ, data = imap.append(self.name, flags or None, None, bytes(raw))
            assert typ == "OK", data
            return int(data[0].split(b"APPENDUID ")[1].split()[1].rstrip(b"]"))
        finally:
            imap.logout()

    def flags(self, uid):
        imap = self.server.client()
        try:
            imap.select(self.name, readonly=True)
            typ, data = imap.uid("FETCH", str(uid), "(FLAGS)")
            return data[0].decode() if data and data[0] else ""
        finally:
            imap.logout()

    def rebuild(self):
        """Delete and re-create the folder with the same messages (a new UIDVALIDITY)."""
        imap = self.server.client()
        try:
            imap.select(self.name)
            typ, data = imap.uid("SEARCH", None, "ALL")
            messages = []
            for uid in data[0].split():
                typ, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                messages.append(fetched[0][1])
            imap.close()
            imap.delete(self.name)
            imap.create(self.name)
        finally:
            imap.logout()
        time.sleep(1.1)  # UIDVALIDITY is a time stamp in seconds
        for raw in messages:
            self.append(raw)


@contextlib.contextmanager
def running_dovecot():
    """A started Dovecot for the ``with`` block; skips the test when it cannot be had."""
    binary = _dovecot_binary()
    if binary is None:
        pytest.skip("Dovecot is not installed and could not be (apt-get install -y -q dovecot-imapd)")
    server = Dovecot(binary).start()
    try:
        yield server
    finally:
        server.stop()


def new_mailbox(server):
    return Mailbox(server, f"test-{uuid.uuid4().hex[:10]}")


class SMTPSink:
    """aiosmtpd in a thread; ``messages`` are the parsed e-mails it received."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages, self.lock = [], threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [message for rcpts, message in self.messages if address in rcpts]

    def wait_for(self, address, count=1, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no mail to {address} within {seconds}s; got {[r for r, _m in self.messages]}")


@contextlib.contextmanager
def running_smtp(settings):
    """A real SMTP server for the ``with`` block, Django's mail pointed at it (``settings``
    is pytest-django's fixture, so the change is undone after the test)."""
    sink = SMTPSink()
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield sink
    finally:
        sink.controller.stop()
