"""Airbyte's standard connector tests, run against this connector's image.

airbyte-cdk's `DockerConnectorTestSuite` is what Airbyte runs for connectors
that are not written in Python: `spec` (one valid spec; a config that matches
it), `check` with the valid and the invalid config, `discover`, and a
full-refresh `read`, each in the image through a `docker` CLI, with a check
that no secret of the config appears in any output. The scenarios come from
`acceptance-test-config.yml` at the connector's root (the folder above the
first one holding metadata.yaml).

    python -m pytest -p airbyte_cdk.test.standard_tests.pytest_hooks \
        ci/standard_tests/test_source_paystack.py \
        --connector-image IMAGE --read-from-streams=all

(`-p` loads the suite's options and its `scenario` parametrisation.)

With a real key in secrets/config.json this runs as the file declares. CI
(ci/standard-tests.sh) runs it against the fake Paystack, which has records
in every stream: there SOURCE_PAYSTACK_EVERY_STREAM=1 drops the catalog and
the `empty_streams` of the read entries, so every discovered stream (all 23)
is read and must return records that match its schema.
"""

import os
from typing import Any

import yaml
from boltons.typeutils import classproperty

from airbyte_cdk.test.standard_tests.docker_base import DockerConnectorTestSuite
from airbyte_cdk.utils.connector_paths import ACCEPTANCE_TEST_CONFIG

READ_SECTIONS = ("basic_read", "full_refresh")


class _AsWritten(DockerConnectorTestSuite):
    """The suite with acceptance-test-config.yml exactly as written (not
    collected: its name does not start with Test)."""


class TestSourcePaystack(DockerConnectorTestSuite):
    """The standard tests; on the fake Paystack, every stream is read."""

    @classproperty
    def acceptance_test_config(cls) -> Any:
        path = cls.get_connector_root_dir() / ACCEPTANCE_TEST_CONFIG
        config = yaml.safe_load(path.read_text())
        if os.environ.get("SOURCE_PAYSTACK_EVERY_STREAM") == "1":
            for section in READ_SECTIONS:
                for entry in config["acceptance_tests"].get(section, {}).get("tests", []):
                    entry.pop("configured_catalog_path", None)
                    entry.pop("empty_streams", None)
        return config


def test_acceptance_test_config_loads_as_written() -> None:
    """Current Airbyte tooling collects the file as it is: no key it rejects,
    and each config runs the commands of the sections that list it."""
    scenarios = {s.id: s for s in _AsWritten.get_scenarios()}
    assert sorted(scenarios) == ["config", "invalid_config"], sorted(scenarios)
    config = scenarios["config"]
    assert config.commands == {"spec", "check", "discover", "read"}, config.commands
    assert config.expected_outcome.expect_success()
    assert str(config.configured_catalog_path) == "integration_tests/configured_catalog.json"
    assert len(config.empty_streams or []) == 7
    invalid = scenarios["invalid_config"]
    assert invalid.commands == {"check"}, invalid.commands
    assert invalid.expected_outcome.expect_exception()
