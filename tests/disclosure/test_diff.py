"""diff_documents: what changed between two versions, row by row and field by field."""
from esg_portal.disclosure.diff import Change, diff_documents


def _doc(payments, profile=None, declarations=None):
    return {"sections": {"payments": payments, "profile": profile or {"inn": "1", "legal_name": "A", "licences": []},
                         "eia": []},
            "declarations": declarations or {}}


def _pay(stream, amount, project="", comment=""):
    return {"revenue_stream": stream, "government_entity": "STS", "project": project, "currency": "KGS",
            "paid_in_kind": "no", "amount": amount, "in_kind_volume": "", "in_kind_unit": "",
            "recipient_locality": "", "comment": comment}


def test_identical_documents_have_no_difference():
    doc = _doc([_pay("CIT", "1.00")])
    assert diff_documents(doc, doc) == []


def test_changed_added_and_removed_payment_rows():
    old = _doc([_pay("CIT", "1.00"), _pay("VAT", "2.00")])
    new = _doc([_pay("CIT", "1.50", comment="corrected"), _pay("ROYALTY", "3.00", project="L-1")])
    changes = diff_documents(old, new)
    assert Change("payments", "CIT / STS / KGS", "amount", "1.00", "1.50") in changes
    assert Change("payments", "CIT / STS / KGS", "comment", "", "corrected") in changes
    assert [c.field for c in changes if c.item == "VAT / STS / KGS"] == ["*removed*"]
    assert [c.field for c in changes if c.item == "ROYALTY / STS / L-1 / KGS"] == ["*added*"]


def test_profile_licences_and_declarations_are_compared():
    old = _doc([], {"inn": "1", "legal_name": "A", "licences": [{"number": "L-1", "status": "active"}]})
    new = _doc([], {"inn": "1", "legal_name": "B", "licences": [{"number": "L-1", "status": "expired"}]},
               {"payments": {"kind": "nil", "reason": "none"}})
    changes = diff_documents(old, new)
    assert changes[0] == Change("profile", "", "legal_name", "A", "B")
    assert Change("licences", "L-1", "status", "active", "expired") in changes
    assert [c.field for c in changes if c.section == "declarations"] == ["*added*"]
