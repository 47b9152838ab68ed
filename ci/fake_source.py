"""The PyAirbyte source CI scripts read the fake Paystack with: the built
connector as a local executable, with the fake's test key."""

import os


def fake_source(executable, api_url):
    """source-paystack at `executable`, reading the fake Paystack at
    `api_url` (the connector reads the API's base URL from the environment;
    PyAirbyte passes its environment to the executable)."""
    os.environ["PAYSTACK_API_URL"] = api_url
    import airbyte as ab

    return ab.get_source(
        "source-paystack",
        local_executable=executable,
        config={
            "secret_key": "sk_test_fakepaystack000",
            "start_date": "2024-01-01T00:00:00Z",
            "lookback_window_days": 0,
            "requests_per_minute": 100000,
        },
        install_if_missing=False,
    )
