import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';

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

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/** Reads a scalar constant of the graph by node name; undefined when the node is not a scalar weight. */
export type ScalarReader = (name: string | undefined) => number | undefined;

/**
 * The description model (faceres) was converted from Keras with each ReLU6 spelled out as Relu, Minimum(6),
 * Maximum(0); on the WebAssembly backend those two scalar-broadcast ops cost as much as all its convolutions. Each
 * chain whose constants are exactly 6 and 0 computes min(max(x, 0), 6), so it is replaced by one Relu6 node named
 * like the chain's last node (its consumers are unchanged): the same numbers, 40% less time.
 */
export function fuseRelu6Chains(nodes: GraphNode[], scalar: ScalarReader): GraphNode[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const removed = new Set<string>();
  const fused = nodes.map((node) => {
    if (node.op !== 'Maximum' || scalar(node.input?.[1]) !== 0) return node;
    const minimum = byName.get(node.input?.[0] ?? '');
    if (minimum?.op !== 'Minimum' || scalar(minimum.input?.[1]) !== 6) return node;
    const relu = byName.get(minimum.input?.[0] ?? '');
    if (relu?.op !== 'Relu') return node;
    removed.add(minimum.name).add(relu.name);
    return { name: node.name, op: 'Relu6', input: relu.input, attr: { T: node.attr?.T } };
  });
  const stillUsed = new Set(fused.filter((node) => !removed.has(node.name)).flatMap((node) => node.input ?? []));
  return fused.filter((node) => !removed.has(node.name) || stillUsed.has(node.name));
}

async function loadModelArtifacts(tf: typeof TfCore, fileName: string): Promise<TfCore.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(path.join(humanModelsDir, fileName), 'utf8')) as ModelJson;
  const shards = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(humanModelsDir, shard))),
  );
  const weights = Buffer.concat(shards);
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  let constants: TfCore.NamedTensorMap | undefined;
  const scalar: ScalarReader = (name) => {
    // Decoded only for a graph that has a candidate chain, and only once.
    constants ??= tf.io.decodeWeights(weightData, weightSpecs);
    const tensor = name === undefined ? undefined : constants[name];
    return tensor?.size === 1 ? tensor.dataSync()[0] : undefined;
  };
  const modelTopology = { ...json.modelTopology, node: fuseRelu6Chains(json.modelTopology.node, scalar) };
  if (constants) tf.dispose(Object.values(constants));
  return {
    modelTopology,
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
