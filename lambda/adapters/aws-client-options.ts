// Shared by every AWS client: adaptive retries slow the whole container down when a service throttles
// (IndexFaces' per-account TPS quota) instead of hammering it. Endpoints and region come from the SDK's own
// variables (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>), so the same code reaches AWS or the local stand-ins.
export function awsClientOptions(maxAttempts: number): { retryMode: 'adaptive'; maxAttempts: number } {
  return { retryMode: 'adaptive', maxAttempts };
}
