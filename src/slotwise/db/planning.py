"""Keeping SQLite's planner statistics current, at a bounded cost.

PostgreSQL's autovacuum analyzes tables as they grow; SQLite never does on its own. An
embedded database that was never ANALYZEd plans the event-list and busy-time queries without
statistics, and may pick an index that walks a calendar's whole past. So `slotwise serve` and
`slotwise worker` refresh the statistics on start, and the worker again when idle, at most
every `REFRESH_EVERY_SECONDS`.

`analysis_limit` makes each index's analysis a sample of about that many rows, so a refresh
costs milliseconds on a million-row table and never holds the write lock for long. From
SQLite 3.46 on, `PRAGMA optimize=0x10002` decides which tables need it; older versions' optimize
only looks at tables the same connection has queried (nothing, on a fresh connection), so they
get a bounded `ANALYZE` of everything.
"""

from __future__ import annotations

import logging
import sqlite3

from slotwise.db.engine import Database

log = logging.getLogger("slotwise.db")

ANALYSIS_LIMIT = 1000
REFRESH_EVERY_SECONDS = 3600.0
_OPTIMIZE_ALL_TABLES = sqlite3.sqlite_version_info >= (3, 46, 0)


def refresh_statistics(db: Database) -> bool:
    """Refresh SQLite's planner statistics (a no-op on PostgreSQL); True when it ran.

    Connections already in the pool keep the statistics they loaded when they opened, so the
    pool is renewed afterwards: connections in use finish their work and are then closed.
    """
    if not db.is_sqlite:
        return False
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("PRAGMA optimize=0x10002" if _OPTIMIZE_ALL_TABLES else "ANALYZE")
        conn.commit()
    db.engine.dispose()
    log.debug("refreshed the planner statistics")
    return True
