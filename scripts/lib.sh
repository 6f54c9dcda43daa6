# The setup every script of scripts/ shares; sourced, never run:
#   source "$(dirname "$0")/lib.sh"
# It moves to the repository's root (each script runs from anywhere, alone or from
# scripts/test.sh) and sets `repo`, CARGO_TARGET_DIR (one shared target dir, built in
# release mode once for every suite) and NOWGG_SANDBOX_BIN (the sandbox binary the suites
# start), each kept when the caller set it already.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
export CARGO_TERM_COLOR=never
export NOWGG_SANDBOX_BIN="${NOWGG_SANDBOX_BIN:-$CARGO_TARGET_DIR/release/nowgg-sandbox}"

# step TEXT: a heading in the output, so a failure is easy to place in a long log.
step() { printf '\n==> %s\n' "$*"; }

# on_exit COMMAND: runs COMMAND when the script exits, however it exits; the commands run
# last registered first (a sandbox is killed before its scratch directory is removed).
_exit_commands=()
on_exit() {
    _exit_commands+=("$1")
    trap _run_exit_commands EXIT
}
_run_exit_commands() {
    local i
    for ((i = ${#_exit_commands[@]} - 1; i >= 0; i--)); do eval "${_exit_commands[i]}" || true; done
}

# apt_install PACKAGE...: installs those of the Debian packages that are not installed,
# quietly, running `apt-get update` once per script. Without dpkg (another distribution)
# it says so and installs nothing: the commands that need them then fail by name.
_apt_updated=""
apt_install() {
    local package missing=()
    if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
        echo "no apt-get here: not installing $*" >&2
        return 0
    fi
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    echo "installing ${missing[*]} (apt-get)"
    if [[ -z "$_apt_updated" ]]; then
        apt-get update -qq
        _apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# build_sandbox: builds the sandbox binary unless NOWGG_SANDBOX_BIN names one already.
build_sandbox() {
    [[ -x "$NOWGG_SANDBOX_BIN" ]] || cargo build --release -p nowgg-sandbox
}

# start_sandbox COMMAND...: starts `COMMAND --port 0` in the background (a sandbox: the
# binary, or `nowgg sandbox`, with its arguments), waits up to 10 s for its first line,
# `listening on URL`, and sets sandbox_url to URL. The sandbox is killed on exit.
start_sandbox() {
    local out pid
    out="$(mktemp)"
    "$@" --port 0 >"$out" &
    pid=$!
    on_exit "kill $pid 2>/dev/null; rm -f '$out'"
    sandbox_url=""
    for _ in $(seq 100); do
        # A whole first line only: the URL may still be on its way.
        if [[ "$(wc -l <"$out")" -ge 1 ]]; then
            sandbox_url="$(sed -n '1s/^listening on //p' "$out")"
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$sandbox_url" ]]; then
        echo "the sandbox did not start ($*): $(cat "$out")" >&2
        return 1
    fi
}
