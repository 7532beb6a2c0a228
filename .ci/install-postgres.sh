#!/usr/bin/env bash
# CI: PostgreSQL's server programs from the distribution, for the test suite's PostgreSQL runs.
# The tests start a throw-away server of their own (tests/postgres.py), so the package's
# default cluster is not created. Runs as root on a fresh Debian machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/mockjobs.conf
apt-get update
apt-get install -y --no-install-recommends postgresql
ls /usr/lib/postgresql/*/bin/initdb  # where the tests find it (not on PATH)
