"""The client's IP address, as far as the deployment lets us trust it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only for the configured proxy hops."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))


def truncated_ip(address: str) -> str:
    """The network, not the device: IPv4 to /24, IPv6 to /48 ("" if not an address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
