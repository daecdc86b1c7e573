// Builds multipart/form-data bodies byte by byte, the way a browser or curl writes them, for requests that
// plain fetch + FormData cannot make (a hand-set boundary, a field name without brackets, a missing header).
export type Part = { name: string; value: string } | { name: string; fileName: string; contentType: string; bytes: Uint8Array };

export function rawMultipart(parts: Part[], boundary = `----facegate-test-${Date.now().toString(16)}`): { body: Buffer; boundary: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      'fileName' in part
        ? `Content-Disposition: form-data; name="${part.name}"; filename="${part.fileName}"\r\nContent-Type: ${part.contentType}`
        : `Content-Disposition: form-data; name="${part.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\n${disposition}\r\n\r\n`));
    chunks.push('fileName' in part ? Buffer.from(part.bytes) : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), boundary };
}
