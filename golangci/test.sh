#!/usr/bin/env bash
# The golangci-lint plugin end to end: vet and test the plugin module, build a
# golangci-lint binary with it through `golangci-lint custom` as the README says, and lint
# testdata/lint with that binary: the package that bypasses a singleton must be reported
# by singletoncheck, the clean one (whose test installs a fake) must pass.
#
# Only the module proxy is needed. `golangci-lint custom` clones golangci-lint's
# repository with git; that clone is served from the module proxy's copy of the same
# version, through git's url.<base>.insteadOf. The plugin and the analyzer come from this
# checkout (path: in .custom-gcl.yml), since neither is published at this commit.
#
#   GOLANGCI_LINT_VERSION   the golangci-lint version to build (default v2.15.0)
set -euo pipefail
cd "$(dirname "$0")"
plugin=$(pwd)
root=$(cd .. && pwd)
version=${GOLANGCI_LINT_VERSION:-v2.15.0}
work=$(mktemp -d)
# Copies out of the module cache are read-only.
trap 'chmod -R u+w "$work" && rm -rf "$work"' EXIT

step() { printf -- '-- %s\n' "$*"; }

step "plugin module: vet, staticcheck, test"
go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
go test ./...

step "golangci-lint $version custom"
src=$(go mod download -json "github.com/golangci/golangci-lint/v2@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -R "$src" "$work/mirror"
chmod -R u+w "$work/mirror"
git -C "$work/mirror" init -q
git -C "$work/mirror" add -A
git -C "$work/mirror" -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false commit -qm "$version"
git -C "$work/mirror" tag "$version"

mkdir "$work/build"
cat >"$work/build/.custom-gcl.yml" <<EOF
version: $version
destination: $work/bin
plugins:
  - module: github.com/singletongen/singletongen/golangci
    path: $plugin
  # The analyzer of this checkout, not the release the plugin's go.mod would name.
  - module: github.com/singletongen/singletongen
    import: github.com/singletongen/singletongen/singletoncheck
    path: $root
EOF
start=$SECONDS
(
	cd "$work/build"
	GIT_CONFIG_COUNT=1 \
		GIT_CONFIG_KEY_0="url.file://$work/mirror.insteadOf" \
		GIT_CONFIG_VALUE_0=https://github.com/golangci/golangci-lint.git \
		go run "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version" custom
)
echo "built $work/bin/custom-gcl in $((SECONDS - start))s"

step "custom-gcl run over testdata/lint"
cp -R testdata/lint "$work/lint"
(cd "$root" && go build -o "$work/bin/singletongen" ./cmd/singletongen)
cd "$work/lint"
"$work/bin/singletongen" ./paragon
export GOLANGCI_LINT_CACHE=$work/cache

status=0
"$work/bin/custom-gcl" run ./... >"$work/out" 2>&1 || status=$?
cat "$work/out"
want=(
	"bypass/bypass.go:7:8: paragon.Client is a singleton: get it with paragon.GetClient (or a paragon.ClientManager from paragon.NewClientManager) instead of building it (singletoncheck)"
	"bypass/bypass.go:8:10: paragon.NewClient builds a paragon.Client behind its manager's back: get it with paragon.GetClient (or a paragon.ClientManager from paragon.NewClientManager) (singletoncheck)"
)
if [ "$status" -ne 1 ]; then
	echo "custom-gcl run ./... exited with $status, want 1"
	exit 1
fi
for line in "${want[@]}"; do
	if ! grep -qF -- "$line" "$work/out"; then
		echo "missing from the report: $line"
		exit 1
	fi
done
if grep -q '^clean/' "$work/out"; then
	echo "the clean package was reported"
	exit 1
fi

"$work/bin/custom-gcl" run ./paragon/... ./clean/...
echo "golangci-lint plugin: ok"
