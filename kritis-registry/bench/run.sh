#!/usr/bin/env bash
# Cold/warm verification benchmark against the real docker-registry (see RegistryBenchmark).
# Needs: docker-registry and apache2-utils (apt-get install -y docker-registry apache2-utils).
# Usage: kritis-registry/bench/run.sh [coldIterations=200] [warmIterations=20000]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mvn -B -q -pl kritis-registry -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="kritis-registry/target/test-classes:kritis-registry/target/classes:$(cat kritis-registry/target/bench.classpath)"
exec java -Xmx512m -cp "$cp" dev.kritis.registry.RegistryBenchmark "$@"
