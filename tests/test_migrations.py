"""The models and the migrations describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from esg_portal.extensions import db


def test_autogenerate_finds_no_difference(app_ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_model_table_exists_in_the_migrated_database(app_ctx):
    from sqlalchemy import inspect

    existing = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= existing
    assert "alembic_version" in existing
