"""An SFTP server on loopback (paramiko, the well-kept SSH library) over the files delivered to
SFTP destinations: a user connects with the activation file's credentials, password or SSH key,
and reads ``remotePath`` as the destination would hold it.

Credentials are learnt when a base connection is created, before the emulator masks them, and
kept in memory only: a password as a salted scrypt hash, an SSH key as its public half. Nothing
secret is stored in clear or written to the state file. Read-only: a consumer lists and reads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

# scrypt's cost for the in-memory password hashes: the emulator checks a login, not a vault.
SCRYPT = {"n": 2**12, "r": 8, "p": 1}


@dataclass
class Login:
    """One account a base connection made: where it is rooted, and how it proves itself."""

    root: Path
    # The delivery folder the root must stay in, every link followed: a link planted where the
    # root should be never roots a login elsewhere.
    jail: Path
    password: tuple[bytes, bytes] | None = None  # (salt, scrypt hash)
    public_keys: set[str] = field(default_factory=set)  # base64 of each key's public blob


class Accounts:
    """Usernames -> their logins (one username may come from several base connections)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logins: dict[str, list[Login]] = {}

    def register(self, username: str, root: Path, params: dict[str, Any], *, jail: Path) -> None:
        """Learn a base connection's credentials (``password`` or ``sshKey``, base64); the login
        reads ``root``, which must stay inside ``jail``.
        """
        login = Login(root, jail)
        password = params.get("password")
        if isinstance(password, str) and password:
            salt = os.urandom(16)
            login.password = (salt, hashlib.scrypt(password.encode(), salt=salt, **SCRYPT))
        key = params.get("sshKey")
        if isinstance(key, str) and key:
            public = _public_blob(key)
            if public is not None:
                login.public_keys.add(public)
        with self._lock:
            self._logins.setdefault(username, []).append(login)

    def by_password(self, username: str, password: str) -> Login | None:
        """The login whose password this is, if any (constant-time comparison)."""
        for login in self._of(username):
            if login.password is not None:
                salt, digest = login.password
                tried = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
                if hmac.compare_digest(tried, digest):
                    return login
        return None

    def by_key(self, username: str, key: paramiko.PKey) -> Login | None:
        """The login that holds this public key, if any."""
        blob = base64.b64encode(key.asbytes()).decode()
        return next((login for login in self._of(username) if blob in login.public_keys), None)

    def _of(self, username: str) -> list[Login]:
        with self._lock:
            return list(self._logins.get(username, []))


def _public_blob(private_b64: str) -> str | None:
    """The public half of a base64 private key (PEM or OpenSSH), or None when it is none."""
    try:
        text = base64.b64decode(private_b64, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    for kind in (paramiko.RSAKey, paramiko.Ed25519Key, paramiko.ECDSAKey):
        try:
            key = kind.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError, TypeError):
            continue
        return base64.b64encode(key.asbytes()).decode()
    return None


class SftpServer:
    """The server: a listening socket on 127.0.0.1 and a thread per connection."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.accounts = Accounts()
        self._host_key = paramiko.RSAKey.generate(2048)
        self._socket = socket.create_server((host, 0))
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Host and port a client connects to."""
        host, port = self._socket.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Accept connections in a daemon thread."""
        self._socket.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, name="destgen-sftp", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting and close the socket."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._session, args=(connection,), daemon=True).start()

    def _session(self, connection: socket.socket) -> None:
        transport = paramiko.Transport(connection)
        transport.add_server_key(self._host_key)
        handler = _Authenticator(self.accounts)
        transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _ReadOnlyFolder)
        try:
            transport.start_server(server=handler)
            channel = transport.accept(30)
            if channel is None:
                transport.close()
                return
            while transport.is_active() and not self._stopping.is_set():
                self._stopping.wait(0.2)
        except (paramiko.SSHException, OSError, EOFError):
            pass
        finally:
            transport.close()


class _Authenticator(paramiko.ServerInterface):  # type: ignore[misc]  # paramiko: untyped
    """Password or public key, as a base connection declared; the login decides the root."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.login: Login | None = None

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        self.login = self.accounts.by_password(username, password)
        return int(paramiko.AUTH_SUCCESSFUL if self.login else paramiko.AUTH_FAILED)

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        self.login = self.accounts.by_key(username, key)
        return int(paramiko.AUTH_SUCCESSFUL if self.login else paramiko.AUTH_FAILED)

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return int(
            paramiko.OPEN_SUCCEEDED
            if kind == "session"
            else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        )


class _ReadOnlyFolder(paramiko.SFTPServerInterface):  # type: ignore[misc]  # paramiko: untyped
    """The login's delivered folder as ``/``: list, stat and read; a path never leaves it."""

    def __init__(self, server: _Authenticator, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        assert server.login is not None
        login = server.login
        self.root = login.root.resolve()
        # A root that a link carries out of the delivery folder shows nothing at all.
        self.jailed = self.root.is_relative_to(login.jail.resolve())

    def _local(self, path: str) -> Path:
        local = (self.root / path.lstrip("/")).resolve()
        inside = self.jailed and local.is_relative_to(self.root)
        return local if inside else self.root / "\x00nowhere"

    def list_folder(self, path: str) -> Any:
        folder = self._local(path)
        if not folder.is_dir():
            return paramiko.SFTP_NO_SUCH_FILE
        found = []
        for entry in sorted(folder.iterdir()):
            attributes = paramiko.SFTPAttributes.from_stat(entry.stat())
            attributes.filename = entry.name
            found.append(attributes)
        return found

    def stat(self, path: str) -> Any:
        local = self._local(path)
        if not local.exists():
            return paramiko.SFTP_NO_SUCH_FILE
        return paramiko.SFTPAttributes.from_stat(local.stat())

    lstat = stat

    def open(self, path: str, flags: int, attr: Any) -> Any:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC):
            return paramiko.SFTP_PERMISSION_DENIED  # read-only: a write is refused, new file or not
        local = self._local(path)
        if not local.is_file():
            return paramiko.SFTP_NO_SUCH_FILE
        handle = paramiko.SFTPHandle(flags)
        handle.readfile = local.open("rb")
        return handle

    def _read_only(self, *_args: Any) -> int:
        """Every change to the delivered folder: refused as a read-only server refuses it."""
        return int(paramiko.SFTP_PERMISSION_DENIED)

    remove = rename = posix_rename = mkdir = rmdir = setattr = chattr = symlink = _read_only

    def canonicalize(self, path: str) -> str:
        return "/" + str(self._local(path).relative_to(self.root)).removeprefix(".")
