#!/usr/bin/env bash
# Prepares a Linux host for cordon's full test suite: the system packages the Linux backend and its
# attack tests use, and an unprivileged user the suite runs sandboxes as. Idempotent; needs root for
# installs (skipped with a message when not root and something is missing).
set -euo pipefail

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v keyctl >/dev/null 2>&1 || need+=(keyutils)
command -v git >/dev/null 2>&1 || need+=(git)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
# The attack suite compiles a static probe.
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/aarch64-linux-gnu/libc.a ] || need+=(libc6-dev)

if [ "$(uname -s)" != "Linux" ]; then
  echo "setup-host: not Linux; nothing to install"
  exit 0
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-host: missing ${need[*]}; run as root (or install them) to run the Linux suite" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt run instead of failing on the dpkg lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
  echo "setup-host: installed ${need[*]}"
fi

# The unprivileged user the security suite runs sandboxes as (it needs a home it owns).
if [ "$(id -u)" -eq 0 ] && ! id cordon-test >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh cordon-test
  echo "setup-host: created user cordon-test"
fi
echo "setup-host: ready (bwrap $(bwrap --version 2>/dev/null | awk '{print $2}'))"
