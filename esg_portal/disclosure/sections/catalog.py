"""Every ESG section, imported once so that each registers itself; ``ORDER`` is the document order."""
from . import beneficial_owners  # noqa: F401
from . import eia  # noqa: F401
from . import production  # noqa: F401
from . import public_hearings  # noqa: F401
from . import social_agreements  # noqa: F401
from . import workforce  # noqa: F401

#: the ESG sections in the order of the filing document and of every page and report
ORDER = ("eia", "social_agreements", "public_hearings", "workforce", "production", "beneficial_owners")
