/** Decides from a dropped file's name how to read it and which split it probably is. */
import type { FileClassification, FileKind } from './ingest-types';
import type { SplitName } from '../config/dataset';

/** Kind from the name (`.csv`, `idx3-ubyte`, `idx1-ubyte`, each optionally `.gz`); null: unknown. */
export function classifyFile(name: string): FileClassification | null {
  const lower = name.toLowerCase();
  const isGzip = lower.endsWith('.gz');
  const base = isGzip ? lower.slice(0, -'.gz'.length) : lower;
  let kind: FileKind;
  if (base.endsWith('.csv')) kind = 'csv';
  else if (base.endsWith('idx3-ubyte')) kind = 'idx-images';
  else if (base.endsWith('idx1-ubyte')) kind = 'idx-labels';
  else return null;
  // A gzipped CSV is not something we read.
  if (kind === 'csv' && isGzip) return null;
  return { kind, split: splitFromName(base), isGzip };
}

function splitFromName(lowerName: string): SplitName | null {
  const hasTrain = lowerName.includes('train');
  const hasTest = lowerName.includes('test') || lowerName.includes('t10k');
  if (hasTrain === hasTest) return null;
  return hasTrain ? 'train' : 'test';
}
