#!/bin/sh
# Sharded renders (render --shard I/N) merged with `tenantc merge` give the
# tree of one unsharded render, byte for byte, for any N.
. "$(dirname "$0")/lib.sh"

copy_example "$T/repo"
# more tenants than shards, so every shard has work and some have several
for i in 1 2 3 4 5; do
	mkdir -p "$T/repo/tenants/extra$i"
	sed "s/^name: acme/name: extra$i/" "$SRC/tenants/acme/tenant.yaml" >"$T/repo/tenants/extra$i/tenant.yaml"
	mkdir -p "$T/repo/tenants/extra$i/secrets" # the client secrets its realm needs
	cp "$SRC/tenants/acme/secrets/realm-clients.yaml" "$T/repo/tenants/extra$i/secrets/"
done
"$TENANTC" render --repo "$T/repo" --out "$T/full" >/dev/null
for n in 1 2 3 8; do
	shards=""
	i=1
	while [ "$i" -le "$n" ]; do
		"$TENANTC" render --repo "$T/repo" --shard "$i/$n" --out "$T/s$n-$i" >/dev/null
		shards="$shards $T/s$n-$i"
		i=$((i + 1))
	done
	"$TENANTC" merge --out "$T/merged$n" $shards >/dev/null
	if diff -r "$T/full" "$T/merged$n" >"$T/diff"; then
		ok "$n shards merge into the unsharded tree"
	else
		bad "$n shards differ from the unsharded tree"
		head -20 "$T/diff"
	fi
done

# without an identity, shards rendered into new folders carry the unchanged
# SOPS Secrets over from the repository's own tree, as one render would
"$TENANTC" render --repo "$T/repo" >/dev/null
shards=""
for i in 1 2 3; do
	(unset SOPS_AGE_KEY_FILE SOPS_AGE_KEY
	 "$TENANTC" render --repo "$T/repo" --shard "$i/3" --out "$T/nokey$i" >/dev/null 2>"$T/err$i") ||
		bad "shard $i/3 without an identity: $(head -n 1 "$T/err$i")"
	shards="$shards $T/nokey$i"
done
"$TENANTC" merge --out "$T/merged-nokey" $shards >/dev/null
n=$(find "$T/repo/rendered" -path '*/tenants/*' -name 'secret-*' | wc -l)
if [ "$n" -gt 0 ] && diff -r "$T/repo/rendered" "$T/merged-nokey" >"$T/diff"; then
	ok "3 shards without an identity merge into the repository's tree ($n Secrets carried over)"
else
	bad "shards without an identity: $n Secrets, $(head -5 "$T/diff")"
fi

# shards rendered from different inputs are refused
cp -R "$T/s2-1" "$T/bad1"
cp -R "$T/s2-2" "$T/bad2"
f=$(cd "$T/bad2" && find . -path './*/cluster/*' -name '*.yaml' ! -name kustomization.yaml | head -n 1)
if [ -n "$f" ]; then
	echo "# changed" >>"$T/bad2/$f"
	run "$TENANTC" merge --out "$T/merged-bad" "$T/bad1" "$T/bad2"
	expect "disagreeing shards are refused" \
		'expect_status 2 && expect_stderr "shards disagree" && expect_file_absent "$T/merged-bad"'
else
	ok "no cluster objects to disagree on (skipped the conflict case)"
fi

run "$TENANTC" render --repo "$T/repo" --shard 0/2 --out "$T/x"
expect "--shard 0/2 is a usage error" 'expect_status 2'
finish
