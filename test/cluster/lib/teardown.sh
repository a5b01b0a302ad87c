# Steps of stopping the test cluster, each safe when its part is not there.
# shellcheck shell=bash

# delete_pods deletes every pod while the kubelet still runs, so that it
# stops the containers, tears down pod networking and unmounts volumes.
delete_pods() {
	pid_of kube-apiserver >/dev/null && pid_of kubelet >/dev/null || return 0
	kubectl_ get --raw /readyz >/dev/null 2>&1 || return 0
	# Without the controllers nothing recreates the pods being deleted.
	stop_component kube-controller-manager
	log "deleting all pods"
	kubectl_ delete pods --all --all-namespaces --grace-period=1 --timeout=60s >/dev/null 2>&1 ||
		log "some pods did not go away within 60s; removing what is left by force"
}

# remove_sandboxes stops what the kubelet left in containerd.
remove_sandboxes() {
	pid_of containerd >/dev/null || return 0
	local c=(ctr --address "$CONTAINERD_SOCK" -n k8s.io) t
	for t in $("${c[@]}" tasks ls -q 2>/dev/null); do
		"${c[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1
	done
	sleep 0.5
	for t in $("${c[@]}" tasks ls -q 2>/dev/null); do
		"${c[@]}" tasks delete -f "$t" >/dev/null 2>&1
	done
}

# kill_shims ends containerd shims of this cluster's containerd, found by the
# socket address on their command line.
kill_shims() {
	local p
	for p in /proc/[0-9]*; do
		[[ -r $p/cmdline ]] || continue
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "containerd-shim.* -address $CONTAINERD_SOCK "; then
			kill -KILL "${p#/proc/}" 2>/dev/null
		fi
	done
	kill_runc_containers
}

# kill_runc_containers kills containers still known to runc under the
# cluster's own runc root.
kill_runc_containers() {
	[[ -d $STATE/runc ]] || return 0
	local id
	for id in $(runc --root "$STATE/runc/k8s.io" list -q 2>/dev/null); do
		runc --root "$STATE/runc/k8s.io" kill "$id" KILL 2>/dev/null
		runc --root "$STATE/runc/k8s.io" delete -f "$id" 2>/dev/null
	done
}

# unmount_state unmounts everything under the state directory, deepest first.
unmount_state() {
	local m
	awk -v s="$STATE/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while IFS= read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
		done
}

# remove_cgroups removes the kubelet's empty cgroups in every hierarchy.
remove_cgroups() {
	local d
	find /sys/fs/cgroup -depth -type d -path '*/kubepods*' 2>/dev/null | while IFS= read -r d; do
		rmdir "$d" 2>/dev/null
	done
}

# remove_log_links removes the kubelet's links in /var/log/containers that
# point at this cluster's pod logs.
remove_log_links() {
	local l
	for l in /var/log/containers/*.log; do
		[[ -L $l && $(readlink "$l") == "$STATE/"* ]] && rm -f "$l"
	done
	return 0
}
