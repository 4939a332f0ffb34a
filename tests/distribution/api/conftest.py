from tests.distribution.sales.conftest import make_story, terms  # noqa: F401 - shared fixtures
