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

# scripts/demo --input end to end, for scripts/test: writes three small pictures into $1 (a colour
# PNG with transparency, a JPEG, a 16-bit gray PNG; odd sizes), runs the demo on each (one worker,
# one round: a few seconds in all), checks the source.png and edges.png it wrote with
# demo/src/check/java/DemoInputCheck.java, and checks that a missing file is refused with exit
# status 2 and the option named. Run from the repository root.
knitting_demo_input_check() {
  local dir=$1 check=demo/src/check/java/DemoInputCheck.java picture status
  rm -rf "$dir"
  mkdir -p "$dir"
  local pictures=()
  mapfile -t pictures < <("$JAVA_HOME/bin/java" "$check" images "$dir/in") || return 1
  (( ${#pictures[@]} > 0 )) || { echo "error: $check wrote no pictures" >&2; return 1; }
  for picture in "${pictures[@]}"; do
    if ! scripts/demo --input "$dir/in/$picture" --out "$dir/$picture" --workers 1 --rounds 1 --warmup 0 \
          >"$dir/$picture.log" 2>&1; then
      cat "$dir/$picture.log" >&2
      echo "error: scripts/demo --input $dir/in/$picture failed (output above)" >&2
      return 1
    fi
    grep -E '^(Knitting image pipeline|outputs):' "$dir/$picture.log"
    "$JAVA_HOME/bin/java" "$check" verify "$dir/in/$picture" "$dir/$picture" || return 1
  done
  status=0
  scripts/demo --input "$dir/in/missing.png" >"$dir/missing.log" 2>&1 || status=$?
  if (( status != 2 )) || ! grep -q -- "--input=.*/missing.png" "$dir/missing.log"; then
    cat "$dir/missing.log" >&2
    echo "error: scripts/demo --input of a missing file gave exit status $status, not 2 with the option named" >&2
    return 1
  fi
  echo "ok: a missing --input file is refused with exit status 2"
}
