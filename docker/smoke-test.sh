#!/usr/bin/env bash
# Build the serving image (`runtime`: no torch), run it with a tiny test checkpoint converted
# on the host and mounted as the model cache, prove it works, stop it, and remove everything
# it created. Loopback only.
#
#   docker/smoke-test.sh            (or: make docker-smoke)
#
# CONTAINER_ENGINE=podman|docker (default: podman if present). ROEN_BUILD_FLAGS adds build
# flags. Where pip is configured with a CA bundle or a local wheel folder (as on the CI
# machines, which reach no PyPI mirror of CPU torch), those are mounted into the build
# automatically; a user's plain `docker build` needs none of this.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${CONTAINER_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}
IMAGE=localhost/roen:smoke
NAME=roen-smoke-$$
PY=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
engine_flags=()
[[ $ENGINE == podman ]] && engine_flags+=(--runtime runc)  # crun fails on cgroups here

cleanup() {
  $ENGINE rm -f "$NAME" >/dev/null 2>&1 || true
  [[ -n ${KEEP_IMAGE:-} ]] || $ENGINE rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "base image"
if ! $ENGINE image exists docker.io/library/debian:bookworm-slim 2>/dev/null \
   && ! $ENGINE pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
  # No registry reachable: build the same Debian release locally.
  command -v debootstrap >/dev/null || { echo "need debootstrap (apt-get install debootstrap)"; exit 1; }
  debootstrap --variant=minbase bookworm "$work/rootfs" >/dev/null
  # as Debian's -slim images are made: else the image size measured here is not a user's
  bash docker/slimify.sh "$work/rootfs"
  tar -C "$work/rootfs" -c . | $ENGINE import - docker.io/library/debian:bookworm-slim >/dev/null
  rm -rf "$work/rootfs"
fi

step "build"
build=(--network host -f docker/Dockerfile --target runtime -t "$IMAGE")
pip_setting() {  # from any of pip's config sources (files or PIP_* variables)
  pip config list 2>/dev/null | sed -n "s/^[^.]*\.$1='\(.*\)'\$/\1/p" | head -1
}
cert=$(pip_setting cert)
links=$(pip_setting find-links)
if [[ -n $cert && -f $cert ]]; then  # at a path of its own: over the image's bundle it breaks apt
  build+=(-v "$cert:/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt)
fi
if [[ -n $links && -d $links ]]; then
  build+=(-v "$links:$links:ro" --build-arg PIP_FIND_LINKS="$links" --build-arg TORCH_INDEX_URL=)
fi
# podman builds OCI images by default, and OCI has no HEALTHCHECK: ask for Docker's format.
[[ $ENGINE == podman ]] && build+=(--runtime runc --format docker)
started=$(date +%s)
# shellcheck disable=SC2086
$ENGINE build "${build[@]}" ${ROEN_BUILD_FLAGS:-} . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
echo "built in $(( $(date +%s) - started )) s"

step "no torch, no transformers in the image"
$ENGINE run --rm "${engine_flags[@]}" "$IMAGE" python3 -c \
  'import importlib.util as u, sys; found = [m for m in ("torch", "transformers") if u.find_spec(m)]; print(found or "neither installed"); sys.exit(bool(found))'

step "tiny checkpoint as the model cache, converted on the host as \`roen models download\` does"
mkdir -p "$work/models"
$PY -m tests.support.tiny_models marian "$work/models/tiny" "$work/models" /models/tiny >"$work/convert.log" 2>&1 \
  || { tail -20 "$work/convert.log"; exit 1; }
chmod -R a+rwX "$work/models"  # the container runs as uid 10001

step "run"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$ENGINE run -d --name "$NAME" "${engine_flags[@]}" --network host \
  -e ROEN_HOST=127.0.0.1 -e ROEN_PORT="$port" -e ROEN_TRANSLATION_MODEL=/models/tiny -e ROEN_BEAM_SIZE=1 \
  -e ROEN_SHUTDOWN_GRACE_S=60 -v "$work/models:/models" "$IMAGE" >/dev/null
base="http://127.0.0.1:$port"
for i in $(seq 1 150); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready" || true)
  [[ $code == 200 ]] && break
  [[ $code == 503 && $i == 1 ]] && echo "booting: live answers, ready says 503 until models load"
  sleep 2
done
[[ $code == 200 ]] || { $ENGINE logs "$NAME" | tail -30; echo "never ready"; exit 1; }
echo "ready after ~$(( i * 2 )) s (polled every 2 s)"
$ENGINE healthcheck run "$NAME" >/dev/null 2>&1 && echo "HEALTHCHECK: healthy" \
  || { [[ $ENGINE == podman ]] && { echo "HEALTHCHECK failed"; exit 1; }; }

step "digest"
body='{"max_sentences": 1, "text": "Guvernul a anunțat un nou pachet de măsuri economice.\n\nMinistrul a declarat că bugetul va crește. Peste 15.000 de oameni au protestat."}'
curl -sf "$base/v1/digest" -H 'content-type: application/json' -d "$body" > "$work/digest.json"
$PY - "$work/digest.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert {"headline", "summary", "summary_sentences", "translation", "method", "model", "elapsed_ms"} <= set(d), d
assert d["translation"].count("\n\n") == 1 and len(d["summary_sentences"]) == 1, d  # ranked
print("digest ok:", {k: (v if not isinstance(v, str) else v[:40]) for k, v in d.items() if k != "translation"})
PY

step "web form"
# Each page is saved, then searched: `curl | grep -q` fails (curl's exit 23 under pipefail)
# when grep has matched and gone before curl has written the whole page.
curl -sf "$base/" -o "$work/form.html" && grep -q 'id="digest-form"' "$work/form.html"
curl -sf "$base/static/app.js" >/dev/null
curl -sf "$base/docs/swagger" -o "$work/swagger.html" && grep -q swagger-ui-bundle "$work/swagger.html"
curl -sf "$base/" --data-urlencode "text=Guvernul a anunțat măsuri.

Al doilea paragraf." -o "$work/result.html" && grep -q 'id="side-by-side"' "$work/result.html"
echo "form, its assets and the API page are served from the image"

step "non-root"
uid=$($ENGINE exec "$NAME" id -u)
[[ $uid != 0 ]] || { echo "runs as root"; exit 1; }
echo "runs as uid $uid"

step "SIGTERM with a request in flight"
long=$($PY -c 'import json; print(json.dumps({"text": " ".join(f"Guvernul a anunțat măsura numărul {i}." for i in range(1500))}))')
curl -s -o /dev/null -w '%{http_code}' "$base/v1/translate" -H 'content-type: application/json' -d "$long" > "$work/inflight" &
curl_pid=$!
sleep 1
stopped=$(date +%s)
$ENGINE stop -t 60 "$NAME" >/dev/null
wait $curl_pid || true
code=$($ENGINE inspect "$NAME" --format '{{.State.ExitCode}}')
echo "in-flight request: $(cat "$work/inflight"); exit code $code after $(( $(date +%s) - stopped )) s"
[[ $(cat "$work/inflight") == 200 && $code == 0 ]] || { $ENGINE logs "$NAME" | tail -20; exit 1; }

step "image size"
size=$($ENGINE image inspect "$IMAGE" --format '{{.Size}}')
echo "$IMAGE: $(( size / 1000000 )) MB"
echo; echo "smoke test passed"
bash docker/inputs-hash.sh > docker/smoke-tested.sha256  # commit it: CI skips an unchanged image
