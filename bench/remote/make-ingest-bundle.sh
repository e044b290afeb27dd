#!/usr/bin/env bash
# Packs what `bin/spindle bench-ingest` needs to run on a machine with no JDK, no Maven and no
# network (such as a lent many-core machine): a Java 17 runtime (jlink), the jars, the Apicurio
# registry without its web UI and other parts an Avro-only registry does not load, and the
# Fashion-MNIST images. Three archives, each small enough to send on its own: code (~51 MB),
# test (the 10k test images, ~4 MB) and train (the 60k training images, ~23 MB). Run there:
#   bench/remote/run-ingest-bench.sh BUNDLE_DIR train-images-idx3-ubyte [bench-ingest options]
# Needs: a build (./mvnw package -DskipTests), dataset-fashion-mnist, xz, zip, unzip, jlink.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/.spindle/ingest-bundle}"
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)"
JDK="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
DATA=/usr/share/datasets/fashion-mnist
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lib" "$WORK/test/data" "$WORK/train/data"

echo "jars: ingest-service and stack class paths, Spindle's own" >&2
# not RocksDB (the benchmark runs no label join), the broker's YAML/CSV tools, test libraries
for f in $( (cat "$ROOT/ingest-service/target/classpath.txt"; echo
    cat "$ROOT/stack/target/classpath.txt") | tr ':' '\n'); do
  case $f in *rocksdbjni*|*junit*|*opentest4j*|*apiguardian*|*scala-reflect*|*commons-compress*\
    |*jackson-dataformat-yaml*|*snakeyaml*|*jackson-dataformat-csv*|*log4j-core*) continue;; esac
  cp -n "$f" "$WORK/lib/"
done
rm -f "$WORK"/lib/spindle-*.jar
for m in schemas ingest-service stack bench; do
  cp "$ROOT/$m/target/spindle-$m-0.1.0-SNAPSHOT.jar" "$WORK/lib/"
done
# native libraries for linux x86-64 only
(cd "$WORK/lib"
  zip -q -d zstd-jni-*.jar 'aix/*' 'darwin/*' 'freebsd/*' 'win/*' 'linux/aarch64/*' 'linux/arm/*' \
    'linux/i386/*' 'linux/loongarch64/*' 'linux/mips64/*' 'linux/ppc64*' 'linux/riscv64/*' \
    'linux/s390x/*' || true
  n=org/xerial/snappy/native
  zip -q -d snappy-java-*.jar "$n/Mac/*" "$n/Windows/*" "$n/AIX/*" "$n/SunOS/*" "$n/FreeBSD/*" \
    "$n/Linux/aarch64/*" "$n/Linux/arm*" "$n/Linux/ppc*" "$n/Linux/s390x/*" "$n/Linux/x86/*" \
    "$n/Linux/riscv64/*" "$n/Linux/loongarch64/*" || true
  n=net/jpountz/util
  zip -q -d lz4-java-*.jar "$n/darwin/*" "$n/win32/*" "$n/linux/aarch64/*" "$n/linux/ppc64le/*" \
    "$n/linux/s390x/*" "$n/linux/i386/*" || true)

echo "Apicurio: without its web UI and what an Avro-only registry never loads" >&2
cp -r "$ROOT/stack/target/apicurio" "$WORK/apicurio"
(cd "$WORK/apicurio"
  zip -q -d apicurio-registry-app-*-runner.jar 'META-INF/resources/ui/*'
  # checked by hand (start, register, evolve, refuse an incompatible schema, look up by id);
  # the protobuf and wire jars stay: Apicurio tries every type on a schema without one
  for j in io.apicurio.apicurio-registry-ui-*.jar com.ibm.icu.icu4j-*.jar \
    com.github.luben.zstd-jni-*.jar org.xerial.snappy.snappy-java-*.jar \
    com.graphql-java.graphql-java-*.jar org.jetbrains.kotlin.kotlin-reflect-*.jar \
    com.google.api.grpc.proto-google-common-protos-*.jar org.locationtech.jts.jts-core-*.jar \
    org.apache.santuario.xmlsec-*.jar com.fasterxml.woodstox.woodstox-core-*.jar \
    com.squareup.kotlinpoet-jvm-*.jar com.squareup.okio.okio-3*.jar \
    com.squareup.okio.okio-fakefilesystem*.jar com.squareup.wire.wire-runtime-5*.jar \
    com.squareup.wire.wire-schema-5*.jar io.apicurio.apicurio-data-models-*.jar \
    joda-time.joda-time-*.jar org.jetbrains.kotlinx.kotlinx-datetime-jvm-*.jar \
    wsdl4j.wsdl4j-*.jar; do rm -f lib/$j; done
  # jars Spindle's lib has in the same or a newer version: copied back at the other end
  while read -r ours theirs; do rm -f "lib/$theirs"; done < "$ROOT/bench/remote/shared-jars.txt")

echo "storing every jar uncompressed, so xz compresses the classes across jars" >&2
for j in "$WORK"/lib/*.jar "$WORK"/apicurio/lib/*.jar "$WORK"/apicurio/*.jar; do
  t="$(mktemp -d)"; (cd "$t" && unzip -q -o "$j" && rm -f "$j" && zip -q -r -0 -X "$j" .)
  rm -rf "$t"
done

echo "a Java 17 runtime ($JDK)" >&2
"$JDK/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.management,\
jdk.naming.dns,jdk.net,jdk.security.auth,jdk.charsets --strip-debug --no-header-files \
  --no-man-pages --compress=0 --output "$WORK/jre"

echo "images: the 60k training images; the 10k test images and the first 2,000 of them" >&2
zcat "$DATA/train-images-idx3-ubyte.gz" > "$WORK/train/data/train-images-idx3-ubyte"
zcat "$DATA/t10k-images-idx3-ubyte.gz" > "$WORK/test/data/t10k-images-idx3-ubyte"
{ head -c 4 "$WORK/test/data/t10k-images-idx3-ubyte"; printf '\x00\x00\x07\xd0'
  head -c $((16 + 2000 * 784)) "$WORK/test/data/t10k-images-idx3-ubyte" | tail -c +9
} > "$WORK/test/data/t2k-images-idx3-ubyte"

echo "compressing (xz -9, a few minutes)" >&2
tar -C "$WORK" -cf - jre lib apicurio | xz -T1 --lzma2=preset=9,dict=256MiB > "$OUT/code.tar.xz"
tar -C "$WORK/test" -cf - data | xz -9e -T1 > "$OUT/test.tar.xz"
tar -C "$WORK/train" -cf - data | xz -9e -T1 > "$OUT/train.tar.xz"
cp "$ROOT/bench/remote/run-ingest-bench.sh" "$ROOT/bench/remote/shared-jars.txt" \
  "$ROOT/config/logback.xml" "$OUT/"
ls -l "$OUT" >&2
