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

# --move: the same tree, from files renamed out of the shards (whole tenant
# folders where one shard holds them), which are used up
cp -R "$T/s3-1" "$T/m1" && cp -R "$T/s3-2" "$T/m2" && cp -R "$T/s3-3" "$T/m3"
before=$(find "$T/m1" "$T/m2" "$T/m3" -type f | wc -l)
run "$TENANTC" merge --move --out "$T/merged-move" "$T/m1" "$T/m2" "$T/m3"
left=$(find "$T/m1" "$T/m2" "$T/m3" -path '*/tenants/*/*' -type f | wc -l)
expect "--move merges into the unsharded tree and uses the shards up" \
	'expect_status 0 && diff -r "$T/full" "$T/merged-move" >"$T/diff" && [ "$left" = 0 ] &&
	 [ "$(find "$T/m1" "$T/m2" "$T/m3" -type f | wc -l)" -lt "$before" ]'
# a shard on another file system is copied: /dev/shm is tmpfs, when it is there
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" != "$(stat -f -c %T "$T")" ]; then
	S=$(mktemp -d /dev/shm/tenantc-shard.XXXXXX)
	cp -R "$T/s2-1" "$S/a" && cp -R "$T/s2-2" "$T/m4"
	run "$TENANTC" merge --move --out "$T/merged-xdev" "$S/a" "$T/m4"
	n=$(find "$S/a" -type f | wc -l)
	expect "--move copies a shard on another file system and leaves it" \
		'expect_status 0 && diff -r "$T/full" "$T/merged-xdev" >"$T/diff" &&
		 [ "$n" = "$(find "$T/s2-1" -type f | wc -l)" ]'
	rm -rf "$S"
else
	ok "no second file system to move across (skipped that case)"
fi
# --move refuses a shard that is the output or lies in it, before moving
cp -R "$T/s2-1" "$T/o1" && cp -R "$T/s2-2" "$T/o2"
sum=$(tree_sum "$T/o1")
run "$TENANTC" merge --move --out "$T/o1" "$T/o1" "$T/o2"
expect "--move refuses a shard that is the output" \
	'expect_status 2 && expect_stderr "overlaps the output" && expect_tree_sum "$T/o1" "$sum"'

# what a rendered tree never holds is refused, and nothing is written
cp -R "$T/s2-1" "$T/l1"
ln -s ../../../etc/passwd "$T/l1/prod/link.yaml" 2>/dev/null || ln -s /etc/passwd "$T/l1/link.yaml"
run "$TENANTC" merge --out "$T/merged-link" "$T/l1" "$T/s2-2"
expect "a symbolic link in a shard is refused" \
	'expect_status 2 && expect_stderr "is not a regular file or a folder" &&
	 expect_file_absent "$T/merged-link"'
run "$TENANTC" merge --out "$T/merged-none" "$T/s2-1" "$T/no-such-shard"
expect "a missing shard is refused" \
	'expect_status 2 && expect_stderr "cannot read folder" && expect_file_absent "$T/merged-none"'

run "$TENANTC" render --repo "$T/repo" --shard 0/2 --out "$T/x"
expect "--shard 0/2 is a usage error" 'expect_status 2'
finish
