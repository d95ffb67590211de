# tests/examples/spark-minio.sh - cases of examples/spark-minio (sourced by
# tests/integration/example.sh: $R the repository, $T/out its render).
# MinIO's `mc anonymous set` (none = no anonymous access) and its IAM
# policy JSON (AWS IAM policy grammar), and Kubernetes' secretKeyRef
# (resolved in the pod's own namespace) decide what the fields mean.
A="$T/out/prod/tenants/analytics"
SETUP=$(ls "$A"/job-minio-setup-*.yaml)

expect "the bucket is made private, never anonymously readable" \
	'grep -q "mc anonymous set none \"tenant/\${BUCKET}\"" "$SETUP" &&
	 ! grep -rqE "anonymous set (download|public|upload)|policy set|\"Principal\"" "$T/out"'
expect "the reader may only read the tenant's own bucket" \
	'grep -qF "\"Action\":[\"s3:GetObject\"]" "$A/configmap-minio-reader-policy.yaml" &&
	 grep -qF "arn:aws:s3:::kafka-certs/*" "$A/configmap-minio-reader-policy.yaml" &&
	 ! grep -qE "s3:[*]|s3:Put|s3:Delete|arn:aws:s3:::[*]" "$A/configmap-minio-reader-policy.yaml"'
expect "the init container signs in as the reader, never as root" \
	'sed -n "/initContainers:/,/containers:/p" "$A/cronjob-kafka-spark-adb.yaml" >"$T/init" &&
	 grep -q "name: minio-reader" "$T/init" && ! grep -q "minio-root" "$T/init"'
expect "every fetched file is checked against its prod digest before Spark starts" \
	'grep -q "sha256sum -c /sums/SHA256SUMS" "$A/cronjob-kafka-spark-adb.yaml" &&
	 grep -q "3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081  certs/keystore.jks" "$A/configmap-spark-artifacts.yaml" &&
	 ! grep -q 5f2b9c1d0e4a7b3c "$A/configmap-spark-artifacts.yaml" &&
	 grep -q 5f2b9c1d0e4a7b3c "$T/out/test/tenants/analytics/configmap-spark-artifacts.yaml" &&
	 ! grep -rqE "noverify|insecure|--no-check" "$T/out"'
# every secretKeyRef names a Secret rendered into the pod's own namespace,
# and no credential-like variable has a literal value
refs_local() {
	for e in test prod; do
		d="$T/out/$e/tenants/analytics"
		names=$(grep -h -A2 "secretKeyRef:" "$d"/*.yaml | sed -n "s/^ *name: //p" | sort -u | tr '\n' ' ')
		[ "$names" = "kafka-ssl minio-reader minio-root " ] || { why="$e: secretKeyRef names '$names'"; return 1; }
		for n in $names; do
			grep -q "^ *namespace: analytics-$e\$" "$d/secret-$n.yaml" 2>/dev/null ||
				{ why="$e: secretKeyRef to '$n', not a Secret of analytics-$e"; return 1; }
		done
		if grep -h -B2 "value:" "$d"/*.yaml | grep -qiE "name: .*(KEY|PASSWORD|USER)"; then
			why="$e: a credential given as a literal value"
			return 1
		fi
	done
}
expect "credentials reach pods only as secretKeyRef to Secrets of their own namespace" \
	'! grep -rqE "MINIO_ACCESS_KEY|MINIO_SECRET_KEY|minio123|AWS_SECRET_ACCESS_KEY" "$T/out" && refs_local'
# every value under data/stringData of a rendered Secret is ciphertext
secrets_sealed() {
	[ "$(cat "$T"/out/*/tenants/analytics/secret-*.yaml | sed -n "/^stringData:/,/^[a-z]/p" | grep -c "^ *[a-z-]*: ENC\[AES256_GCM")" -eq 12 ] ||
		{ why="not 12 encrypted values in the 6 rendered Secrets"; return 1; }
	for f in "$T"/out/*/tenants/analytics/secret-*.yaml; do
		if sed -n "/^stringData:/,/^[a-z]/p;/^data:/,/^[a-z]/p" "$f" | grep -E "^ +[a-z-]+:" | grep -vq "ENC\[AES256_GCM"; then
			why="a clear value in $f"
			return 1
		fi
	done
}
expect "no rendered Secret holds a value in the clear" 'secrets_sealed'
expect "no pod is privileged or runs as root; namespaces enforce restricted" \
	'! grep -rqE "privileged: true|runAsUser: 0\$|hostPath|hostNetwork: true" "$T/out" &&
	 [ "$(grep -rl "runAsNonRoot: true" "$T"/out/*/tenants/analytics/ | wc -l)" -eq 6 ] &&
	 grep -q "pod-security.kubernetes.io/enforce: restricted" "$A/namespace-analytics-prod.yaml"'
expect "no label selector holds a wildcard" '! grep -rn -A8 "Selector:" "$T/out" | grep -q "[*]"'

expect "each environment's Spark reaches only its own Kafka and ADB" \
	'grep -q "cidr: 10.10.1.0/24" "$A/networkpolicy-allow-spark-egress.yaml" &&
	 ! grep -q "10[.]11[.]" "$A/networkpolicy-allow-spark-egress.yaml" &&
	 grep -q "cidr: 10.11.2.0/24" "$T/out/test/tenants/analytics/networkpolicy-allow-spark-egress.yaml" &&
	 ! grep -q "10[.]10[.]" "$T/out/test/tenants/analytics/networkpolicy-allow-spark-egress.yaml"'

# each environment's key opens only its own Secrets; the repository's both
for e in test prod; do
	for k in test prod admin; do
		run env SOPS_AGE_KEY_FILE="$SRC/keys/$k.agekey" "$TENANTC" secret decrypt "$R/tenants/analytics/secrets/$e/minio-root.yaml"
		if [ "$k" = "$e" ] || [ "$k" = admin ]; then
			expect "keys/$k.agekey opens $e's input minio-root" 'expect_status 0 && expect_stdout "root-user: root-$e\$"'
		else
			expect "keys/$k.agekey cannot open $e's input minio-root" 'expect_failure && expect_stdout_empty'
		fi
		run env SOPS_AGE_KEY_FILE="$SRC/keys/$k.agekey" "$TENANTC" secret decrypt "$T/out/$e/tenants/analytics/secret-minio-reader.yaml"
		if [ "$k" = "$e" ] || [ "$k" = admin ]; then
			expect "keys/$k.agekey opens $e's rendered minio-reader" 'expect_status 0 && expect_stdout "access-key: analytics-reader-$e"'
		else
			expect "keys/$k.agekey cannot open $e's rendered minio-reader" 'expect_failure && expect_stdout_empty'
		fi
	done
done

# a test Secret copied into prod (readable with test's key) stops the render
B="$T/leak"
cp -R "$R" "$B"
cp "$B/tenants/analytics/secrets/test/kafka-ssl.yaml" "$B/tenants/analytics/secrets/prod/kafka-ssl.yaml"
run "$TENANTC" render -C "$B" --out "$T/leak-out"
expect "a prod Secret that test's key opens stops the render" \
	'expect_status 2 && expect_stderr "^tenants/analytics/secrets/prod/kafka-ssl.yaml:[0-9]+:[0-9]+: error: .*of environment .test., whose key can open it"'
expect "... leaving no output" 'expect_file_absent "$T/leak-out"'

# an artifact path that climbs out of the bucket is refused by the schema
cp "$R/tenants/analytics/secrets/prod/kafka-ssl.yaml" "$B/tenants/analytics/secrets/prod/kafka-ssl.yaml"
sed -i "s|path: apps/sparkapp.py|path: apps/../../etc/passwd|" "$B/tenants/analytics/tenant.yaml"
run "$TENANTC" render -C "$B" --out "$T/path-out"
expect "an artifact path with '..' is an error at its line" \
	'expect_status 2 && expect_stderr_line "^tenants/analytics/tenant.yaml:[0-9]+:[0-9]+: error: .*relative object path"'
