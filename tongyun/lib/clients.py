"""
Who sent a request: the client's address, as the rate limits of the public
forms (tongyun.lib.limits) and the staff login's lock-out (django-axes,
AXES_CLIENT_IP_CALLABLE) count it.

settings.TRUSTED_PROXY_COUNT says how many reverse proxies stand between
the client and the app, each appending the address it was reached from to
X-Forwarded-For (nginx's $proxy_add_x_forwarded_for):

- 0: the app is reached directly. The address is REMOTE_ADDR; any
  X-Forwarded-For is the client's own words and is ignored.
- 1: one nginx in front. The right-most address of X-Forwarded-For is the
  one nginx appended, the client as nginx saw it; whatever stands left of
  it came from the client and is ignored.
- n: the n-th address from the right, the one the outermost proxy appended.

python-ipware reads the header; a header that is missing, or holds nothing
usable where the proxies' address should be, falls back to REMOTE_ADDR (the
proxy itself), never to an address the client chose.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from python_ipware import IpWare

# Only the header the proxies write: python-ipware's default list also reads
# headers (X-Real-IP, CF-Connecting-IP, …) that any client can send.
FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"
# Rate limits count an IPv6 client by its /64: one home or phone gets a whole
# /64 and may pick any address in it.
IPV6_PREFIX = 64


@lru_cache(maxsize=4)
def _reader(proxy_count):
    # python-ipware counts the proxies written in the header, before the
    # last one: the proxy that reaches the app appears only as REMOTE_ADDR.
    return IpWare(precedence=(FORWARDED_HEADER,), proxy_count=proxy_count - 1)


def _parse(text):
    try:
        address = ipaddress.ip_address(text.strip())
    except (AttributeError, ValueError):
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request):
    """
    The client's address as an ipaddress object, or None when even
    REMOTE_ADDR holds none (a Unix socket without a proxy in front).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        address, _trusted = _reader(proxies).get_client_ip(request.META)
        if address is not None:
            return address
    return _parse(request.META.get("REMOTE_ADDR", ""))


def client_address(request):
    """
    The client's address as text ("203.0.113.7", "2001:db8::1"), None when
    there is none: what the staff lock-out records and unlock_staff takes.
    """
    address = client_ip(request)
    return str(address) if address is not None else None


def client_network(request):
    """
    What the rate limits count one client by: its IPv4 address, or the /64
    of its IPv6 address; "unknown" when there is none.
    """
    address = client_ip(request)
    if address is None:
        return "unknown"
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False)
        return str(network)
    return str(address)
