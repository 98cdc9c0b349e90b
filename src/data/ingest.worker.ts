/** Module worker: parses dropped dataset files off the UI thread (see ingest-shared). */
import { runIngestRequest, type IngestRequest, type IngestResponse } from './ingest-shared';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<IngestRequest>) => void) | null;
  postMessage(message: IngestResponse, transfer: Transferable[]): void;
};

scope.onmessage = (event) => {
  void runIngestRequest(event.data, (response, transfer) => scope.postMessage(response, transfer));
};
