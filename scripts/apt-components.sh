#!/usr/bin/env bash
# Adds apt's contrib and non-free components to the Debian sources (deb822 or one-line
# format) so that RHVoice, Pico and MBROLA voices can be installed. Idempotent; does nothing
# when they are already enabled. Runs apt-get update only when it changed something.
set -euo pipefail
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
changed=0
deb822=/etc/apt/sources.list.d/debian.sources
if [ -f "$deb822" ] && grep -q '^Components:' "$deb822"; then
  if grep -E '^Components:' "$deb822" | grep -qvE '\bcontrib\b.*\bnon-free\b|\bnon-free\b.*\bcontrib\b'; then
    $SUDO sed -i -E '/^Components:/{/contrib/!s/$/ contrib/;/non-free( |$)/!s/$/ non-free/}' "$deb822"
    changed=1
  fi
fi
if [ -f /etc/apt/sources.list ] && grep -qE '^deb .*debian.* main' /etc/apt/sources.list; then
  if grep -E '^deb .*debian.* main' /etc/apt/sources.list | grep -qv 'non-free'; then
    $SUDO sed -i -E '/^deb .*debian.* main/{/contrib/!s/$/ contrib/;/non-free( |$)/!s/$/ non-free/}' /etc/apt/sources.list
    changed=1
  fi
fi
if [ "$changed" = 1 ]; then
  echo "apt-components: enabled contrib and non-free"
  $SUDO apt-get update -q
fi
