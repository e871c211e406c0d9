"""bench/submissions.py's settings: production's, with a URLconf that adds one empty view (the
same run's baseline: what the middleware and the URL resolver cost before any page does)."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "submissions_urls"
