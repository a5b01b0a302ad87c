# Configuration and start-up of each component of the test cluster.
# shellcheck shell=bash

start_etcd() {
	mkdir -p "$STATE/etcd" && chmod 700 "$STATE/etcd"
	start_component etcd etcd --name "$CLUSTER_NAME" --data-dir "$STATE/etcd" \
		--listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
		--advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "$CLUSTER_NAME=http://127.0.0.1:$ETCD_PEER_PORT" \
		--listen-metrics-urls "" --log-level warn
}

start_registry() {
	mkdir -p "$STATE/registry"
	cat >"$STATE/registry.yml" <<EOF2
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: 0.0.0.0:$REGISTRY_PORT
EOF2
	start_component registry docker-registry serve "$STATE/registry.yml"
}

# registry_host_config HOST: tells containerd to pull HOST's images over
# plain HTTP from the local registry.
registry_host_config() {
	local dir="$STATE/containerd/certs.d/$1"
	mkdir -p "$dir"
	cat >"$dir/hosts.toml" <<EOF2
server = "http://$1"

[host."http://$1"]
  capabilities = ["pull", "resolve"]
EOF2
}

start_containerd() {
	local c="$STATE/containerd" cri='plugins."io.containerd.grpc.v1.cri"'
	mkdir -p "$c/root" "$c/state" "$STATE/cni/net.d" "$STATE/runc"
	registry_host_config "$REGISTRY_HOST"
	registry_host_config "$NODE_IP:$REGISTRY_PORT"
	cat >"$STATE/cni/net.d/10-$CLUSTER_NAME.conflist" <<EOF2
{
  "cniVersion": "0.4.0",
  "name": "$CLUSTER_NAME",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$NODE_POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF2
	cat >"$c/config.toml" <<EOF2
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "$CONTAINERD_SOCK"

[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"

[$cri]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  # Pod network namespaces under the state directory, not /run/netns.
  netns_mounts_under_state_dir = true
  [$cri.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [$cri.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [$cri.containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$STATE/runc"
  [$cri.cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [$cri.registry]
    config_path = "$c/certs.d"
EOF2
	start_component containerd containerd --config "$c/config.toml"
}

start_apiserver() {
	start_component kube-apiserver "$BIN_DIR/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
		--bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" \
		--advertise-address "$NODE_IP" --endpoint-reconciler-type lease \
		--service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged \
		--authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
		--client-ca-file "$PKI/ca.crt" \
		--tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
		--kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
		--kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
		--kubelet-certificate-authority "$PKI/ca.crt" \
		--kubelet-preferred-address-types InternalIP,Hostname \
		--service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
		--service-account-key-file "$PKI/sa.pub" \
		--service-account-signing-key-file "$PKI/sa.key" \
		--profiling=false
}

start_controller_manager() {
	local kc="$PKI/controller-manager.kubeconfig"
	start_component kube-controller-manager "$BIN_DIR/kube-controller-manager" \
		--kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
		--bind-address 127.0.0.1 --leader-elect=false --cluster-name "$CLUSTER_NAME" \
		--controllers '*' --allocate-node-cidrs --cluster-cidr "$POD_CIDR" --node-cidr-mask-size 24 \
		--service-cluster-ip-range "$SERVICE_CIDR" \
		--cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
		--root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
		--use-service-account-credentials --profiling=false \
		--flex-volume-plugin-dir "$STATE/volume-plugins"
}

start_scheduler() {
	local kc="$PKI/scheduler.kubeconfig"
	start_component kube-scheduler "$BIN_DIR/kube-scheduler" \
		--kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
		--bind-address 127.0.0.1 --leader-elect=false --profiling=false
}

start_kubelet() {
	mkdir -p "$STATE/kubelet"
	cat >"$STATE/kubelet.yaml" <<EOF2
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
oomScoreAdj: 0
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
clusterDomain: $CLUSTER_DOMAIN
clusterDNS: [$DNS_SVC_IP]
resolvConf: /etc/resolv.conf
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
readOnlyPort: 0
podLogsDir: $STATE/pod-logs
volumePluginDir: $STATE/volume-plugins
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
evictionHard:
  memory.available: 50Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF2
	start_component kubelet "$BIN_DIR/kubelet" --config "$STATE/kubelet.yaml" \
		--kubeconfig "$PKI/kubelet-client.kubeconfig" --root-dir "$STATE/kubelet" \
		--hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
}

start_kube_proxy() {
	cat >"$STATE/kube-proxy.yaml" <<EOF2
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $PKI/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
oomScoreAdj: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
iptables:
  localhostNodePorts: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF2
	start_component kube-proxy "$BIN_DIR/kube-proxy" --config "$STATE/kube-proxy.yaml"
}
