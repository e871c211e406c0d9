"""The fake registries' own tests use the plugin's fixture. pytest refuses `pytest_plugins`
outside the root conftest, so the fixture is imported here instead (the root conftest may
register the plugin too: this definition wins for these tests only)."""

from ventanilla.integrations.registries.testing import registry_processes  # noqa: F401
