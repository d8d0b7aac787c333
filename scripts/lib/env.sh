# Shared by every script: finds a JDK 22+ and Maven, or says exactly what is missing.
# Sourced, not run. Exports JAVA_HOME, puts its bin first on PATH and sets MVN.

knitting_java_major() {  # prints the feature version of the java launcher $1, or nothing
  local line
  line=$("$1" -version 2>&1 | grep -m1 -Eo 'version "[^"]+"') || return 0
  line=${line#version \"}; line=${line%\"}
  case $line in
    1.*) line=${line#1.}; echo "${line%%.*}" ;;
    *) line=${line%%[.+-]*}; echo "${line%%[!0-9]*}" ;;
  esac
}

knitting_find_jdk() {
  local candidates=() c major
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/jdk* \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -d $c ]] && candidates+=("$c")
  done
  local best="" best_major=0
  for c in "${candidates[@]}"; do
    [[ -x $c/bin/java && -x $c/bin/javac ]] || continue
    major=$(knitting_java_major "$c/bin/java")
    [[ -n $major ]] || continue
    # JAVA_HOME wins when it is new enough; otherwise take the newest JDK found.
    if [[ $c == "${JAVA_HOME:-}" && $major -ge 22 ]]; then best=$c; best_major=$major; break; fi
    if (( major > best_major )); then best=$c; best_major=$major; fi
  done
  if (( best_major < 22 )); then
    {
      echo "error: Knitting needs a JDK 22 or newer (javac included), and none was found."
      echo "  looked at: JAVA_HOME (${JAVA_HOME:-unset}), javac on PATH, /usr/lib/jvm, /usr/java, /opt,"
      echo "  ~/.sdkman/candidates/java, ~/.jdks, /Library/Java/JavaVirtualMachines"
      [[ -n $best ]] && echo "  newest found: $best (Java $best_major)"
      echo "  fix: install a JDK 22+ (for example 'apt-get install openjdk-25-jdk' or Temurin 25)"
      echo "       and/or set JAVA_HOME to it."
    } >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

knitting_find_maven() {
  if command -v mvn >/dev/null 2>&1; then MVN=$(command -v mvn); return 0; fi
  # No Maven on PATH: fetch the binary distribution from Maven Central once.
  local version=3.9.9 cache="${XDG_CACHE_HOME:-$HOME/.cache}/knitting"
  local home="$cache/apache-maven-$version"
  if [[ ! -x $home/bin/mvn ]]; then
    echo "Maven not found on PATH; downloading Apache Maven $version from Maven Central into $cache" >&2
    mkdir -p "$cache"
    local url="https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$version/apache-maven-$version-bin.tar.gz"
    if ! curl -fsSL "$url" | tar -xz -C "$cache"; then
      echo "error: no Maven on PATH and the download from Maven Central failed; install Maven 3.8+." >&2
      return 1
    fi
  fi
  MVN=$home/bin/mvn
}

knitting_env() {
  knitting_find_jdk || return 1
  knitting_find_maven || return 1
  export MAVEN_OPTS="${MAVEN_OPTS:-} -Xss4m"
}
