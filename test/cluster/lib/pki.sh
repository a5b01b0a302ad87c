# Certificates and kubeconfigs for the test cluster, made with openssl.
# shellcheck shell=bash

# issue_cert NAME SUBJECT USAGE [SANS]: an ECDSA key and a certificate signed
# by the cluster CA, for "client", "server" or "both".
issue_cert() {
	local name=$1 subject=$2 usage=$3 sans=${4:-} eku
	case $usage in
	client) eku=clientAuth ;;
	server) eku=serverAuth ;;
	both) eku=serverAuth,clientAuth ;;
	esac
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$name.key" 2>/dev/null
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$eku"
		[[ -n $sans ]] && echo "subjectAltName=$sans"
	} >"$PKI/$name.ext"
	openssl req -new -key "$PKI/$name.key" -subj "$subject" 2>/dev/null |
		openssl x509 -req -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
			-days 365 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
	rm -f "$PKI/$name.ext"
}

# write_kubeconfig FILE CERT_NAME: a kubeconfig for the cluster that
# authenticates with the client certificate CERT_NAME.
write_kubeconfig() {
	local file=$1 cert=$2
	cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: $CLUSTER_NAME
  cluster:
    server: https://$NODE_IP:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI/$cert.key")
contexts:
- name: $CLUSTER_NAME
  context:
    cluster: $CLUSTER_NAME
    user: $cert
current-context: $CLUSTER_NAME
KUBECONFIG
	chmod 600 "$file"
}

make_pki() {
	mkdir -p "$PKI"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/ca.key" 2>/dev/null
	openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=$CLUSTER_NAME-ca" -days 365 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
		-out "$PKI/ca.crt" 2>/dev/null
	local svc=kubernetes.default.svc
	issue_cert apiserver "/CN=kube-apiserver" server \
		"DNS:kubernetes,DNS:kubernetes.default,DNS:$svc,DNS:$svc.$CLUSTER_DOMAIN,DNS:localhost,IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,IP:$NODE_IP"
	issue_cert apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client/O=system:masters" client
	issue_cert admin "/CN=$CLUSTER_NAME-admin/O=system:masters" client
	issue_cert controller-manager "/CN=system:kube-controller-manager" client
	issue_cert scheduler "/CN=system:kube-scheduler" client
	issue_cert kube-proxy "/CN=system:kube-proxy" client
	issue_cert kubelet-client "/CN=system:node:$NODE_NAME/O=system:nodes" client
	issue_cert kubelet "/CN=$NODE_NAME" server "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/sa.key" 2>/dev/null
	openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
	write_kubeconfig "$KUBECONFIG_FILE" admin
	local c
	for c in controller-manager scheduler kube-proxy kubelet-client; do
		write_kubeconfig "$PKI/$c.kubeconfig" "$c"
	done
}
