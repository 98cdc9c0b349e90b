/**
 * The models panel's storage line: what this site uses, what it may use, what is left, and
 * whether the browser promised to keep it (navigator.storage.estimate and persisted, as read).
 */
import { render, screen } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { StorageUsageLine } from '../../src/ui/models/storage-usage';

const lineText = () => screen.getByRole('status', { name: 'Browser storage' }).textContent;

describe('StorageUsageLine', () => {
  test('says used, quota and left (quota − used) and that the browser may clear it', () => {
    render(
      <StorageUsageLine
        estimate={{ usageBytes: 61_234_567, quotaBytes: 9_800_000_000, isPersisted: false }}
      />,
    );
    expect(lineText()).toBe(
      'Browser storage: 61.2 MB used of 9.80 GB this site may use · 9.74 GB left · the browser may clear it when space runs low.',
    );
  });

  test('a persisted site, nearly full: little left, kept until cleared', () => {
    render(
      <StorageUsageLine
        estimate={{ usageBytes: 299_500_000, quotaBytes: 300_000_000, isPersisted: true }}
      />,
    );
    expect(lineText()).toBe(
      'Browser storage: 299.5 MB used of 300.0 MB this site may use · 500.0 kB left · kept until you clear it.',
    );
  });

  test('usage above the quota (a quota lowered since) leaves nothing, never a negative', () => {
    render(
      <StorageUsageLine
        estimate={{ usageBytes: 120_000_000, quotaBytes: 100_000_000, isPersisted: null }}
      />,
    );
    expect(lineText()).toBe(
      'Browser storage: 120.0 MB used of 100.0 MB this site may use · 0 B left.',
    );
  });

  test('without a quota the line says only what is used; without usage it is absent', () => {
    const { rerender } = render(
      <StorageUsageLine estimate={{ usageBytes: 2_000, quotaBytes: null, isPersisted: null }} />,
    );
    expect(lineText()).toBe('Browser storage: 2.0 kB used.');
    rerender(
      <StorageUsageLine estimate={{ usageBytes: null, quotaBytes: null, isPersisted: true }} />,
    );
    expect(screen.queryByRole('status', { name: 'Browser storage' })).toBeNull();
  });
});
