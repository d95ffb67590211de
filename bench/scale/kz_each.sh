#!/bin/sh
# kz_each.sh DIR LIST OUTDIR JOBS - run one `kubectl kustomize` per overlay
# listed in DIR/LIST (paths relative to DIR), JOBS at a time, each writing
# OUTDIR/<path with / as _>.yaml. Exits non-zero when any run failed.
set -eu
cd "$1"
xargs -P "$4" -I{} sh -c 'kubectl kustomize "$1" > "$2/$(echo "$1" | tr / _).yaml"' sh {} "$3" < "$2"
