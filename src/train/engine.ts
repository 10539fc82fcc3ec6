/**
 * The dense tfjs engine in one module: everything here imports @tensorflow/tfjs, an optional dependency (about
 * 290 MB installed). The pipeline loads this module dynamically (src/pipeline/dense-engine.ts) only for the jobs
 * that need it (train, eval --engine dense|both), so the simulator and the reports run without tfjs installed.
 */
export { AdamW } from './adamw.js';
export { initTf } from './backend.js';
export { DenseModel, trainingInit } from './dense.js';
export { evaluateDense } from './evaluate.js';
export { trainEpochs } from './trainer.js';
