#!/usr/bin/env bash
# Installs the build tree into a fresh prefix, then builds and runs a consumer with
# find_package(nowgg_payments CONFIG) (shared and static) and one with pkg-config.
# usage: check.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
echo "installed into $prefix:"
(cd "$prefix" && find . -type f | sort)

cmake -S "$here" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" "$work/consumer/consumer"
"$work/consumer/consumer_static"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
echo "pkg-config nowgg_payments: $(pkg-config --modversion nowgg_payments) $(pkg-config --cflags --libs nowgg_payments)"
# shellcheck disable=SC2046  # the flags are words
cc -std=c99 -Wall -Wextra -Werror -pedantic "$here/consumer.c" -o "$work/pkgconfig_consumer" \
    $(pkg-config --cflags --libs nowgg_payments)
LD_LIBRARY_PATH="$prefix/lib" "$work/pkgconfig_consumer"
