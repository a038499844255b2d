#!/usr/bin/env bash
# Integration: every invalid config in tests/cases/invalid is rejected by validate,
# plan and apply with its exact message, and changes nothing: no pool, no dataset,
# no file. Each case is NAME.json with its expected stderr in NAME.expected; a
# case may add NAME.lxc.json and NAME.vm.json, passed as --lxc-config and
# --vm-config. Every config in tests/cases/warn is valid but warned about:
# validate exits 0 and prints exactly NAME.expected.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
CASES=$TOP/tests/cases/invalid
WARN_CASES=$TOP/tests/cases/warn
V=/tmp/phoenix-invalid-vdevs   # the disk paths the cases name
mkdir -p "$V"
for d in a b c; do truncate -s 128M "$V/$d"; done
# The host lock inside the snapshot below: an invalid config is refused before it is even created.
export PHOENIX_LOCK=$WORK/root/run/apply.lock
ln -sfn a "$V/alink"    # other names of disk a (the same-device cases)
ln -f "$V/a" "$V/ahard"

snapshot_state() {
	{ zpool list -H -o name 2>/dev/null | grep '^1\?phinv' || true
	  zfs list -H -o name 2>/dev/null | grep '^1\?phinv' || true
	  find "$WORK/root" 2>/dev/null | sort
	  md5sum "$V"/a "$V"/b "$V"/c; }
}

# case_args NAME: the guest configs of a case, in CASE_ARGS.
case_args() {
	CASE_ARGS=()
	if [ -f "$1.lxc.json" ]; then CASE_ARGS+=(--lxc-config "$1.lxc.json"); fi
	if [ -f "$1.vm.json" ]; then CASE_ARGS+=(--vm-config "$1.vm.json"); fi
}

check_case() {
	local name=$1
	cd "$CASES"
	case_args "$name"
	local before; before=$(snapshot_state)
	ph validate -c "$name.json" "${CASE_ARGS[@]+"${CASE_ARGS[@]}"}"
	assert_rc 1
	assert_eq "$err" "$(cat "$name.expected")"
	assert_contains "$out" "$name.json: invalid:"
	ph plan -c "$name.json" --root "$WORK/root" "${CASE_ARGS[@]+"${CASE_ARGS[@]}"}"
	assert_rc 1
	assert_eq "$err" "$(cat "$name.expected")"
	ph apply -c "$name.json" --root "$WORK/root" --yes "${CASE_ARGS[@]+"${CASE_ARGS[@]}"}"
	assert_rc 1
	assert_contains "$err" "$(head -1 "$name.expected")"
	assert_contains "$err" "nothing was changed"
	assert_eq "$(snapshot_state)" "$before" "(state changed)"
}

check_warn_case() {
	local name=$1
	cd "$WARN_CASES"
	case_args "$name"
	local before; before=$(snapshot_state)
	ph validate -c "$name.json" "${CASE_ARGS[@]+"${CASE_ARGS[@]}"}"
	assert_rc 0
	assert_eq "$err" "$(cat "$name.expected")"
	assert_contains "$out" "$name.json: valid ("
	assert_not_contains "$out" "(0 warnings)"
	assert_eq "$(snapshot_state)" "$before" "(state changed)"
}

for f in "$CASES"/*.json; do
	n=$(basename "$f" .json)
	case $n in *.lxc | *.vm) continue ;; esac
	eval "test_invalid_${n//-/_}() { check_case '$n'; }"
done
for f in "$WARN_CASES"/*.json; do
	n=$(basename "$f" .json)
	case $n in *.lxc | *.vm) continue ;; esac
	eval "test_warn_${n//-/_}() { check_warn_case '$n'; }"
done

test_reference_configs_validate_as_is() {
	need_reference
	local r=$REFERENCE
	ph validate -c "$r/phoenix_hypervisor_config.json" --lxc-config "$r/phoenix_lxc_configs.json" --vm-config "$r/phoenix_vm_configs.json"
	assert_rc 0
	assert_contains "$out" "phoenix_hypervisor_config.json: valid"
}

# The project's own historical configs (tests/data/historical, see its README):
# each validates (or not) as expected.tsv says, and its stderr holds the line
# given there (an invalid one: that line is its first error). --root is an
# empty directory: no guest config of the host is read.
test_historical_configs() {
	local dir=$TOP/tests/data/historical root=$WORK/historical-root
	mkdir -p "$root"
	cd "$dir"
	local n=0 file outcome line
	while IFS=$'\t' read -r file outcome line; do
		line=${line//@ROOT@/$root}
		ph validate -c "$file" --root "$root"
		if [ "$outcome" = valid ]; then
			assert_rc 0 "($file)"
			assert_contains "$out" "$file: valid ("
			assert_contains "$err" "$line"
		else
			assert_rc 1 "($file)"
			assert_contains "$out" "$file: invalid:"
			assert_eq "$(grep -m1 ': error: ' <<<"$err")" "$line"
		fi
		n=$((n + 1))
	done < expected.tsv
	assert_eq "$n" "$(ls "$dir"/main-*.json | wc -l)" "(every historical config has a line in expected.tsv)"
}

run_tests
