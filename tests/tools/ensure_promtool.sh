#!/usr/bin/env bash
# deploy/prometheus/rules.yaml is checked with `promtool check rules` and `promtool test rules`
# (tests/test_observability_deploy.py). promtool comes with Debian's `prometheus` package; nothing downloads a binary.
# Installs the package when promtool is missing and we are root (CI, the project's machines); otherwise says how.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's prometheus (for promtool) for the alert rule tests (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  exit 0
fi
cat >&2 <<MSG
note: no promtool on the PATH, so the Prometheus rule tests will be skipped.
      Install it with: sudo apt-get install prometheus   (Debian/Ubuntu)
MSG
