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
#                         <type>" a line), ${in}/roles (a role a line),
#                         ${in}/client-roles ("<clientId> <role>" a line),
#                         ${in}/groups ("<n> <path>" a line, parents
#                         first) with ${in}/group-<n> (name, attributes)
#                         and ${in}/group-<n>.roles ("- <realm role>" or
#                         "<clientId> <client role>" a line),
#                         ${in}/scopes ("<n> <name>" a line) with
#                         ${in}/scope-<n> (the client scope without
#                         mappers), ${in}/scope-<n>.mappers ("<m> <name>"
#                         a line), ${in}/scope-<n>.mapper-<m> (each
#                         mapper) and ${in}/scope-<n>.clients
#                         ("<clientId> default|optional" a line)
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
# clients, realm roles, client roles, groups (attributes and role mappings,
# never members) and client scopes (settings, protocol mappers, which
# managed clients get them) tenant.yaml declares, and the deletion of those
# an earlier run managed and the repository no longer declares (the realm
# attributes tenantc.io/clients, tenantc.io/roles, tenantc.io/clientRoles,
# tenantc.io/groups and tenantc.io/clientScopes list them). Users, group
# membership, sessions, and objects made by hand stay.
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

# the id of client $1 in $work/ids ("<id>,<clientId>" lines)
client_id() {
	local id cid
	while IFS=, read -r id cid; do
		[ "$cid" = "$1" ] && {
			printf '%s\n' "$id"
			return 0
		}
	done <"$work/ids"
	return 0
}

# lines of file $1 that are not lines of file $2 (both may be empty)
missing_lines() {
	local l
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		grep -qxF -- "$l" "$2" || printf '%s\n' "$l"
	done <"$1"
}

# make the role mappings of group $2 (id) what $3 says: "- <role>" lines for
# realm roles, "<clientId> <role>" for client roles; only the realm's roles
# and the roles of the clients in $in/client-roles are compared, so a
# mapping of another client's role (made by hand) stays
group_roles() {
	local realm=$1 gid=$2 want=$3 path=$4 c id r
	sed -n 's/^- //p' "$want" >"$work/want"
	kc get "groups/$gid/role-mappings/realm" -r "$realm" --fields name --format csv \
		--noquotes >"$work/have" 2>"$err" || die "cannot read the roles of group $path: $(why)"
	set_group_roles "$realm" "$gid" "$path" ""
	cut -d' ' -f1 "$in/client-roles" | sort -u >"$work/rclients"
	while read -r c; do
		[ -n "$c" ] || continue
		id=$(client_id "$c")
		sed -n "s/^$c //p" "$want" >"$work/want"
		kc get "groups/$gid/role-mappings/clients/$id" -r "$realm" --fields name \
			--format csv --noquotes >"$work/have" 2>"$err" ||
			die "cannot read the roles of client $c of group $path: $(why)"
		set_group_roles "$realm" "$gid" "$path" "$c"
	done <"$work/rclients"
}

# add what $work/want has and $work/have has not, remove the other way
# round (of the realm's roles, or of client $4's)
set_group_roles() {
	local realm=$1 gid=$2 path=$3 c=$4 r what
	local -a add=() rm=() on=()
	[ -z "$c" ] || on=(--cclientid "$c")
	what=${c:+"client $c "}
	while read -r r; do add+=(--rolename "$r"); done < <(missing_lines "$work/want" "$work/have")
	while read -r r; do rm+=(--rolename "$r"); done < <(missing_lines "$work/have" "$work/want")
	if [ ${#rm[@]} -gt 0 ]; then
		kc remove-roles -r "$realm" --gid "$gid" "${on[@]}" "${rm[@]}" 2>"$err" ||
			die "cannot remove roles from group $path: $(why)"
		log "group $path: removed ${what}roles$(printf ' %s' "${rm[@]}" | sed 's/ --rolename//g')"
	fi
	if [ ${#add[@]} -gt 0 ]; then
		kc add-roles -r "$realm" --gid "$gid" "${on[@]}" "${add[@]}" 2>"$err" ||
			die "cannot add roles to group $path: $(why)"
		log "group $path: added ${what}roles$(printf ' %s' "${add[@]}" | sed 's/ --rolename//g')"
	fi
}

# every declared group: created when missing (parents come first), its
# name and attributes set, its role mappings made what tenant.yaml says;
# its members are never touched
reconcile_groups() {
	local realm=$1 n path gid parent now=""
	while read -r n path; do
		[ -n "$path" ] || continue
		now="$now${now:+ }$path"
		if gid=$(kc get "group-by-path${path}" -r "$realm" --fields id --format csv \
			--noquotes 2>"$err"); then
			:
		elif grep -q 'Resource not found\|404' "$err"; then
			parent=${path%/*}
			if [ -z "$parent" ]; then
				gid=$(kc create groups -r "$realm" -f "$in/group-$n" -i 2>"$err") ||
					die "cannot create group $path: $(why)"
			else
				local pid
				pid=$(kc get "group-by-path${parent}" -r "$realm" --fields id --format csv \
					--noquotes 2>"$err") || die "cannot read group $parent: $(why)"
				gid=$(kc create "groups/$pid/children" -r "$realm" -f "$in/group-$n" -i \
					2>"$err") || die "cannot create group $path: $(why)"
			fi
			log "created group $path"
		else
			die "cannot read group $path of $realm: $(why)"
		fi
		kc update "groups/$gid" -r "$realm" -f "$in/group-$n" 2>"$err" ||
			die "cannot update group $path of $realm: $(why)"
		group_roles "$realm" "$gid" "$in/group-$n.roles" "$path"
	done <"$in/groups"
	log "groups: ${now:-none}"
}

# every declared client scope: created when missing, its settings set (an
# attribute it has and tenant.yaml does not give is removed), its protocol
# mappers exactly the declared ones, and each managed client ($2) given it
# as a default or optional scope as tenant.yaml says, or not at all
reconcile_scopes() {
	local realm=$1 clients=$2 n name sid now="" c id kind
	if [ ! -s "$in/scopes" ]; then
		log "client scopes: none"
		return 0
	fi
	list_scopes "$realm"
	for c in $clients; do
		id=$(client_id "$c")
		for kind in default optional; do
			kc get "clients/$id/$kind-client-scopes" -r "$realm" --fields id --format csv \
				--noquotes >"$work/$kind.$c" 2>"$err" ||
				die "cannot read the $kind client scopes of client $c: $(why)"
		done
	done
	while read -r n name; do
		[ -n "$name" ] || continue
		now="$now${now:+ }$name"
		sid=$(sed -n "s/^\([^,]*\),$name\$/\1/p" "$work/scopes")
		if [ -z "$sid" ]; then
			sid=$(kc create client-scopes -r "$realm" -f "$in/scope-$n" -i 2>"$err") ||
				die "cannot create client scope $name: $(why)"
			log "created client scope $name"
		fi
		kc get "client-scopes/$sid" -r "$realm" >"$work/scope" 2>"$err" ||
			die "cannot read client scope $name: $(why)"
		# the scope's attributes, a name a line: Keycloak merges the
		# attributes of an update, so the undeclared ones are sent as null
		local drop="" a
		while read -r a; do
			grep -qF "\"$a\":" "$in/scope-$n" || drop="$drop${drop:+,}\"$a\":null"
		done < <(sed -n '/^  "attributes" : {/,/^  [}"]/s/^    "\([^"]*\)" : .*/\1/p' "$work/scope")
		kc update "client-scopes/$sid" -r "$realm" -f "$in/scope-$n" 2>"$err" ||
			die "cannot update client scope $name: $(why)"
		if [ -n "$drop" ]; then
			printf '{"name":"%s","attributes":{%s}}' "$name" "$drop" |
				kc update "client-scopes/$sid" -r "$realm" -f - 2>"$err" ||
				die "cannot remove attributes of client scope $name: $(why)"
		fi
		scope_mappers "$realm" "$sid" "$n" "$name"
		for c in $clients; do
			id=$(client_id "$c")
			for kind in default optional; do
				if grep -qxF "$sid" "$work/$kind.$c" && ! grep -qxF "$c $kind" "$in/scope-$n.clients"; then
					kc delete "clients/$id/$kind-client-scopes/$sid" -r "$realm" 2>"$err" ||
						die "cannot remove client scope $name from client $c: $(why)"
					log "client $c: no longer has $kind client scope $name"
				fi
			done
			for kind in default optional; do
				if grep -qxF "$c $kind" "$in/scope-$n.clients" && ! grep -qxF "$sid" "$work/$kind.$c"; then
					kc update "clients/$id/$kind-client-scopes/$sid" -r "$realm" 2>"$err" ||
						die "cannot give client $c the client scope $name: $(why)"
					log "client $c: $kind client scope $name"
				fi
			done
		done
	done <"$in/scopes"
	log "client scopes: ${now:-none}"
}

# the protocol mappers of client scope $2 (id; $3 its number in the input,
# $4 its name): exactly the declared ones, each with its declared settings
scope_mappers() {
	local realm=$1 sid=$2 n=$3 name=$4 m mname mid have
	kc get "client-scopes/$sid/protocol-mappers/models" -r "$realm" --fields id,name \
		--format csv --noquotes >"$work/mappers" 2>"$err" ||
		die "cannot list the protocol mappers of client scope $name: $(why)"
	while IFS=, read -r mid mname; do
		[ -n "$mid" ] || continue
		grep -qE "^[0-9]+ ${mname//./\\.}\$" "$in/scope-$n.mappers" && continue
		kc delete "client-scopes/$sid/protocol-mappers/models/$mid" -r "$realm" 2>"$err" ||
			die "cannot delete protocol mapper $mname of client scope $name: $(why)"
		log "client scope $name: deleted protocol mapper $mname"
	done <"$work/mappers"
	while read -r m mname; do
		[ -n "$mname" ] || continue
		mid=$(sed -n "s/^\([^,]*\),${mname//./\\.}\$/\1/p" "$work/mappers")
		if [ -z "$mid" ]; then
			# created, then updated below: the server adds settings of its
			# own to a new mapper, which an update with the declared ones
			# removes, so the next run finds nothing to change
			mid=$(kc create "client-scopes/$sid/protocol-mappers/models" -r "$realm" \
				-f "$in/scope-$n.mapper-$m" -i 2>"$err") ||
				die "cannot create protocol mapper $mname of client scope $name: $(why)"
			log "client scope $name: created protocol mapper $mname"
		fi
		kc update "client-scopes/$sid/protocol-mappers/models/$mid" -r "$realm" \
			-f "$in/scope-$n.mapper-$m" -s "id=$mid" 2>"$err" ||
			die "cannot update protocol mapper $mname of client scope $name: $(why)"
	done <"$in/scope-$n.mappers"
}

# delete the groups of the old list ($2, paths) that are no longer
# declared; a subgroup whose parent went before is gone with it
delete_groups() {
	local realm=$1 path gid
	for path in $2; do
		grep -qE "^[0-9]+ ${path//./\\.}\$" "$in/groups" && continue
		if gid=$(kc get "group-by-path${path}" -r "$realm" --fields id --format csv \
			--noquotes 2>"$err"); then
			kc delete "groups/$gid" -r "$realm" 2>"$err" ||
				die "cannot delete group $path of $realm: $(why)"
			log "deleted group $path"
		elif ! grep -q 'Resource not found\|404' "$err"; then
			die "cannot read group $path of $realm: $(why)"
		fi
	done
}

# the realm's client scopes into $work/scopes ("<id>,<name>" lines)
list_scopes() {
	kc get client-scopes -r "$1" --fields id,name --format csv --noquotes \
		>"$work/scopes" 2>"$err" || die "cannot list the client scopes of $1: $(why)"
}

# delete the client scopes of the old list ($2) that are no longer
# declared (Keycloak removes them from every client that has them)
delete_scopes() {
	local realm=$1 name sid listed=""
	for name in $2; do
		grep -qE "^[0-9]+ ${name//./\\.}\$" "$in/scopes" && continue
		[ -n "$listed" ] || list_scopes "$realm"
		listed=1
		sid=$(sed -n "s/^\([^,]*\),${name//./\\.}\$/\1/p" "$work/scopes")
		[ -n "$sid" ] || continue
		kc delete "client-scopes/$sid" -r "$realm" 2>"$err" ||
			die "cannot delete client scope $name of $realm: $(why)"
		log "deleted client scope $name"
	done
}

reconcile_realm() {
	local realm=${KC_REALM:?KC_REALM is not set}
	local f
	for f in realm import clients roles client-roles groups scopes; do
		[ -r "$in/$f" ] || die "$in/$f is missing"
	done
	login
	local before_clients="" before_roles="" before_croles="" before_groups="" before_scopes=""
	if kc get "realms/$realm" >"$work/realm" 2>"$err"; then
		[ "$(attr "$work/realm" tenantc.io/managed)" = true ] ||
			log "realm $realm was made by hand: tenantc manages it from now on"
		before_clients=$(attr "$work/realm" tenantc.io/clients)
		before_roles=$(attr "$work/realm" tenantc.io/roles)
		before_croles=$(attr "$work/realm" tenantc.io/clientRoles)
		before_groups=$(attr "$work/realm" tenantc.io/groups)
		before_scopes=$(attr "$work/realm" tenantc.io/clientScopes)
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

	reconcile_groups "$realm"
	reconcile_scopes "$realm" "$now_clients"

	# what an earlier run made and the repository no longer declares goes
	local now_roles="" now_croles="" r c
	while read -r r; do
		[ -n "$r" ] && now_roles="$now_roles${now_roles:+ }$r"
	done <"$in/roles"
	while read -r c r; do
		[ -n "$r" ] && now_croles="$now_croles${now_croles:+ }$c:$r"
	done <"$in/client-roles"
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
	for r in $before_croles; do
		in_list "$r" "$now_croles" && continue
		c=${r%%:*}
		in_list "$c" "$now_clients" || continue # gone with its client
		id=$(client_id "$c")
		if kc delete "clients/$id/roles/${r#*:}" -r "$realm" 2>"$err"; then
			log "deleted role ${r#*:} of client $c"
		elif ! grep -q 'Could not find role\|404' "$err"; then
			die "cannot delete role ${r#*:} of client $c of $realm: $(why)"
		fi
	done
	delete_groups "$realm" "$before_groups"
	delete_scopes "$realm" "$before_scopes"

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
