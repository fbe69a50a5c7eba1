/** A stored value that cannot be read back: corrupt, truncated, foreign or of an unknown format. */
export class DecodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
