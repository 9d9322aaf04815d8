"""Reference data: shipped CSVs, EITI's GFS slips corrected, idempotent loading."""
from sqlalchemy import func, select

from esg_portal.audit import AuditEvent
from esg_portal.extensions import db
from esg_portal.reference.loader import load_reference_data, read_reference_csv
from esg_portal.reference.models import GfsCode, GovernmentEntity, Mineral, Region, RevenueStream, Site


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_programme_lists_are_complete(app_ctx):
    assert count(Mineral) == 22
    assert count(Region) == 9
    assert count(Site) == 25
    assert count(GovernmentEntity) == 7
    assert count(RevenueStream) == 14
    priority = db.session.scalars(select(Site).where(Site.category == "priority_project")).all()
    assert sorted(site.code for site in priority) == ["T1-01", "T1-02", "T1-03", "T1-04"]


def test_gfs_slips_are_corrected(app_ctx):
    codes = {g.code: g for g in db.session.scalars(select(GfsCode))}
    assert codes["1415E3"].parent_code == "1415E" and codes["1415E3"].is_heading
    assert codes["1415E3"].name_en.startswith("Production entitlements")
    assert codes["1415E"].name_en == "Rent"
    assert codes["1415E31"].parent_code == "1415E3"
    assert codes["1143E"].parent_code == "114E"
    assert codes["1153E1"].parent_code == "115E"
    assert codes["144E1"].parent_code == "14E"
    # every parent exists, and there are no duplicate codes in the shipped file
    rows = read_reference_csv("gfs_codes.csv")
    assert len({r["code"] for r in rows}) == len(rows)
    assert all(g.parent_code is None or g.parent_code in codes for g in codes.values())


def test_streams_point_at_data_entry_codes_and_their_default_entities(app_ctx):
    royalty = db.session.scalar(select(RevenueStream).where(RevenueStream.code == "ROYALTY"))
    assert royalty.gfs_code.code == "1415E1" and not royalty.gfs_code.is_heading
    assert royalty.default_entity.code == "STS" and royalty.is_levied_per_project
    local = db.session.scalar(select(RevenueStream).where(RevenueStream.code == "LOCAL_DEV"))
    assert local.is_subnational and local.default_entity.level == "subnational"
    for stream in db.session.scalars(select(RevenueStream)):
        assert not stream.gfs_code.is_heading, stream.code


def test_sites_link_their_critical_minerals_and_keep_the_others_as_codes(app_ctx):
    aktash = db.session.scalar(select(Site).where(Site.code == "T1-03"))
    assert aktash.region.code == "BATKEN"
    assert [m.code for m in aktash.minerals] == ["FLUORITE", "SB"]
    assert aktash.commodity_codes == "SB;FLUORITE;AU"  # gold is not a critical mineral


def test_loading_again_changes_nothing_and_records_nothing(app_ctx):
    before = count(AuditEvent)
    counts = load_reference_data()
    db.session.commit()
    assert counts["minerals"] == 22 and counts["sites"] == 25
    assert counts["created"] == 0 and counts["differing"] == 0
    assert count(Mineral) == 22 and count(Site) == 25
    assert count(AuditEvent) == before


def test_an_edited_row_is_kept_unless_overwrite_is_asked(app_ctx, reference_mutable):
    copper = db.session.scalar(select(Mineral).where(Mineral.code == "CU"))
    copper.name_ky = "edited"
    db.session.commit()
    counts = load_reference_data()
    db.session.commit()
    assert copper.name_ky == "edited"
    assert counts["differing"] == 1 and counts["created"] == 0
    counts = load_reference_data(overwrite=True)
    db.session.commit()
    assert copper.name_ky == "Жез"
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.table_name == "mineral" and last.changes == {"name_ky": ["edited", "Жез"]}


def test_a_missing_row_is_added_again(app_ctx, reference_mutable):
    db.session.delete(db.session.scalar(select(Mineral).where(Mineral.code == "ZR")))
    db.session.commit()
    counts = load_reference_data()
    db.session.commit()
    assert counts["created"] == 1 and count(Mineral) == 22


def test_cli_loads_reference_data(runner):
    result = runner.invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "minerals: 22" in result.output
