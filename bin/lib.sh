# Shared by the bin/ scripts: sourced, not run.
# shellcheck shell=bash

DG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The module-access flags Flink needs on Java 17, from the one place they are written down.
dg_jvm_opens() {
  sed -n 's/^env\.java\.opts\.all: *//p' "$DG_ROOT/flink-conf/config.yaml"
}

# Builds a module (and what it depends on) unless DG_SKIP_BUILD=1.
dg_build_module() {
  if [[ "${DG_SKIP_BUILD:-0}" != 1 ]]; then
    echo "building (mvn install -DskipTests; set DG_SKIP_BUILD=1 to skip) ..." >&2
    (cd "$DG_ROOT" && mvn -B -ntp -q install -DskipTests -pl "$1" -am) >&2
  fi
}

dg_build_workbench() {
  dg_build_module jobs/workbench
}

# Runs a module's main class on this machine's java with Flink's flags.
dg_run_module() {
  local module="$1" main="$2"; shift 2
  local cp="$DG_ROOT/$module/target/classes:$(cat "$DG_ROOT/$module/target/classpath.txt")"
  # shellcheck disable=SC2046
  exec java ${DG_JAVA_OPTS:--Xmx3g} $(dg_jvm_opens) -cp "$cp" "$main" "$@"
}

dg_run_workbench() {
  dg_run_module jobs/workbench "$@"
}
