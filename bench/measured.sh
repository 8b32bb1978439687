# measured.sh: sourced by callgrind.sh and qemu-count.sh.  The rows of a
# `smtpp_bench --once` run, one "KIND SYSTEM BYTES ITEMS FUNCTION" line
# per measured call, FUNCTION being the never-inlined function whose
# inclusive cost is that system's parsing work (bench.c, baseline.c).
#
#   measured_rows KIND RESULT_FILE
measured_rows() {
    sed -n 's/^RESULT {"system": "\([^"]*\)".*"bytes": \([0-9]*\),.*"items": \([0-9]*\),.*/\1 \2 \3/p' \
        "$2" |
    while read -r system bytes items; do
        case $system in
            memchr) fn=ref_memchr_lines ;;
            handwritten) fn=ref_$1_handwritten ;;
            smtpp+session) fn=bench_session ;;
            smtpp+conn) fn=bench_conn ;;
            *) fn=bench_$1_smtpp ;;
        esac
        echo "$1 $system $bytes $items $fn"
    done
}
