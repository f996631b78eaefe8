#!/usr/bin/env bash
# Compares kritis signature verification with `openssl speed` on this machine.
# Usage: benchmarks/run-verify-bench.sh [extra JMH options]   (run from the repository root)
# Defaults: -f 1 -wi 3 -w 2s -i 5 -r 2s. Shorter for a quick look: JMH_OPTS="-f 1 -wi 2 -w 1s -i 3 -r 1s".
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=benchmarks/target/benchmarks.jar
if [[ ! -f "$JAR" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
OUT=$(mktemp -d)
OPENSSL_SECONDS=${OPENSSL_SECONDS:-3}
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s"}

echo "== openssl $(openssl version)"
openssl speed -seconds "$OPENSSL_SECONDS" ecdsap256 2>/dev/null | tee "$OUT/ecdsa.txt" | tail -2
openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 2>/dev/null | tee "$OUT/rsa.txt" | tail -2
# Last column is verify/s; convert to microseconds per verify.
OSSL_ECDSA_US=$(awk '/nistp256/ {printf "%.2f", 1e6 / $NF}' "$OUT/ecdsa.txt")
OSSL_RSA_US=$(awk '/^rsa 2048 bits/ {printf "%.2f", 1e6 / $NF}' "$OUT/rsa.txt")

echo "== JMH ($JMH_OPTS)"
# shellcheck disable=SC2086
java -jar "$JAR" VerifyBenchmark $JMH_OPTS -tu us -bm avgt -rf csv -rff "$OUT/jmh.csv" "$@"

score() { # benchmark-method algorithm -> score in us
  awk -F, -v m="$1" -v a="$2" '{gsub(/["\r]/, "")} $1 ~ ("[.]" m "$") && $8 == a {print $5}' "$OUT/jmh.csv"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

echo
echo "== Summary (microseconds per operation, lower is better)"
echo "openssl ECDSA P-256 verify:            $OSSL_ECDSA_US"
echo "openssl RSA-2048 verify:               $OSSL_RSA_US"
for alg in ECDSA_P256_SHA256 ECDSA_P384_SHA384 RSA_SIGN_PKCS1_2048_SHA256 RSA_PSS_2048_SHA256 ED25519; do
  printf '%-28s kritis verify %8s  full check %8s  decision %8s  JDK JCA verify %8s\n' "$alg" \
    "$(score kritisVerify $alg)" "$(score fullAttestationCheck $alg)" "$(score imageVerifierDecision $alg)" "$(score jcaVerify $alg)"
done
echo "ratio kritis ECDSA P-256 full check / openssl verify: $(ratio "$(score fullAttestationCheck ECDSA_P256_SHA256)" "$OSSL_ECDSA_US")"
echo "ratio kritis ECDSA P-256 decision   / openssl verify: $(ratio "$(score imageVerifierDecision ECDSA_P256_SHA256)" "$OSSL_ECDSA_US")"
echo "ratio kritis ECDSA P-256 verify     / openssl verify: $(ratio "$(score kritisVerify ECDSA_P256_SHA256)" "$OSSL_ECDSA_US")"
echo "ratio JDK JCA ECDSA P-256 verify    / openssl verify: $(ratio "$(score jcaVerify ECDSA_P256_SHA256)" "$OSSL_ECDSA_US")"
echo "ratio kritis RSA-2048 PKCS1 full check / openssl verify: $(ratio "$(score fullAttestationCheck RSA_SIGN_PKCS1_2048_SHA256)" "$OSSL_RSA_US")"
echo "raw results: $OUT"
