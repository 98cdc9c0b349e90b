/**
 * Dataset ingest in real Chromium against the production build, with the real dataset:
 * the full CSVs, subsets in either order, the official IDX .gz files, and every kind of bad
 * file, each of which must leave the data loaded before it on screen.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, test } from 'vitest';
import { csvFixture, idxFile } from '../support/fixtures';
import { chromiumForFile, openApp, type WatchedPage } from './chromium';
import { countsShown, expectCounts, panel, uploadFiles, type UploadFile } from './app-driver';

const baseUrl = inject('baseUrl');
const browser = chromiumForFile();

async function withApp(run: (app: WatchedPage) => Promise<void>, query = ''): Promise<void> {
  const app = await openApp(browser(), baseUrl, query);
  try {
    await run(app);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.context.close();
  }
}

describe('loading the real dataset', () => {
  test('both full CSVs load, are counted and previewed', async () => {
    const full = csvFixture('full');
    await withApp(async ({ page, consoleErrors }) => {
      const startedMs = Date.now();
      await uploadFiles(page, [full.trainCsv, full.testCsv]);
      await expectCounts(page, { train: '60,000', test: '10,000' }, 60_000);
      const elapsedMs = Date.now() - startedMs;
      console.log(`[ingest] both full CSVs (155 MB) loaded and checked in ${elapsedMs} ms`);

      const grid = page.getByRole('list', { name: 'Training images' });
      const items = grid.getByRole('listitem');
      expect(await items.count()).toBeGreaterThanOrEqual(40);
      // The first training labels are 9, 0, 0, 3: Ankle boot, T-shirt/top, T-shirt/top, Dress.
      await expect
        .poll(() => grid.getByRole('img').first().getAttribute('aria-label'))
        .toBe('Training image 1: Ankle boot');
      expect(await grid.getByRole('img').nth(3).getAttribute('aria-label')).toBe(
        'Training image 4: Dress',
      );
      const histogram = page.getByRole('table', { name: 'Training set classes' });
      expect(await histogram.getByRole('row').count()).toBe(10);
      expect(await histogram.getByRole('row', { name: /Sneaker/ }).innerText()).toContain('6,000');
      const testHistogram = page.getByRole('table', { name: 'Test set classes' });
      expect(await testHistogram.getByRole('row', { name: /Bag/ }).innerText()).toContain('1,000');
      expect(await page.getByText(/fast CSV parser/).count()).toBe(2);
      expect(consoleErrors).toEqual([]);
    });
  });

  test('subsets load one at a time, test file first', async () => {
    const subset = csvFixture('subset');
    await withApp(async ({ page }) => {
      await uploadFiles(page, [subset.testCsv]);
      await expectCounts(page, { test: '2,000' });
      expect(await page.getByText('Training set: not loaded').count()).toBe(1);
      await uploadFiles(page, [subset.trainCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' });
    });
  });

  test('the four official IDX .gz files load', async () => {
    await withApp(async ({ page }) => {
      await uploadFiles(page, [
        idxFile('t10k-labels-idx1-ubyte.gz'),
        idxFile('train-images-idx3-ubyte.gz'),
        idxFile('t10k-images-idx3-ubyte.gz'),
        idxFile('train-labels-idx1-ubyte.gz'),
      ]);
      await expectCounts(page, { train: '60,000', test: '10,000' }, 60_000);
      expect(await page.getByText(/IDX reader/).count()).toBe(2);
    });
  });

  test('a file whose name names no split asks which split it is', async () => {
    const subset = csvFixture('subset');
    await withApp(async ({ page }) => {
      await uploadFiles(page, [
        { name: 'my-data.csv', mimeType: 'text/csv', buffer: readFileSync(subset.testCsv) },
      ]);
      await page.getByRole('button', { name: 'Use my-data.csv as test set' }).click();
      await expectCounts(page, { test: '2,000' });
    });
  });

  test('files dropped on the drop zone load', async () => {
    const text = readFileSync(csvFixture('small').trainCsv, 'utf8');
    await withApp(async ({ page }) => {
      const dataTransfer = await page.evaluateHandle((csv) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([csv], 'fashion-mnist_train.csv', { type: 'text/csv' }));
        return transfer;
      }, text);
      await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer });
      await expectCounts(page, { train: '100' });
    });
  });
});

describe('bad files get a specific message and lose nothing', () => {
  const goodTrain = () => readFileSync(csvFixture('small').trainCsv, 'utf8');

  /** Rewrites one field of one data row (1-based line number counting the header). */
  function withField(csv: string, line: number, column: number, value: string): string {
    const lines = csv.split('\n');
    const fields = lines[line - 1].split(',');
    fields[column] = value;
    lines[line - 1] = fields.join(',');
    return lines.join('\n');
  }

  const csvFile = (name: string, text: string | Buffer): UploadFile => ({
    name,
    mimeType: 'text/csv',
    buffer: typeof text === 'string' ? Buffer.from(text) : text,
  });

  const idxHeader = (magic: number, dims: number[], payloadBytes: number): Buffer => {
    const buffer = Buffer.alloc(4 + dims.length * 4 + payloadBytes);
    buffer.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => buffer.writeUInt32BE(d, 4 + i * 4));
    return buffer;
  };

  const cases: { title: string; file: () => UploadFile | UploadFile[]; message: RegExp }[] = [
    {
      title: 'an empty file',
      file: () => csvFile('fashion-mnist_train.csv', ''),
      message: /fashion-mnist_train\.csv.*empty/i,
    },
    {
      title: 'a binary file named .csv',
      file: () =>
        csvFile('fashion-mnist_train.csv', readFileSync(idxFile('train-labels-idx1-ubyte.gz'))),
      message: /fashion-mnist_train\.csv.*(binary|not a text|gzip)/i,
    },
    {
      title: 'a wrong header',
      file: () => csvFile('fashion-mnist_train.csv', goodTrain().replace('pixel37,', 'pixel_37,')),
      message: /fashion-mnist_train\.csv.*line 1.*pixel37/i,
    },
    {
      title: 'a row with too few fields',
      file: () => {
        const lines = goodTrain().split('\n');
        lines[4] = lines[4].split(',').slice(0, 700).join(',');
        return csvFile('fashion-mnist_train.csv', lines.join('\n'));
      },
      message: /fashion-mnist_train\.csv.*line 5.*785/i,
    },
    {
      title: 'a row with too many fields',
      file: () => {
        const lines = goodTrain().split('\n');
        lines[6] += ',0';
        return csvFile('fashion-mnist_train.csv', lines.join('\n'));
      },
      message: /fashion-mnist_train\.csv.*line 7.*785/i,
    },
    {
      title: 'a non-integer field',
      file: () => csvFile('fashion-mnist_train.csv', withField(goodTrain(), 5, 37, '3.5')),
      message: /fashion-mnist_train\.csv.*line 5.*pixel37.*integer/i,
    },
    {
      title: 'a label outside 0–9',
      file: () => csvFile('fashion-mnist_train.csv', withField(goodTrain(), 9, 0, '10')),
      message: /fashion-mnist_train\.csv.*line 9.*label.*0.*9/i,
    },
    {
      title: 'a pixel outside 0–255',
      file: () => csvFile('fashion-mnist_train.csv', withField(goodTrain(), 12, 784, '256')),
      message: /fashion-mnist_train\.csv.*line 12.*pixel784.*255/i,
    },
    {
      title: 'an IDX file with a wrong magic number',
      file: () => [
        {
          name: 'train-images-idx3-ubyte',
          mimeType: 'application/octet-stream',
          buffer: idxHeader(0x0803 + 1, [1, 28, 28], 784),
        },
        {
          name: 'train-labels-idx1-ubyte',
          mimeType: 'application/octet-stream',
          buffer: idxHeader(0x0801, [1], 1),
        },
      ],
      message: /train-images-idx3-ubyte.*magic/i,
    },
    {
      title: 'an IDX file whose length does not match its header',
      file: () => [
        {
          name: 'train-images-idx3-ubyte',
          mimeType: 'application/octet-stream',
          buffer: idxHeader(0x0803, [3, 28, 28], 784 * 2),
        },
        {
          name: 'train-labels-idx1-ubyte',
          mimeType: 'application/octet-stream',
          buffer: idxHeader(0x0801, [3], 3),
        },
      ],
      message: /train-images-idx3-ubyte.*(length|bytes)/i,
    },
  ];

  test('each bad case shows its alert while the good counts stay on screen', async () => {
    const subset = csvFixture('subset');
    await withApp(async ({ page }) => {
      await uploadFiles(page, [subset.trainCsv, subset.testCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' });
      for (const badCase of cases) {
        await uploadFiles(page, [badCase.file()].flat());
        const alert = panel(page, 'Data').getByRole('alert');
        await expect.poll(() => alert.innerText(), { timeout: 30_000 }).toMatch(badCase.message);
        console.log(`[ingest] ${badCase.title}: ${await alert.innerText()}`);
        expect(await countsShown(page)).toEqual({ train: '2,000', test: '2,000' });
      }
    });
  });
});
