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

# speak ENGINE VOICE WPM TEXT OUT: one utterance from a training-style voice (WPM: espeak-ng only).
speak() {
  case "$1" in
    espeak-ng) espeak-ng -v "$2" -s "$3" -w "$5" "$4" ;;
    flite) flite -voice "$2" -t "$4" -o "$5" ;;
    festival) echo "$4" | text2wave -eval "(voice_$2)" -o "$5" ;;
  esac
}

# to16k IN OUT [sox effects...]: 16 kHz mono 16-bit, leading/trailing silence trimmed.
# -R: repeatable dither, so a rerun rewrites the same bytes.
to16k() {
  local in=$1 out=$2
  shift 2
  sox -R "$in" -r 16000 -c 1 -b 16 "$out" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse "$@"
}

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
  speak "$engine" "$voice" 150 "$text" "$raw"
  to16k "$raw" "$name.wav" pad 0.15 0.15 # trimmed to a short pad
  printf '%s\t%s\n' "$name.wav" "$text" >> refs.tsv
done

# An 8 kHz telephone-band copy (like the real digits set), written as G.711 mu-law.
sox -R espeak-digits.wav -r 8000 -e mu-law -b 8 espeak-digits-8k-ulaw.wav
printf '%s\t%s\n' "espeak-digits-8k-ulaw.wav" "three seven one nine four" >> refs.tsv

# One long-form clip (~40 s) for the global vs local attention contrast: several sentences, each
# spoken by a different training-style voice, joined with short pauses. Mono 16 kHz 16-bit, so
# it costs ~32 kB per second: keep samples/ under 2 MB.
long_parts=(
  "espeak-ng|en-us|the weather report says it will rain for most of the afternoon"
  "flite|kal|we need to buy bread and milk before the little shop closes tonight"
  "flite|awb|the meeting has been moved to thursday morning at half past nine"
  "festival|kal_diphone|please remember to water the plants while i am away"
  "espeak-ng|en-gb|the train to the city leaves from platform four every twenty minutes"
  "flite|slt|she opened the window and listened to the birds in the garden"
  "flite|kal16|turn left at the next corner and then go straight on for two miles"
  "espeak-ng|en-us|it took them three hours to walk back down the mountain"
  "flite|awb|the library will be closed on monday for the public holiday"
  "espeak-ng|en-gb|could you send me the report by the end of the week"
  "festival|kal_diphone|thank you for calling and have a nice day"
)
long_text=()
long_wavs=()
# -R: repeatable dither, so a rerun rewrites the same bytes.
sox -R -n -r 16000 -c 1 -b 16 "$tmp/gap.wav" trim 0 0.45
for k in "${!long_parts[@]}"; do
  IFS='|' read -r engine voice text <<<"${long_parts[$k]}"
  raw="$tmp/long-$k.raw.wav"
  speak "$engine" "$voice" 160 "$text" "$raw"
  to16k "$raw" "$tmp/long-$k.wav"
  [ "$k" -gt 0 ] && long_wavs+=("$tmp/gap.wav")
  long_wavs+=("$tmp/long-$k.wav")
  long_text+=("$text")
done
sox -R "${long_wavs[@]}" longform-mixed.wav pad 0.15 0.15
printf '%s\t%s\n' "longform-mixed.wav" "${long_text[*]}" >> refs.tsv

ls -l *.wav refs.tsv
