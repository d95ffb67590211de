#!/bin/sh
# tests/interop/peer_keycloak.sh - print the folder of the Keycloak server
# distribution at $KEYCLOAK_VERSION (org.keycloak:keycloak-quarkus-dist from
# Maven Central, fetched with mvn into <cache>/m2 and unpacked), or SKIP (77).
# The JDK it runs on is checked here too (keycloak_java_home in peer_cache.sh).
. "$(dirname "$0")/peer_cache.sh"
keycloak_java_home >/dev/null || peer_skip keycloak "$KEYCLOAK_VERSION" \
	"no JDK found among $KEYCLOAK_JAVA_HOMES"
build() {
	command -v mvn >/dev/null 2>&1 || { echo "mvn (Maven) is not installed"; return 1; }
	command -v unzip >/dev/null 2>&1 || { echo "unzip is not installed"; return 1; }
	JAVA_HOME=$(keycloak_java_home) nice -n 10 mvn -B -ntp -Dmaven.repo.local="$PEER_ROOT/m2" \
		"org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION:copy" \
		-Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
		-DoutputDirectory="$1/zip" || { echo "mvn could not fetch the Keycloak zip"; return 1; }
	unzip -q "$1/zip/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$1" ||
		{ echo "unzip failed"; return 1; }
	rm -rf "$1/zip"
	mv "$1/keycloak-$KEYCLOAK_VERSION" "$1/dist"
}
peer_build keycloak "$KEYCLOAK_VERSION" build
echo "$PEER_ROOT/keycloak-$KEYCLOAK_VERSION/dist"
