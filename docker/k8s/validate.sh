#!/usr/bin/env bash
# Validates docker/k8s/*.yaml against the Kubernetes schemas of the npm package
# kubernetes-models (installed once into ${K8S_VALIDATE_CACHE:-~/.cache/genstream-k8s-validate}).
# Without node/npm it falls back to parsing every manifest with a YAML parser, and says so.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${K8S_VALIDATE_CACHE:-${HOME}/.cache/genstream-k8s-validate}"
if command -v node > /dev/null && command -v npm > /dev/null; then
  if [[ ! -d "$cache/node_modules/kubernetes-models" || ! -d "$cache/node_modules/js-yaml" ]]; then
    mkdir -p "$cache"
    (cd "$cache" && [[ -f package.json ]] || echo '{"private":true}' > "$cache/package.json")
    (cd "$cache" && npm install --no-audit --no-fund --silent kubernetes-models@4 js-yaml@4) ||
      { echo "npm could not install kubernetes-models; falling back to a YAML parse" >&2; }
  fi
  if [[ -d "$cache/node_modules/kubernetes-models" ]]; then
    K8S_VALIDATE_MODULES="$cache/node_modules" exec node "$here/validate.mjs"
  fi
fi
if python3 -c 'import yaml' 2> /dev/null; then
  echo "Schema validation unavailable (no node/npm): parsing the YAML only." >&2
  python3 - "$here" <<'PY'
import pathlib, sys, yaml
n = 0
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    for doc in yaml.safe_load_all(f.read_text()):
        if doc:
            assert "apiVersion" in doc and "kind" in doc, f"{f.name}: apiVersion/kind missing"
            n += 1
print(f"{n} YAML documents parsed (no schema check)")
PY
else
  echo "SKIP: neither node/npm nor python3-yaml is available to check the manifests." >&2
fi
