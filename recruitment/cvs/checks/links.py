"""Which link targets a CV may contain (PDF /URI actions and DOCX hyperlinks alike)."""

from __future__ import annotations

import re

# CVs link to profiles, portfolios, email and phone numbers. Every other scheme is either a
# script (javascript:, vbscript:), a way to reach the reader's own machine or network (file:,
# smb:, UNC paths, which also leak Windows credentials) or an OS protocol handler (ms-msdt:,
# search-ms:, the Follina family), so an allowlist is both simpler and safer than a denylist.
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Browsers and Office drop ASCII whitespace and control characters inside URLs, so
# "java\tscript:" is "javascript:".
_IGNORED_CHARACTERS = re.compile(r"[\x00-\x20\x7f]+")


def is_unsafe_link(target: str) -> bool:
    """True when a clickable link points anywhere but the web, email or a phone number.

    Targets without a scheme ("www.example.com") are relative references and allowed, except
    network paths ("//host/x", "\\\\host\\x") and absolute local paths ("/etc", "\\x").
    """
    compact = _IGNORED_CHARACTERS.sub("", target).casefold()
    match = _SCHEME.match(compact)
    if match is not None:
        return match.group(1) not in _ALLOWED_SCHEMES
    return compact.startswith(("/", "\\"))
