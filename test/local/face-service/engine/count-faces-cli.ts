// Run by human-engine.test.ts with plain `tsx`, outside vitest: prints the number of faces in the image given.
import { readFileSync } from 'node:fs';
import { createHumanEngine } from '../../../../local/face-service/engine/human-engine.js';

const imagePath = process.argv[2];
if (!imagePath) throw new Error('usage: tsx count-faces-cli.ts <image>');
const engine = await createHumanEngine({ workers: 1 });
const { faces } = await engine.analyze(readFileSync(imagePath));
await engine.close();
console.log(JSON.stringify({ faces: faces.length }));
