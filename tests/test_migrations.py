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


def test_every_revision_downgrades_and_upgrades_again(tmp_path):
    """A scratch database goes up, all the way down and up again; the nil declaration of the
    old two-column layout survives the move to the declarations table."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from support import make_app

    migrations = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "migrations")
    app = make_app(f"sqlite:///{tmp_path}/roundtrip.db")
    with app.app_context():
        upgrade(directory=migrations, revision="d223143879de")
        db.session.execute(text(
            "INSERT INTO company (id, inn, legal_name, is_state_share_free_carried, is_soe, is_registered, created_at) "
            "VALUES (1, '00000000000001', 'Old LLC', 0, 0, 1, '2025-01-01 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO reporting_period (id, year, start_date, end_date, status) "
            "VALUES (1, 2024, '2024-01-01', '2024-12-31', 'closed')"))
        db.session.execute(text(
            "INSERT INTO disclosure (id, company_id, period_id, version, status, created_at, updated_at, "
            "is_nil_payments, nil_payments_reason) VALUES (1, 1, 1, 1, 'submitted', '2025-01-01 00:00:00', "
            "'2025-01-01 00:00:00', 1, 'exploration only')"))
        db.session.commit()
        upgrade(directory=migrations)
        row = db.session.execute(text("SELECT section, kind, reason FROM section_declaration")).one()
        assert tuple(row) == ("payments", "nil", "exploration only")
        downgrade(directory=migrations, revision="d223143879de")
        flags = db.session.execute(text("SELECT is_nil_payments, nil_payments_reason FROM disclosure")).one()
        assert tuple(flags) == (1, "exploration only")
        downgrade(directory=migrations, revision="base")
        upgrade(directory=migrations)
        db.engine.dispose()
