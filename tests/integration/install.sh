#!/bin/sh
# install.sh - `meson install` puts tenantc where PATH finds it, and the
# version it prints is the one the documentation and the changelog name:
#
#   meson install (into a DESTDIR): bin/tenantc, which runs
#   tenantc version: the version of meson.build, the commit of the source
#     tree (HEAD when built from git), the libraries' versions (what
#     pkg-config says the build used)
#   CHANGELOG.md has a section for that version; README's pre-commit `rev:`
#     and the Action's `uses:` name its tag v<version>
#   a source tree outside git (a release tarball), even one unpacked inside
#     another repository, says "commit unknown"
#
# Needs BUILD (the meson build folder of $TENANTC).
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:?BUILD is not set}

version=$(sed -n "s/^  version : '\([^']*\)',$/\1/p" "$SRC/meson.build")
expect "meson.build has a version" '[ -n "$version" ]'

run meson install -C "$BUILD" --no-rebuild --quiet --destdir "$T/dest"
bin=$(meson introspect "$BUILD" --installed |
	python3 -c 'import json, sys; print(*json.load(sys.stdin).values())')
expect "meson install installs tenantc into a folder of PATH" \
	'expect_status 0 && [ -x "$T/dest$bin" ] && [ "$(basename "$bin")" = tenantc ] &&
	 case "$(dirname "$bin")" in */bin) true ;; *) why="not a bin folder: $bin"; false ;; esac'
inst="$T/dest$bin"
[ -x "$inst" ] || inst=$TENANTC

run "$inst" version
expect "tenantc version: the version of meson.build first" \
	'expect_status 0 && [ "$(head -n 1 "$T/stdout")" = "tenantc $version" ]'
if [ -e "$SRC/.git" ] && head=$(git -C "$SRC" rev-parse --short=12 HEAD 2>/dev/null); then
	expect "tenantc version: the commit it was built from" \
		'expect_stdout "^commit $head(-dirty)?\$"'
else
	expect "tenantc version: a build outside git has no commit" 'expect_stdout "^commit unknown\$"'
fi
for lib in libyaml:yaml-0.1 libgit2:libgit2 OpenSSL:openssl cJSON:libcjson \
	libsodium:libsodium PCRE2:libpcre2-8; do
	name=${lib%%:*} pc=${lib#*:}
	want=$(pkg-config --modversion "$pc" 2>/dev/null || echo)
	expect "tenantc version: the version of $name the build used ($want)" \
		'grep -q "^$name $want" "$T/stdout" || { why="no line \"$name $want\": $(tr "\n" " " <"$T/stdout")"; false; }'
done
run "$inst" version extra
expect "tenantc version takes no argument" \
	'expect_status 2 && expect_stderr_first "tenantc: error: unexpected argument '"'"'extra'"'"'"'

expect "CHANGELOG.md has a section for $version" 'grep -qx "## $version" "$SRC/CHANGELOG.md"'
expect "README's pre-commit rev: names the tag v$version" \
	'grep -qx "    rev: v$version" "$SRC/README.md" &&
	 ! grep -E "^ +rev: v" "$SRC/README.md" | grep -vqx "    rev: v$version"'
expect "README's Action names the tag v$version" \
	'grep -qF "example/tenantc@v$version" "$SRC/README.md" &&
	 ! grep -oE "example/tenantc@v[0-9.]+" "$SRC/README.md" "$SRC/docs/integrations.md" |
		grep -vq "@v$version\$"'

# A source tree outside git: only the header vcs_tag makes is built, in a
# copy of the sources unpacked inside another repository (whose commit it
# must not take).
if [ -e "$SRC/.git" ]; then
	mkdir -p "$T/outer/tenantc"
	(cd "$T/outer" && git init -q -b main . && git commit -q --allow-empty -m outer)
	git -C "$SRC" ls-files -z --cached --others --exclude-standard |
		(cd "$SRC" && xargs -0 cp --parents -t "$T/outer/tenantc" 2>/dev/null) || true
	run sh -c 'meson setup "$1/b" "$1/tenantc" >/dev/null && ninja -C "$1/b" src/buildinfo_commit.h >/dev/null' \
		sh "$T/outer"
	expect "a tarball's build says commit unknown" \
		'expect_status 0 && grep -q "\"unknown\"" "$T/outer/b/src/buildinfo_commit.h" ||
		 { why="${why:-$(cat "$T/outer/b/src/buildinfo_commit.h" 2>/dev/null)}"; false; }'
fi
finish
