"""The public pages share the demo fixture of publication_support."""
from publication_support import demo  # noqa: F401  (registers the fixture)
