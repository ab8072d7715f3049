"""Configuration precedence and errors."""
import pytest

from ocpp_cs.config import ConfigError, load


def test_file_then_environment(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[server]\nport = 1000\n[ocpp]\nversions = ["1.6"]\nidle_timeout = 5\n')
    c = load(str(f), env={"OCPP_CS_SERVER_PORT": "2000", "OCPP_CS_DATABASE_URL": "postgresql://x/y",
                          "OCPP_CS_MESSAGE_LOG_ENABLED": "false"})
    assert c.server.port == 2000
    assert c.database.url == "postgresql://x/y"
    assert c.ocpp.idle_timeout == 5.0
    assert c.message_log.enabled is False


def test_unknown_key_is_an_error(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text("[server]\nprot = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'prot'"):
        load(str(f), env={})


def test_bad_value_is_an_error():
    with pytest.raises(ConfigError, match="OCPP_CS_SERVER_PORT"):
        load(None, env={"OCPP_CS_SERVER_PORT": "many"})


def test_shipped_file_loads():
    from pathlib import Path
    c = load(str(Path(__file__).resolve().parents[1] / "conf" / "ocpp-cs.toml"), env={})
    assert c.server.port == 9220 and c.ocpp.default_version == "1.6"


def test_field_tolerances_from_the_environment():
    config = load(env={"OCPP_CS_OCPP_TIMESTAMPS_WITHOUT_OFFSET": "Refuse",
                       "OCPP_CS_OCPP_INTEGRAL_FLOATS": "false",
                       "OCPP_CS_OCPP_MAX_IDENTITY_LENGTH": "20",
                       "OCPP_CS_OCPP_MAX_JSON_DEPTH": "32"})
    assert (config.ocpp.timestamps_without_offset, config.ocpp.integral_floats,
            config.ocpp.max_identity_length, config.ocpp.max_json_depth) == ("refuse", False, 20, 32)
    defaults = load(env={})
    assert (defaults.ocpp.timestamps_without_offset, defaults.ocpp.integral_floats,
            defaults.ocpp.max_identity_length, defaults.ocpp.max_json_depth) == ("utc", True, 48, 64)
    with pytest.raises(ConfigError, match="timestamps_without_offset: expected one of utc, refuse"):
        load(env={"OCPP_CS_OCPP_TIMESTAMPS_WITHOUT_OFFSET": "local"})
