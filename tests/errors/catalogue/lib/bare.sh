#!/bin/sh
# bare.sh FILE PROG [ARG...]: run PROG ARG... on FILE without its leading
# "# expect/cmd/status" comment lines, for inputs whose first bytes matter
# (byte order marks, JSON, other encodings). The copy keeps FILE's
# relative path, under a temporary folder run from, so messages name the
# case as the other cases do.
set -u
LC_ALL=C
export LC_ALL
file=$1
shift
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/$(dirname "$file")" || exit 3
# bytes taken by the header lines
hdr=$(awk '!/^# (expect|cmd|status):/ { exit } { n += length($0) + 1 } END { print n + 0 }' "$file")
tail -c +"$((hdr + 1))" "$file" >"$tmp/$file" || exit 3
cd "$tmp" && "$@" "$file"
