/** A stored value that cannot be read back: corrupt, truncated, foreign or of an unknown format. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}
