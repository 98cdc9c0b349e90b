/**
 * The Data section's sample and download buttons on the page's own dataset hook: the sample
 * (the real files in public/sample/) loads both splits through the normal loader; the full
 * dataset is fetched only after its source and size were shown and confirmed; a failed
 * download is an alert that names the file and keeps what was loaded.
 */
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { OFFICIAL_DATASET } from '../../src/data/dataset-download';
import { DatasetPanel } from '../../src/ui/dataset/dataset-panel';
import { useDataset } from '../../src/ui/dataset/use-dataset';
import { PROJECT_ROOT } from '../support/fixtures';

const PAGE_URL = 'http://localhost:5173/studio/';

function DataSection() {
  return <DatasetPanel controller={useDataset()} />;
}

/** Every URL the page fetched, and a fetch that serves public/ and answers 404 elsewhere. */
function stubFetch(): string[] {
  const requested: string[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    const url = String(input);
    requested.push(url);
    if (!url.startsWith(PAGE_URL))
      return new Response('Not Found', { status: 404, statusText: 'Not Found' });
    return new Response(readFileSync(join(PROJECT_ROOT, 'public', url.slice(PAGE_URL.length))));
  });
  return requested;
}

const dataPanel = () => screen.getByRole('region', { name: /^(\d+ · )?Data$/ });

beforeEach(() => {
  // The page's address, which the sample's relative URLs are resolved against.
  (window as unknown as { happyDOM: { setURL: (url: string) => void } }).happyDOM.setURL(PAGE_URL);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Data: no files at hand', () => {
  test('"Try it with a sample" loads 5,000 training and 1,000 test images from the app', async () => {
    const requested = stubFetch();
    render(<DataSection />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try it with a sample' }));
    expect(
      await screen.findByText('Training set: 5,000 images', {}, { timeout: 20_000 }),
    ).toBeTruthy();
    expect(await screen.findByText('Test set: 1,000 images', {}, { timeout: 20_000 })).toBeTruthy();
    expect(requested).toEqual([
      `${PAGE_URL}sample/train-images-idx3.sample.gz`,
      `${PAGE_URL}sample/train-labels-idx1.sample.gz`,
      `${PAGE_URL}sample/t10k-images-idx3.sample.gz`,
      `${PAGE_URL}sample/t10k-labels-idx1.sample.gz`,
    ]);
    expect(screen.getByTestId('train-summary').textContent).toContain(
      'sample-train-images-idx3-ubyte.gz',
    );
  });

  test('"Get the full dataset" shows source and size first, and Cancel fetches nothing', async () => {
    const requested = stubFetch();
    render(<DataSection />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Get the full dataset' }));
    const question = within(dataPanel()).getByRole('group', { name: 'Confirm the download' });
    expect(question.textContent).toContain('30.9 MB in all, from raw.githubusercontent.com');
    for (const file of OFFICIAL_DATASET.files) expect(question.textContent).toContain(file.url);
    expect(within(question).getByRole('button', { name: 'Download 30.9 MB' })).toBeTruthy();
    await user.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect(within(dataPanel()).queryByRole('group', { name: 'Confirm the download' })).toBeNull();
    expect(requested).toEqual([]);
  });

  test('a failed download names the file and the status, and the sample stays loaded', async () => {
    const requested = stubFetch();
    render(<DataSection />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Try it with a sample' }));
    await screen.findByText('Training set: 5,000 images', {}, { timeout: 20_000 });
    await user.click(screen.getByRole('button', { name: 'Get the full dataset' }));
    await user.click(screen.getByRole('button', { name: 'Download 30.9 MB' }));
    const alert = await within(dataPanel()).findByRole('alert');
    expect(alert.textContent).toBe(
      'train-images-idx3-ubyte.gz: raw.githubusercontent.com answered HTTP 404 Not Found instead of the file.',
    );
    expect(requested.at(-1)).toBe(OFFICIAL_DATASET.files[0].url);
    await waitFor(() => expect(screen.getByText('Training set: 5,000 images')).toBeTruthy());
    expect(screen.getByText('Test set: 1,000 images')).toBeTruthy();
  });
});
