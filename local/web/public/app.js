// The upload page: sends the chosen photos to the API as the published document does (FormData, one
// `inputImages[]` part per file), then draws each photo with its faces. Everything that comes from a file or from
// the API is written with textContent or as SVG attributes, never parsed as HTML: file names are hostile input.

const API_PATH = '/ia/faces/bulkUpload';
const SUCCESS_MESSAGE = 'Bulk indexing is now completed successfuly';
/** The API's limits (docs/api.md): images per request, and the raw multipart that fits Lambda's 6 MB event. */
const MAX_IMAGES_PER_REQUEST = 50;
const MAX_BODY_BYTES = 4_400_000;
/** Boundary, part headers and file name of one part, generously counted. */
const PART_OVERHEAD_BYTES = 1024;
/** Photos are drawn at most this wide or high: a 12-megapixel canvas per photo would exhaust a phone. */
const MAX_DRAWN_SIDE = 1600;
const COLLECTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const TOKEN_KEY = 'facegate.token';
const COLLECTION_KEY = 'facegate.collection';
const SVG_NS = 'http://www.w3.org/2000/svg';
/** The main landmarks: both eyes, the nose and the mouth corners. */
const MAIN_LANDMARKS = new Set(['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight']);

const $ = (id) => document.getElementById(id);
const form = $('upload-form');
const collectionInput = $('collection');
const tokenInput = $('token');
const photosInput = $('photos');
const dropZone = $('drop-zone');
const uploadButton = $('upload');
const results = $('results');

let chosenFiles = [];

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgElement(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const percent = (confidence) => `${Math.round(confidence)}%`;

// ---- Settings remembered in the browser -------------------------------------------------------------------------

tokenInput.value = localStorage.getItem(TOKEN_KEY) ?? '';
collectionInput.value = localStorage.getItem(COLLECTION_KEY) ?? collectionInput.value;
tokenInput.addEventListener('change', () => localStorage.setItem(TOKEN_KEY, tokenInput.value.trim()));
collectionInput.addEventListener('change', () => localStorage.setItem(COLLECTION_KEY, collectionInput.value.trim()));
$('forget-token').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  tokenInput.value = '';
  tokenInput.focus();
});

// ---- Choosing photos --------------------------------------------------------------------------------------------

function choose(files) {
  chosenFiles = [...files];
  const total = chosenFiles.reduce((sum, file) => sum + file.size, 0);
  $('selection').textContent =
    chosenFiles.length === 0 ? 'No photo chosen' : `${chosenFiles.length} photo${chosenFiles.length === 1 ? '' : 's'} chosen (${formatBytes(total)})`;
}

photosInput.addEventListener('change', () => choose(photosInput.files));
for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
}
for (const type of ['dragleave', 'drop']) dropZone.addEventListener(type, () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  choose(event.dataTransfer.files);
});
// A photo dropped beside the zone would otherwise replace the page with the photo.
for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());

// ---- Request and photo outcomes ---------------------------------------------------------------------------------

function showProblem(text) {
  const problem = $('form-problem');
  problem.textContent = text;
  problem.hidden = !text;
}

function reportRequestError(text) {
  $('request-errors').hidden = false;
  $('request-error-list').append(element('li', 'request-error', text));
}

/** "401 UNAUTHORIZED" from whatever the API or the gateway answered (API Gateway's own 413 has no code). */
function statusAndCode(status, body) {
  const code = body?.error?.code;
  return `${status}${code ? ` ${code}` : ''}`;
}

/** Greedy packing in upload order: each request within the API's count and size limits. */
function packRequests(files, collection) {
  const budget = MAX_BODY_BYTES - PART_OVERHEAD_BYTES - collection.length;
  const requests = [];
  const tooLarge = [];
  let current = [];
  let bytes = 0;
  for (const file of files) {
    const cost = file.size + PART_OVERHEAD_BYTES;
    if (cost > budget) {
      tooLarge.push(file);
      continue;
    }
    if (current.length === MAX_IMAGES_PER_REQUEST || bytes + cost > budget) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += cost;
  }
  if (current.length > 0) requests.push(current);
  return { requests, tooLarge };
}

// ---- One card per photo -----------------------------------------------------------------------------------------

function createCard(file) {
  const card = element('article', 'photo');
  card.dataset.status = 'waiting';
  const frame = element('div', 'frame');
  const canvas = element('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', file.name || 'photo');
  frame.append(canvas);
  const caption = element('div', 'caption');
  const name = element('h3', 'file-name', file.name || '(no name)');
  const outcome = element('p', 'outcome', 'Waiting to be sent…');
  caption.append(name, outcome);
  card.append(frame, caption);
  results.append(card);
  // The photo is drawn from its own bytes while it uploads; faces are drawn once both are there.
  const drawn = drawPhoto(file, canvas).catch(() => {
    frame.classList.add('undrawable');
    frame.append(element('p', 'undrawable-text', 'This file cannot be shown by the browser'));
    return undefined;
  });
  return { file, card, frame, outcome, drawn };
}

async function drawPhoto(file, canvas) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_DRAWN_SIDE / Math.max(bitmap.width, bitmap.height));
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return { width: canvas.width, height: canvas.height };
}

function setOutcome(photo, status, text) {
  photo.card.dataset.status = status;
  photo.outcome.className = status === 'failed' ? 'outcome error' : 'outcome';
  photo.outcome.textContent = text;
}

function topEmotion(emotions) {
  const [top] = [...(emotions ?? [])].sort((a, b) => b.Confidence - a.Confidence);
  return top ? `${top.Type.toLowerCase()} ${percent(top.Confidence)}` : undefined;
}

function describeFace(detail) {
  const parts = [];
  if (detail.AgeRange) parts.push(`age ${detail.AgeRange.Low}–${detail.AgeRange.High}`);
  if (detail.Gender) parts.push(`${detail.Gender.Value.toLowerCase()} ${percent(detail.Gender.Confidence)}`);
  const emotion = topEmotion(detail.Emotions);
  if (emotion) parts.push(emotion);
  if (detail.Smile) parts.push(detail.Smile.Value ? 'smiling' : 'not smiling');
  if (detail.EyesOpen) parts.push(detail.EyesOpen.Value ? 'eyes open' : 'eyes closed');
  return parts.join(' · ');
}

function faceOverlay(faces, size) {
  const svg = svgElement('svg', { class: 'faces', viewBox: `0 0 ${size.width} ${size.height}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const side = Math.max(size.width, size.height);
  faces.forEach(({ detail, indexed }, index) => {
    const box = detail.BoundingBox;
    // Marks grow with the face, so they stay visible on a small group face and discreet on a portrait.
    const dot = Math.max(side / 300, box.Width * size.width * 0.04);
    const group = svgElement('g', { class: indexed ? 'face indexed' : 'face unindexed' });
    const rect = svgElement('rect', {
      x: box.Left * size.width,
      y: box.Top * size.height,
      width: box.Width * size.width,
      height: box.Height * size.height,
    });
    group.append(rect);
    for (const landmark of detail.Landmarks ?? []) {
      if (!MAIN_LANDMARKS.has(landmark.Type)) continue;
      const circle = svgElement('circle', { class: 'landmark', cx: landmark.X * size.width, cy: landmark.Y * size.height, r: dot });
      circle.dataset.type = landmark.Type;
      group.append(circle);
    }
    if (indexed) {
      const label = svgElement('text', { x: box.Left * size.width, y: box.Top * size.height - dot, 'font-size': Math.max(side / 40, dot * 6) });
      label.textContent = String(index + 1);
      group.append(label);
    }
    svg.append(group);
  });
  return svg;
}

async function showIndexed(photo, result) {
  const records = result.FaceRecords ?? [];
  const unindexed = result.UnindexedFaces ?? [];
  const count = records.length;
  let text = count === 0 ? 'No face found' : `${count} face${count === 1 ? '' : 's'} indexed`;
  if (unindexed.length > 0) {
    const reasons = [...new Set(unindexed.flatMap((face) => face.Reasons ?? []))].join(', ');
    text += `; ${unindexed.length} not indexed (${reasons})`;
  }
  setOutcome(photo, 'indexed', text);
  photo.card.dataset.faces = String(count);

  const list = element('ol', 'face-list');
  for (const record of records) list.append(element('li', 'face-attributes', describeFace(record.FaceDetail ?? {})));
  if (count > 0) photo.outcome.after(list);

  const size = await photo.drawn;
  if (!size) return;
  const faces = [
    ...records.map((record) => ({ detail: record.FaceDetail ?? { BoundingBox: record.Face.BoundingBox }, indexed: true })),
    ...unindexed.filter((face) => face.FaceDetail?.BoundingBox).map((face) => ({ detail: face.FaceDetail, indexed: false })),
  ];
  photo.frame.append(faceOverlay(faces, size));
}

function showResult(photo, result) {
  if (result?.Error) {
    setOutcome(photo, 'failed', `${result.Error.Code}: ${result.Error.Message}`);
    return;
  }
  return showIndexed(photo, result);
}

// ---- Uploading --------------------------------------------------------------------------------------------------

/** Refusals every further request would get too: the remaining photos are not sent. */
const REFUSALS_FOR_ALL = new Set([401, 403, 404]);

/** Sends one request and shows its outcome; returns false when the next requests would be refused as well. */
async function send(photos, collection, token) {
  const body = new FormData();
  // One part per file: appending the FileList itself would send the text "[object FileList]".
  for (const photo of photos) body.append('inputImages[]', photo.file, photo.file.name);
  body.append('collection', collection);
  for (const photo of photos) setOutcome(photo, 'uploading', 'Uploading…');

  let response;
  try {
    response = await fetch(API_PATH, { method: 'POST', headers: { Authorization: token, Accept: 'application/json' }, body });
  } catch (error) {
    reportRequestError(`The API could not be reached (${error.message}). Is npm start still running?`);
    for (const photo of photos) setOutcome(photo, 'failed', 'Not indexed: the API could not be reached');
    return false;
  }
  const answer = await response.json().catch(() => undefined);
  const data = Array.isArray(answer?.data) && answer.data.length === photos.length ? answer.data : undefined;
  if (!data) {
    const refusal = statusAndCode(response.status, answer);
    const message = typeof answer?.message === 'string' ? answer.message : 'no explanation was given';
    reportRequestError(`${refusal}: ${message}`);
    for (const photo of photos) setOutcome(photo, 'failed', `Not indexed: the request was refused (${refusal}, see above)`);
    return !REFUSALS_FOR_ALL.has(response.status);
  }
  if (answer.message !== SUCCESS_MESSAGE) reportSummaryMessage(response.status, answer);
  await Promise.all(photos.map((photo, index) => showResult(photo, data[index])));
  return true;
}

const summaryMessages = [];
function reportSummaryMessage(status, answer) {
  summaryMessages.push(`${statusAndCode(status, answer)}: ${answer.message}`);
}

function resetResults() {
  results.replaceChildren();
  $('request-error-list').replaceChildren();
  $('request-errors').hidden = true;
  $('summary').hidden = true;
  summaryMessages.length = 0;
}

function showSummary(photos) {
  const indexed = photos.filter((photo) => photo.card.dataset.status === 'indexed');
  const faces = indexed.reduce((sum, photo) => sum + Number(photo.card.dataset.faces), 0);
  const failed = photos.length - indexed.length;
  const summary = $('summary');
  summary.textContent = [
    `${indexed.length} of ${photos.length} photos indexed, ${faces} face${faces === 1 ? '' : 's'} found${failed ? `, ${failed} failed` : ''}.`,
    ...summaryMessages,
  ].join(' ');
  summary.hidden = false;
  summary.classList.toggle('has-failures', failed > 0);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const collection = collectionInput.value.trim();
  const token = tokenInput.value.trim();
  if (!COLLECTION_PATTERN.test(collection)) {
    showProblem('The collection name is 1 to 100 letters, digits, _ . or -, starting with a letter or digit.');
    return collectionInput.focus();
  }
  if (!token) {
    showProblem('Enter the token: npm start prints it ("Dev tenant token: ...").');
    return tokenInput.focus();
  }
  if (chosenFiles.length === 0) return showProblem('Choose one or more photos first.');
  showProblem('');
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(COLLECTION_KEY, collection);

  resetResults();
  uploadButton.disabled = true;
  document.body.dataset.state = 'uploading';
  const photos = chosenFiles.map(createCard);
  const byFile = new Map(photos.map((photo) => [photo.file, photo]));
  const { requests, tooLarge } = packRequests(chosenFiles, collection);
  for (const file of tooLarge) {
    setOutcome(byFile.get(file), 'failed', `Not sent: ${formatBytes(file.size)} is more than one request carries (about 4.4 MB); downscale the photo.`);
  }
  try {
    // One request at a time: the API fans each one out already, and the results appear in order.
    let going = true;
    for (const files of requests) {
      const batch = files.map((file) => byFile.get(file));
      if (going) going = await send(batch, collection, token);
      else for (const photo of batch) setOutcome(photo, 'failed', 'Not sent: an earlier request was refused (see above)');
    }
    await Promise.all(photos.map((photo) => photo.drawn));
    showSummary(photos);
  } finally {
    uploadButton.disabled = false;
    document.body.dataset.state = 'done';
  }
});

document.body.dataset.state = 'ready';
