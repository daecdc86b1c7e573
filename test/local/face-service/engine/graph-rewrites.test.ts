import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuseConvolutionChains, fuseRelu6Chains, type GraphNode, type GraphWeights } from '../../../../local/face-service/engine/graph-rewrites.js';
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

  it('gives the description model (with its convolution chains fused too) the same outputs as the original graph', async () => {
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

/** Encodes float32 weights as a model.json's weight manifest and data. */
function float32Weights(values: Record<string, { shape: number[]; data: number[] }>): GraphWeights {
  return {
    weightSpecs: Object.entries(values).map(([name, { shape }]) => ({ name, shape, dtype: 'float32' as const })),
    weightData: new Float32Array(Object.values(values).flatMap(({ data }) => data)).buffer,
  };
}

/** Strides 1 and padding 'SAME' (base64, as model.json stores strings). */
const CONVOLUTION_ATTRIBUTES = { strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: 'U0FNRQ==' } };

/** x -> Conv2D (1x1, 2 to 2 channels) -> Add(bias) -> Relu6 -> DepthwiseConv2dNative -> Mul(scale) -> Add(shift) -> Relu6. */
function convolutionGraph() {
  const nodes: GraphNode[] = [
    { name: 'x', op: 'Placeholder' },
    { name: 'kernel', op: 'Const' },
    { name: 'bias', op: 'Const' },
    { name: 'conv', op: 'Conv2D', input: ['x', 'kernel'], attr: CONVOLUTION_ATTRIBUTES },
    { name: 'conv/bias', op: 'Add', input: ['conv', 'bias'] },
    { name: 'conv/relu6', op: 'Relu6', input: ['conv/bias'] },
    { name: 'depthwiseKernel', op: 'Const' },
    { name: 'scale', op: 'Const' },
    { name: 'shift', op: 'Const' },
    { name: 'depthwise', op: 'DepthwiseConv2dNative', input: ['conv/relu6', 'depthwiseKernel'], attr: CONVOLUTION_ATTRIBUTES },
    { name: 'depthwise/scale', op: 'Mul', input: ['depthwise', 'scale'] },
    { name: 'depthwise/shift', op: 'Add', input: ['depthwise/scale', 'shift'] },
    { name: 'depthwise/relu6', op: 'Relu6', input: ['depthwise/shift'] },
    { name: 'out', op: 'Identity', input: ['depthwise/relu6'] },
  ];
  const weights = float32Weights({
    kernel: { shape: [1, 1, 2, 2], data: [1, 2, 3, 4] },
    bias: { shape: [2], data: [0.5, -0.5] },
    depthwiseKernel: { shape: [1, 1, 2, 1], data: [2, 3] },
    scale: { shape: [2], data: [10, 100] },
    shift: { shape: [2], data: [1, -1] },
  });
  return { nodes, weights };
}

describe('fuseConvolutionChains', () => {
  it('turns Conv2D, Add(bias), Relu6 into one fused convolution named like the chain, feeding the same consumer', () => {
    const { nodes, weights } = convolutionGraph();
    const fused = fuseConvolutionChains(tf, nodes, weights);
    expect(fused.nodes.find((node) => node.name === 'conv/relu6')).toMatchObject({
      op: '_FusedConv2D',
      input: ['x', 'kernel', 'bias'],
      attr: CONVOLUTION_ATTRIBUTES,
    });
    expect(fused.nodes.map((node) => node.name)).not.toContain('conv');
    expect(fused.nodes.map((node) => node.name)).not.toContain('conv/bias');
  });

  it('turns DepthwiseConv2dNative, Mul(scale), Add(shift), Relu6 into one fused depthwise convolution with the scale in its kernel', () => {
    const { nodes, weights } = convolutionGraph();
    const fused = fuseConvolutionChains(tf, nodes, weights);
    expect(fused.nodes.find((node) => node.name === 'depthwise/relu6')).toMatchObject({
      op: 'FusedDepthwiseConv2dNative',
      input: ['conv/relu6', 'depthwiseKernel', 'shift'],
    });
    expect(fused.nodes.map((node) => node.op)).toEqual([
      'Placeholder', 'Const', 'Const', '_FusedConv2D', 'Const', 'Const', 'Const', 'FusedDepthwiseConv2dNative', 'Identity',
    ]);
    const values = tf.io.decodeWeights(fused.weights.weightData, fused.weights.weightSpecs);
    expect(Array.from(values.depthwiseKernel!.dataSync())).toEqual([20, 300]);
    expect(Array.from(values.kernel!.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose(Object.values(values));
  });

  it('keeps a chain whose intermediate result is used elsewhere, and a depthwise chain whose kernel is shared', () => {
    const { nodes, weights } = convolutionGraph();
    const shared = [...nodes, { name: 'other', op: 'Identity', input: ['conv/bias'] }, { name: 'again', op: 'Identity', input: ['depthwiseKernel'] }];
    const fused = fuseConvolutionChains(tf, shared, weights);
    expect(fused.nodes).toEqual(shared);
    expect(fused.weights).toBe(weights);
  });

  it('leaves the description model with fused convolutions only, its other weights stored as they were', async () => {
    const handler = tf.io.getLoadHandlers(`${MODEL_SCHEME}faceres.json`)[0]!;
    const artifacts = await handler.load!();
    const ops = new Set((artifacts.modelTopology as { node: GraphNode[] }).node.map((node) => node.op));
    for (const op of ['Conv2D', 'DepthwiseConv2dNative', 'Add', 'Mul', 'Relu6', 'Relu', 'Minimum', 'Maximum']) expect(ops).not.toContain(op);
    // Quantized weights stay quantized: only the depthwise kernels (under 200 KB as float32) are stored anew.
    const storedBytes = statSync(path.join(humanModelsDir, 'faceres.bin')).size;
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBeLessThan(storedBytes + 200_000);
  });
});
