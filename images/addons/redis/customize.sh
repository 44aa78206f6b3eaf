#!/bin/sh
# mmdebstrap customize hook ($1 = the image's root): the data directory of the official image
set -eu
mkdir -p "$1/data"
chroot "$1" chown redis:redis /data
