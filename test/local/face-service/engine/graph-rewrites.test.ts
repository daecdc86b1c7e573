import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuseRelu6Chains, type GraphNode } from '../../../../local/face-service/engine/graph-rewrites.js';
import { humanModelsDir, MODEL_SCHEME, registerModelLoader, tfjsWasmDir } from '../../../../local/face-service/engine/human-models.js';

beforeAll(async () => {
  setWasmPaths(tfjsWasmDir);
  await tf.setBackend('wasm');
  registerModelLoader(tf);
});

/** x -> Relu -> Minimum(max) -> Maximum(min), the constants given as float32 weights. */
function clampGraph(min: number, max: number) {
  const nodes: GraphNode[] = [
    { name: 'x', op: 'Placeholder' },
    { name: 'max', op: 'Const' },
    { name: 'min', op: 'Const' },
    { name: 'relu', op: 'Relu', input: ['x'] },
    { name: 'clip/Minimum', op: 'Minimum', input: ['relu', 'max'] },
    { name: 'clip', op: 'Maximum', input: ['clip/Minimum', 'min'] },
    { name: 'out', op: 'Identity', input: ['clip'] },
  ];
  const weights = {
    weightSpecs: [
      { name: 'max', shape: [], dtype: 'float32' as const },
      { name: 'min', shape: [], dtype: 'float32' as const },
    ],
    weightData: new Float32Array([max, min]).buffer,
  };
  return { nodes, weights };
}

describe('fuseRelu6Chains', () => {
  it('turns Relu, Minimum(6), Maximum(0) into one Relu6 named like the chain, feeding the same consumer', () => {
    const { nodes, weights } = clampGraph(0, 6);
    const fused = fuseRelu6Chains(tf, nodes, weights);
    expect(fused.map((node) => node.op)).toEqual(['Placeholder', 'Const', 'Const', 'Relu6', 'Identity']);
    expect(fused.find((node) => node.op === 'Relu6')).toMatchObject({ name: 'clip', input: ['x'] });
  });

  it('leaves a clamp that is not exactly ReLU6 alone', () => {
    for (const [min, max] of [
      [0, 5],
      [-1, 6],
    ] as const) {
      const { nodes, weights } = clampGraph(min, max);
      expect(fuseRelu6Chains(tf, nodes, weights)).toEqual(nodes);
    }
  });

  it('keeps a chain whose intermediate result is used elsewhere', () => {
    const { nodes, weights } = clampGraph(0, 6);
    const shared = [...nodes, { name: 'other', op: 'Identity', input: ['relu'] }];
    expect(fuseRelu6Chains(tf, shared, weights)).toEqual(shared);
  });

  it('gives the description model the same outputs as the original graph', async () => {
    const json = JSON.parse(readFileSync(path.join(humanModelsDir, 'faceres.json'), 'utf8')) as {
      modelTopology: object;
      signature: object;
      weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    };
    const weights = Buffer.concat(json.weightsManifest.flatMap((group) => group.paths).map((shard) => readFileSync(path.join(humanModelsDir, shard))));
    const reference = await loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        signature: json.signature,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const rewritten = await loadGraphModel(`${MODEL_SCHEME}faceres.json`);
    const input = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 7);
    // By name: the rewritten graph may list its outputs in another order (Human picks them by shape).
    expect([...rewritten.outputNodes].sort()).toEqual([...reference.outputNodes].sort());
    const expected = reference.execute(input, reference.outputNodes) as tf.Tensor[];
    const actual = rewritten.execute(input, reference.outputNodes) as tf.Tensor[];
    for (const [index, output] of actual.entries()) {
      const difference = tf.max(tf.abs(tf.sub(output, expected[index]!))).dataSync()[0]!;
      expect(difference).toBeLessThan(1e-4);
    }
    tf.dispose([input, ...expected, ...actual]);
    reference.dispose();
    rewritten.dispose();
  });
});
