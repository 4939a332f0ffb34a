import pytest

from tests import factories

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)


@pytest.fixture(scope="class")
def published_row(shared_db):
    """One published story, made once for a class (``shared_db``); a module
    hands it to its tests with ``fresh``."""
    return factories.case_study_in_state("published", actor=factories.program_manager())


@pytest.fixture
def story(story_at):
    return story_at("published")


@pytest.fixture
def browser(client):
    """A test client that looks like a real browser."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the block's on_commit callbacks (emails, tasks)
    when it ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
