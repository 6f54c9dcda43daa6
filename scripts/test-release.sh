#!/usr/bin/env bash
# Installs what a user downloads from dist/ (made by scripts/release.sh) and uses it, with
# no cargo, rustc or maturin on PATH: the wheel into fresh venvs of two CPythons, the two
# npm tarballs into a scratch project (require and import), the C/C++ SDK into scratch
# CMake projects (find_package and pkg-config; shared and static C, C++), and the CLI archive's
# `nowgg demo`. Each verifies a purchase against the sandbox of the CLI archive.
# Install times are printed as `time:` lines (bench/results/install.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dist="$repo/dist"
version="$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)"
platform=x86_64-linux-gnu
key=release-test-key
token=-nowgg-sample-paid
# Every verify below is bounded: a hang fails the run instead of stalling CI.
bounded=(timeout 60)
passed=0

pass() { passed=$((passed + 1)); echo "ok: $*"; }
# timed LABEL CMD...: runs CMD, printing its wall time.
timed() {
    local label=$1 start
    shift
    start="$(date +%s%N)"
    "$@"
    echo "time: $label $((($(date +%s%N) - start) / 1000000)) ms"
}

step "release: dist/ is whole (versions, checksums, glibc)"
bash scripts/release.sh --check
pass "release.sh --check"

# What a user's machine has: compilers, cmake, pkg-config, node, two CPythons. Installed
# while PATH is still whole.
for tool in cmake pkg-config cc c++; do
    command -v "$tool" >/dev/null || { apt_install cmake pkg-config gcc g++; break; }
done
python_default="$(python3 -c 'import sys; print(sys.executable)')"
# The other CPython: the oldest the wheel supports when pyenv has it, else Debian's.
python_other=""
for candidate in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.9*/bin/python3 /usr/bin/python3; do
    if [[ -x "$candidate" && "$(realpath "$candidate")" != "$(realpath "$python_default")" ]]; then
        python_other="$candidate"
        break
    fi
done
if [[ -z "$python_other" ]]; then
    apt_install python3
    python_other=/usr/bin/python3
fi
for python in "$python_default" "$python_other"; do
    "$python" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
done

# No Rust toolchain from here on: every PATH entry holding one is dropped.
path=""
IFS=: read -ra entries <<<"$PATH"
for dir in "${entries[@]}"; do
    [[ -e "$dir/cargo" || -e "$dir/rustc" || -e "$dir/maturin" ]] || path="$path${path:+:}$dir"
done
export PATH="$path"
for tool in cargo rustc maturin; do
    ! command -v "$tool" >/dev/null || { echo "test-release: $tool is still on PATH" >&2; exit 1; }
done

work="$(mktemp -d)"
on_exit "rm -rf '$work'"

step "release: the CLI archive"
tar -xzf "$dist/nowgg-cli-$version-$platform.tar.gz" -C "$work"
nowgg="$work/nowgg-cli-$version-$platform/nowgg"
"${bounded[@]}" "$nowgg" demo > "$work/demo.out"
grep -q '^demo complete' "$work/demo.out" || { cat "$work/demo.out"; exit 1; }
pass "nowgg demo"

# The sandbox every verify below talks to: the archive's own.
start_sandbox "$nowgg" sandbox --api-key "$key"
url="$sandbox_url"

step "release: the wheel, on two CPythons"
wheel="$(ls "$dist"/nowgg_payments-"$version"-cp39-abi3-manylinux*.whl)"
for python in "$python_default" "$python_other"; do
    venv="$work/venv-$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    "$python" -m venv "$venv"
    timed "pip install wheel ($(basename "$venv"))" \
        "$venv/bin/pip" install --quiet --no-index --disable-pip-version-check "$wheel"
    "${bounded[@]}" "$venv/bin/python" - "$key" "$url" "$token" <<'PY'
import sys
import nowgg_payments

client = nowgg_payments.Client(sys.argv[1], base_url=sys.argv[2])
purchase = client.verify_purchase(sys.argv[3])
assert purchase.is_paid, purchase
print(f"python {sys.version.split()[0]}: nowgg_payments {nowgg_payments.__version__} verifies {purchase.product_id}")
PY
    pass "wheel on $(basename "$venv")"
done

step "release: the npm packages"
npm_install=(npm install --offline --no-audit --no-fund --loglevel=error --foreground-scripts)
main_tgz="$dist/nowgg-payments-$version.tgz"
platform_tgz="$dist/nowgg-payments-linux-x64-gnu-$version.tgz"
app="$work/npm-app"
mkdir -p "$app"
echo '{"name": "release-test", "private": true}' > "$app/package.json"
(cd "$app" && timed "npm install (prebuilt)" "${npm_install[@]}" "$main_tgz" "$platform_tgz") | tee "$work/npm.out"
grep -q 'using the prebuilt addon' "$work/npm.out"
(cd "$app" && "${bounded[@]}" node -e '
    const { Client } = require("nowgg-payments")
    new Client({ apiKey: process.argv[1], baseUrl: process.argv[2] }).verifyPurchase(process.argv[3])
      .then((p) => { if (!p.isPaid) throw new Error("not paid"); console.log(`node require: verifies ${p.productId}`) })
    ' "$key" "$url" "$token")
pass "npm require"
(cd "$app" && "${bounded[@]}" node --input-type=module -e '
    import { Client } from "nowgg-payments"
    const [key, url, token] = process.argv.slice(1)
    const p = await new Client({ apiKey: key, baseUrl: url }).verifyPurchase(token)
    if (!p.isPaid) throw new Error("not paid")
    console.log(`node import: verifies ${p.productId}`)
    ' "$key" "$url" "$token")
pass "npm import"

# Without the platform package and without cargo, the install names both ways out.
bare="$work/npm-bare"
mkdir -p "$bare"
echo '{"name": "release-test-bare", "private": true}' > "$bare/package.json"
if (cd "$bare" && "${npm_install[@]}" "$main_tgz") > "$work/npm-bare.out" 2>&1; then
    echo "test-release: npm install without a prebuilt addon or cargo succeeded" >&2
    exit 1
fi
grep -q 'no prebuilt addon for linux-x64 .*nowgg-payments-linux-x64-gnu.* and no cargo' "$work/npm-bare.out" \
    || { cat "$work/npm-bare.out"; exit 1; }
pass "npm install without a prebuilt addon fails with both ways out"

step "release: the C/C++ SDK"
sdk="$work/nowgg-payments-$version-$platform"
timed "unpack the SDK" tar -xzf "$dist/nowgg-payments-$version-$platform.tar.gz" -C "$work"
[[ -s "$sdk/README.md" ]] || { echo "test-release: the SDK has no README.md" >&2; exit 1; }
pass "the SDK carries its README"
project="$work/cmake-project"
mkdir -p "$project"
cat > "$project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(nowgg_release_test C CXX)
set(CMAKE_CXX_STANDARD 17)
if(USE_PKG_CONFIG)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(NOWGG REQUIRED IMPORTED_TARGET nowgg_payments=${VERSION})
  set(shared PkgConfig::NOWGG)
  # The archive by path, then the system libraries of Libs.private.
  list(TRANSFORM NOWGG_STATIC_LIBRARIES REPLACE "^nowgg_payments$"
       "${NOWGG_LIBDIR}/libnowgg_payments.a" OUTPUT_VARIABLE static)
else()
  find_package(nowgg_payments ${VERSION} EXACT CONFIG REQUIRED)
  set(shared nowgg_payments::nowgg_payments)
  set(static nowgg_payments::nowgg_payments_static)
endif()
add_executable(verify_shared verify.c)
target_link_libraries(verify_shared PRIVATE ${shared})
add_executable(verify_static verify.c)
target_include_directories(verify_static PRIVATE ${NOWGG_INCLUDE_DIRS})
target_link_libraries(verify_static PRIVATE ${static})
add_executable(verify_cpp verify.cpp)
target_link_libraries(verify_cpp PRIVATE ${shared})
CMAKE
cat > "$project/verify.cpp" <<'CPP'
#include <iostream>
#include "nowgg_payments.hpp"

// verify KEY BASE_URL TOKEN through the C++ wrapper, which throws when the call fails.
int main(int argc, char **argv) {
    if (argc != 4) return 2;
    nowgg::ClientOptions options;
    options.api_key = argv[1];
    options.base_url = argv[2];
    const nowgg::Client client(options);
    client.verify_purchase(argv[3]);
    std::cout << "c++: verifies " << argv[3] << std::endl;
}
CPP
cat > "$project/verify.c" <<'C'
#include <stdio.h>
#include "nowgg_payments.h"

/* verify KEY BASE_URL TOKEN: exits 0 when the purchase is paid. */
int main(int argc, char **argv) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    if (argc != 4) return 2;
    nowgg_status s = nowgg_config_new(argv[1], &config, &err);
    if (s == NOWGG_OK) s = nowgg_config_set_base_url(config, argv[2], &err);
    if (s == NOWGG_OK) s = nowgg_client_new(config, &client, &err);
    nowgg_config_free(config);
    if (s == NOWGG_OK) s = nowgg_verify_purchase(client, argv[3], &purchase, &err);
    int paid = s == NOWGG_OK && nowgg_purchase_is_paid(purchase);
    if (s != NOWGG_OK) fprintf(stderr, "%s: %s\n", nowgg_status_name(s), nowgg_error_message(err));
    else printf("c %s (header %s): verifies %s\n", nowgg_version(), NOWGG_PAYMENTS_VERSION,
                nowgg_purchase_product_id(purchase));
    nowgg_error_free(err);
    nowgg_purchase_free(purchase);
    nowgg_client_free(client);
    return paid ? 0 : 1;
}
C
for finder in find_package pkg-config; do
    build="$work/cmake-$finder"
    if [[ "$finder" == pkg-config ]]; then
        args=(-DUSE_PKG_CONFIG=ON)
        export PKG_CONFIG_PATH="$sdk/lib/pkgconfig"
    else
        args=(-DCMAKE_PREFIX_PATH="$sdk")
    fi
    cmake -S "$project" -B "$build" -DVERSION="$version" "${args[@]}" > "$build.log" \
        && cmake --build "$build" >> "$build.log" || { cat "$build.log"; exit 1; }
    ldd "$build/verify_shared" | grep -q "libnowgg_payments.so.${version%.*} => $sdk/lib/" \
        || { ldd "$build/verify_shared"; echo "test-release: verify_shared does not use the SDK's library" >&2; exit 1; }
    ! ldd "$build/verify_static" | grep -q nowgg \
        || { echo "test-release: verify_static links the shared library" >&2; exit 1; }
    for program in verify_shared verify_static verify_cpp; do
        "${bounded[@]}" "$build/$program" "$key" "$url" "$token"
        pass "C SDK with $finder, $program"
    done
done

printf '\nrelease: %d passed, 0 failed\n' "$passed"
