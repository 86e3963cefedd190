#!/usr/bin/env python3
"""Packs files into a one-layer OCI image archive (oci-layout tar) that `ctr images import` reads.

  oci_archive.py NAME OUT.tar --file SRC:DEST[:MODE] ... [--link DEST:TARGET ...] --entrypoint ARG ... [--user UID:GID]

NAME is the full reference the image gets on import (annotation io.containerd.image.name), e.g.
ballot.local/pause:3.10. Used for the e2e node's pause image and the provisioner's helper image: no
registry is reachable from this machine, so they are built from local static binaries.
"""
import argparse
import hashlib
import io
import json
import tarfile
import time


def blob(tar, data):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))
    return "sha256:" + digest, len(data)


def layer_bytes(files, links):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as layer:
        dirs = set()
        for src, dest, mode in files:
            parts = dest.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    layer.addfile(info)
            with open(src, "rb") as f:
                data = f.read()
            info = tarfile.TarInfo(dest.strip("/"))
            info.size = len(data)
            info.mode = mode
            layer.addfile(info, io.BytesIO(data))
        for dest, target in links:
            info = tarfile.TarInfo(dest.strip("/"))
            info.type = tarfile.SYMTYPE
            info.linkname = target
            info.mode = 0o777
            layer.addfile(info)
        for d in ("tmp", "proc", "sys", "dev", "etc"):
            if d not in dirs:
                info = tarfile.TarInfo(d)
                info.type = tarfile.DIRTYPE
                info.mode = 0o1777 if d == "tmp" else 0o755
                layer.addfile(info)
    return buf.getvalue()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("out")
    p.add_argument("--file", action="append", default=[], help="SRC:DEST[:octal mode]")
    p.add_argument("--link", action="append", default=[], help="DEST:TARGET (a symlink)")
    p.add_argument("--entrypoint", nargs="+", required=True)
    p.add_argument("--user", default="")
    a = p.parse_args()
    files = []
    for spec in a.file:
        parts = spec.split(":")
        files.append((parts[0], parts[1], int(parts[2], 8) if len(parts) > 2 else 0o755))
    layer = layer_bytes(files, [tuple(spec.split(":", 1)) for spec in a.link])
    with tarfile.open(a.out, "w") as tar:
        layer_digest, layer_size = blob(tar, layer)
        config = {
            "architecture": "amd64", "os": "linux",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(0)),
            "config": {"Entrypoint": a.entrypoint, "User": a.user, "Env": ["PATH=/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        }
        config_digest, config_size = blob(tar, json.dumps(config, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer_size}],
        }
        manifest_digest, manifest_size = blob(tar, json.dumps(manifest, sort_keys=True).encode())
        index = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_size,
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {"io.containerd.image.name": a.name, "org.opencontainers.image.ref.name": a.name.rsplit(":", 1)[-1]},
            }],
        }
        for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", json.dumps(index).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
