#!/bin/bash
# reconcile.sh - make Keycloak's realms what the repository declares
# (tenantc's documentation, "Keycloak realms"). tenantc puts this file into
# the ConfigMap of every reconcile Job; the Job runs it in the Keycloak
# image, whose Admin CLI (${KCADM}) does every call.
#
#   reconcile.sh realm    one tenant's realm from the ConfigMap's keys in
#                         $RECONCILE_INPUT: ${in}/realm (settings and
#                         attributes), ${in}/import (the clients and
#                         roles, a partial import), ${in}/client-<id>
#                         (each client), ${in}/clients ("<clientId>
#                         <type>" a line), ${in}/roles (a role a line)
#   reconcile.sh prune    the realms of removed tenants of environment
#                         $KC_ENVIRONMENT: every realm marked as tenantc's
#                         for it and not in ${in}/realms is disabled,
#                         or deleted with KC_REMOVED=delete
#
# Environment: KC_URL (the server), KC_ADMIN_USER and KC_CLI_PASSWORD
# (an administrator of KC_ADMIN_REALM, default master; the Admin CLI reads
# the password from KC_CLI_PASSWORD, so it is never an argument), KC_REALM
# (realm mode), KC_WAIT (seconds to wait for the server, default 300),
# RECONCILE_SECRETS (a folder with one file per client that has a secret,
# named after its clientId: the mounted Secret), KCADM (default: the
# image's /opt/keycloak/bin/${KCADM##*/}), KC_TRUSTSTORE and KC_TRUSTSTORE_PASSWORD
# (optional, a PKCS12 file that holds the server's CA), KC_OPTS (the Admin
# CLI's JVM options; the default starts each call faster, sharing one class
# data archive in the run's temporary folder).
#
# What it manages, and only that: the realm's settings and attributes, the
# clients and realm roles tenant.yaml declares, and the deletion of the
# clients and roles an earlier run created and the repository no longer
# declares (the realm attributes tenantc.io/clients and tenantc.io/roles
# list them). Users, sessions, and clients or roles made by hand stay.
# Every step is idempotent: a second run changes nothing. Any failure
# exits non-zero, so the Job fails and Flux or ArgoCD reports it.
set -eu -o pipefail

mode=${1:-}
in=${RECONCILE_INPUT:-/reconcile}
secrets=${RECONCILE_SECRETS:-/secrets}
kcadm=${KCADM:-/opt/keycloak/bin/kcadm.sh}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cfg=$work/kcadm.config
export KC_OPTS="${KC_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:disable -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$work/kcadm.jsa}"
err=$work/err

log() { printf 'reconcile: %s\n' "$*"; }
die() {
	printf 'reconcile: error: %s\n' "$*" >&2
	exit 1
}
kc() { "$kcadm" "$@" --config "$cfg"; }
# the last line the Admin CLI wrote to stderr, for a message
why() { tail -n 1 "$err" 2>/dev/null || true; }

[ -n "${KC_URL:-}" ] || die "KC_URL is not set"
[ -n "${KC_ADMIN_USER:-}" ] || die "KC_ADMIN_USER is not set"
[ -n "${KC_CLI_PASSWORD:-}" ] || die "KC_CLI_PASSWORD is not set"
export KC_CLI_PASSWORD

# wait for Keycloak: log in until it answers; wrong credentials end at once
login() {
	local deadline=$(($(date +%s) + ${KC_WAIT:-300}))
	if [ -n "${KC_TRUSTSTORE:-}" ]; then
		kc config truststore --trustpass "${KC_TRUSTSTORE_PASSWORD:-}" "$KC_TRUSTSTORE" \
			2>"$err" || die "cannot use the truststore $KC_TRUSTSTORE: $(why)"
	fi
	until kc config credentials --server "$KC_URL" --realm "${KC_ADMIN_REALM:-master}" \
		--user "$KC_ADMIN_USER" >/dev/null 2>"$err"; do
		if grep -q 'Invalid user credentials\|invalid_grant\|unauthorized' "$err"; then
			die "Keycloak at $KC_URL refuses the administrator $KC_ADMIN_USER: $(why)"
		fi
		[ "$(date +%s)" -lt "$deadline" ] ||
			die "Keycloak at $KC_URL did not answer within ${KC_WAIT:-300} s: $(why)"
		sleep 5
	done
	log "logged in to $KC_URL"
}

# the value of realm attribute $2 in the JSON of a realm ($1, in the Admin
# CLI's layout: one attribute a line); tenantc writes only names without quotes
attr() {
	sed -n 's|^ *"'"${2//./\\.}"'" : "\([^"]*\)",\{0,1\}$|\1|p' "$1" | head -n 1
}

# is word $1 in the space-separated list $2?
in_list() {
	case " $2 " in
	*" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}

reconcile_realm() {
	local realm=${KC_REALM:?KC_REALM is not set}
	local f
	for f in realm import clients roles; do
		[ -r "$in/$f" ] || die "$in/$f is missing"
	done
	login
	local before_clients="" before_roles=""
	if kc get "realms/$realm" >"$work/realm" 2>"$err"; then
		[ "$(attr "$work/realm" tenantc.io/managed)" = true ] ||
			log "realm $realm was made by hand: tenantc manages it from now on"
		before_clients=$(attr "$work/realm" tenantc.io/clients)
		before_roles=$(attr "$work/realm" tenantc.io/roles)
	elif grep -q 'Resource not found\|404' "$err"; then
		kc create realms -f "$in/realm" >/dev/null 2>"$err" ||
			die "cannot create realm $realm: $(why)"
		log "created realm $realm"
	else
		die "cannot read realm $realm: $(why)"
	fi

	# what is missing is created (SKIP leaves existing objects alone: an
	# OVERWRITE would delete and re-create them, with a new id and secret)
	kc create partialImport -r "$realm" -f "$in/import" >/dev/null 2>"$err" ||
		die "cannot create the clients and roles of $realm: $(why)"

	# every declared client gets its declared settings
	kc get clients -r "$realm" --fields id,clientId --format csv --noquotes \
		>"$work/ids" 2>"$err" || die "cannot list the clients of $realm: $(why)"
	local now_clients="" cid type id want have
	while read -r cid type; do
		[ -n "$cid" ] || continue
		now_clients="$now_clients${now_clients:+ }$cid"
		id=$(sed -n "s/^\([^,]*\),$cid\$/\1/p" "$work/ids")
		[ -n "$id" ] || die "client $cid was not created in $realm"
		kc update "clients/$id" -r "$realm" -f "$in/client-$cid" 2>"$err" ||
			die "cannot update client $cid of $realm: $(why)"
		[ "$type" = public ] && continue
		[ -r "$secrets/$cid" ] ||
			die "no secret for client $cid: the Secret has no key '$cid'"
		want=$(cat "$secrets/$cid")
		# the value goes into JSON on a pipe: refuse what would need escaping
		[[ $want =~ ^[A-Za-z0-9._~+/=-]{16,}$ ]] ||
			die "the secret of client $cid must be at least 16 of A-Z a-z 0-9 . _ ~ + / = -"
		have=$(kc get "clients/$id/client-secret" -r "$realm" --fields value --format csv \
			--noquotes 2>"$err") || die "cannot read the secret of client $cid: $(why)"
		if [ "$have" != "$want" ]; then
			printf '{"secret":"%s"}' "$want" |
				kc update "clients/$id" -r "$realm" -f - 2>"$err" ||
				die "cannot set the secret of client $cid: $(why)"
			log "client $cid: secret set from the Secret"
		fi
	done <"$in/clients"
	log "clients: ${now_clients:-none}"

	# what an earlier run made and the repository no longer declares goes
	local now_roles="" r c
	while read -r r; do
		[ -n "$r" ] && now_roles="$now_roles${now_roles:+ }$r"
	done <"$in/roles"
	for c in $before_clients; do
		in_list "$c" "$now_clients" && continue
		id=$(sed -n "s/^\([^,]*\),$c\$/\1/p" "$work/ids")
		if [ -n "$id" ]; then
			kc delete "clients/$id" -r "$realm" 2>"$err" ||
				die "cannot delete client $c of $realm: $(why)"
			log "deleted client $c"
		fi
	done
	for r in $before_roles; do
		in_list "$r" "$now_roles" && continue
		if kc delete "roles/$r" -r "$realm" 2>"$err"; then
			log "deleted role $r"
		elif ! grep -q 'Could not find role\|404' "$err"; then
			die "cannot delete role $r of $realm: $(why)"
		fi
	done

	# last, the settings and attributes, with the lists of what is now
	# managed: a run that failed earlier leaves the old lists, so the next
	# one still deletes what they name
	kc update "realms/$realm" -f "$in/realm" 2>"$err" ||
		die "cannot update realm $realm: $(why)"
	log "realm $realm is what the repository declares"
}

prune_realms() {
	local env=${KC_ENVIRONMENT:?KC_ENVIRONMENT is not set}
	local removed=${KC_REMOVED:-disable}
	case $removed in
	disable | delete) ;;
	*) die "KC_REMOVED must be disable or delete, not '$removed'" ;;
	esac
	[ -r "$in/realms" ] || die "$in/realms is missing"
	login
	kc get realms --fields realm --format csv --noquotes >"$work/realms" 2>"$err" ||
		die "cannot list the realms: $(why)"
	echo >>"$work/realms"
	local r n=0
	while read -r r; do
		[ -n "$r" ] && [ "$r" != master ] || continue
		grep -qxF "$r" "$in/realms" && continue
		kc get "realms/$r" >"$work/realm" 2>"$err" || die "cannot read realm $r: $(why)"
		[ "$(attr "$work/realm" tenantc.io/managed)" = true ] || continue
		[ "$(attr "$work/realm" tenantc.io/environment)" = "$env" ] || continue
		if [ "$removed" = delete ]; then
			kc delete "realms/$r" 2>"$err" || die "cannot delete realm $r: $(why)"
			log "deleted realm $r: its tenant is gone"
		elif grep -q '^  "enabled" : true,$' "$work/realm"; then
			kc update "realms/$r" -s enabled=false 2>"$err" ||
				die "cannot disable realm $r: $(why)"
			log "disabled realm $r: its tenant is gone"
		fi
		n=$((n + 1))
	done <"$work/realms"
	log "$n realm(s) of removed tenants in $env"
}

case $mode in
realm) reconcile_realm ;;
prune) prune_realms ;;
*) die "usage: reconcile.sh realm|prune" ;;
esac
