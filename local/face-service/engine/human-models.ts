import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import { fuseConvolutionChains, fuseRelu6Chains, type GraphNode } from './graph-rewrites.js';

const require = createRequire(import.meta.url);

/** The package's exports map has keys without "./", so its files are found from the resolved main entry instead. */
const humanPackageDir = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');

export const humanWasmBuildPath = path.join(humanPackageDir, 'dist', 'human.node-wasm.js');
export const humanModelsDir = path.join(humanPackageDir, 'models');
/** Trailing separator: tfjs appends the .wasm file names to it. */
export const tfjsWasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;

/** Model URLs given to Human start with this scheme; the load router below serves them from the package. */
export const MODEL_SCHEME = 'human-models://';

interface ModelJson {
  modelTopology: { node: GraphNode[] };
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: { [key: string]: {} };
  modelInitializer?: object;
  weightsManifest: Array<{ paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }>;
}

async function loadModelArtifacts(tf: typeof TfCore, fileName: string): Promise<TfCore.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(path.join(humanModelsDir, fileName), 'utf8')) as ModelJson;
  const shards = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(humanModelsDir, shard))),
  );
  const weights = Buffer.concat(shards);
  const stored = {
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
  // ReLU6 chains first: the convolution chains end in the Relu6 nodes they become.
  const { nodes, weights: { weightSpecs, weightData } } = fuseConvolutionChains(tf, fuseRelu6Chains(tf, json.modelTopology.node, stored), stored);
  return {
    modelTopology: { ...json.modelTopology, node: nodes },
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer,
    weightSpecs,
    weightData,
  };
}

/**
 * The WebAssembly build of Human loads models with fetch, which cannot read file:// URLs in Node; a load router
 * for our own scheme reads them from the package on disk instead.
 */
export function registerModelLoader(tf: typeof TfCore): void {
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith(MODEL_SCHEME)) return null as unknown as TfCore.io.IOHandler;
    return { load: () => loadModelArtifacts(tf, url.slice(MODEL_SCHEME.length)) };
  });
}
