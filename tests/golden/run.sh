#!/bin/sh
# Golden-file tests: render tests/golden/<case>/repo (or, for the case
# "example", the project's own example repository) and compare the tree with
# tests/golden/<case>/expected byte for byte. TC_UPDATE_GOLDEN=1 rewrites
# the expected trees; review the resulting diff like code.
. "$(dirname "$0")/../integration/lib.sh"
G="$SRC/tests/golden"

for dir in "$G"/*/; do
	case=$(basename "$dir")
	if [ "$case" = example ]; then
		repo="$T/example"
		copy_example "$repo"
	else
		repo="$dir/repo"
	fi
	out="$T/out-$case"
	run "$TENANTC" render --repo "$repo" --out "$out" --jobs 2
	expect_status 0 || { bad "$case: render failed: $why"; continue; }
	if [ "${TC_UPDATE_GOLDEN:-}" = 1 ]; then
		rm -rf "$dir/expected"
		cp -R "$out" "$dir/expected"
		ok "$case: expected tree rewritten"
		continue
	fi
	if diff -r "$dir/expected" "$out" >"$T/diff"; then
		ok "$case: $(find "$out" -type f | wc -l) files identical"
	else
		bad "$case: output differs from expected"
		head -40 "$T/diff"
	fi
done
finish
