"""Hypothesis profiles for the property-based parser tests (imported by tests/test_fuzz*.py).

default  fast, for every test run: 50 examples per test.
fuzz     HYPOTHESIS_PROFILE=fuzz: 2,000 examples per test (over 10,000 in total across the parser tests).

No example database is written (the checks must leave the tree as they found it, and so do their tests).
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

settings.register_profile("default", max_examples=50, **_COMMON)
settings.register_profile("fuzz", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
