"""The client's IP address, behind a reverse proxy or not: one function for every use of it.

Used by django-axes (``AXES_CLIENT_IP_CALLABLE``: its lock-outs by user name and address, and through it the
sign-in log of ``doluong.accounts``) and by the public certificate check's throttle (``doluong.web``).

``DOLUONG_TRUSTED_PROXIES`` (settings, read from the environment of the same name) says which proxies stand
in front of doluong and may be believed when they add the address they received a request from to
``X-Forwarded-For`` (nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``):

* unset, empty or ``0``: no proxy is trusted; the address is ``REMOTE_ADDR`` and the header is ignored —
  anyone can write it, so believing it without a proxy would let an attacker pick a new address per attempt;
* a number *N*: the *N* hops nearest to doluong are trusted proxies (``1``: nginx on the same host); the client
  is the *N*-th address from the right of ``X-Forwarded-For``, ``REMOTE_ADDR`` being the last hop;
* a list of addresses or networks (``127.0.0.1, 10.0.0.0/8, ::1``): the header is read only when ``REMOTE_ADDR``
  is one of them, and the client is the right-most address of the chain that is not.

Either way the address taken is the right-most one that no trusted proxy vouches for: what a client writes in
the header itself sits to the left of what the proxies append, so it never wins. An entry that is not an IP
address stops the walk at the last good address (the nearest proxy's); the result is always a valid address
(or None when ``REMOTE_ADDR`` itself is missing or bad).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

type Trusted = int | tuple[str, ...]


def parse_trusted_proxies(value) -> Trusted:
    """``DOLUONG_TRUSTED_PROXIES`` as the settings keep it: a count (0: none) or a tuple of networks.

    Accepts what the environment gives (``""``, ``"1"``, ``"127.0.0.1, 10.0.0.0/8"``) and what a settings
    override gives (an int, a list). Raises ValueError on a bad network, so a typo stops the start-up.
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError("DOLUONG_TRUSTED_PROXIES: a count or a list of addresses, not a boolean")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("DOLUONG_TRUSTED_PROXIES: the count cannot be negative")
        return value
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v).strip() for v in value]
    items = [v for v in items if v]
    if not items:
        return 0
    if len(items) == 1 and items[0].isdigit():
        return int(items[0])
    for item in items:
        ipaddress.ip_network(item, strict=False)  # ValueError names the bad entry
    return tuple(items)


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]):
    return tuple(ipaddress.ip_network(i, strict=False) for i in items)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1:text.index("]")]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _unmapped(address):
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (see the module's docstring)."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    trusted = parse_trusted_proxies(getattr(settings, "DOLUONG_TRUSTED_PROXIES", 0))
    if not trusted:
        return str(remote)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h for h in (part.strip() for part in header.split(",")) if h] if header else []
    if isinstance(trusted, int):
        # REMOTE_ADDR is the nearest proxy; each further trusted proxy is one more entry from the right.
        chosen = remote
        for hop in reversed(hops[-trusted:] if trusted else []):
            address = _address(hop)
            if address is None:
                break
            chosen = address
        return str(_unmapped(chosen))
    networks = _networks(trusted)

    def is_trusted(address) -> bool:
        address = _unmapped(address)
        return any(address.version == n.version and address in n for n in networks)

    chosen = remote
    for hop in reversed(hops):
        if not is_trusted(chosen):
            break
        address = _address(hop)
        if address is None:
            break
        chosen = address
    return str(_unmapped(chosen))
