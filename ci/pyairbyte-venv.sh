# shellcheck shell=bash
# Sourced by ci/pyairbyte.sh and ci/dbt.sh (from the repository's root):
# the PyAirbyte version CI pins, and ensure_pyairbyte, which installs it
# into $PYAIRBYTE_VENV (default target/pyairbyte-venv) unless it is there.
PYAIRBYTE_VERSION=0.71.3
PYAIRBYTE_VENV=${PYAIRBYTE_VENV:-$PWD/target/pyairbyte-venv}
# What PyAirbyte needs to run offline and quietly, for its runs.
PYAIRBYTE_ENV=(DO_NOT_TRACK=1 AIRBYTE_OFFLINE_MODE=1 AIRBYTE_NO_UI=1)
ensure_pyairbyte() {
  if ! "$PYAIRBYTE_VENV/bin/python" -c "import airbyte" 2>/dev/null; then
    printf -- '-- install PyAirbyte %s into %s (%s)\n' "$PYAIRBYTE_VERSION" "$PYAIRBYTE_VENV" "$(date -u +%H:%M:%S)"
    python3 -m venv "$PYAIRBYTE_VENV"
    "$PYAIRBYTE_VENV/bin/pip" install -q --disable-pip-version-check "airbyte==$PYAIRBYTE_VERSION"
  fi
}
