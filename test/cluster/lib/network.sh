# Host network settings the node needs, recorded so down can undo them.
# shellcheck shell=bash

FORWARD_COMMENT="$CLUSTER_NAME pod traffic"

# save_sysctls records the host settings the node may change, once.
save_sysctls() {
	[[ -f $STATE/sysctl.orig ]] && return 0
	local k v
	for k in "${SYSCTLS[@]}"; do
		v=$(sysctl -n "$k" 2>/dev/null) && printf '%s=%s\n' "$k" "$v"
	done >"$STATE/sysctl.orig"
}

# record_host_dirs notes which of HOST_DIRS do not exist yet, once.
record_host_dirs() {
	[[ -f $STATE/host-dirs ]] && return 0
	local d
	for d in "${HOST_DIRS[@]}"; do
		[[ -e $d ]] || echo "$d"
	done >"$STATE/host-dirs"
}

# remove_host_dirs removes the directories record_host_dirs noted.
remove_host_dirs() {
	[[ -f $STATE/host-dirs ]] || return 0
	local d
	while IFS= read -r d; do
		[[ -n $d ]] && rm -rf --one-file-system "$d"
	done <"$STATE/host-dirs"
}

restore_sysctls() {
	[[ -f $STATE/sysctl.orig ]] || return 0
	local line
	while IFS= read -r line; do
		[[ $(sysctl -n "${line%%=*}" 2>/dev/null) == "${line#*=}" ]] || sysctl -qw "$line" || true
	done <"$STATE/sysctl.orig"
}

# allow_pod_forwarding accepts forwarded pod traffic: Docker sets FORWARD's
# policy to DROP, and the bridge plugin adds no rule of its own.
allow_pod_forwarding() {
	local dir
	for dir in -s -d; do
		iptables -C FORWARD "$dir" "$POD_CIDR" -m comment --comment "$FORWARD_COMMENT" -j ACCEPT 2>/dev/null ||
			iptables -I FORWARD 1 "$dir" "$POD_CIDR" -m comment --comment "$FORWARD_COMMENT" -j ACCEPT
	done
}

# remove_cluster_iptables deletes the FORWARD rules above and every KUBE-*
# and CNI-* chain (with the rules that jump to them) in IPv4 and IPv6.
remove_cluster_iptables() {
	local dir cmd table rule chain
	for dir in -s -d; do
		while iptables -D FORWARD "$dir" "$POD_CIDR" -m comment --comment "$FORWARD_COMMENT" -j ACCEPT 2>/dev/null; do :; done
	done
	for cmd in iptables ip6tables; do
		command -v "$cmd" >/dev/null || continue
		for table in filter nat mangle raw; do
			"$cmd-save" -t "$table" 2>/dev/null | grep -E '^-A .* -j (KUBE|CNI)-' | grep -vE '^-A (KUBE|CNI)-' |
				while IFS= read -r rule; do
					eval "$cmd -t $table -D ${rule#-A }" 2>/dev/null || true
				done
			for chain in $("$cmd-save" -t "$table" 2>/dev/null | sed -nE 's/^:((KUBE|CNI)-[^ ]+) .*/\1/p'); do
				"$cmd" -t "$table" -F "$chain" 2>/dev/null || true
			done
			for chain in $("$cmd-save" -t "$table" 2>/dev/null | sed -nE 's/^:((KUBE|CNI)-[^ ]+) .*/\1/p'); do
				"$cmd" -t "$table" -X "$chain" 2>/dev/null || true
			done
		done
	done
}
