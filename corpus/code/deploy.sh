#!/usr/bin/env bash
# deploy.sh: roll out a new Lore container on a single host with zero downtime.
#
# Usage: deploy.sh IMAGE_TAG
#
# The script starts the new container next to the old one on a spare port, waits for
# /readyz to report ready (the embedding model is loaded and the index is open), switches
# the reverse proxy over, and only then stops the old container. If the new container
# never becomes ready, the old one keeps serving and the script exits with status 1.
set -euo pipefail

TAG="${1:?usage: deploy.sh IMAGE_TAG}"
IMAGE="ghcr.io/example/lore:${TAG}"
DATA_DIR="${LORE_DATA_DIR:-/srv/lore/data}"     # lore.sqlite and *.hnsw live here
MODELS_DIR="${LORE_MODELS_DIR:-/srv/lore/models}"
PROXY_UPSTREAM="/etc/nginx/conf.d/lore-upstream.conf"
READY_TIMEOUT=120                              # seconds; model load takes about 5

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Pick whichever of the two slots is not currently serving.
current="$(docker ps --filter name=lore- --format '{{.Names}}' | head -n1 || true)"
if [ "$current" = "lore-blue" ]; then
  next=lore-green; port=8081
else
  next=lore-blue; port=8080
fi
log "current=${current:-none} next=$next port=$port image=$IMAGE"

# Take a consistent backup first. lore backup checkpoints the WAL and uses
# VACUUM INTO, so it is safe while the old container keeps serving queries.
if [ -n "$current" ]; then
  docker exec "$current" lore backup "/data/backups/pre-${TAG}.sqlite"
fi

docker pull --quiet "$IMAGE"
docker rm -f "$next" >/dev/null 2>&1 || true
docker run -d --name "$next" \
  --restart unless-stopped \
  -p "127.0.0.1:${port}:8080" \
  -v "$DATA_DIR:/data" -v "$MODELS_DIR:/models:ro" \
  -e LORE_DATA_DIR=/data -e LORE_MODELS_DIR=/models \
  -e LORE_API_KEY_FILE=/run/secrets/lore_api_key \
  "$IMAGE" lore serve --port 8080 >/dev/null

# /healthz only says the process is alive; /readyz says it can answer queries.
deadline=$(( $(date +%s) + READY_TIMEOUT ))
until curl -fsS "http://127.0.0.1:${port}/readyz" >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "new container not ready after ${READY_TIMEOUT}s; keeping $current"
    docker logs --tail 50 "$next" >&2 || true
    docker rm -f "$next" >/dev/null
    exit 1
  fi
  sleep 2
done
log "$next is ready"

# Point the proxy at the new slot and reload without dropping connections.
printf 'upstream lore { server 127.0.0.1:%s; }\n' "$port" > "$PROXY_UPSTREAM"
nginx -t && nginx -s reload

# Give in-flight requests to the old container time to finish, then stop it.
if [ -n "$current" ]; then
  sleep 10
  docker stop --time 30 "$current" >/dev/null && docker rm "$current" >/dev/null
  log "stopped $current"
fi
log "deployed $IMAGE"
