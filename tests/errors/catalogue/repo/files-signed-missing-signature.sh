# expect: tenantc.yaml:3:12: error: 'files/TrustedTPM.cab' must be signed (files.signed), but 'files/TrustedTPM.cab.p7s' is missing (at .files.signed[0])
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p files && printf 'cab' >files/TrustedTPM.cab
printf 'files:\n  signed: [files/TrustedTPM.cab]\n' >>tenantc.yaml
tc render
