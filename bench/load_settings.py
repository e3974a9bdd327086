"""Settings of the servers bench/load.py starts: the production settings, unchanged (throttles,
sign-in lockout and the psycopg pool included), plus bench.urls's bare JSON view, the
baseline the load test compares the mixed workload with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
