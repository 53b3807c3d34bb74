"""Reliability tests run the app with a 1 s Intuit timeout (a 3 s refresh lease) so fault paths stay quick."""
import pytest

from app import create_app
from qbo.storage.db import get_db
from tests.conftest import app_config, seed_accounts


@pytest.fixture
def app(tmp_path, intuit):
    app = create_app(app_config(tmp_path, intuit.url, INTUIT_HTTP_TIMEOUT=1))
    with app.app_context():
        seed_accounts(get_db())
    return app
