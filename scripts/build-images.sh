#!/usr/bin/env bash
# Builds the platform's local base images from Debian packages, because no public image registry is reachable:
#   mmdebstrap (a root filesystem from the packages) -> tarball -> docker import.
#
#   scripts/build-images.sh            ensure every image of RECIPES exists (builds only what is missing)
#   scripts/build-images.sh --list     print the tag each image would have, build nothing
#   scripts/build-images.sh NAME...    only these images (e.g. skypanel/jre), also those of ON_DEMAND_RECIPES
#
# Cached by content: an image is tagged NAME:<12 hex of sha256(suite, its recipe line, the shared recipe
# below)> plus its stable alias NAME:ALIAS (e.g. skypanel/jre:17), which is moved to the current one. Nothing
# that exists is built again (docker image inspect); the root filesystem tarball is kept in $CACHE_DIR, so an
# image that was removed is imported again without downloading anything.
#
# Packages come from the host's own apt sources (/etc/apt/sources.list and /etc/apt/sources.list.d/*.list,
# *.sources) and its Acquire:: settings (proxies, validity checks), so the images use the same mirror as the
# host. Needs root (mmdebstrap's root mode) or unprivileged user namespaces (its unshare mode).
set -euo pipefail

# --- recipes: one line per image: NAME ALIAS PACKAGES(comma-separated) -----------------------------------
# Packages are installed on top of Debian's Essential set (variant "essential": no apt in the image).
RECIPES=(
  "skypanel/jre 17 openjdk-17-jre-headless"
  # the buildpack stack skypanel-bookworm (paas_stacks, V13): builder containers run the build image, apps the run
  # image. bash, coreutils, tar and gzip are Essential already; npm drags in Node's own modules (the bulk of the size).
  "skypanel/stack-build bookworm ca-certificates,nodejs,npm,python3,python3-venv,python3-pip"
  "skypanel/stack-run bookworm ca-certificates,nodejs,python3"
  # add-on servers (paas/addons/engines), each driven like the official image of its server (production may use those):
  # an optional 4th field names a directory of images/ whose docker-entrypoint.sh goes to /usr/local/bin, whose
  # customize.sh runs as a customize hook (argument: the root filesystem) and whose "changes" lines are docker import
  # changes (ENTRYPOINT, CMD, ENV, ...); every file of it is part of the image's hash.
  "skypanel/addon-postgres 15 postgresql-15,postgresql-client-15 addons/postgres"
  "skypanel/addon-mariadb 10.11 mariadb-server,mariadb-client addons/mariadb"
  "skypanel/addon-redis 7 redis-server,redis-tools addons/redis"
  # later, e.g.: "skypanel/node 18 nodejs,npm"  "skypanel/python 3.11 python3,python3-venv"
)
# Built only when named (not by prepare-test-servers.sh or ./skypanel up): images for benchmarks.
ON_DEMAND_RECIPES=(
  # the backend task of bench/edge/run.sh's overlay variant (the same Debian nginx as that benchmark's host backend)
  "skypanel/nginx 1.22 nginx"
)

# --- the recipe every image shares (part of every tag's hash) -----------------------------------------
SHARED_OPTIONS=(
  --variant=essential
  # no documentation, manual pages or translations in images (copyright files stay)
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --dpkgopt='path-exclude=/usr/share/lintian/*'
  # merged /usr by symlinks, as debootstrap does, instead of the usrmerge package (which drags in perl)
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  # maintainer scripts calling update-alternatives with a manual page (openjdk, postgresql) need the directory
  --essential-hook='mkdir -p "$1/usr/share/man/man1"'
  # the unprivileged user images run as (USER skypanel in derived images)
  --customize-hook='echo "skypanel:x:10001:10001:skypanel:/home/skypanel:/usr/sbin/nologin" >>"$1/etc/passwd"'
  --customize-hook='echo "skypanel:x:10001:" >>"$1/etc/group"'
  --customize-hook='mkdir -p "$1/home/skypanel" && chown 10001:10001 "$1/home/skypanel"'
  # mmdebstrap's own apt settings are the build host's (proxies), not the image's
  --customize-hook='rm -f "$1/etc/apt/apt.conf.d/99mmdebstrap"'
)
IMPORT_CHANGES=(-c 'ENV LANG=C.UTF-8' -c 'CMD ["/bin/sh"]')

log() { echo "build-images: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

DOCKER=${DOCKER:-}
if [[ -z $DOCKER ]]; then
  # the client shipped with the engine (Debian's docker.io); a newer one elsewhere on PATH may not speak its API
  if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker || true); fi
fi
[[ -n $DOCKER ]] || die "no docker client"

SUITE=${SKYPANEL_IMAGE_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[[ -n $SUITE ]] || die "no Debian suite: set SKYPANEL_IMAGE_SUITE (e.g. bookworm)"

if [[ -n ${SKYPANEL_IMAGE_CACHE:-} ]]; then
  CACHE_DIR=$SKYPANEL_IMAGE_CACHE
elif [[ $(id -u) -eq 0 ]] || [[ -w /var/cache/skypanel/images ]]; then
  CACHE_DIR=/var/cache/skypanel/images
else
  CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/skypanel/images
fi

IMAGES_DIR=$(cd "$(dirname "$0")/../images" 2>/dev/null && pwd || true)

# the directory of an image's own files (a recipe's 4th field), absolute
files_dir() {
  [[ -n $1 ]] || return 0
  [[ -n $IMAGES_DIR && -d $IMAGES_DIR/$1 ]] || die "no directory images/$1"
  echo "$IMAGES_DIR/$1"
}

# 12 hex characters of the sha256 of everything that decides an image's content: the recipe, the shared recipe
# and the name, mode and content of every file of the image's own directory (2nd argument)
recipe_hash() {
  {
    echo "suite=$SUITE"
    echo "recipe=$1"
    printf '%s\n' "${SHARED_OPTIONS[@]}" "${IMPORT_CHANGES[@]}"
    if [[ -n ${2:-} ]]; then
      (cd "$2" && find . -type f -printf '%P\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat)
    fi
  } | sha256sum | cut -c1-12
}

# the docker import changes of an image: the shared ones, then its directory's "changes" lines
import_changes() {
  local line
  printf '%s\0' "${IMPORT_CHANGES[@]}"
  if [[ -n $1 && -f $1/changes ]]; then
    while IFS= read -r line; do
      [[ -z $line || $line == '#'* ]] || printf -- '-c\0%s\0' "$line"
    done <"$1/changes"
  fi
}

# the host's apt sources, as files mmdebstrap pastes into the image's sources (one-line and deb822 alike)
host_sources() {
  local file
  if [[ -s /etc/apt/sources.list ]] && grep -qE '^[[:space:]]*deb' /etc/apt/sources.list; then
    echo /etc/apt/sources.list
  fi
  for file in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] && echo "$file"
  done
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

build_rootfs() {
  local packages=$1 tarball=$2 dir=${3:-} sources=() acquire extra=()
  mapfile -t sources < <(host_sources)
  ((${#sources[@]} > 0)) || die "no apt sources on this host (/etc/apt/sources.list, /etc/apt/sources.list.d/)"
  command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (apt-get install mmdebstrap)"
  acquire=$(mktemp)
  # the host's download settings (proxy, Check-Valid-Until for snapshot mirrors, ...)
  apt-config dump Acquire >"$acquire" 2>/dev/null || true
  if [[ -n $dir ]]; then
    [[ -f $dir/docker-entrypoint.sh ]] &&
      extra+=(--customize-hook="install -D -m 0755 '$dir/docker-entrypoint.sh' \"\$1/usr/local/bin/docker-entrypoint.sh\"")
    [[ -f $dir/customize.sh ]] && extra+=(--customize-hook="sh '$dir/customize.sh' \"\$1\"")
  fi
  log "mmdebstrap $SUITE + $packages -> $tarball (log: $tarball.log)"
  if ! mmdebstrap --verbose --format=tar "${SHARED_OPTIONS[@]}" "${extra[@]}" --aptopt="$acquire" --include="$packages" \
    "$SUITE" "$tarball.partial" "${sources[@]}" >"$tarball.log" 2>&1; then
    rm -f "$acquire" "$tarball.partial"
    tail -n 20 "$tarball.log" >&2
    die "mmdebstrap failed for $packages (see $tarball.log)"
  fi
  rm -f "$acquire"
  mv -T "$tarball.partial" "$tarball"
}

# ensure_image NAME ALIAS PACKAGES [FILES_DIR]: prints NAME:HASH
ensure_image() {
  local name=$1 alias=$2 packages=$3 dir=${4:-} hash tag tarball changes=()
  hash=$(recipe_hash "$name $alias $packages" "$dir")
  tag=$name:$hash
  if ! image_exists "$tag"; then
    tarball=$CACHE_DIR/${name//\//-}-$hash.tar
    [[ -f $tarball ]] || build_rootfs "$packages" "$tarball" "$dir"
    mapfile -d '' -t changes < <(import_changes "$dir")
    log "importing $tarball as $tag"
    "$DOCKER" import "${changes[@]}" \
      -c "LABEL io.skypanel.image.recipe=$hash io.skypanel.image.packages=$packages io.skypanel.image.suite=$SUITE" \
      "$tarball" "$tag" >/dev/null
  fi
  "$DOCKER" tag "$tag" "$name:$alias"
  echo "$tag"
}

list_only=false
wanted=()
for arg in "$@"; do
  case $arg in
    --list) list_only=true ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) wanted+=("$arg") ;;
  esac
done

if ! $list_only; then
  "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "the Docker engine does not answer ($DOCKER)"
  mkdir -p "$CACHE_DIR"
  # one build at a time per cache (two prepare runs at once would download and import twice)
  exec 9>"$CACHE_DIR/.lock"
  flock 9
fi

for recipe in "${RECIPES[@]}" "${ON_DEMAND_RECIPES[@]/#/on-demand }"; do
  on_demand=false
  if [[ $recipe == "on-demand "* ]]; then on_demand=true; recipe=${recipe#on-demand }; fi
  read -r name alias packages files <<<"$recipe"
  dir=$(files_dir "${files:-}")
  if ((${#wanted[@]} > 0)) && [[ " ${wanted[*]} " != *" $name "* ]]; then
    continue
  fi
  # without names: the platform's images only (--list shows the others too)
  if ((${#wanted[@]} == 0)) && $on_demand && ! $list_only; then
    continue
  fi
  if $list_only; then
    echo "$name:$(recipe_hash "$name $alias $packages" "$dir") ($name:$alias)"
    continue
  fi
  started=$SECONDS
  tag=$(ensure_image "$name" "$alias" "$packages" "$dir")
  size=$("$DOCKER" image inspect --format '{{.Size}}' "$tag")
  echo "$tag ($name:$alias) $((size / 1024 / 1024)) MiB, $((SECONDS - started)) s"
done
