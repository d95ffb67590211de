# tests/interop/apiserver_lib.sh - builds Go peers for the API server checks
# (sourced by peer_kube-apiserver.sh, peer_kubectl.sh, peer_etcd.sh).
#
# Layout (see the interop convention): <root>/<name>-<version>/bin/<name>
# with a stamp file .ok; built in <root>/<name>-<version>.tmp-$$ and renamed
# into place. GOPATH, GOCACHE and GOMODCACHE live in <root>/go; each build's
# throwaway main module lives in <root>/go/src/<module>-<version>.

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pins.sh"
PEER_ROOT=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}

peer_skip() { # name version reason...
	n=$1 v=$2
	shift 2
	echo "SKIP: $n $v: $*"
	exit 77
}

peer_goenv() {
	export GOPATH="$PEER_ROOT/go" GOCACHE="$PEER_ROOT/go/cache" \
		GOMODCACHE="$PEER_ROOT/go/mod" GOFLAGS=-trimpath GOTOOLCHAIN=local \
		CGO_ENABLED=0
}

# peer_ready name version: print the executable if the folder is complete
peer_ready() {
	if [ -f "$PEER_ROOT/$1-$2/.ok" ] && [ -x "$PEER_ROOT/$1-$2/bin/$1" ]; then
		echo "$PEER_ROOT/$1-$2/bin/$1"
		return 0
	fi
	return 1
}

# peer_go_build name version module-dir package ldflags
# Builds package inside the prepared main module module-dir into
# <root>/<name>-<version>/bin/<name>; the build log is kept there as
# build.log. Prints the executable, or a SKIP line and exits 77.
peer_go_build() {
	name=$1 ver=$2 mod=$3 pkg=$4 ldflags=$5
	tmp="$PEER_ROOT/$name-$ver.tmp-$$"
	# the caller holds the peer's lock: a .tmp-* folder is a dead build's
	rm -rf "$PEER_ROOT/$name-$ver".tmp-*
	mkdir -p "$tmp/bin"
	start=$(date +%s)
	if ! (cd "$mod" && nice -n 10 go build -mod=mod -ldflags "$ldflags" \
		-o "$tmp/bin/$name" "$pkg") >"$tmp/build.log" 2>&1; then
		err=$(grep -v '^go: downloading' "$tmp/build.log" | tail -n 1)
		mkdir -p "$PEER_ROOT/logs"
		cp "$tmp/build.log" "$PEER_ROOT/logs/$name-$ver.build.log"
		rm -rf "$tmp"
		peer_skip "$name" "$ver" "go build $pkg failed: $err" \
			"(log: $PEER_ROOT/logs/$name-$ver.build.log)"
	fi
	echo "$(($(date +%s) - start))" >"$tmp/build-seconds"
	rm -rf "$PEER_ROOT/$name-$ver"
	mv "$tmp" "$PEER_ROOT/$name-$ver"
	touch "$PEER_ROOT/$name-$ver/.ok"
	echo "$PEER_ROOT/$name-$ver/bin/$name"
}

# peer_locked name version command...: run command under a per-peer lock so
# two tests started at once build the peer only once
peer_locked() {
	n=$1 v=$2
	shift 2
	mkdir -p "$PEER_ROOT"
	command -v go >/dev/null 2>&1 || peer_skip "$n" "$v" "go is not installed"
	command -v flock >/dev/null 2>&1 || peer_skip "$n" "$v" "flock is not installed"
	exec 9>"$PEER_ROOT/.lock-$n-$v"
	flock 9
	if peer_ready "$n" "$v"; then
		return 0
	fi
	"$@"
}

# k8s_lock: kube-apiserver and kubectl share one main module (and go build
# -mod=mod edits its go.mod and go.sum): the caller holds this lock from
# preparing the module to the end of its build
k8s_lock() {
	exec 8>"$PEER_ROOT/.lock-kubernetes-module-$KUBERNETES_VERSION"
	flock 8
}

# k8s_module PEER: prepare the throwaway main module that requires k8s.io/kubernetes
# at KUBERNETES_VERSION and replaces every staging module (the ones its own
# go.mod replaces with ./staging/src/...) with its v0.MINOR.PATCH release.
# Prints the module folder, or PEER's SKIP line.
k8s_module() {
	peer=$1
	kv=$KUBERNETES_VERSION
	sv="v0.${kv#v1.}"
	dir="$PEER_ROOT/go/src/kubernetes-$kv"
	if [ -f "$dir/.ok" ]; then
		echo "$dir"
		return 0
	fi
	peer_goenv
	rm -rf "$dir"
	mkdir -p "$dir"
	gomod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$kv" 2>&1 |
		sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
	if [ -z "$gomod" ] || [ ! -f "$gomod" ]; then
		err=$(cd "$dir" && go mod download "k8s.io/kubernetes@$kv" 2>&1 | tail -n 1)
		peer_skip "$peer" "$kv" "cannot download k8s.io/kubernetes@$kv: $err"
	fi
	{
		echo "module tenantc.invalid/peer-kubernetes"
		echo
		echo "go 1.24.0"
		echo
		echo "require k8s.io/kubernetes $kv"
		echo
		echo "replace ("
		sed -n 's|^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*|\1|p' "$gomod" |
			while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$sv"; done
		echo ")"
	} >"$dir/go.mod"
	grep -q 'k8s.io/api => k8s.io/api' "$dir/go.mod" ||
		peer_skip "$peer" "$kv" "no staging replace directives found in $gomod"
	touch "$dir/.ok"
	echo "$dir"
}

# ldflags that give the Kubernetes binaries their release version line
k8s_ldflags() {
	kv=$KUBERNETES_VERSION
	minor=${kv#v1.}
	minor=${minor%%.*}
	f=""
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		f="$f -X $p.gitVersion=$kv -X $p.gitMajor=1 -X $p.gitMinor=$minor"
		f="$f -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
	done
	echo "-s -w$f"
}
