#!/bin/bash
# The floor: the lab asymlab builds, built by a plain script from the folder bench/floor/render.mjs
# wrote with asymlab's own renderers. Nothing but ip, FRR and coreutils.
#   floor.sh DIR net     namespaces, veths, sysctls and addresses: ONE ip -batch (DIR/up.batch)
#   floor.sh DIR frr     every router's FRR: config and run folders (one cp -a each), then 16 routers at
#                        once (as asymlab), zebra first, then the rest
#   floor.sh DIR down    the daemons (by their pid files) until gone, the namespaces, the FRR folders
# It touches only the namespaces and FRR folders DIR names (the bench names them <prefix>-...).
set -euo pipefail
dir=$1

router() {
  local ns=$1 first line pid pids=()
  # Each line is the argv of one daemon in the router's namespace, plain words (render.mjs).
  inside() { [[ $1 == "ip netns exec $ns "* ]] || { echo "not in $ns: $1" >&2; exit 1; }; }
  {
    read -r first
    inside "$first"
    $first
    while read -r line; do
      inside "$line"
      $line &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
  } < "$dir/frr/$ns/start"
}

# The PID in an FRR pid file, if that process is still the daemon of this pathspace.
daemon_pid() {
  local pid args
  read -r pid < "$1" || return 1
  mapfile -d '' args < "/proc/$pid/cmdline" 2>/dev/null || return 1
  [[ " ${args[*]} " == *" -N $2 "* ]] && echo "$pid"
}

# A zombie is gone: init reaps daemonised FRR in its own time.
alive() {
  local state
  read -r _ _ state _ < "/proc/$1/stat" 2>/dev/null || return 1
  [ "$state" != Z ]
}

case $2 in
  net) ip -batch "$dir/up.batch" ;;
  frr)
    # the routers' own folders only: FRR's base folders keep their owner and mode
    cp -a "$dir"/etc/* /etc/frr/
    cp -a "$dir"/run/* /var/run/frr/
    # Each router in a session of its own, as asymlab (its runner detaches every child) and Mininet
    # (mnexec -d, a session a node) start theirs: with sched_autogroup a session is one share of the
    # CPU, and on a shared machine one session for all would get a fraction of what they get.
    xargs -P 16 -I NS setsid "$0" "$dir" router NS < "$dir/routers"
    ;;
  router) router "$3" ;;
  down)
    pids=()
    while read -r ns; do
      for f in "/var/run/frr/$ns/"*.pid; do
        [ -e "$f" ] && pid=$(daemon_pid "$f" "$ns") && pids+=("$pid")
      done
    done < "$dir/routers"
    if [ ${#pids[@]} -gt 0 ]; then
      kill "${pids[@]}" 2>/dev/null || true
      for pid in "${pids[@]}"; do while alive "$pid"; do sleep 0.02; done; done
    fi
    ip -force -batch "$dir/down.batch" 2>/dev/null || true
    while read -r ns; do rm -rf "/etc/frr/$ns" "/var/run/frr/$ns"; done < "$dir/routers"
    ;;
  *) echo "usage: floor.sh DIR net|frr|down" >&2; exit 2 ;;
esac
