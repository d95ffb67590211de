#!/bin/sh
# argocd/Containerfile, checked as far as a machine without a container
# engine can: both stages are Debian 12 and every package they install
# exists there; the build stage's own meson and ninja commands build
# tenantc from a context filtered by Containerfile.dockerignore; the
# run-time stage installs the package of every library the binary needs;
# plugin.yaml lands where argocd-cmp-server reads it, and the user is 999.
. "$(dirname "$0")/lib.sh"
CF="$SRC/argocd/Containerfile"

if ! grep -q '^12' /etc/debian_version 2>/dev/null || ! command -v apt-cache >/dev/null; then
	echo "SKIP: not Debian 12, whose packages the Containerfile names"
	exit 77
fi
if [ -z "$(apt-cache show libc6 2>/dev/null)" ]; then
	echo "SKIP: apt has no package lists (run apt-get update)"
	exit 77
fi

# the Containerfile's instructions with continuation lines joined
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$CF" | grep -v '^#' | grep -v '^[[:space:]]*$' >"$T/cf"

n=$(grep -c '^FROM ' "$T/cf")
[ "$n" -eq 2 ] && ! grep '^FROM ' "$T/cf" | grep -vq '^FROM debian:12-slim' &&
	ok "two stages, both debian:12-slim" || bad "stages: $(grep '^FROM ' "$T/cf")"

# packages <stage number>: the packages apt-get installs in that stage
packages() {
	awk -v want="$1" '/^FROM /{stage++} stage==want && /apt-get install/' "$T/cf" |
		sed 's/.*apt-get install[^&]*--no-install-recommends//; s/&&.*//' | tr -s ' \t' '\n' | grep -v '^$'
}
for s in 1 2; do
	missing=""
	for p in $(packages $s); do
		[ -n "$(apt-cache show "$p" 2>/dev/null)" ] || missing="$missing $p"
	done
	[ -n "$(packages $s)" ] && [ -z "$missing" ] && ok "stage $s installs packages Debian 12 has ($(packages $s | wc -l))" ||
		bad "stage $s: unknown packages:$missing"
done

# the build stage: COPY . /src (filtered by the ignore file), then its RUN
mkdir -p "$T/ctx"
ignore="$SRC/argocd/Containerfile.dockerignore"
(cd "$SRC" && ls -A) | while read -r f; do
	skip=""
	for pat in $(grep -v '^#' "$ignore" | grep -v '^$'); do
		case $f in $pat) skip=1 ;; esac
	done
	[ -n "$skip" ] || cp -R "$SRC/$f" "$T/ctx/"
done
[ ! -e "$T/ctx/.git" ] && ok "the build context leaves out .git and build folders" || bad "the build context holds .git"
build=$(awk '/^FROM /{stage++} stage==1 && /^RUN meson setup/' "$T/cf" | sed 's/^RUN //')
[ -n "$build" ] || bad "no meson setup in the build stage"
cmd=$(printf '%s\n' "$build" | sed -e "s# /build# $T/build#g" -e "s# /src# $T/ctx#g")
if sh -c "$cmd" >"$T/build.log" 2>&1 && [ -x "$T/build/src/tenantc" ]; then
	ok "the build stage's commands build tenantc: $("$T/build/src/tenantc" version)"
else
	bad "the build stage's commands fail: $(tail -n 5 "$T/build.log")"
	finish
fi

# every library tenantc needs comes from a package the run-time stage installs
runtime=" $(packages 2 | tr '\n' ' ') libc6 "
for lib in $(readelf -d "$T/build/src/tenantc" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
	pkg=""
	# dpkg knows a library by one of its names: as linked, resolved, or
	# with /usr merged or not
	for p in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr${path#/usr}"; do
		[ -n "$pkg" ] || pkg=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1)
	done
	[ -n "$pkg" ] || { bad "$lib: no package holds '$path'"; continue; }
	case $runtime in
	*" $pkg "*) ok "$lib comes from $pkg, which the image installs" ;;
	*) bad "$lib (package '${pkg:-?}') is not installed by the run-time stage" ;;
	esac
done

grep -q '^COPY --from=build /build/src/tenantc /usr/local/bin/tenantc$' "$T/cf" &&
	ok "the binary goes to /usr/local/bin, on the sidecar's PATH" || bad "the binary is not copied to /usr/local/bin"
grep -q '^COPY argocd/plugin.yaml /home/argocd/cmp-server/config/plugin.yaml$' "$T/cf" && [ -f "$SRC/argocd/plugin.yaml" ] &&
	ok "plugin.yaml goes to /home/argocd/cmp-server/config/plugin.yaml" || bad "plugin.yaml is not where argocd-cmp-server reads it"
[ "$(grep '^USER ' "$T/cf" | tail -n 1)" = "USER 999" ] && ok "the sidecar runs as user 999" || bad "the user is not 999"
finish
