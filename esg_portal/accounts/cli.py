"""``esg-portal users ...``: create accounts from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..reference.models import GovernmentEntity
from .models import Role
from .services import create_user


#: service field names → the options that set them, so messages name what to fix
_OPTION_OF_FIELD = {"email": "--email", "full_name": "--name", "role": "--role", "company_id": "--company-inn",
                    "agency_id": "--agency", "position": "--position", "password": "--password"}


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--company-inn", default=None, help="For company filers: the company's 14-digit INN.")
@click.option("--agency", default=None, help="For agency officers: the government entity code, e.g. STS.")
@click.option("--signatory/--no-signatory", default=False)
@click.option("--position", default=None)
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_user_command(email, full_name, role, company_inn, agency, signatory, position, password) -> None:
    """Create a user account."""
    from ..companies.models import Company

    company_id = agency_id = None
    if company_inn:
        company = db.session.scalar(select(Company).where(Company.inn == company_inn))
        if company is None:
            raise click.UsageError(f"No company with INN {company_inn}.")
        company_id = company.id
    if agency:
        entity = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == agency.upper()))
        if entity is None:
            raise click.UsageError(f"No government entity with code {agency}.")
        agency_id = entity.id
    try:
        # no request here to choose a language from: messages use the portal's default one
        with force_locale(current_app.config.get("ESG_DEFAULT_LOCALE") or "en"):
            user = create_user(None, email=email, full_name=full_name, role=Role(role), password=password,
                               company_id=company_id, agency_id=agency_id, is_signatory=signatory,
                               position=position)
    except ValidationError as error:
        db.session.rollback()
        for field, messages in error.errors.items():
            click.echo(f"{_OPTION_OF_FIELD.get(field, field)}: {'; '.join(messages)}", err=True)
        raise SystemExit(2) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
