#!/usr/bin/env bash
# target/krew/: kubectl-ballot.tar.gz (the launcher and the jar) and ballot.yaml, deploy/krew/ballot.yaml with the
# version and that archive's sha256 filled in. Also target/kubectl-ballot, the launcher next to the jar, so
# PATH=kubectl-plugin/target:$PATH makes `kubectl ballot` work straight from the build.
set -euo pipefail
target="$1"; version="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
stage="$target/krew/stage"
rm -rf "$target/krew"; mkdir -p "$stage"
cp "$here/../bin/kubectl-ballot" "$target/kubectl-ballot.jar" "$stage/"
chmod 755 "$stage/kubectl-ballot"
# a reproducible archive: fixed order, owner and time
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00Z' -C "$stage" -czf \
  "$target/krew/kubectl-ballot.tar.gz" kubectl-ballot kubectl-ballot.jar
sha=$(sha256sum "$target/krew/kubectl-ballot.tar.gz" | cut -d' ' -f1)
sed -e "s/@VERSION@/v${version%-SNAPSHOT}/g" -e "s/@SHA256@/$sha/g" "$repo/deploy/krew/ballot.yaml" \
  > "$target/krew/ballot.yaml"
cp "$here/../bin/kubectl-ballot" "$target/kubectl-ballot"
chmod 755 "$target/kubectl-ballot"
