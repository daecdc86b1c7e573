import type * as TfCore from '@tensorflow/tfjs-core';

/** A node of a TensorFlow graph as tfjs-converter's model.json stores it. */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

export interface GraphWeights {
  weightSpecs: TfCore.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** Lookups shared by the rewrites: nodes by name, and how many nodes consume each output. */
function indexGraph(nodes: readonly GraphNode[]) {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const consumers = new Map<string, number>();
  for (const input of nodes.flatMap((node) => node.input ?? [])) consumers.set(input, (consumers.get(input) ?? 0) + 1);
  return {
    /** The node producing `name` if it is one of `ops` feeding nothing else, so it can be folded into its consumer. */
    soleProducer(name: string | undefined, ...ops: string[]): GraphNode | undefined {
      const node = name === undefined ? undefined : byName.get(name);
      return node && ops.includes(node.op) && consumers.get(node.name) === 1 ? node : undefined;
    },
  };
}

const elementCount = (shape: readonly number[]) => shape.reduce((count, side) => count * side, 1);

/** Bytes per stored value, by the dtype a weight is stored as (its quantization's when it is quantized). */
const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * Where each weight's bytes lie in the weight data, which tfjs lays out in manifest order; undefined when a weight's
 * length cannot be told from the manifest (strings).
 */
function weightLayout(specs: readonly TfCore.io.WeightsManifestEntry[]) {
  const layout = new Map<string, { spec: TfCore.io.WeightsManifestEntry; start: number; end: number }>();
  let offset = 0;
  for (const spec of specs) {
    const bytes = STORED_BYTES[spec.quantization?.dtype ?? spec.dtype];
    if (bytes === undefined) return undefined;
    const end = offset + bytes * elementCount(spec.shape);
    layout.set(spec.name, { spec, start: offset, end });
    offset = end;
  }
  return layout;
}

/** The weights' layout, and one weight decoded on its own (the caller disposes it): a rewrite decodes what it reads. */
function weightReader(tf: typeof TfCore, weights: GraphWeights) {
  const layout = weightLayout(weights.weightSpecs);
  return layout && {
    layout,
    decode(name: string): TfCore.Tensor {
      const { spec, start, end } = layout.get(name)!;
      return tf.io.decodeWeights(weights.weightData.slice(start, end), [spec])[name]!;
    },
  };
}

/**
 * The description model (faceres) was converted from Keras with each ReLU6 spelled out as Relu, Minimum(6),
 * Maximum(0). On the WebAssembly backend those two scalar-broadcast ops cost as much as all of the model's
 * convolutions, so each such chain becomes one Relu6 node, named like the chain's last node (its consumers are
 * unchanged) and computing the same numbers: min(max(x, 0), 6). The constants are read from the weights to prove the
 * chain is a ReLU6; graphs without a Minimum node come back as they are, without decoding their weights.
 */
export function fuseRelu6Chains(tf: typeof TfCore, nodes: GraphNode[], weights: GraphWeights): GraphNode[] {
  const reader = weightReader(tf, weights);
  if (!reader || !nodes.some((node) => node.op === 'Minimum')) return nodes;
  const { soleProducer } = indexGraph(nodes);
  const scalar = (name: string | undefined) => {
    const spec = reader.layout.get(name ?? '')?.spec;
    if (!spec || elementCount(spec.shape) !== 1) return undefined;
    const tensor = reader.decode(spec.name);
    const [value] = tensor.dataSync();
    tensor.dispose();
    return value;
  };
  const removed = new Set<string>();
  const rewritten = nodes.map((node) => {
    if (node.op !== 'Maximum' || scalar(node.input?.[1]) !== 0) return node;
    const minimum = soleProducer(node.input?.[0], 'Minimum');
    if (!minimum || scalar(minimum.input?.[1]) !== 6) return node;
    const relu = soleProducer(minimum.input?.[0], 'Relu');
    if (!relu) return node;
    removed.add(minimum.name).add(relu.name);
    return { name: node.name, op: 'Relu6', input: relu.input, attr: { T: node.attr?.T } };
  });
  return rewritten.filter((node) => !removed.has(node.name));
}

/** fused_ops as tfjs-converter reads them: base64 strings. */
const BIAS_ADD_RELU6 = { list: { s: ['BiasAdd', 'Relu6'].map((op) => Buffer.from(op).toString('base64')) } };

/**
 * The description model keeps its batch normalisation as separate ops after each convolution: Conv2D, then Add of a
 * per-channel bias, then Relu6; DepthwiseConv2dNative, then Mul by a per-channel scale, Add of a bias, then Relu6.
 * Each op is a pass over the whole activation on the WebAssembly backend, where a fused convolution adds the bias
 * and clamps to 0-6 as it writes its output. So each chain becomes one _FusedConv2D or FusedDepthwiseConv2dNative
 * (BiasAdd, Relu6) named like the chain's Relu6 (its consumers are unchanged); a depthwise chain's scale is
 * multiplied into its kernel, each output channel of a depthwise convolution being one kernel slice times the
 * input, so the result differs only by float rounding. Measured: 44 instead of 48 ms per face. Only those kernels
 * are decoded and stored anew (as float32, 180 KB in all); every other weight keeps its stored (quantized) bytes, so
 * the loaded model holds no more memory than before. Graphs without such a chain come back as they are.
 */
export function fuseConvolutionChains(tf: typeof TfCore, nodes: GraphNode[], weights: GraphWeights): { nodes: GraphNode[]; weights: GraphWeights } {
  const reader = weightReader(tf, weights);
  if (!reader || !nodes.some((node) => node.op === 'Relu6')) return { nodes, weights };
  const { layout, decode } = reader;
  const { soleProducer } = indexGraph(nodes);
  /** Whether `name` is a constant vector of one value per output channel of `convolution`. */
  const isChannelVector = (name: string | undefined, convolution: GraphNode) => {
    const vector = layout.get(name ?? '')?.spec.shape;
    const kernel = layout.get(convolution.input?.[1] ?? '')?.spec.shape;
    return vector?.length === 1 && kernel !== undefined && vector[0] === kernel[convolution.op === 'Conv2D' ? 3 : 2];
  };
  const removed = new Set<string>();
  const scaledKernels = new Map<string, Float32Array>();
  const rewritten = nodes.map((node) => {
    if (node.op !== 'Relu6') return node;
    const biasAdd = soleProducer(node.input?.[0], 'Add', 'AddV2');
    const scale = soleProducer(biasAdd?.input?.[0], 'Mul');
    const convolution = soleProducer((scale ?? biasAdd)?.input?.[0], scale ? 'DepthwiseConv2dNative' : 'Conv2D');
    if (!biasAdd || !convolution || !isChannelVector(biasAdd.input?.[1], convolution)) return node;
    if (scale) {
      // The kernel is scaled in place, so it must feed this convolution alone.
      const kernel = soleProducer(convolution.input?.[1], 'Const');
      if (!kernel || !isChannelVector(scale.input?.[1], convolution)) return node;
      const scaled = tf.tidy(() => tf.mul(decode(kernel.name), tf.reshape(decode(scale.input![1]!), [-1, 1])));
      scaledKernels.set(kernel.name, scaled.dataSync() as Float32Array);
      scaled.dispose();
      removed.add(scale.name);
    }
    removed.add(biasAdd.name).add(convolution.name);
    return {
      name: node.name,
      op: scale ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D',
      input: [convolution.input![0]!, convolution.input![1]!, biasAdd.input![1]!],
      attr: { ...convolution.attr, fused_ops: BIAS_ADD_RELU6, num_args: { i: '1' } },
    };
  });
  if (removed.size === 0) return { nodes, weights };
  const stored = weights.weightSpecs.map((spec) => {
    const scaled = scaledKernels.get(spec.name);
    if (scaled) {
      return { spec: { name: spec.name, shape: spec.shape, dtype: 'float32' as const }, bytes: new Uint8Array(scaled.buffer, scaled.byteOffset, scaled.byteLength) };
    }
    const { start, end } = layout.get(spec.name)!;
    return { spec, bytes: new Uint8Array(weights.weightData, start, end - start) };
  });
  const weightData = new Uint8Array(stored.reduce((length, { bytes }) => length + bytes.byteLength, 0));
  let offset = 0;
  for (const { bytes } of stored) {
    weightData.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return {
    nodes: rewritten.filter((node) => !removed.has(node.name)),
    weights: { weightSpecs: stored.map(({ spec }) => spec), weightData: weightData.buffer },
  };
}
