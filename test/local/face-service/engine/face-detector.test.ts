import { describe, expect, it } from 'vitest';
import { detectorAnchors, strongestFaceNear } from '../../../../local/face-service/engine/face-detector.js';

const SIZE = 256;
const anchors = detectorAnchors(SIZE);
const BOX_STRIDE = 16;

/** Detector outputs with every anchor at logit -10 except the ones given, each moved by its centre offset. */
function outputs(faces: Array<{ anchor: number; logit: number; dx?: number; dy?: number }>) {
  const logits = new Float32Array(anchors.length).fill(-10);
  const boxes = new Float32Array(anchors.length * BOX_STRIDE);
  for (const { anchor, logit, dx = 0, dy = 0 } of faces) {
    logits[anchor] = logit;
    boxes[anchor * BOX_STRIDE] = dx;
    boxes[anchor * BOX_STRIDE + 1] = dy;
  }
  return { logits, boxes };
}

function anchorAt(x: number, y: number): number {
  const index = anchors.findIndex(([ax, ay]) => ax === x && ay === y);
  if (index < 0) throw new Error(`no anchor at ${x},${y}`);
  return index;
}

describe('detectorAnchors', () => {
  it("lays out BlazeFace's 896 anchors: 2 per cell of the 16-pixel grid, then 6 per cell of the 32-pixel grid", () => {
    expect(anchors).toHaveLength(16 * 16 * 2 + 8 * 8 * 6);
    expect(anchors.slice(0, 3)).toEqual([[8, 8], [8, 8], [24, 8]]);
    expect(anchors[512]).toEqual([16, 16]);
    expect(anchors.at(-1)).toEqual([240, 240]);
  });
});

describe('strongestFaceNear', () => {
  it('gives the score of the face at the centre of the crop', () => {
    const { logits, boxes } = outputs([{ anchor: anchorAt(136, 136), logit: 2 }]);
    expect(strongestFaceNear(logits, boxes, BOX_STRIDE, anchors, SIZE)).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
  });

  it('ignores a stronger face at the edge of the crop, a neighbour of the candidate', () => {
    const { logits, boxes } = outputs([
      { anchor: anchorAt(120, 120), logit: 0 },
      { anchor: anchorAt(24, 120), logit: 5 },
    ]);
    expect(strongestFaceNear(logits, boxes, BOX_STRIDE, anchors, SIZE)).toBeCloseTo(0.5, 6);
  });

  it('places a face by its anchor plus the predicted offset', () => {
    const { logits, boxes } = outputs([{ anchor: anchorAt(24, 24), logit: 3, dx: 100, dy: 100 }]);
    expect(strongestFaceNear(logits, boxes, BOX_STRIDE, anchors, SIZE)).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
  });
});
