"""The one client for outbound HTTP (webhooks of handling flows; SECURITY.md: SSRF).

The host is resolved once and every address it resolves to must be public: private,
loopback, link-local (cloud metadata), multicast, reserved and unspecified addresses are
refused in every notation (decimal, octal and hex IPv4, IPv4-mapped IPv6). The
connection then goes to the address that was checked (pinned), so a second DNS answer
cannot point it elsewhere, and redirects are never followed. ``GUANXI_OUTBOUND_ALLOW``
lists addresses a deployment trusts anyway (an intranet ERP; the tests' own server).
"""

import http.client
import ipaddress
import json
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT = 5
MAX_RESPONSE = 64 * 1024


class OutboundRefused(Exception):
    """The address is not one Guanxi will call."""


def _allowed_extra():
    return {ipaddress.ip_address(a) for a in getattr(settings, "GUANXI_OUTBOUND_ALLOW", [])}


def check_address(address):
    """Raise OutboundRefused unless ``address`` (an IP string) is a public one."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in _allowed_extra():
        return ip
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local \
            or ip.is_private or ip.is_unspecified:
        raise OutboundRefused(_("The address %(ip)s is not a public one.") % {"ip": ip})
    return ip


def resolve(host, port):
    """Resolve ``host`` (a name or any notation of an address) and check every answer."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(_("The host %(host)s cannot be found.") % {"host": host}) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise OutboundRefused(_("The host %(host)s cannot be found.") % {"host": host})
    for address in addresses:
        check_address(address)
    return addresses[0]


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post_json(url, payload, headers=None, timeout=TIMEOUT):
    """POST ``payload`` as JSON; return (status, first 64 KB of the body). Raises
    OutboundRefused for a refused address or URL, OSError for network failures."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(_("Only http and https addresses can be called."))
    if parts.username or parts.password:
        raise OutboundRefused(_("Addresses with a user name or password are not called."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port)
    if parts.scheme == "https":
        connection = _PinnedHTTPS(parts.hostname, address, port=port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        connection = _PinnedHTTP(parts.hostname, address, port=port, timeout=timeout)
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": "Guanxi-CRM", **(headers or {})})
        response = connection.getresponse()  # redirects are answers like any other: never followed
        return response.status, response.read(MAX_RESPONSE)
    finally:
        connection.close()
