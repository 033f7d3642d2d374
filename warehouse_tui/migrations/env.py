from alembic import context
from sqlmodel import SQLModel

from warehouse_tui.domain import models  # noqa: F401  (registers the tables)
from warehouse_tui.migrations import include_name

target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_name=include_name,
            render_as_batch=True,  # SQLite alters tables by copying them
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
