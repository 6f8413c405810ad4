"""The backup container: a stream cut into chunks, each sealed with AES-256-GCM.

Layout: ``MAGIC | mode | salt (16) | nonce prefix (7) | key check (16)`` then chunks, each
``length (4, big-endian) | sealed bytes``. A chunk's nonce is the prefix, its index and a
"last chunk" flag (the STREAM construction), so a reordered, cut or altered file fails
its check instead of restoring half a database. The key is derived from the passphrase
with scrypt and the file's salt. Without a key (the embedded default, if allowed) chunks
are stored plain with a SHA-256 each: damage is still found, tampering is not.

No Django here: the WAL archiving scripts run it as a filter
(``python -m guanxi.system.backup_crypto encrypt|decrypt``, key in ``GUANXI_BACKUP_KEY``).
"""

import hashlib
import io
import os
import secrets
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"GXBACKUP\x01"
PLAIN, AES_GCM = 0, 1
CHUNK_SIZE = 1 << 20
HEADER_SIZE = len(MAGIC) + 1 + 16 + 7 + 16


class ContainerError(Exception):
    """The file cannot be opened: ``reason`` is one of not_backup, key_missing,
    wrong_key, damaged, truncated."""

    def __init__(self, reason, detail=""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def derive_key(passphrase, salt):
    """Return the 32-byte AES key for ``passphrase`` and a file's salt."""
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase.encode())


def _key_check(key):
    return hashlib.sha256(b"guanxi-backup-key-check" + key).digest()[:16]


def _nonce(prefix, index, last):
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class SealingWriter(io.RawIOBase):
    """A writable stream that seals what is written into ``raw`` (a binary file)."""

    def __init__(self, raw, passphrase=None):
        self.raw = raw
        self.mode_byte = AES_GCM if passphrase else PLAIN
        salt, self.prefix = secrets.token_bytes(16), secrets.token_bytes(7)
        self.aead = None
        check = bytes(16)
        if passphrase:
            key = derive_key(passphrase, salt)
            self.aead, check = AESGCM(key), _key_check(key)
        self.header = MAGIC + bytes([self.mode_byte]) + salt + self.prefix + check
        raw.write(self.header)
        self.buffer = bytearray()
        self.index = 0
        self.written = len(self.header)

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > CHUNK_SIZE:
            self._emit(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, chunk, last):
        nonce = _nonce(self.prefix, self.index, last)
        if self.aead:
            sealed = self.aead.encrypt(nonce, chunk, self.header)
        else:
            sealed = chunk + hashlib.sha256(nonce + chunk).digest()
        self.raw.write(struct.pack(">I", len(sealed)) + sealed)
        self.written += 4 + len(sealed)
        self.index += 1

    def close(self):
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer = bytearray()
        super().close()


class OpeningReader(io.RawIOBase):
    """A readable stream of what ``raw`` holds; raises ContainerError on a wrong key or
    damage, chunk by chunk (read to the end before trusting anything)."""

    def __init__(self, raw, passphrase=None):
        self.raw = raw
        header = raw.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
            raise ContainerError("not_backup")
        self.header = header
        mode = header[len(MAGIC)]
        salt = header[len(MAGIC) + 1:len(MAGIC) + 17]
        self.prefix = header[len(MAGIC) + 17:len(MAGIC) + 24]
        self.aead = None
        self.encrypted = mode == AES_GCM
        if self.encrypted:
            if not passphrase:
                raise ContainerError("key_missing")
            key = derive_key(passphrase, salt)
            if not secrets.compare_digest(_key_check(key), header[-16:]):
                raise ContainerError("wrong_key")
            self.aead = AESGCM(key)
        elif mode != PLAIN:
            raise ContainerError("not_backup")
        self.index = 0
        self.pending = b""
        self.finished = False

    def readable(self):
        return True

    def _next_chunk(self):
        length_bytes = self.raw.read(4)
        if len(length_bytes) < 4:
            raise ContainerError("truncated", f"chunk {self.index}")
        (length,) = struct.unpack(">I", length_bytes)
        if length > CHUNK_SIZE + 64:
            raise ContainerError("damaged", f"chunk {self.index}")
        sealed = self.raw.read(length)
        if len(sealed) < length:
            raise ContainerError("truncated", f"chunk {self.index}")
        # The last chunk is the one the file ends after; its flag is part of the nonce.
        last = self.raw.peek(1)[:1] == b"" if hasattr(self.raw, "peek") else self._at_end()
        chunk = self._open(sealed, _nonce(self.prefix, self.index, last))
        self.index += 1
        self.finished = last
        return chunk

    def _at_end(self):
        position = self.raw.tell()
        at_end = self.raw.read(1) == b""
        self.raw.seek(position)
        return at_end

    def _open(self, sealed, nonce):
        if self.aead:
            try:
                return self.aead.decrypt(nonce, sealed, self.header)
            except InvalidTag:
                raise ContainerError("damaged", f"chunk {self.index}") from None
        chunk, digest = sealed[:-32], sealed[-32:]
        if len(sealed) < 32 or not secrets.compare_digest(hashlib.sha256(nonce + chunk).digest(), digest):
            raise ContainerError("damaged", f"chunk {self.index}")
        return chunk

    def readinto(self, target):
        while not self.pending and not self.finished:
            self.pending = self._next_chunk()
        size = min(len(target), len(self.pending))
        target[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _main(argv):
    """``encrypt`` or ``decrypt`` standard input to standard output (for WAL archiving)."""
    if len(argv) != 2 or argv[1] not in {"encrypt", "decrypt"}:
        sys.stderr.write("usage: python -m guanxi.system.backup_crypto encrypt|decrypt < in > out\n")
        return 2
    passphrase = os.environ.get("GUANXI_BACKUP_KEY") or None
    source, target = sys.stdin.buffer, sys.stdout.buffer
    try:
        if argv[1] == "encrypt":
            if not passphrase:
                sys.stderr.write("GUANXI_BACKUP_KEY is not set\n")
                return 2
            with SealingWriter(target, passphrase) as writer:
                while block := source.read(CHUNK_SIZE):
                    writer.write(block)
        else:
            reader = OpeningReader(source, passphrase)
            while block := reader.read(CHUNK_SIZE):
                target.write(block)
    except ContainerError as exc:
        sys.stderr.write(f"backup container: {exc}\n")
        return 1
    target.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
