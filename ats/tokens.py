"""Secret link tokens (the portal's emailed links, the talent pool's invitations): random,
256 bits, and stored only as their SHA-256, so that a copy of the database opens nothing.
No side effects."""

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits of entropy, well over the 128 required


def new_token() -> str:
    """A fresh URL-safe token (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """How a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
