# What "ready" means for the test cluster, and what up reports when a
# component fails.
# shellcheck shell=bash

COMPONENTS=(etcd registry containerd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
DNS_NAME="kubernetes.default.svc.$CLUSTER_DOMAIN"

# build_dnscheck builds the small resolver the DNS check uses.
build_dnscheck() {
	(cd "$CLUSTER_DIR" && CGO_ENABLED=0 go build -o "$RUN/dnscheck" ./dnscheck) ||
		die "building the DNS check program failed (see the go output above)"
}

dns_resolves() {
	[[ $("$RUN/dnscheck" "$DNS_SVC_IP" "$DNS_NAME" 2>/dev/null) == *"$KUBERNETES_SVC_IP"* ]]
}

node_ready() {
	[[ $(kubectl_ get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# cluster_healthy is true when every component runs and the cluster is usable.
cluster_healthy() {
	local c
	for c in "${COMPONENTS[@]}"; do
		pid_of "$c" >/dev/null || return 1
	done
	[[ -x $RUN/dnscheck ]] && kubectl_ get --raw /readyz >/dev/null 2>&1 && node_ready && dns_resolves
}

# wait_until_usable (which reads up's $start for its timings) returns when the node is Ready, pods can be admitted,
# the cluster DNS answers for the API's Service and the registry answers.
wait_until_usable() {
	: "${start:=$SECONDS}"
	wait_for "node $NODE_NAME to be Ready" 90 node_ready || component_failed kubelet
	log "node Ready after $((SECONDS - start))s"
	wait_for "the default ServiceAccount" 60 kubectl_ -n default get serviceaccount default ||
		component_failed kube-controller-manager
	apply_manifest coredns
	apply_manifest local-registry-hosting
	wait_for "cluster DNS to resolve $DNS_NAME" 120 dns_resolves || {
		kubectl_ -n kube-system get pods -o wide >&2 || true
		component_failed kube-proxy
	}
	log "cluster DNS ready after $((SECONDS - start))s"
	wait_for "the registry on :$REGISTRY_PORT" 30 curl -fsS "http://$REGISTRY_HOST/v2/" || component_failed registry
}

apply_manifest() {
	sed -e "s#@CLUSTER_DOMAIN@#$CLUSTER_DOMAIN#g" -e "s#@COREDNS_IMAGE@#$COREDNS_IMAGE#g" \
		-e "s#@DNS_SVC_IP@#$DNS_SVC_IP#g" -e "s#@REGISTRY_HOST@#$REGISTRY_HOST#g" \
		"$CLUSTER_DIR/manifests/$1.yaml" | kubectl_ apply -f - >/dev/null ||
		die "applying the $1 manifest failed"
}

write_env() {
	cat >"$ENV_FILE" <<EOF2
# Environment for tests against the blogctl test cluster. Source this file.
export BLOGCTL_TEST_KUBECONFIG=$KUBECONFIG_FILE
export BLOGCTL_TEST_CONTEXT=$CLUSTER_NAME
export BLOGCTL_TEST_CONTAINERD_ADDRESS=$CONTAINERD_SOCK
export BLOGCTL_TEST_NODE_IP=$NODE_IP
export BLOGCTL_TEST_CLUSTER_REGISTRY=$REGISTRY_HOST
export BLOGCTL_TEST_CLUSTER_STATE=$STATE
export BLOGCTL_TEST_KUBECTL=$BIN_DIR/kubectl
EOF2
}

# component_failed NAME: says which component failed, shows the end of its
# log, and stops.
component_failed() {
	log "the test cluster did not come up: $1 is not working; last lines of $LOGS/$1.log:"
	tail -n 20 "$LOGS/$1.log" >&2 2>/dev/null || true
	die "$1 failed; the logs of every component are in $LOGS; run test/cluster/down to clean up"
}

on_failure() {
	log "starting the test cluster failed; logs are in $LOGS; run test/cluster/down to clean up"
}
