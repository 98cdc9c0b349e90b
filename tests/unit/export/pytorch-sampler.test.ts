/**
 * The exported PyTorch project's distributed sampler (train.py's TabBatchSampler, a
 * torch.utils.data.Sampler): processes r = 0 … N − 1 together see every step's batch of the
 * tab, in the tab's order, each taking rows r, r + N, r + 2N … of it.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fillEpochOrder } from '../../../src/training/batches';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { writeExportedProject } from '../../support/exported-project';
import { findPython, runPython } from '../../support/python';

/** 100 rows in batches of 16: six full batches and a short one of 4. */
const ROW_COUNT = 100;
const BATCH_SIZE = 16;
const SEED = 7;
const EPOCHS = [0, 3];
const PROCESS_COUNTS = [1, 2, 3];

let python: string;
let dir: string;

beforeAll(() => {
  python = findPython(['numpy', 'torch']);
  dir = writeExportedProject({ params: DEFAULT_TRAINING_PARAMS, framework: 'pytorch' });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The tab's batches of `epoch`: consecutive slices of its row order (train-loop.ts). */
function tabBatches(epoch: number): number[][] {
  const order = new Uint32Array(ROW_COUNT);
  fillEpochOrder(order, SEED, epoch);
  const batches: number[][] = [];
  for (let start = 0; start < ROW_COUNT; start += BATCH_SIZE)
    batches.push(Array.from(order.subarray(start, Math.min(start + BATCH_SIZE, ROW_COUNT))));
  return batches;
}

test('every step’s batch is the tab’s, split between the processes', async () => {
  const script = `import json
import torch.utils.data
import train
out = {}
for size in ${JSON.stringify(PROCESS_COUNTS)}:
    for epoch in ${JSON.stringify(EPOCHS)}:
        shares = []
        for rank in range(size):
            sampler = train.TabBatchSampler(${ROW_COUNT}, ${BATCH_SIZE}, ${SEED}, rank, size)
            assert isinstance(sampler, torch.utils.data.Sampler)
            sampler.set_epoch(epoch)
            shares.append({"steps": len(sampler), "rows": [s.tolist() for s in sampler],
                           "global": [sampler.global_batch_rows(i) for i in range(len(sampler))]})
        out[f"{size}/{epoch}"] = shares
print(json.dumps(out))`;
  const run = await runPython(python, ['-c', script], { cwd: dir });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const answers = JSON.parse(run.stdout) as Record<
    string,
    { steps: number; rows: number[][]; global: number[] }[]
  >;
  for (const size of PROCESS_COUNTS) {
    for (const epoch of EPOCHS) {
      const expected = tabBatches(epoch);
      const shares = answers[`${size}/${epoch}`];
      shares.forEach((share, rank) => {
        expect(share.steps).toBe(expected.length);
        expect(share.global).toEqual(expected.map((batch) => batch.length));
        // Process r's share of each step: the batch's rows r, r + N, r + 2N …
        expect(share.rows).toEqual(
          expected.map((batch) => batch.filter((_, i) => i % size === rank)),
        );
      });
    }
  }
  // Another epoch, another order: set_epoch matters.
  expect(answers['1/0'][0].rows).not.toEqual(answers['1/3'][0].rows);
});
