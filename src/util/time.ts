/** The one way asymlab writes a capture timestamp (epoch seconds with sub-second precision). Pure. */

// Packets come in time order, many to a second: the date part of the last second is kept.
let lastSecond = NaN;
let lastDate = '';

/** UTC ISO-8601 with microseconds: 2023-11-14T22:13:20.000123Z. */
export function formatTimestamp(ts: number): string {
  let sec = Math.floor(ts);
  let usec = Math.round((ts - sec) * 1e6);
  if (usec >= 1e6) {
    sec += 1;
    usec -= 1e6;
  }
  if (sec !== lastSecond) {
    const date = new Date(sec * 1000);
    if (Number.isNaN(date.getTime())) return `${ts}`;
    lastDate = date.toISOString().slice(0, 19);
    lastSecond = sec;
  }
  return `${lastDate}.${String(usec).padStart(6, '0')}Z`;
}

/** The time of day of the same, for sentences about one run: 22:13:20.000123. */
export function clockTime(ts: number): string {
  const full = formatTimestamp(ts);
  return full.endsWith('Z') ? full.slice(11, -1) : full;
}
