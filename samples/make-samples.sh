#!/usr/bin/env bash
# Makes the demo clips in samples/ with Debian's TTS engines, and their transcripts in
# samples/refs.tsv (file<TAB>normalised transcript).
#
# Voices here are training-style voices only. festival's cmu_us_slt_arctic_hts and flite's rms
# are reserved for held-out evaluation and are never used for anything else.
#
#   bash samples/make-samples.sh          # installs the engines with apt-get if missing
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v flite >/dev/null || need+=(flite)
command -v text2wave >/dev/null || need+=(festival festvox-kallpc16k)
command -v sox >/dev/null || need+=(sox)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name | engine | voice | text (already normalised: a-z, apostrophe, space, numbers in words)
clips=(
  "espeak-digits|espeak-ng|en-us|three seven one nine four"
  "espeak-command|espeak-ng|en-gb|set a timer for ten minutes"
  "flite-kal-sentence|flite|kal|the quick brown fox jumps over the lazy dog"
  "flite-awb-question|flite|awb|what time does the next train leave"
  "flite-slt-weather|flite|slt|it will be cold and windy tomorrow morning"
  "festival-kal-note|festival|kal_diphone|please call me back after lunch"
)

: > refs.tsv
for row in "${clips[@]}"; do
  IFS='|' read -r name engine voice text <<<"$row"
  raw="$tmp/$name.raw.wav"
  case "$engine" in
    espeak-ng) espeak-ng -v "$voice" -s 150 -w "$raw" "$text" ;;
    flite) flite -voice "$voice" -t "$text" -o "$raw" ;;
    festival) echo "$text" | text2wave -eval "(voice_$voice)" -o "$raw" ;;
  esac
  # 16 kHz mono 16-bit, leading/trailing silence trimmed to a short pad.
  sox "$raw" -r 16000 -c 1 -b 16 "$name.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.15 0.15
  printf '%s\t%s\n' "$name.wav" "$text" >> refs.tsv
done

# An 8 kHz telephone-band copy (like the real digits set), written as G.711 mu-law.
sox espeak-digits.wav -r 8000 -e mu-law -b 8 espeak-digits-8k-ulaw.wav
printf '%s\t%s\n' "espeak-digits-8k-ulaw.wav" "three seven one nine four" >> refs.tsv

ls -l *.wav refs.tsv
