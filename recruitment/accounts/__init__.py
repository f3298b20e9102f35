"""Staff accounts: signing in with a password and a second factor.

The second factor (TOTP with recovery codes, WebAuthn security keys and passkeys, trusted
browsers) is django-allauth's MFA app; this package configures it for a workspace where no
one signs up (admins create accounts), makes it compulsory for everything under /staff/ and
/admin/ (`middleware`), ties its failures into django-axes' lockout (`forms`, `receivers`),
and lets an admin reset a colleague's second factor, audited (`services`).
"""
