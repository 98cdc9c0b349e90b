/** Decides from a dropped file's name how to read it and which split it probably is. */
import type { FileClassification, FileKind } from './ingest-types';
import type { SplitName } from '../config/dataset';

/**
 * Kind from the name (`.csv`, `idx3-ubyte`, `idx1-ubyte`, each optionally `.gz`; `.zip`); null:
 * unknown. A path (`folder/train.csv`) is judged by its last part for the kind, and by its last
 * part, else the whole path, for the split.
 */
export function classifyFile(name: string): FileClassification | null {
  const lowerPath = name.toLowerCase();
  const lower = lowerPath.slice(lowerPath.lastIndexOf('/') + 1);
  if (lower.endsWith('.zip')) return { kind: 'zip', split: null, isGzip: false };
  const isGzip = lower.endsWith('.gz');
  const base = isGzip ? lower.slice(0, -'.gz'.length) : lower;
  let kind: FileKind;
  if (base.endsWith('.csv')) kind = 'csv';
  else if (base.endsWith('idx3-ubyte')) kind = 'idx-images';
  else if (base.endsWith('idx1-ubyte')) kind = 'idx-labels';
  else return null;
  return { kind, split: splitFromName(base) ?? splitFromName(lowerPath), isGzip };
}

function splitFromName(lowerName: string): SplitName | null {
  const hasTrain = lowerName.includes('train');
  const hasTest = lowerName.includes('test') || lowerName.includes('t10k');
  if (hasTrain === hasTest) return null;
  return hasTrain ? 'train' : 'test';
}
