# expect: files/gone.cab.p7s:1:1: error: 'files/gone.cab.p7s' is a signature of 'files/gone.cab', which does not exist
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p files && printf 'x' >files/gone.cab.p7s
tc render
