#!/bin/sh
# Here (apt and network): fetch what training/device/run.sh needs on a GPU machine into
# training/device/debs (gitignored), within the 64 MiB tree limit. See training/README.md.
#   sh training/device/pack.sh            then   python3 -m training.device.pack --verify
set -eu
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 -m training.device.pack "$@"
