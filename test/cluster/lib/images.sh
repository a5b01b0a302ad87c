# The images every node needs before its first pod: the pause sandbox and
# CoreDNS, built FROM scratch once per version and kept as archives.
# shellcheck shell=bash

# build_image NAME BINARY IMAGE: an image FROM scratch whose entrypoint is
# BINARY, saved to $CACHE_DIR/images/NAME.tar and removed from Docker again.
build_image() {
	local name=$1 binary=$2 image=$3 ctx
	ctx=$(mktemp -d)
	cp "$BIN_DIR/$binary" "$ctx/$binary"
	printf 'FROM scratch\nCOPY %s /%s\nENTRYPOINT ["/%s"]\n' "$binary" "$binary" "$binary" >"$ctx/Dockerfile"
	DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null ||
		die "building the $name image with Docker failed (is dockerd running? test/docker/start starts it)"
	rm -rf "$ctx"
	docker save "$image" -o "$CACHE_DIR/images/$name.tar.tmp"
	mv "$CACHE_DIR/images/$name.tar.tmp" "$CACHE_DIR/images/$name.tar"
	docker rmi "$image" >/dev/null
}

build_images() {
	mkdir -p "$CACHE_DIR/images"
	if [[ ! -f $CACHE_DIR/images/pause.tar || ! -f $CACHE_DIR/images/coredns-$COREDNS_VERSION.tar ]]; then
		"$CLUSTER_DIR/../docker/start" >&2 9>&-
	fi
	[[ -f $CACHE_DIR/images/pause.tar ]] || build_image pause pause "$PAUSE_IMAGE"
	[[ -f $CACHE_DIR/images/coredns-$COREDNS_VERSION.tar ]] || build_image "coredns-$COREDNS_VERSION" coredns "$COREDNS_IMAGE"
}

# import_images loads the cached archives into the node's containerd.
import_images() {
	local name
	for name in pause "coredns-$COREDNS_VERSION"; do
		ctr --address "$CONTAINERD_SOCK" -n k8s.io images import "$CACHE_DIR/images/$name.tar" >/dev/null ||
			die "importing the $name image into the node's containerd failed (see $LOGS/containerd.log)"
	done
}
