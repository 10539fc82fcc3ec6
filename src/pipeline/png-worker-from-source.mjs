// Entry of the chart-rendering thread when spikewatt runs from its TypeScript sources (tsx): Node 20 does not carry
// the --import loader hooks into worker threads, so the thread loads its module through tsx's API.
import { tsImport } from 'tsx/esm/api';
await tsImport('./png-worker.ts', import.meta.url);
