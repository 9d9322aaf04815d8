"""Alembic environment for esg_portal (run through Flask-Migrate: ``esg-portal db ...``)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def _render_item(type_, obj, autogen_context):
    """Write the project's column types as plain SQLAlchemy types, so revisions import nothing of the app."""
    if type_ == "type" and hasattr(obj, "impl") and obj.__class__.__module__.startswith("esg_portal"):
        return "sa." + repr(obj.impl)
    return False


def _configure_args() -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("render_item", _render_item)
    args.setdefault("compare_type", True)
    args.setdefault("render_as_batch", True)
    return args


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata,
                      literal_binds=True, **_configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_, revision, directives):
        """Do not write an empty revision when autogenerate finds no change."""
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    args = _configure_args()
    args.setdefault("process_revision_directives", skip_empty)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
