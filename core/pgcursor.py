"""PostgreSQL cursors that bind parameters on the server, so that psycopg can prepare the
statements a process runs again and again (config.settings, DB_PREPARE_THRESHOLD).

Why: the dashboard's and the team page's reads join eight or nine tables each; PostgreSQL
spent 3 to 6 ms planning each of them and 0.1 to 0.4 ms running it (EXPLAIN ANALYZE at 12,000
people, docs/benchmarks.md). A prepared statement is planned once per connection. Django
binds on the client by default (its `Cursor`), which can never prepare; its
`ServerBindingCursor` can, and psycopg prepares a query once it has run `prepare_threshold`
times on a connection.

One limit comes with binding on the server: the protocol counts a statement's parameters in
16 bits, so a statement with more than 65,535 of them (a bulk insert of thousands of rows, an
`IN` list of tens of thousands of ids) is refused. Such a statement is rare and never
repeated, so it is formatted on the client instead, as Django's default cursor does, and not
prepared.
"""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql.base import ServerBindingCursor

# The wire protocol's limit (a 16-bit count); beyond it the parameters go inline.
MAX_BOUND_PARAMS = 65_535


class PreparingCursor(ServerBindingCursor):
    """Django's server-binding cursor, with statements over the protocol's parameter limit
    formatted on the client."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if params is not None and len(params) > MAX_BOUND_PARAMS:
            query = psycopg.ClientCursor(self.connection).mogrify(query, params)
            params, prepare = None, False
        return super().execute(query, params, prepare=prepare, binary=binary)
