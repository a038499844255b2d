# Shared by tests/plan/replay, record and run: how a program call is named in
# a case's state/ directory, and which calls are read-only.
#
# A call `PROG ARG...` is stored as state/PROG.KEY.out (stdout), .err (stderr,
# absent = empty) and .rc (exit status, absent = 0). KEY is the arguments
# joined by '_', each with every byte outside [A-Za-z0-9.,=:@+-] written as
# %XX ('/' is %2F, '_' is %5F, ' ' is %20), after the case's directory is
# written @CASE@. Examples:
#   zfs get                            -> zfs.get.out
#   zfs get -H -p all tank tank/a      -> zfs.get_-H_-p_all_tank_tank%2Fa.out
#   zpool import -d /CASE/disks        -> zpool.import_-d_@CASE@%2Fdisks.out

PLAN_PROGRAMS="zfs zpool wipefs exportfs testparm smbpasswd pdbedit smbcontrol pvesm pct qm"
PLAN_EXIT_UNRECORDED=97

# plan_var PROG: the PHOENIX_* variable that names PROG.
plan_var() { printf 'PHOENIX_%s' "${1^^}"; }

# plan_encode ARG: sets REPLY to one argument as it appears in a key.
plan_encode() {
	local a=$1 c i
	REPLY=
	if [[ $a =~ ^[A-Za-z0-9.,=:@+-]*$ ]]; then
		REPLY=$a
		return
	fi
	local LC_ALL=C
	for ((i = 0; i < ${#a}; i++)); do
		c=${a:i:1}
		if [[ $c == [A-Za-z0-9.,=:@+-] ]]; then REPLY+=$c
		else printf -v c '%%%02X' "'$c"; REPLY+=$c; fi
	done
}

# plan_normalize CASEDIR ARG: sets REPLY to ARG with CASEDIR as @CASE@.
plan_normalize() {
	REPLY=$2
	[ -n "$1" ] && REPLY=${REPLY//"$1"/@CASE@}
}

# plan_key CASEDIR ARG...: sets REPLY to the key of a call (see above).
plan_key() {
	local dir=$1 key= a first=1
	shift
	for a; do
		plan_normalize "$dir" "$a"
		plan_encode "$REPLY"
		if [ $first = 1 ]; then key=$REPLY; first=0
		else key+=_$REPLY; fi
	done
	REPLY=$key
}

# plan_read_only PROG ARG...: true when the call only reads. plan must never
# run anything else; the replay and the recorder refuse every other call.
plan_read_only() {
	local prog=$1 a
	shift
	case $prog in
	zfs) [ $# -eq 0 ] || [ "${1:-}" = get ] || [ "${1:-}" = list ] ;;   # no argument: the usage text
	zpool)
		case ${1:-} in
		status | list | get) return 0 ;;
		import)
			# only the scan: `zpool import [-d DIR]...`, never a pool name (that imports it)
			shift
			while [ $# -gt 0 ]; do
				[ "$1" = -d ] && [ $# -ge 2 ] || return 1
				shift 2
			done
			return 0 ;;
		*) return 1 ;;
		esac ;;
	exportfs) [ $# -eq 1 ] && { [ "$1" = -v ] || [ "$1" = -s ]; } ;;
	testparm) for a; do [ "$a" = -s ] || [ "${a#-}" = "$a" ] || return 1; done ;;
	pdbedit)
		for a; do [ "$a" = -L ] && return 0; done
		return 1 ;;
	smbcontrol) [ "${*: -1}" = ping ] ;;
	pvesm | pct | qm) [ "${1:-}" = status ] || [ "${1:-}" = list ] || [ "${1:-}" = config ] ;;
	*) return 1 ;;
	esac
}
