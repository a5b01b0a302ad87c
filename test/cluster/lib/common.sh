# Shared settings and helpers for the test cluster scripts. Sourced, not run.
# shellcheck shell=bash

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
# Bump when the way the binaries or images are built changes.
HARNESS_BUILD=1

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/blogctl-test-cluster"
CACHE_DIR="$CACHE_ROOT/$KUBE_VERSION"
BIN_DIR="$CACHE_DIR/bin"
STATE="${BLOGCTL_CLUSTER_STATE:-/var/lib/blogctl-test-cluster}"

CLUSTER_NAME=blogctl-test
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
DNS_SVC_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
APISERVER_PORT=6443
ETCD_CLIENT_PORT=2399
ETCD_PEER_PORT=2400
REGISTRY_PORT=5001
REGISTRY_HOST="localhost:$REGISTRY_PORT"
PAUSE_IMAGE="localhost/blogctl-test/pause:$HARNESS_BUILD"
COREDNS_IMAGE="localhost/blogctl-test/coredns:$COREDNS_VERSION"
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
KUBECONFIG_FILE="$STATE/kubeconfig"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# node_ip prints the source address of the default route: the address pods
# and the host both reach the API server and the registry on.
node_ip() {
	ip -4 route get 1.1.1.1 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit }}'
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: runs COMMAND until it
# succeeds or the timeout passes.
wait_for() {
	local what=$1 timeout=$2 start=$SECONDS
	shift 2
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS - start >= timeout)); then
			log "gave up waiting ${timeout}s for $what"
			return 1
		fi
		sleep 0.5
	done
}

# lock_cluster makes concurrent runs of up and down wait for each other. The
# lock is held on descriptor 9 until the script ends; down run by up already
# holds it. Long-lived processes must not inherit descriptor 9.
lock_cluster() {
	[[ ${BLOGCTL_CLUSTER_LOCK_HELD:-} == 1 ]] && return 0
	exec 9>"/run/$CLUSTER_NAME-cluster.lock"
	flock 9 || die "could not lock /run/$CLUSTER_NAME-cluster.lock"
	export BLOGCTL_CLUSTER_LOCK_HELD=1
}

kubectl_() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

NODE_NAME=$CLUSTER_NAME
PKI="$STATE/pki"
LOGS="$STATE/logs"
RUN="$STATE/run"
ENV_FILE="$STATE/env"
# The host settings the kubelet and kube-proxy may change; up records them
# and down puts them back.
# Host directories the components make whatever they are told (the kubelet's
# device plugin socket, libcni's result cache, the flexvolume directory, log
# links); up records those that did not exist before and down removes them.
HOST_DIRS=(/var/lib/kubelet /var/lib/cni /usr/libexec/kubernetes /var/log/containers)
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward
	net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)

# pid_of NAME prints the pid of a component started by up, if it still runs:
# every component's command line names the state directory, which tells it
# from an unrelated process that got the same pid.
pid_of() {
	local f="$RUN/$1.pid" pid stat
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	[[ -n $pid ]] && stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ ${stat##*) } != Z* ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE/" || return 1
	echo "$pid"
}

# start_component NAME COMMAND...: runs COMMAND in its own session with its
# output in $LOGS/NAME.log and its pid in $RUN/NAME.pid.
start_component() {
	local name=$1
	shift
	mkdir -p "$LOGS" "$RUN"
	setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
	echo $! >"$RUN/$name.pid"
	log "started $name (pid $!, log $LOGS/$name.log)"
}

# stop_component NAME [SECONDS]: stops a component started by up, with TERM
# and, after SECONDS (default 10), KILL.
stop_component() {
	local name=$1 grace=${2:-10} pid i
	if pid=$(pid_of "$name"); then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < grace * 4; i++)); do
			[[ -d /proc/$pid ]] || break
			sleep 0.25
		done
		if [[ -d /proc/$pid ]]; then
			log "$name did not stop within ${grace}s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
	fi
	rm -f "$RUN/$name.pid"
}
