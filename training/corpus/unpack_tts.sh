#!/bin/sh
# TTS engines for a machine without them and without network (e.g. a GPU box):
#   here:   sh training/corpus/unpack_tts.sh download [DEBDIR]     (needs apt, network)
#   there:  sh training/corpus/unpack_tts.sh unpack [DEBDIR] PREFIX
#           eval "$(sh training/corpus/unpack_tts.sh env PREFIX)"
# DEBDIR defaults to training/work/tts_debs (gitignored; carry it to the other machine).
# espeak-ng and flite only; sox (augmentation) and festival are not packed.
set -eu
ARCH_LIB=x86_64-linux-gnu
DEBS="espeak-ng espeak-ng-data libespeak-ng1 libpcaudio0 libsonic0 flite libflite1
  libasound2 libasound2-data libpulse0 libsndfile1 libasyncns0 libx11-xcb1 libx11-6 libxcb1
  libxau6 libxdmcp6 libflac12 libvorbis0a libvorbisenc2 libopus0 libogg0 libmpg123-0
  libmp3lame0 libbsd0 libmd0 libdbus-1-3"

cmd=${1:-}
case "$cmd" in
  download)
    dir=${2:-training/work/tts_debs}
    mkdir -p "$dir"
    (cd "$dir" && apt-get download $DEBS)
    ;;
  unpack)
    dir=${2:-training/work/tts_debs}
    prefix=${3:?unpack needs a PREFIX}
    mkdir -p "$prefix"
    for deb in "$dir"/*.deb; do dpkg -x "$deb" "$prefix"; done
    ;;
  env)
    prefix=$(cd "${2:?env needs a PREFIX}" && pwd)
    echo "export PATH=\"$prefix/usr/bin:\$PATH\""
    echo "export LD_LIBRARY_PATH=\"$prefix/usr/lib/$ARCH_LIB:$prefix/lib/$ARCH_LIB:$prefix/usr/lib/$ARCH_LIB/pulseaudio:\${LD_LIBRARY_PATH:-}\""
    # espeak-ng looks for $ESPEAK_DATA_PATH/espeak-ng-data
    echo "export ESPEAK_DATA_PATH=\"$prefix/usr/lib/$ARCH_LIB\""
    ;;
  *)
    echo "usage: $0 download [DEBDIR] | unpack [DEBDIR] PREFIX | env PREFIX" >&2
    exit 2
    ;;
esac
