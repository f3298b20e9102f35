"""Settings for the apply benchmark's gunicorn: the production settings, plus bench/urls.py
(which adds the "limit" upload view). Only `make bench` uses this module."""

from ats.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
