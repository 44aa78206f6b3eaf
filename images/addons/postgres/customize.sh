#!/bin/sh
# mmdebstrap customize hook ($1 = the image's root): the cluster postgresql-common creates at installation is
# not the image's (the entrypoint initialises $PGDATA on first start, as the official image does)
set -eu
rm -rf "$1/var/lib/postgresql/15" "$1/etc/postgresql/15"
mkdir -p "$1/var/lib/postgresql/data"
chroot "$1" chown -R postgres:postgres /var/lib/postgresql
# no JIT compilation (LLVM is a third of the image): without its provider library the server runs queries
# interpreted, exactly as with jit=off
rm -f "$1"/usr/lib/x86_64-linux-gnu/libLLVM-*.so* "$1"/usr/lib/postgresql/15/lib/llvmjit*
rm -rf "$1/usr/lib/postgresql/15/lib/bitcode"
