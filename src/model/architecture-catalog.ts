/**
 * The six architectures of the seed project's experiment table as plain data: ids, labels
 * and parameter counts. No TensorFlow.js here, so the UI can list them without loading tfjs.
 */

export type ArchitectureId =
  'conv1' | 'conv2' | 'conv2-pool2' | 'conv3-pool2' | 'conv3-pool2-bn' | 'seed-cnn';

export interface ArchitectureInfo {
  id: ArchitectureId;
  /** Short label for selects and tables. */
  label: string;
  /** One line describing the layer stack. */
  summary: string;
  /** Total parameters (trainable + BatchNorm moving statistics), as Keras counts them. */
  totalParams: number;
  trainableParams: number;
}

/** The six architectures in the order of the seed project's table (the seed CNN last). */
export const ARCHITECTURES: readonly ArchitectureInfo[] = [
  {
    id: 'conv1',
    label: '1 · Conv64 → Pool4',
    summary: 'Conv64 3×3 valid → MaxPool 4×4 → Dense256 → Dense64 → Dense10',
    totalParams: 607_818,
    trainableParams: 607_818,
  },
  {
    id: 'conv2',
    label: '2 · 2×Conv64 → Pool4',
    summary: 'Conv64 valid → Conv64 valid → MaxPool 4×4 → Dense256 → Dense64 → Dense10',
    totalParams: 644_746,
    trainableParams: 644_746,
  },
  {
    id: 'conv2-pool2',
    label: '3 · (Conv64 → Pool2)×2',
    summary: 'Conv64 same → MaxPool 2 → Conv64 same → MaxPool 2 → Dense256 → Dense64 → Dense10',
    totalParams: 857_738,
    trainableParams: 857_738,
  },
  {
    id: 'conv3-pool2',
    label: '4 · 2×Conv64 → Pool2 → Conv64 → Pool2',
    summary:
      'Conv64 → Conv64 → MaxPool 2 → Conv64 → MaxPool 2 (same) → Dense256 → Dense64 → Dense10',
    totalParams: 894_666,
    trainableParams: 894_666,
  },
  {
    id: 'conv3-pool2-bn',
    label: '5 · model 4 + BatchNorm',
    summary: 'BatchNorm → model 4 → … → Dense64 → BatchNorm → Dense10',
    totalParams: 894_926,
    trainableParams: 894_796,
  },
  {
    id: 'seed-cnn',
    label: '6 · Seed CNN',
    summary:
      'BatchNorm → 2×Conv64 → Pool2 → Dropout 0.1 → 2×Conv32 → Pool2 → Dropout 0.3 → Dense256 → Dropout 0.5 → Dense64 → BatchNorm → Dense10',
    totalParams: 484_302,
    trainableParams: 484_172,
  },
];

export const DEFAULT_ARCHITECTURE_ID: ArchitectureId = 'seed-cnn';

export function isArchitectureId(value: unknown): value is ArchitectureId {
  return ARCHITECTURES.some((a) => a.id === value);
}

export function getArchitectureInfo(id: ArchitectureId): ArchitectureInfo {
  const info = ARCHITECTURES.find((a) => a.id === id);
  if (!info) throw new Error(`Unknown architecture "${id}"`);
  return info;
}
