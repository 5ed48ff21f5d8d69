"""The database: engine and sessions, the ORM models, migrations (SQLAlchemy only)."""
