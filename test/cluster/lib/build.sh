# Builds the Kubernetes components, CoreDNS and the pause program into
# $BIN_DIR, once per version. Sourced by up and build.
# shellcheck shell=bash

build_binaries() {
	local want=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns pause)
	local missing=() b
	for b in "${want[@]}"; do
		[[ -x "$BIN_DIR/$b" ]] || missing+=("$b")
	done
	((${#missing[@]} == 0)) && return 0
	command -v go >/dev/null || die "building the cluster needs Go 1.26 on PATH (install it, then run this again)"
	log "building ${missing[*]} for $KUBE_VERSION into $BIN_DIR (cold: 15 to 25 minutes on 2 cores)"
	mkdir -p "$BIN_DIR"
	local start=$SECONDS minor=${KUBE_VERSION#v1.}
	minor=${minor%%.*}
	local vpkg=k8s.io/component-base/version
	local ldflags="-s -w -X $vpkg.gitVersion=$KUBE_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
	local tmp="$BIN_DIR/.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp"
	(
		cd "$CLUSTER_DIR/tools" &&
			CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
				k8s.io/kubernetes/cmd/kube-apiserver \
				k8s.io/kubernetes/cmd/kube-controller-manager \
				k8s.io/kubernetes/cmd/kube-scheduler \
				k8s.io/kubernetes/cmd/kubelet \
				k8s.io/kubernetes/cmd/kube-proxy \
				k8s.io/kubernetes/cmd/kubectl
	) || die "building Kubernetes $KUBE_VERSION failed (see the go output above)"
	log "kubernetes built in $((SECONDS - start))s"
	GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS=-trimpath go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION" ||
		die "building CoreDNS $COREDNS_VERSION failed (see the go output above)"
	(cd "$CLUSTER_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/pause" ./pause) ||
		die "building the pause program failed"
	mv "$tmp"/* "$BIN_DIR/" && rmdir "$tmp"
	log "all binaries built in $((SECONDS - start))s"
}
