"""
Settings of the app servers that tests start as processes of their own
(tests/tongyun/test_limits_shared.py): the test settings, but with the
cache that CACHE_URL names, which those processes share, instead of each
test's own in memory.
"""

from tongyun import settings as configured
from tongyun.settings_test import *  # noqa: F403 (all the test settings)

CACHES = configured.CACHES
