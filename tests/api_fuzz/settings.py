"""Settings for the API fuzz run (tests/api_fuzz/run): the test settings, evidence in the run's folder."""

import os

from safeguard.test_settings import *  # noqa: F403

STORAGES["evidence"]["OPTIONS"]["location"] = os.path.join(os.environ["SAFEGUARD_API_FUZZ_DIR"], "evidence")  # noqa: F405
STORAGES["default"]["OPTIONS"]["location"] = os.path.join(os.environ["SAFEGUARD_API_FUZZ_DIR"], "media")  # noqa: F405
