#!/bin/sh
# Debian packages for the training recipe (corpus stage: text sources, TTS engines, sox;
# pytest for training/tests). Python code runs on Debian's /usr/bin/python3.
set -eu
PACKAGES="espeak-ng flite festival festvox-kallpc16k festvox-us-slt-hts sox \
  fortunes fortunes-min wordnet-base python3-numpy python3-pytest"
if ! apt-get install -y $PACKAGES; then
  apt-get update
  apt-get install -y $PACKAGES
fi
