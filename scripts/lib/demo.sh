# Shared by scripts/demo and scripts/jlink: builds the library jar and compiles the demo module
# against it, each only when its sources changed. Sourced after env.sh; run from the repository root.
# Sets KNITTING_JAR (the library jar) and DEMO_CLASSES (the demo's exploded module).

DEMO_CLASSES=target/demo/classes
DEMO_MAIN=dev.knitting.demo/dev.knitting.demo.ImagePipelineDemo

# true when $1 exists and no file under the other arguments is newer
knitting_up_to_date() {
  local out=$1; shift
  [[ -e $out ]] || return 1
  [[ -z $(find "$@" -newer "$out" -print -quit 2>/dev/null) ]]
}

knitting_library_jar() {
  local version
  version=$(sed -n '0,/<version>/s|.*<version>\(.*\)</version>.*|\1|p' pom.xml)
  KNITTING_JAR=target/knitting-$version.jar
  if knitting_up_to_date "$KNITTING_JAR" pom.xml src/main; then return 0; fi
  echo "building the library jar ($KNITTING_JAR)..."
  local log
  log=$(mktemp)
  if ! "$MVN" -B -ntp -q -Dmaven.test.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true package >"$log" 2>&1; then
    grep -v '^WARNING: .*sun.misc.Unsafe' "$log" >&2 || true
    rm -f "$log"
    echo "error: building the library jar with Maven failed (output above)" >&2
    return 1
  fi
  rm -f "$log"
  if [[ ! -f $KNITTING_JAR ]]; then
    echo "error: Maven succeeded but $KNITTING_JAR is missing" >&2
    return 1
  fi
}

knitting_demo_classes() {
  knitting_library_jar || return 1
  local stamp=$DEMO_CLASSES/.compiled
  if knitting_up_to_date "$stamp" demo/src/main "$KNITTING_JAR"; then return 0; fi
  echo "compiling the demo module ($DEMO_CLASSES)..."
  rm -rf "$DEMO_CLASSES"
  mkdir -p "$DEMO_CLASSES"
  local sources=()
  mapfile -t sources < <(find demo/src/main/java -name '*.java')
  if ! "$JAVA_HOME/bin/javac" --release 22 -Xlint:all -Werror -encoding UTF-8 \
        --module-path "$KNITTING_JAR" -d "$DEMO_CLASSES" "${sources[@]}"; then
    echo "error: compiling the demo failed (javac output above)" >&2
    return 1
  fi
  touch "$stamp"
}
