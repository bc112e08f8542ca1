#!/bin/sh
# TTS engines (and sox) for a machine without them and without network (e.g. a GPU box):
#   here:   sh training/corpus/unpack_tts.sh download [DEBDIR]     (espeak-ng and flite only;
#           training/device/pack.sh fetches the full, size-capped set into training/device/debs)
#   there:  sh training/corpus/unpack_tts.sh unpack DEBDIR PREFIX   (every *.deb and *.tar.xz)
#           eval "$(sh training/corpus/unpack_tts.sh env PREFIX)"
#           sh training/corpus/unpack_tts.sh check PREFIX          (which engines start)
# DEBDIR defaults to training/work/tts_debs (gitignored; carry it to the other machine).
#
# `unpack` also makes PREFIX/bin: one wrapper per program (espeak-ng, mbrola, flite,
# pico2wave, RHVoice-test, festival, text2wave, sox) that sets LD_LIBRARY_PATH and the data
# paths for that program alone, so the Python process (torch, numpy) never sees the
# unpacked libraries. pico2wave, RHVoice, festival and espeak-ng's MBROLA look-up have
# /usr/share/... compiled in; the unpacked copies are patched to a path of the same length,
# /tmp/.tXXX/... (XXX from a hash of PREFIX), a symlink to PREFIX/usr/share.
# RHVoice-test speaks a *different* installed voice when the one asked for is missing; the
# wrapper refuses a voice that was not unpacked instead (a training voice must never be
# silently replaced, e.g. by the validation voice clb); text2wave's wrapper does the same.
set -eu
ARCH_LIB=x86_64-linux-gnu
DEBS="espeak-ng espeak-ng-data libespeak-ng1 libpcaudio0 libsonic0 flite libflite1
  libasound2 libasound2-data libpulse0 libsndfile1 libasyncns0 libx11-xcb1 libx11-6 libxcb1
  libxau6 libxdmcp6 libflac12 libvorbis0a libvorbisenc2 libopus0 libogg0 libmpg123-0
  libmp3lame0 libbsd0 libmd0 libdbus-1-3"
PROGRAMS="espeak-ng mbrola flite pico2wave RHVoice-test festival sox"

share_link() {  # PREFIX -> /tmp/.tXXX: as long as /usr/share, so patched files keep their layout
  python3 -c 'import hashlib, sys; print("/tmp/.t" + hashlib.sha1(sys.argv[1].encode()).hexdigest()[:3])' "$1"
}

patch_share_paths() {  # FILE NAME...: /usr/share/NAME -> $link/NAME inside FILE
  python3 - "$link" "$@" <<'EOF'
import sys
link, path, names = sys.argv[1].encode(), sys.argv[2], sys.argv[3:]
assert len(link) == len(b"/usr/share"), link
data = open(path, "rb").read()
for name in names:
    old, new = b"/usr/share/" + name.encode(), link + b"/" + name.encode()
    if data.count(old) == 0 and data.count(new) == 0:
        sys.exit(f"patch: {path} has no /usr/share/{name}")
    data = data.replace(old, new)
open(path + ".patched", "wb").write(data)
EOF
  chmod --reference="$1" "$1.patched"
  mv "$1.patched" "$1"
}

extract_deb() {  # DEB DIR: dpkg -x, or Python's ar + tarfile where dpkg or xz is missing
  if [ -z "${LAS_NO_DPKG:-}" ] && command -v dpkg >/dev/null 2>&1 && command -v xz >/dev/null 2>&1; then
    dpkg -x "$1" "$2"
    return
  fi
  python3 - "$1" "$2" <<'EOF'
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
data = open(deb, "rb").read()
assert data[:8] == b"!<arch>\n", f"{deb}: not a .deb"
pos = 8
while pos < len(data):
    name, size = data[pos:pos + 16].decode().strip().rstrip("/"), int(data[pos + 48:pos + 58])
    body = data[pos + 60:pos + 60 + size]
    if name.startswith("data.tar"):
        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            tar.extractall(dest)
        break
    pos += 60 + size + (size & 1)
else:
    sys.exit(f"{deb}: no data.tar member")
EOF
}

extract_tar() {  # TARBALL DIR
  if [ -z "${LAS_NO_DPKG:-}" ] && command -v xz >/dev/null 2>&1; then
    tar -xJf "$1" -C "$2"
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
  fi
}

write_wrapper() {  # NAME COMMAND...: PREFIX/bin/NAME runs COMMAND with the unpacked libraries
  name=$1
  shift
  {
    echo '#!/bin/sh'
    echo "P='$prefix'"
    echo 'export LD_LIBRARY_PATH="$P/usr/lib/'$ARCH_LIB':$P/lib/'$ARCH_LIB':$P/usr/lib/'$ARCH_LIB'/pulseaudio${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"'
    echo 'export ESPEAK_DATA_PATH="$P/usr/lib/'$ARCH_LIB'"'
    echo 'export PATH="$P/bin:$PATH"'
    if [ "$name" = text2wave ]; then  # -eval "(voice_NAME)": festival's default voice would speak
      echo 'prev=""'
      echo 'for a in "$@"; do'
      echo '  case "$prev:$a" in -eval:"(voice_"*")")'
      echo '    v=${a#(voice_}; v=${v%)}'
      echo '    ls -d "$P"/usr/share/festival/voices/*/"$v" >/dev/null 2>&1 || { echo "text2wave: voice $v was not unpacked" >&2; exit 3; } ;;'
      echo '  esac'
      echo '  prev=$a'
      echo 'done'
    fi
    if [ "$name" = RHVoice-test ]; then
      echo 'prev=""'
      echo 'for a in "$@"; do'
      echo '  if [ "$prev" = "-p" ] && [ ! -d "$P/usr/share/RHVoice/voices/$a" ]; then'
      echo '    echo "RHVoice-test: voice $a was not unpacked (RHVoice would speak another voice)" >&2; exit 3'
      echo '  fi'
      echo '  prev=$a'
      echo 'done'
    fi
    echo "exec $* \"\$@\""
  } >"$prefix/bin/$name"
  chmod +x "$prefix/bin/$name"
}

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
    mkdir -p "$prefix/bin"
    prefix=$(cd "$prefix" && pwd)
    link=$(share_link "$prefix")
    for deb in "$dir"/*.deb; do [ -e "$deb" ] && extract_deb "$deb" "$prefix"; done
    for tarball in "$dir"/*.tar.xz; do [ -e "$tarball" ] && extract_tar "$tarball" "$prefix"; done
    lib="$prefix/usr/lib/$ARCH_LIB"
    [ -f "$prefix/usr/bin/pico2wave" ] && patch_share_paths "$prefix/usr/bin/pico2wave" pico
    for f in "$lib"/libRHVoice_core.so.*.*; do [ -f "$f" ] && patch_share_paths "$f" RHVoice; done
    if [ -f "$prefix/usr/bin/festival" ]; then  # the binary and its Scheme files (voices, dicts)
      patch_share_paths "$prefix/usr/bin/festival" festival
      for f in $(grep -l /usr/share/festival "$prefix"/usr/share/festival/*.scm); do
        patch_share_paths "$f" festival
      done
    fi
    for f in "$lib"/libespeak-ng.so.*.*; do [ -f "$f" ] && patch_share_paths "$f" mbrola; done
    ln -sfn "$prefix/usr/share" "$link"
    for p in espeak-ng mbrola flite pico2wave RHVoice-test festival sox; do
      [ -x "$prefix/usr/bin/$p" ] && write_wrapper "$p" "\"\$P/usr/bin/$p\""
    done
    if [ -x "$prefix/usr/bin/festival" ]; then  # its #! line names /usr/bin/festival
      write_wrapper text2wave "\"\$P/usr/bin/festival\" --script \"\$P/usr/bin/text2wave\""
    fi
    echo "unpacked $(ls "$dir" | grep -c -e '\.deb$' -e '\.tar\.xz$') archives into $prefix; wrappers: $(ls "$prefix/bin" | tr '\n' ' ')"
    ;;
  env)
    prefix=$(cd "${2:?env needs a PREFIX}" && pwd)
    echo "export PATH=\"$prefix/bin:\$PATH\""
    ;;
  check)
    # each wrapped program's libraries that resolve nowhere (the engine cannot start)
    prefix=$(cd "${2:?check needs a PREFIX}" && pwd)
    status=0
    for p in $PROGRAMS; do
      [ -x "$prefix/usr/bin/$p" ] || { echo "$p: not unpacked"; continue; }
      missing=$(LD_LIBRARY_PATH="$prefix/usr/lib/$ARCH_LIB:$prefix/lib/$ARCH_LIB:$prefix/usr/lib/$ARCH_LIB/pulseaudio" \
        ldd "$prefix/usr/bin/$p" 2>&1 | awk '/not found/ {print $1}' | tr '\n' ' ')
      if [ -n "$missing" ]; then echo "$p: MISSING $missing"; status=1; else echo "$p: ok"; fi
    done
    exit $status
    ;;
  *)
    echo "usage: $0 download [DEBDIR] | unpack [DEBDIR] PREFIX | env PREFIX | check PREFIX" >&2
    exit 2
    ;;
esac
