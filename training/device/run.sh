#!/bin/sh
# The prepared command for a GPU machine (training/README.md, "On a GPU machine"):
#   there:  bash training/device/run.sh              (results under $OUT; about 9 minutes)
#   here:   nice -n 10 bash training/device/run.sh --dry-run     (CPU, tiny, temporary $OUT)
# Flags: python3 -m training.device.run --help. Needs training/device/debs from pack.sh.
set -eu
cd "$(dirname "$0")/../.."
PY=${LAS_PYTHON:-python3}  # the GPU machine's python3 holds torch; Debian's here does too
"$PY" -c "import torch" 2>/dev/null || PY=/usr/bin/python3
exec "$PY" -m training.device.run "$@"
