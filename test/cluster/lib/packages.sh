# Debian packages the test cluster runs on.
# shellcheck shell=bash

CLUSTER_PACKAGES=(etcd-server containerd runc containernetworking-plugins iptables conntrack
	openssl curl docker-registry docker.io iproute2)

# ensure_packages installs, with apt-get, only the packages that are missing.
ensure_packages() {
	local missing=() p
	for p in "${CLUSTER_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	log "installing missing Debian packages: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
		if ! { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }; then
			die "could not install ${missing[*]}; install them with apt-get and run this again"
		fi
	fi
}
