#!/usr/bin/env bash
# Starts a docker daemon for asymlab's docker runtime, one that never touches host networking:
# no iptables rules, no default bridge, no ip_forward change (asymlab containers run with
# NetworkMode none and get their links from the host through their namespace).
#
#   scripts/docker-daemon.sh          start dockerd unless a daemon already answers (safe to run twice)
#   scripts/docker-daemon.sh stop     stop the dockerd this script started (by its recorded PID only)
#   scripts/docker-daemon.sh status   say whether a daemon answers and whether this script started it
#
# Env: ASYMLAB_DOCKERD_WAIT_S (default 30) bounds the wait for the daemon to answer.
set -euo pipefail

LOG=/var/log/asymlab-dockerd.log
PIDFILE=/var/run/asymlab-dockerd.pid
WAIT_S=${ASYMLAB_DOCKERD_WAIT_S:-30}

answers() { docker info >/dev/null 2>&1; }

# The PID in the pid file, if that process still runs and is a dockerd.
our_pid() {
  [[ -s $PIDFILE ]] || return 1
  local pid
  pid=$(<"$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/comm && $(</proc/$pid/comm) == dockerd ]] || return 1
  echo "$pid"
}

wait_until_answers() {
  local deadline=$((SECONDS + WAIT_S))
  until answers; do
    if ((SECONDS >= deadline)); then
      echo "docker-daemon: dockerd did not answer within ${WAIT_S}s; see $LOG" >&2
      tail -n 20 "$LOG" >&2 || true
      return 1
    fi
    if [[ -n ${1:-} && ! -d /proc/$1 ]]; then
      echo "docker-daemon: dockerd (pid $1) exited; see $LOG" >&2
      tail -n 20 "$LOG" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

start() {
  if answers; then
    echo "docker-daemon: a docker daemon already answers"
    return 0
  fi
  command -v docker >/dev/null || { echo "docker-daemon: the docker CLI is missing (apt-get install docker.io)" >&2; return 1; }
  command -v dockerd >/dev/null || { echo "docker-daemon: dockerd is missing (apt-get install docker.io)" >&2; return 1; }
  [[ $(id -u) == 0 ]] || { echo "docker-daemon: run as root" >&2; return 1; }

  local pid
  if pid=$(our_pid); then
    echo "docker-daemon: dockerd (pid $pid) is starting; waiting"
    wait_until_answers "$pid"
    return
  fi

  echo "docker-daemon: starting dockerd (log: $LOG)"
  # setsid: the daemon outlives this shell and the terminal it came from.
  setsid dockerd \
    --iptables=false --ip6tables=false --bridge=none \
    --ip-forward=false --ip-masq=false \
    >>"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  wait_until_answers "$pid"
  echo "docker-daemon: dockerd (pid $pid) answers"
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    echo "docker-daemon: no dockerd started by this script runs"
    rm -f "$PIDFILE"
    return 0
  fi
  echo "docker-daemon: stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + WAIT_S))
  while [[ -d /proc/$pid ]]; do
    if ((SECONDS >= deadline)); then
      echo "docker-daemon: dockerd (pid $pid) still runs after ${WAIT_S}s" >&2
      return 1
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  # dockerd keeps a handle on the host's network namespace there and leaves it mounted on exit.
  if mountpoint -q /run/docker/netns/default 2>/dev/null; then umount /run/docker/netns/default || true; fi
}

status() {
  local pid
  if answers; then echo "docker-daemon: a docker daemon answers"; else echo "docker-daemon: no docker daemon answers"; fi
  if pid=$(our_pid); then echo "docker-daemon: started by this script: pid $pid"; fi
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
