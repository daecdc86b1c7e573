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

/**
 * The description model (faceres) was converted from Keras with each ReLU6 spelled out as Relu, Minimum(6),
 * Maximum(0). On the WebAssembly backend those two scalar-broadcast ops cost as much as all of the model's
 * convolutions, so each such chain becomes one Relu6 node, named like the chain's last node (its consumers are
 * unchanged) and computing the same numbers: min(max(x, 0), 6). The constants are read from the weights to prove the
 * chain is a ReLU6; graphs without a Minimum node come back as they are, without decoding their weights.
 */
export function fuseRelu6Chains(tf: typeof TfCore, nodes: GraphNode[], weights: GraphWeights): GraphNode[] {
  if (!nodes.some((node) => node.op === 'Minimum')) return nodes;
  const values = tf.io.decodeWeights(weights.weightData, weights.weightSpecs);
  try {
    const byName = new Map(nodes.map((node) => [node.name, node]));
    const consumers = new Map<string, number>();
    for (const input of nodes.flatMap((node) => node.input ?? [])) consumers.set(input, (consumers.get(input) ?? 0) + 1);
    const scalar = (name: string | undefined) => {
      const tensor = name === undefined ? undefined : values[name];
      return tensor?.size === 1 ? tensor.dataSync()[0] : undefined;
    };
    /** The node producing `name` if it is a `op` feeding nothing else, so it can be folded into its consumer. */
    const soleProducer = (name: string | undefined, op: string) => {
      const node = name === undefined ? undefined : byName.get(name);
      return node?.op === op && consumers.get(node.name) === 1 ? node : undefined;
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
  } finally {
    tf.dispose(Object.values(values));
  }
}
