# expect: tenants/t/files/passwd:1:1: error: 'tenants/t/files/passwd' is a symbolic link; tenantc does not follow links
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir tenants/t/files && ln -s /etc/passwd tenants/t/files/passwd
tc render
