"""Re-fetch the vendored Apache ECharts from the npm registry at its pinned version and check
every file against the sha256 pinned here (no npm needed: Python's standard library only).

    .venv/bin/python scripts/vendor_echarts.py           # download, verify, write the files
    .venv/bin/python scripts/vendor_echarts.py --check   # offline: verify the committed files

Baton runs offline and CI has no npm, so the files are committed under static/vendor/echarts/
(the ownership map's graph, templates/projects/map.html). To move to another version: change
VERSION and TARBALL_INTEGRITY (the `dist.integrity` the registry publishes for it, as
`npm view echarts@<version> dist.integrity` shows), run with --update-pins to print the new
sha256 lines, paste them into FILES, and run again.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

NAME = "echarts"
VERSION = "6.1.0"
TARBALL = f"https://registry.npmjs.org/{NAME}/-/{NAME}-{VERSION}.tgz"
# The registry's Subresource-Integrity hash of the tarball (sha512, base64).
TARBALL_INTEGRITY = (
    "sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBY"
    "kOkbk6HIVpIyHZA=="
)
# Path in the tarball -> (file name under static/vendor/echarts/, sha256).
FILES = {
    "package/dist/echarts.min.js": (
        "echarts.min.js",
        "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0",
    ),
    "package/LICENSE": (
        "LICENSE",
        "634293835b43a6dd2094fa39182a3d9a6b9ca43b7fdb9ac354e8037af2a3093a",
    ),
    "package/NOTICE": (
        "NOTICE",
        "d491d358344f842685c1b1585970999db65fe30ecf7ef3867af8814f4016c016",
    ),
    "package/licenses/LICENSE-d3": (
        "LICENSE-d3",
        "e1211892da0b0e0585b7aebe8f98c1274fba15bafe47fa1f4ee8a7a502c06304",
    ),
}
DEST = Path(__file__).resolve().parent.parent / "static" / "vendor" / NAME


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_local(dest: Path = DEST) -> list[str]:
    """What is wrong with the committed files (empty when each matches its pin)."""
    problems = []
    for name, digest in FILES.values():
        path = dest / name
        if not path.exists():
            problems.append(f"{path} is missing")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"{path} does not match its pinned sha256 {digest}")
    return problems


def fetch() -> bytes:
    with urllib.request.urlopen(TARBALL, timeout=60) as response:  # noqa: S310 (https, pinned)
        data = response.read()
    algorithm, _, expected = TARBALL_INTEGRITY.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{TARBALL}: integrity {algorithm}-{actual}, expected {TARBALL_INTEGRITY}")
    return data


def extract(data: bytes) -> dict[str, bytes]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member_name in FILES:
            member = archive.extractfile(member_name)
            if member is None:
                raise SystemExit(f"{TARBALL} has no file {member_name}")
            out[member_name] = member.read()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files only")
    parser.add_argument("--update-pins", action="store_true", help="print the files' sha256")
    args = parser.parse_args()
    if args.check:
        problems = check_local()
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            print(f"{NAME} {VERSION}: {len(FILES)} files match their pins")
        return 1 if problems else 0
    contents = extract(fetch())
    if args.update_pins:
        for member_name, data in contents.items():
            print(f'"{member_name}": ("{FILES[member_name][0]}", "{sha256(data)}"),')
        return 0
    for member_name, data in contents.items():
        name, digest = FILES[member_name]
        if sha256(data) != digest:
            raise SystemExit(f"{member_name}: sha256 {sha256(data)}, pinned {digest}")
    DEST.mkdir(parents=True, exist_ok=True)
    for member_name, data in contents.items():
        (DEST / FILES[member_name][0]).write_bytes(data)
    print(f"{NAME} {VERSION}: wrote {len(contents)} files to {DEST}, each matching its pin")
    return 0


if __name__ == "__main__":
    sys.exit(main())
