"""Client-supplied file names that must never reach a path, header or page."""

from __future__ import annotations


def hostile_filenames() -> list[str]:
    """Client-supplied file names that must never be used as a path, header value or markup:
    path traversal (both separators), NUL, a 1000-character name, a right-to-left override
    disguising ``.exe`` as ``.pdf``, HTML/script, CRLF header injection, a Windows device
    name, percent-encoded traversal and an empty name."""
    return [
        "../../../etc/passwd",
        "..\\..\\Windows\\win.ini",
        "cv.pdf\x00.exe",
        "a" * 1000 + ".pdf",
        "cv\u202efdp.exe",
        "<script>alert(1)</script>.pdf",
        '"><img src=x onerror=alert(1)>.docx',
        "cv.pdf\r\nSet-Cookie: session=stolen",
        "CON.pdf",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "",
    ]
