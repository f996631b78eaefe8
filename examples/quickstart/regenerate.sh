#!/usr/bin/env bash
# Re-creates the quickstart's key pair and its one signed attestation with nothing but openssl,
# the way an operator signs with a KMS key: sign the simple-signing payload, wrap the payload and
# signature in a Grafeas occurrence. Run from anywhere; writes next to this script.
set -euo pipefail
cd "$(dirname "$0")"

IMAGE_REPO="docker.io/library/nginx"
# nginx:1.27.3 (the multi-arch index digest), the image the quickstart admits.
IMAGE_DIGEST="sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"
KEY_ID="quickstart-key-1"
NOTE="namespaces/quickstart-authority"

openssl ecparam -name prime256v1 -genkey -noout -out keys/private-key.pem
openssl ec -in keys/private-key.pem -pubout -out keys/public-key.pem 2>/dev/null

payload=$(mktemp)
trap 'rm -f "$payload" "$payload.sig"' EXIT
printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"atomic container signature"}}' \
  "$IMAGE_REPO" "$IMAGE_DIGEST" > "$payload"
openssl dgst -sha256 -sign keys/private-key.pem -out "$payload.sig" "$payload"

cat > attestations/nginx.json <<JSON
{
  "name": "namespaces/quickstart-authority/occurrences/nginx-1-27-3",
  "resourceUri": "https://${IMAGE_REPO}@${IMAGE_DIGEST}",
  "noteName": "${NOTE}",
  "kind": "ATTESTATION",
  "attestation": {
    "serializedPayload": "$(base64 -w0 < "$payload")",
    "signatures": [
      {"signature": "$(base64 -w0 < "$payload.sig")", "publicKeyId": "${KEY_ID}"}
    ]
  }
}
JSON

cat > policies/quickstart.yaml <<YAML
# The quickstart's policy, in the form kritis-validation-hook users apply it:
# an authority holding the public key (base64 of the PEM) and a policy that requires it.
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata:
  name: quickstart-authority
  namespace: default
spec:
  noteReference: ${NOTE}
  publicKeyData: $(base64 -w0 < keys/public-key.pem)
  publicKeyId: ${KEY_ID}
---
apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata:
  name: quickstart-policy
  namespace: default
spec:
  attestationAuthorityNames:
    - quickstart-authority
---
# Images every namespace may run without attestation (cluster-wide).
apiVersion: kritis.grafeas.io/v1beta1
kind: AdmissionAllowlist
metadata:
  name: system-images
spec:
  patterns:
    - namePattern: "registry.k8s.io/pause:*"
YAML
echo "signed ${IMAGE_REPO}@${IMAGE_DIGEST} with keys/private-key.pem (key id ${KEY_ID})"
