#!/usr/bin/env bash
# Load benchmark: kritis serve against the shared echo-webhook ceiling, same machine, back to back.
#
#   kritis-webhook-undertow/bench/run-load.sh            # DURATION=20s WARMUP=10s by default
#   DURATION=10s WARMUP=5s JAVA_OPTS='-Xmx256m' kritis-webhook-undertow/bench/run-load.sh
#
# Needs: wrk, curl, a JDK 17, Maven (builds target/kritis.jar if missing, and the echo webhook).
# For each of CONNS=32 and CONNS=8 it runs the ceiling (zero-work echo webhook) and then kritis,
# both with the same JAVA_OPTS and the same body: a 3-container Deployment AdmissionReview whose
# images are all signed and pinned by digest (first request verifies, then the cache answers).
# Goals: req/s >= 70% of the ceiling at 32 conns; p99 <= 1.5x the ceiling at 8 conns; peak RSS
# <= 1.3x the ceiling.
set -euo pipefail

module=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$module/.." && pwd)
harness="$repo/../shared/bench/echo-webhook"   # the shared harness, referenced, never copied
[[ -x $harness/run.sh ]] || { echo "shared harness not found at $harness" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }

jar=$module/target/kritis.jar
if [[ ! -f $jar ]]; then
  echo "building $jar" >&2
  (cd "$repo" && mvn -B -q -pl kritis-webhook-undertow -am package -DskipTests)
fi

work=${BENCH_WORK:-/tmp/kritis-load-bench}
rm -rf "$work/kritis"; mkdir -p "$work/kritis"
java "$module/bench/PrepareBench.java" "$work/kritis" "$harness/admission-review.json" >&2
body=$work/kritis/admission-review.json

export DURATION=${DURATION:-20s} WARMUP=${WARMUP:-10s} JAVA_OPTS=${JAVA_OPTS:-}
export BENCH_WORK=$work/echo
kritis_cmd="java ${JAVA_OPTS} -jar $jar serve --tls-self-signed --address 127.0.0.1 --port PORT \
--policies $work/kritis/policies --attestations $work/kritis/attestations"

run() {  # run LABEL CONNS [TARGET_CMD]: prints the harness's summary line
  local label=$1 conns=$2 target=${3:-}
  if [[ -n $target ]]; then
    CONNS=$conns LABEL=$label BODY_FILE=$body TARGET_CMD=$target "$harness/run.sh" 2>&1 | tee -a "$work/log" | tail -1
  else
    CONNS=$conns LABEL=$label BODY_FILE=$body "$harness/run.sh" 2>&1 | tee -a "$work/log" | tail -1
  fi
}
: >"$work/log"
ceiling32=$(run ceiling 32);        echo "$ceiling32"
kritis32=$(run kritis 32 "$kritis_cmd"); echo "$kritis32"
ceiling8=$(run ceiling 8);          echo "$ceiling8"
kritis8=$(run kritis 8 "$kritis_cmd");   echo "$kritis8"

field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
rps()   { sed -n 's/^[^:]*: \([0-9.]*\) req\/s.*/\1/p' <<<"$1"; }
for line in "$ceiling32" "$kritis32" "$ceiling8" "$kritis8"; do
  [[ $line == *"errors=0 "* ]] || echo "WARNING: errors in: $line" >&2
done
awk -v cr="$(rps "$ceiling32")" -v kr="$(rps "$kritis32")" \
    -v cp="$(field "$ceiling8" p99)" -v kp="$(field "$kritis8" p99)" \
    -v cm1="$(field "$ceiling32" rss)" -v cm2="$(field "$ceiling8" rss)" \
    -v km1="$(field "$kritis32" rss)" -v km2="$(field "$kritis8" rss)" 'BEGIN {
  cm = cm1 > cm2 ? cm1 : cm2; km = km1 > km2 ? km1 : km2
  printf "req/s at 32 conns: %.0f vs ceiling %.0f = %.0f%%  (goal >= 70%%) %s\n", kr, cr, 100*kr/cr, (kr/cr >= 0.70 ? "OK" : "MISSED")
  printf "p99 at 8 conns:    %.2fms vs ceiling %.2fms = %.2fx (goal <= 1.5x) %s\n", kp, cp, kp/cp, (kp/cp <= 1.5 ? "OK" : "MISSED")
  printf "peak RSS:          %.0fMB vs ceiling %.0fMB = %.2fx (goal <= 1.3x) %s\n", km, cm, km/cm, (km/cm <= 1.3 ? "OK" : "MISSED")
}'
echo "full log: $work/log" >&2
