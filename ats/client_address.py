"""The client's IP address, as far as the deployment lets us trust it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# An IPv6 subscriber is normally given a whole /64 (SLAAC, privacy extensions) and can pick a
# new address in it for every request; the /64 is what identifies them, like one IPv4 address.
IPV6_CLIENT_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only for the configured proxy hops."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))


def client_network(address: str) -> str:
    """What identifies one client for rate limits: an IPv4 address as it is, an IPv6 address
    as its /64 network (written as the network's first address), an IPv4-mapped IPv6 address
    (`::ffff:192.0.2.1`, from a dual-stack socket) as the IPv4 address. Anything that is not
    an address is returned unchanged."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        # From the integer: a zone id (`fe80::1%eth0`) names an interface, not a client.
        network = ipaddress.IPv6Network((int(ip), IPV6_CLIENT_PREFIX), strict=False)
        return str(network.network_address)
    return str(ip)


def client_key(request: HttpRequest) -> str:
    """The client as rate limits and the login lockout count it: `client_network` of its
    address."""
    return client_network(client_ip(request))


def truncated_ip(address: str) -> str:
    """The network, not the device: IPv4 to /24, IPv6 to /48 ("" if not an address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
