#!/usr/bin/env bash
# Load benchmark: kritis serve against the shared echo-webhook ceiling, same machine, back to back.
#
#   kritis-webhook-undertow/bench/run-load.sh            # DURATION=20s WARMUP=10s by default
#   DURATION=10s WARMUP=5s JAVA_OPTS='-Xmx256m' kritis-webhook-undertow/bench/run-load.sh
#   ROUNDS=3 ...                                      # repeat, report the median ratios
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
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
rps()   { sed -n 's/^[^:]*: \([0-9.]*\) req\/s.*/\1/p' <<<"$1"; }
: >"$work/ratios"
for round in $(seq "${ROUNDS:-1}"); do
  echo "round $round" >&2
  ceiling32=$(run ceiling 32);             echo "$ceiling32"
  kritis32=$(run kritis 32 "$kritis_cmd"); echo "$kritis32"
  ceiling8=$(run ceiling 8);               echo "$ceiling8"
  kritis8=$(run kritis 8 "$kritis_cmd");   echo "$kritis8"
  for line in "$ceiling32" "$kritis32" "$ceiling8" "$kritis8"; do
    [[ $line == *"errors=0 "* ]] || echo "WARNING: errors in: $line" >&2
  done
  awk -v cr="$(rps "$ceiling32")" -v kr="$(rps "$kritis32")" \
      -v cp="$(field "$ceiling8" p99)" -v kp="$(field "$kritis8" p99)" \
      -v cm1="$(field "$ceiling32" rss)" -v cm2="$(field "$ceiling8" rss)" \
      -v km1="$(field "$kritis32" rss)" -v km2="$(field "$kritis8" rss)" 'BEGIN {
    cm = cm1 > cm2 ? cm1 : cm2; km = km1 > km2 ? km1 : km2
    printf "%.4f %.4f %.4f %.0f %.0f %.2f %.2f %.0f %.0f\n", kr/cr, kp/cp, km/cm, kr, cr, kp, cp, km, cm
  }' >>"$work/ratios"
done
# One line per round, then the median round's ratios (runs vary; p99 on a shared machine most).
sort -n -k1 "$work/ratios" | awk '{ r[NR]=$1 } END { m=r[int((NR+1)/2)]; printf "median req/s ratio at 32 conns over %d round(s): %.0f%% (goal >= 70%%) %s\n", NR, 100*m, (m >= 0.70 ? "OK" : "MISSED") }'
sort -n -k2 "$work/ratios" | awk '{ r[NR]=$2 } END { m=r[int((NR+1)/2)]; printf "median p99 ratio at 8 conns: %.2fx (goal <= 1.5x) %s\n", m, (m <= 1.5 ? "OK" : "MISSED") }'
sort -n -k3 "$work/ratios" | awk '{ r[NR]=$3 } END { m=r[int((NR+1)/2)]; printf "median peak-RSS ratio: %.2fx (goal <= 1.3x) %s\n", m, (m <= 1.3 ? "OK" : "MISSED") }'
awk '{ printf "round %d: req/s %.0f vs %.0f (%.0f%%), p99@8 %.2fms vs %.2fms (%.2fx), rss %.0fMB vs %.0fMB (%.2fx)\n", NR, $4, $5, 100*$1, $6, $7, $2, $8, $9, $3 }' "$work/ratios"
echo "full log: $work/log" >&2
