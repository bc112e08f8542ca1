#!/usr/bin/env bash
# One-command set-up on a fresh Debian bookworm machine (run as root, or with sudo available):
#   bash scripts/install.sh
# Idempotent. Installs the Debian packages the project uses (TTS engines and voices for the
# samples and the training corpus, the corpus text sources, sox, Debian's PyTorch/ONNX/pytest
# for the training recipe and its tests), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# Several voices (RHVoice, Pico, MBROLA) live in apt's contrib and non-free components.
bash scripts/apt-components.sh

APT_PACKAGES=(
  sox chromium alsa-utils
  # TTS engines and voices (training voices, validation voices, reserved test voices)
  espeak-ng flite festival festvox-kallpc16k festvox-us-slt-hts
  festvox-kdlpc16k festvox-rablpc16k festvox-don
  rhvoice rhvoice-english libttspico-utils
  mbrola mbrola-us1 mbrola-us2 mbrola-us3 mbrola-en1
  mbrola-de1 mbrola-de2 mbrola-de3 mbrola-de4 mbrola-de5 mbrola-de6
  mbrola-fr1 mbrola-fr4 mbrola-gr2 mbrola-hu1 mbrola-nl2 mbrola-pl1 mbrola-ro1
  mbrola-sw1 mbrola-sw2 mbrola-af1
  # corpus text sources (training/corpus/SOURCES.md)
  fortunes fortunes-min wordnet-base
  # training recipe and its tests
  python3-numpy python3-torch python3-onnx python3-pytest libopenblas0-openmp
  # the job queue's tests and bench (BullMQ's Redis; the tests start their own server, never the
  # service; openssl makes the TLS test's certificates)
  redis-server openssl
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: apt-get install ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node's install script would try to download CUDA files, which fails offline; the CPU
# binaries ship inside the npm package itself. package.json's allowScripts denies that script on
# npm 11; the variable (onnxruntime-node's own switch) covers older npm too, and so does .npmrc's
# onnxruntime-node-install=skip for any npm command run in this checkout (npm 11 warns that it does
# not know the key, and still passes it to the script). npm ci also builds dist/ (the `prepare` script).
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
