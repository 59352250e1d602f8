# Sourced by scripts/test.sh: starts the real components that tests use
# (a throwaway PostgreSQL cluster, npm packages, Chromium) and exports where they are.
: "${CONNECTMAIL_TEST_TMP:=$(mktemp -d /tmp/connectmail-test.XXXXXX)}"
export CONNECTMAIL_TEST_TMP
