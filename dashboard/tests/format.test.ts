import { describe, expect, it } from 'vitest';
import { formatByteRate, formatBytes, formatMilliseconds, formatPercent, formatUptime } from '../src/format';

describe('format', () => {
  it('formats bytes with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 2 ** 30)).toBe('5.0 GiB');
    expect(formatBytes(200 * 2 ** 20)).toBe('200 MiB');
    expect(formatBytes(undefined)).toBe('–');
  });

  it('formats rates, percentages and durations', () => {
    expect(formatByteRate(2048)).toBe('2.0 KiB/s');
    expect(formatPercent(12.345)).toBe('12.3 %');
    expect(formatMilliseconds(850)).toBe('850 ms');
    expect(formatMilliseconds(1234)).toBe('1.23 s');
    expect(formatMilliseconds(12_345)).toBe('12.3 s');
  });

  it('formats uptime', () => {
    expect(formatUptime(42.7)).toBe('42 s');
    expect(formatUptime(725)).toBe('12 min 05 s');
    expect(formatUptime(3 * 3600 + 7 * 60)).toBe('3 h 07 min');
    expect(formatUptime(undefined)).toBe('–');
  });
});
