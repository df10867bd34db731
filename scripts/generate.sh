#!/usr/bin/env bash
# make generate: the internal API's Swift code from proto/, written to
# Sources/InternalAPI/Generated (committed; the normal build runs no protoc).
#
# protoc is Debian's (package protobuf-compiler); its two plugins, protoc-gen-swift and
# protoc-gen-grpc-swift-2, are built from the packages Package.swift already depends on, in
# the same .build, so they cost two small targets on top of a normal build.
#
#   scripts/generate.sh          regenerate in place
#   scripts/generate.sh --check  generate into a scratch folder and fail if it differs from
#                                the committed code (make test runs this)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

GENERATED="Sources/InternalAPI/Generated"
SCRATCH=""
cleanup() { [[ -z "$SCRATCH" ]] || rm -rf "$SCRATCH"; }
trap cleanup EXIT

main() {
    local check=0
    case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) die "usage: scripts/generate.sh [--check]" ;;
    esac
    cd "$ROOT"
    ensure_packages protoc
    require_swift
    log "building protoc-gen-swift and protoc-gen-grpc-swift-2 (swift build --product)"
    swift build --product protoc-gen-swift >/dev/null || die "could not build protoc-gen-swift"
    swift build --product protoc-gen-grpc-swift-2 >/dev/null || die "could not build protoc-gen-grpc-swift-2"
    local bin
    bin="$(swift build --show-bin-path)"

    local out="$GENERATED"
    if ((check)); then
        SCRATCH="$(mktemp -d)"
        out="$SCRATCH"
    else
        rm -rf "$GENERATED"
        mkdir -p "$GENERATED"
    fi
    local protos=()
    mapfile -t protos < <(cd proto && find . -name '*.proto' -printf '%P\n' | LC_ALL=C sort)
    log "protoc $(protoc --version): ${#protos[@]} files from proto/"
    (cd proto && protoc \
        --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
        --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
        --swift_out="$([[ "$out" == /* ]] && echo "$out" || echo "$ROOT/$out")" \
        --swift_opt=Visibility=Public \
        --grpc-swift-2_out="$([[ "$out" == /* ]] && echo "$out" || echo "$ROOT/$out")" \
        --grpc-swift-2_opt=Visibility=Public \
        "${protos[@]}")
    if ((check)); then
        if ! diff -r "$GENERATED" "$out" >/dev/null; then
            diff -ru "$GENERATED" "$out" | head -40 >&2 || true
            die "the generated code in $GENERATED is not what proto/ gives: run 'make generate' and commit the result"
        fi
        log "generated code matches proto/ (${#protos[@]} files)"
    fi
}

main "$@"
