#!/usr/bin/env python3
"""Extract the ELF vmlinux from a bzImage, as the kernel's
scripts/extract-vmlinux does, for the compressions Debian uses (LZ4 legacy
frames on 6.1, xz/zstd/gzip elsewhere). The result must be an ELF file."""
import subprocess
import sys

MAGICS = [
    (b"\x02\x21\x4c\x18", ["lz4", "-dc"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
    (b"\xfd7zXZ\x00", ["xz", "-dcq"]),
    (b"\x1f\x8b\x08", ["gzip", "-dcq"]),
]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    for magic, cmd in MAGICS:
        pos = data.find(magic)
        while pos >= 0:
            p = subprocess.run(cmd, input=data[pos:], capture_output=True)
            out = p.stdout
            if out[:4] == b"\x7fELF":
                open(dst, "wb").write(out)
                return 0
            pos = data.find(magic, pos + 1)
    print(f"extract-vmlinux: no compressed ELF found in {src}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
