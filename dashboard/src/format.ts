// Number and time formatting for the views. Sizes use binary units (1 KiB = 1024 bytes).

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
const DASH = '–';

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) {
    return DASH;
  }
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export function formatByteRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? DASH : `${formatBytes(bytesPerSecond)}/s`;
}

export function formatPercent(percent: number | undefined): string {
  return percent === undefined || !Number.isFinite(percent) ? DASH : `${percent.toFixed(1)} %`;
}

export function formatTokensPerSecond(rate: number | undefined): string {
  return rate === undefined || !Number.isFinite(rate) ? DASH : `${rate.toFixed(1)} tok/s`;
}

export function formatMilliseconds(milliseconds: number | undefined): string {
  if (milliseconds === undefined || !Number.isFinite(milliseconds)) {
    return DASH;
  }
  if (milliseconds < 1000) {
    return `${Math.round(milliseconds)} ms`;
  }
  return `${(milliseconds / 1000).toFixed(milliseconds < 10_000 ? 2 : 1)} s`;
}

/** Formats a duration in seconds as `45 s`, `12 min 05 s` or `3 h 07 min`. */
export function formatUptime(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return DASH;
  }
  const whole = Math.floor(seconds);
  if (whole < 60) {
    return `${whole} s`;
  }
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) {
    return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Formats a time (ms since the epoch) as the local `HH:MM:SS`. */
export function formatClock(timestamp: number | undefined): string {
  if (timestamp === undefined) {
    return DASH;
  }
  return new Date(timestamp).toLocaleTimeString(undefined, { hour12: false });
}

/** Formats a local date and time, for alert starts that may be days old. */
export function formatDateTime(timestamp: number | undefined): string {
  if (timestamp === undefined) {
    return DASH;
  }
  return new Date(timestamp).toLocaleString(undefined, { hour12: false });
}

export function formatCount(count: number | undefined): string {
  return count === undefined ? DASH : count.toLocaleString();
}
