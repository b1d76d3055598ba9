import { formatBytes, formatCount, formatDuration, formatLatency } from './format';

describe('format', () => {
  test('formatBytes picks a binary unit', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(300 * 1024 * 1024 * 1024)).toBe('300 GiB');
  });

  test('formatLatency', () => {
    expect(formatLatency(0.2)).toBe('<1 ms');
    expect(formatLatency(3.6)).toBe('4 ms');
    expect(formatLatency(1250)).toBe('1.3 s');
  });

  test('formatDuration keeps the two largest units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3 * 3600 + 60 + 5)).toBe('3 h 1 min');
    expect(formatDuration(2 * 86400 + 5)).toBe('2 d');
  });

  test('formatCount groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
