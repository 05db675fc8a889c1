#!/usr/bin/env bash
# A local OpenSearch 3.5.0 cluster with the k-NN plugin, for Winnow's integration tests and for trying the
# opensearch backend on one machine. Everything comes from Maven Central through the Maven wrapper.
#
#   scripts/opensearch.sh start [--nodes 1|2] [--port 9200] [--home DIR]
#   scripts/opensearch.sh stop  [--node 1|2] [--home DIR]
#   scripts/opensearch.sh status [--home DIR]
#
# start: downloads the distribution and the plugin (once), unpacks them under DIR (default target/opensearch,
# or $WINNOW_OPENSEARCH_HOME), installs the plugin, starts the nodes on 127.0.0.1 only with a 512 MiB heap and
# no security plugin, and waits until the cluster is yellow; it prints the URL(s) then. Node n listens for HTTP
# on PORT+n-1 and for transport on PORT+100+n-1. With --nodes 2, node 1 is cluster-manager and data, node 2 is
# data only (losing node 2 leaves a working cluster: the failover test relies on it). Nodes already running
# are left alone, so start is safe to rerun.
# stop: stops every node (or only --node n) by its pid file; nodes already gone are fine.
#
# OpenSearch runs on the Temurin 25 JDK (OPENSEARCH_JAVA_HOME, default /usr/lib/jvm/temurin-25-jdk-amd64), or on
# JAVA_HOME when that is missing and JAVA_HOME is Java 21 or later. OpenSearch refuses to run as root: as root the
# script hands its folders to user 65534 (nobody) and starts the nodes with setpriv (when nobody cannot reach DIR,
# a folder /tmp/winnow-opensearch-<hash of DIR> is used instead and named).
set -euo pipefail

readonly OS_VERSION=3.5.0
readonly KNN_VERSION=3.5.0.0
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
readonly RUN_UID=65534
readonly START_TIMEOUT_S=${WINNOW_OPENSEARCH_START_TIMEOUT:-240}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "opensearch.sh: $*" >&2; exit 1; }
say() { echo "opensearch.sh: $*" >&2; }

usage() {
  sed -n '5,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
command="$1"; shift
nodes=1
port=9200
only_node=""
home="${WINNOW_OPENSEARCH_HOME:-$repo/target/opensearch}"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="${2:?--nodes needs 1 or 2}"; shift 2 ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --node) only_node="${2:?--node needs 1 or 2}"; shift 2 ;;
    --home) home="${2:?--home needs a folder}"; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown option '$1' (allowed: --nodes 1|2, --port N, --node 1|2, --home DIR)" ;;
  esac
done
case "$nodes" in 1|2) ;; *) die "--nodes must be 1 or 2, got '$nodes'" ;; esac
case "$only_node" in ""|1|2) ;; *) die "--node must be 1 or 2, got '$only_node'" ;; esac
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65000 ] \
  || die "--port must be a number in [1024, 65000], got '$port'"
mkdir -p "$home"
home="$(cd "$home" && pwd)"
if [ "$(id -u)" = 0 ] \
    && ! setpriv --reuid="$RUN_UID" --regid="$RUN_UID" --clear-groups test -x "$(dirname "$home")"; then
  # The nodes run as nobody, who cannot reach a checkout under a private folder: use a fixed folder
  # in /tmp derived from the checkout's path, so start, status and stop agree on it.
  fallback="/tmp/winnow-opensearch-$(printf '%s' "$home" | md5sum | cut -c1-12)"
  say "user $RUN_UID cannot reach $home; using $fallback"
  rmdir "$home" 2>/dev/null || true
  home="$fallback"
  mkdir -p "$home"
  chmod 755 "$home"
fi

dist="$home/opensearch-$OS_VERSION"
downloads="$home/downloads"

http_port() { echo $((port + $1 - 1)); }
transport_port() { echo $((port + 100 + $1 - 1)); }
node_dir() { echo "$home/node$1"; }
pid_of() {
  local f; f="$(node_dir "$1")/opensearch.pid"
  [ -s "$f" ] || return 1
  local pid; pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

java_home() {
  local candidate="${OPENSEARCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  if [ -x "$candidate/bin/java" ]; then
    echo "$candidate"; return
  fi
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local major
    major="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p')"
    if [ "${major%%.*}" -ge 21 ] 2>/dev/null; then
      say "no JDK at $candidate; using JAVA_HOME=$JAVA_HOME (Java $major) instead"
      echo "$JAVA_HOME"; return
    fi
    die "no JDK at $candidate and JAVA_HOME=$JAVA_HOME is Java $major; OpenSearch $OS_VERSION needs 21+" \
        "(set OPENSEARCH_JAVA_HOME)"
  fi
  die "no JDK at $candidate and JAVA_HOME is unset; OpenSearch $OS_VERSION needs Java 21+ (set OPENSEARCH_JAVA_HOME)"
}

fetch() { # groupId:artifactId:version:zip -> file under $downloads
  local coords="$1" file="$2"
  if [ ! -s "$downloads/$file" ]; then
    say "downloading $coords from Maven Central"
    mkdir -p "$downloads"
    (cd "$repo" && ./mvnw -q -B -ntp -N "$DEPENDENCY_PLUGIN:copy" -Dartifact="$coords" \
      -DoutputDirectory="$downloads" -Dmdep.overWriteReleases=true) >&2 \
      || die "could not download $coords with the Maven wrapper"
  fi
  [ -s "$downloads/$file" ] || die "expected $downloads/$file after downloading $coords"
}

install_distribution() {
  if [ -f "$dist/.winnow-ready" ]; then
    return
  fi
  fetch "org.opensearch.distribution.integ-test-zip:opensearch:$OS_VERSION:zip" "opensearch-$OS_VERSION.zip"
  fetch "org.opensearch.plugin:opensearch-knn:$KNN_VERSION:zip" "opensearch-knn-$KNN_VERSION.zip"
  say "unpacking OpenSearch $OS_VERSION into $dist"
  rm -rf "$dist" "$home/unpack"
  mkdir -p "$home/unpack"
  unzip -q "$downloads/opensearch-$OS_VERSION.zip" -d "$home/unpack"
  mv "$home/unpack/opensearch-$OS_VERSION" "$dist"
  rmdir "$home/unpack"
  say "installing the k-NN plugin $KNN_VERSION"
  OPENSEARCH_JAVA_HOME="$jdk" "$dist/bin/opensearch-plugin" install --batch \
    "file://$downloads/opensearch-knn-$KNN_VERSION.zip" >&2
  touch "$dist/.winnow-ready"
}

write_node_config() { # n
  local n="$1" dir; dir="$(node_dir "$1")"
  mkdir -p "$dir/data" "$dir/logs" "$dir/tmp"
  rm -rf "$dir/config"
  cp -r "$dist/config" "$dir/config"
  # One heap size, stated once: drop the distribution's 1 GiB default and set 512 MiB.
  sed -i -e '/^-Xm[sx]/d' "$dir/config/jvm.options"
  printf -- '-Xms512m\n-Xmx512m\n' > "$dir/config/jvm.options.d/heap.options"
  {
    echo "# Written by scripts/opensearch.sh; rewritten on every start."
    echo "cluster.name: winnow-$port"
    echo "node.name: node-$n"
    echo "path.data: $dir/data"
    echo "path.logs: $dir/logs"
    echo "network.host: 127.0.0.1"
    echo "http.port: $(http_port "$n")"
    echo "transport.port: $(transport_port "$n")"
    # A shared developer disk must not flip indices to read-only.
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    if [ "$nodes" = 1 ]; then
      echo "discovery.type: single-node"
    else
      echo "discovery.seed_hosts: [\"127.0.0.1:$(transport_port 1)\", \"127.0.0.1:$(transport_port 2)\"]"
      echo "cluster.initial_cluster_manager_nodes: [\"node-1\"]"
      if [ "$n" = 1 ]; then
        echo "node.roles: [cluster_manager, data, ingest]"
      else
        echo "node.roles: [data, ingest]"
      fi
    fi
  } > "$dir/config/opensearch.yml"
}

start_node() { # n
  local n="$1" dir; dir="$(node_dir "$1")"
  if pid="$(pid_of "$n")"; then
    say "node $n already running (pid $pid, http://127.0.0.1:$(http_port "$n"))"
    return
  fi
  if curl -s -o /dev/null "http://127.0.0.1:$(http_port "$n")/"; then
    die "port $(http_port "$n") already answers HTTP but no node of $home runs there; stop it or pick --port"
  fi
  write_node_config "$n"
  rm -f "$dir/opensearch.pid"
  local -a as_user=()
  if [ "$(id -u)" = 0 ]; then
    chown -R "$RUN_UID:$RUN_UID" "$dist" "$dir"
    as_user=(setpriv --reuid="$RUN_UID" --regid="$RUN_UID" --clear-groups)
  fi
  say "starting node $n on http://127.0.0.1:$(http_port "$n") (java: $jdk)"
  env -i PATH=/usr/bin:/bin HOME="$dir" OPENSEARCH_JAVA_HOME="$jdk" OPENSEARCH_PATH_CONF="$dir/config" \
    OPENSEARCH_TMPDIR="$dir/tmp" "${as_user[@]}" "$dist/bin/opensearch" -d -p "$dir/opensearch.pid" \
    > "$dir/logs/startup.out" 2>&1 \
    || { cat "$dir/logs/startup.out" >&2; die "node $n failed to start; see $dir/logs"; }
}

wait_yellow() {
  local url="http://127.0.0.1:$(http_port 1)" started_at=$SECONDS deadline=$((SECONDS + START_TIMEOUT_S))
  while [ "$SECONDS" -lt "$deadline" ]; do
    for n in $(seq 1 "$nodes"); do
      # bin/opensearch -d returns before the JVM writes its pid file: a node has died only when its pid
      # file names a dead process, or when none appeared within a minute.
      local pidfile; pidfile="$(node_dir "$n")/opensearch.pid"
      if { [ -s "$pidfile" ] && ! pid_of "$n" >/dev/null; } \
          || { [ ! -s "$pidfile" ] && [ $((SECONDS - started_at)) -gt 60 ]; }; then
        tail -n 40 "$(node_dir "$n")/logs/winnow-$port.log" >&2 2>/dev/null || true
        die "node $n exited while starting; its log is in $(node_dir "$n")/logs"
      fi
    done
    if curl -sf -o /dev/null \
        "$url/_cluster/health?wait_for_status=yellow&wait_for_nodes=$nodes&timeout=5s"; then
      return
    fi
    sleep 2
  done
  die "the cluster at $url was not yellow with $nodes node(s) after ${START_TIMEOUT_S}s; logs in $home/node*/logs"
}

stop_node() { # n
  local n="$1" dir pid; dir="$(node_dir "$1")"
  if ! pid="$(pid_of "$n")"; then
    rm -f "$dir/opensearch.pid"
    return
  fi
  say "stopping node $n (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "node $n did not stop in 30 s; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/opensearch.pid"
}

case "$command" in
  start)
    jdk="$(java_home)"
    install_distribution
    layout="$(cat "$home/layout" 2>/dev/null || echo none)"
    if [ "$layout" != "nodes=$nodes port=$port" ]; then
      if pid_of 1 >/dev/null || pid_of 2 >/dev/null; then
        die "$home runs a cluster laid out as '$layout'; stop it first to start with --nodes $nodes --port $port"
      fi
      # A cluster's state remembers its nodes and ports: a different layout starts from empty data.
      [ "$layout" = none ] || say "layout changes from '$layout' to 'nodes=$nodes port=$port': clearing data"
      rm -rf "$(node_dir 1)/data" "$(node_dir 2)/data"
      echo "nodes=$nodes port=$port" > "$home/layout"
    fi
    for n in $(seq 1 "$nodes"); do start_node "$n"; done
    wait_yellow
    urls="http://127.0.0.1:$(http_port 1)"
    [ "$nodes" = 2 ] && urls="$urls,http://127.0.0.1:$(http_port 2)"
    say "cluster yellow with $nodes node(s)"
    echo "$urls"
    ;;
  stop)
    if [ -n "$only_node" ]; then
      stop_node "$only_node"
    else
      for n in 2 1; do stop_node "$n"; done
    fi
    ;;
  status)
    for n in 1 2; do
      if pid="$(pid_of "$n")"; then echo "node $n: running, pid $pid"; else echo "node $n: stopped"; fi
    done
    ;;
  *) die "unknown command '$command' (allowed: start, stop, status)" ;;
esac
