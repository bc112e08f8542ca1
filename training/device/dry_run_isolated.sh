#!/bin/sh
# The dry run with this machine's own engines, voices, sox and text packages hidden (as on the
# GPU machine, which has none): a private mount namespace (root, util-linux unshare) lays empty
# tmpfs over their folders and /dev/null over their programs; nothing outside it changes.
#   sh training/device/dry_run_isolated.sh [run.sh flags]
set -eu
cd "$(dirname "$0")/../.."
exec unshare -m sh -c '
set -e
for d in /usr/share/mbrola /usr/share/pico /usr/share/RHVoice /usr/share/festival /usr/share/games/fortunes \
         /usr/share/wordnet /usr/lib/x86_64-linux-gnu/espeak-ng-data /usr/lib/x86_64-linux-gnu/sox /etc/RHVoice \
         /usr/share/alsa /usr/lib/x86_64-linux-gnu/pulseaudio /usr/lib/festival; do
  if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
for f in /usr/bin/espeak-ng /usr/bin/flite /usr/bin/sox /usr/bin/pico2wave /usr/bin/RHVoice-test \
         /usr/bin/text2wave /usr/bin/festival /usr/bin/mbrola /etc/festival.scm; do
  if [ -e "$f" ]; then mount --bind /dev/null "$f"; fi
done
exec nice -n 10 bash training/device/run.sh --dry-run "$@"
' sh "$@"
