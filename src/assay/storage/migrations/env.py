"""Alembic environment: runs on the connection Database.upgrade() passes in."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via Database.upgrade()
    raise RuntimeError("run migrations through assay.storage.Database.upgrade()")

context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
