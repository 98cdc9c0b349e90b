/**
 * `Export as a training project`: the run (and, for a model, its weights) as a .zip of two
 * Python projects, PyTorch and Keras (src/export/). The export code loads on the first click,
 * so the page does not carry it until someone asks.
 */
import type { InitialModel } from '../../export/training-project';
import type { TrainingParams } from '../../training/training-params';
import { saveFile } from '../save-file';

/** Starts the download of the project .zip; resolves with its file name. */
export async function downloadTrainingProject(
  params: TrainingParams,
  stem: string,
  initialModel?: InitialModel,
): Promise<string> {
  const [{ createTrainingProjectBundle }, { zipProject }, { sanitizeFileBaseName }] =
    await Promise.all([
      import('../../export/training-project'),
      import('../../export/project-zip'),
      import('../../storage/model-download-files'),
    ]);
  const folder = `${sanitizeFileBaseName(stem)}-training-project`;
  const zip = zipProject(folder, createTrainingProjectBundle({ params, initialModel }));
  const fileName = `${folder}.zip`;
  saveFile(fileName, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  return fileName;
}
