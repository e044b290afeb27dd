#!/usr/bin/env bash
# Runs bench-ingest from a bundle made by make-ingest-bundle.sh, on a machine with no JDK:
#   run-ingest-bench.sh BUNDLE_DIR IMAGES_FILE [bench-ingest options]
# unpacks each BUNDLE_DIR/*.tar.xz once into $UNPACKED (default /tmp/spindle-bundle; the
# archives can come in separate copies), then runs the benchmark RUNS times (default 1), each
# writing $OUT/NAME-runN/ingest-benchmark.{md,json} and $OUT/NAME-runN.log. The 2,000 images
# for one-per-request HTTP uploads come in test.tar.xz: unpack it (and code.tar.xz) first.
# IMAGES_FILE: train-images-idx3-ubyte (60k, the benchmark's set) or t10k-images-idx3-ubyte.
set -uo pipefail
BUNDLE=$1; IMAGES_NAME=$2; shift 2
B=${UNPACKED:-/tmp/spindle-bundle}; OUT=${OUT:-results/remote}; mkdir -p "$B" "$OUT"
started=$(date +%s)
for f in "$BUNDLE"/*.tar.xz; do
  [ -f "$f" ] || continue
  done_mark="$B/.unpacked-$(basename "$f")"
  [ -f "$done_mark" ] || { xz -T0 -dc "$f" | tar -C "$B" -xf - && touch "$done_mark"; } || exit 3
done
[ -x "$B/jre/bin/java" ] || { echo "no runtime in $B: code.tar.xz not unpacked here" >&2; exit 4; }
IMAGES="$B/data/$IMAGES_NAME"
[ -f "$IMAGES" ] || { echo "no images at $IMAGES; unpacked: $(ls "$B/data")" >&2; exit 5; }
while read -r ours theirs; do
  [ -f "$B/apicurio/lib/$theirs" ] || cp "$B/lib/$ours" "$B/apicurio/lib/$theirs"
done < "$BUNDLE/shared-jars.txt"
echo "unpacked in $(( $(date +%s) - started )) s"
{ echo "cores: $(nproc)"; grep -m1 "model name" /proc/cpuinfo; free -g | head -2
  "$B/jre/bin/java" -version 2>&1; } | tee -a "$OUT/machine.txt"
export SPINDLE_APICURIO_RUNNER="$(ls "$B"/apicurio/apicurio-registry-app-*-runner.jar)"
CONFIG="$(cd "$(dirname "$0")" && pwd)/logback.xml"
[ -f "$CONFIG" ] || CONFIG="$(cd "$(dirname "$0")/../.." && pwd)/config/logback.xml"
for run in $(seq 1 "${RUNS:-1}"); do
  name="${IMAGES_NAME%%-*}-run$run"
  "$B/jre/bin/java" -Dlogback.configurationFile="$CONFIG" -cp "$B/lib/*" \
    dev.spindle.bench.IngestBenchmark --images "$IMAGES" \
    --http-images "$B/data/t2k-images-idx3-ubyte" --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1
  echo "$name: exit $? after $(( $(date +%s) - started )) s"
  sed -n '/^| path | images/,/^Lost/p;/at its limit of/p;/^| path | machine/,$p' "$OUT/$name.log"
done
