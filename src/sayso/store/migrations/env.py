"""Alembic environment: sayso runs migrations programmatically (``sayso.store.db``), handing
over an open connection in ``config.attributes["connection"]``; the ``alembic`` command
line works too with ``-x url=…``."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from sayso.store.schema import include_object, metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


run()
