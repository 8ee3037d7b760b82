# SPDX-License-Identifier: Apache-2.0
# TLS: rediss:// and --tls, a wrong CA (69), --insecure, --sni, and client certificates.
source "$(dirname "$0")/lib.sh"

# A CA, a server certificate for localhost and 127.0.0.1, a client certificate, and a CA that
# signed none of them.
certs=$TMP/certs
mkdir -p "$certs"
make_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$certs/$1.key" -out "$certs/$1.crt" 2>/dev/null
}
make_cert() { # make_cert NAME CA [SAN]
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$certs/$1.key" \
    -out "$certs/$1.csr" 2>/dev/null
  openssl x509 -req -in "$certs/$1.csr" -CA "$certs/$2.crt" -CAkey "$certs/$2.key" \
    -CAcreateserial -days 2 -out "$certs/$1.crt" ${3:+-extfile <(printf 'subjectAltName=%s' "$3")} 2>/dev/null
}
make_ca ca
make_ca other-ca
make_cert server ca "DNS:localhost,IP:127.0.0.1"
make_cert client ca

port=$(free_port)
start_redis redis --tls-port "$port" --tls-cert-file "$certs/server.crt" \
  --tls-key-file "$certs/server.key" --tls-ca-cert-file "$certs/ca.crt" --tls-auth-clients no
UNIX_URL=$URL
TLS_URL="rediss://127.0.0.1:$port"

begin_case "a barrier over TLS"
URL=$TLS_URL spawn a --cacert "$certs/ca.crt" wait tls -n 2 -t 30s
wait_arrived tls 1
URL=$TLS_URL expect 0 --cacert "$certs/ca.crt" wait tls -n 2 -t 30s
expect_exit a 0
URL="redis://localhost:$port" expect 0 --tls --cacert "$certs/ca.crt" wait tls-flag -n 1
URL=$TLS_URL expect 0 --cacertdir "$certs" --cacert "$certs/ca.crt" status tls
URL=$TLS_URL expect 0 --cacert "$certs/ca.crt" reset tls

begin_case "a certificate the CA did not sign: 69 with the verification error, not retried"
URL=$TLS_URL expect 69 --cacert "$certs/other-ca.crt" wait tls -n 1
expect_stderr 'certificate verification failed: (unable to get local issuer certificate|self.signed)'
# The server logs each handshake the client gave up: one, since a failed verification is not
# retried. (Once PING is answered, the server has handled what rbarrier sent before it.)
refused() { rcli PING >/dev/null && grep -c 'Error accepting a client connection' "$TMP/redis.log"; }
before=$(refused)
URL=$TLS_URL expect 69 wait tls -n 1 # the system's CAs do not know ours
expect_stderr 'certificate verification failed'
after=$(refused)
check "$((after - before)) handshakes for one verification failure" [ "$((after - before))" -eq 1 ]
URL=$TLS_URL expect 0 --cacert "$certs/other-ca.crt" --insecure wait tls -n 1

begin_case "the name checked is the URL's host, or --sni"
URL=$TLS_URL expect 69 --cacert "$certs/ca.crt" --sni wrong.example wait tls -n 1
expect_stderr 'certificate verification failed: [Hh]ostname mismatch'
URL=$TLS_URL expect 0 --cacert "$certs/ca.crt" --sni localhost wait tls -n 1

begin_case "plain text to a TLS port, and TLS to a plain port, fail clearly"
URL="redis://127.0.0.1:$port" expect 69 --connect-timeout 500ms status tls
URL=$UNIX_URL expect 64 --tls status tls
expect_stderr 'needs a redis://'

begin_case "client certificates"
port2=$(free_port)
URL=; start_redis mtls --tls-port "$port2" --tls-cert-file "$certs/server.crt" \
  --tls-key-file "$certs/server.key" --tls-ca-cert-file "$certs/ca.crt" --tls-auth-clients yes
URL="rediss://127.0.0.1:$port2"
expect 69 --cacert "$certs/ca.crt" --connect-timeout 500ms status mtls
expect_stderr "certificate required|alert|closed by the server|handshake"
expect 69 --cacert "$certs/ca.crt" wait mtls -n 1 -t 1s
expect 0 --cacert "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key" wait mtls -n 1
expect 64 --cacert "$certs/ca.crt" --cert "$certs/client.crt" wait mtls -n 1
expect_stderr '--cert and --key go together'
expect 64 --cacert "$certs/nonexistent.crt" wait mtls -n 1
expect_stderr 'cannot read --cacert'
expect 64 --cacert "$certs/client.key" wait mtls -n 1
expect_stderr 'cannot load the CA certificates'
finish
