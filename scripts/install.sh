#!/usr/bin/env bash
# One-command set-up on a fresh Debian machine (run as root, or with sudo available):
#   bash scripts/install.sh
# Installs the Debian packages the project uses (TTS engines for samples and the training corpus,
# sox, Debian's PyTorch/ONNX/pytest for the training recipe and its tests), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  sox espeak-ng flite festival festvox-kallpc16k
  chromium alsa-utils
  python3-numpy python3-torch python3-onnx python3-pytest libopenblas0-openmp
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install: apt-get install ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# .npmrc holds onnxruntime-node-install=skip: its install script would try to download CUDA
# files, which fails offline. The CPU binaries ship inside the npm package itself.
npm ci --no-audit --no-fund
