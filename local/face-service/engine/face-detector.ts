import type * as TfCore from '@tensorflow/tfjs-core';

/** The part of a tfjs GraphModel the second look uses. */
export interface DetectorModel {
  inputs: Array<{ shape?: number[] }>;
  execute(input: TfCore.Tensor): TfCore.Tensor | TfCore.Tensor[];
}

/**
 * Anchor centres of Human's BlazeFace detector, in pixels of its square input, in the order of its outputs: two
 * anchors per cell on a grid of stride size/16, then six per cell on a grid of stride size/8.
 */
export function detectorAnchors(size: number): Array<[number, number]> {
  const anchors: Array<[number, number]> = [];
  for (const { stride, perCell } of [
    { stride: size / 16, perCell: 2 },
    { stride: size / 8, perCell: 6 },
  ]) {
    const cells = Math.ceil(size / stride);
    for (let row = 0; row < cells; row++) {
      for (let column = 0; column < cells; column++) {
        for (let index = 0; index < perCell; index++) anchors.push([stride * (column + 0.5), stride * (row + 0.5)]);
      }
    }
  }
  return anchors;
}

/**
 * The detector gives, for each of its two grids, one tensor of score logits ([1, anchors, 1]) and one of box
 * regressions ([1, anchors, 16]); both lists come finest grid first, the order of detectorAnchors.
 */
export function splitDetectorOutputs(outputs: TfCore.Tensor[]): { scores: TfCore.Tensor[]; boxes: TfCore.Tensor[] } {
  const byGrid = (last: number) =>
    outputs.filter((output) => output.shape.at(-1) === last).sort((a, b) => (b.shape[1] ?? 0) - (a.shape[1] ?? 0));
  const scores = byGrid(1);
  const boxes = byGrid(16);
  if (scores.length !== 2 || boxes.length !== 2) {
    throw new Error(`unexpected face detector outputs: ${outputs.map((output) => `[${output.shape.join(',')}]`).join(' ')}`);
  }
  return { scores, boxes };
}

/**
 * The highest face score (0-1) among the anchors whose predicted face centre lies within a quarter of the input
 * side from the input's centre: the candidate the crop was centred on, not a neighbour at its edge.
 */
export function strongestFaceNear(
  logits: ArrayLike<number>,
  boxes: ArrayLike<number>,
  boxStride: number,
  anchors: ReadonlyArray<readonly [number, number]>,
  size: number,
): number {
  let best = 0;
  anchors.forEach(([anchorX, anchorY], index) => {
    const centreX = anchorX + (boxes[index * boxStride] ?? 0);
    const centreY = anchorY + (boxes[index * boxStride + 1] ?? 0);
    if (Math.hypot(centreX - size / 2, centreY - size / 2) > size / 4) return;
    best = Math.max(best, 1 / (1 + Math.exp(-(logits[index] ?? -Infinity))));
  });
  return best;
}
