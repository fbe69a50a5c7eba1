/** Every chunk of a stream, in order. */
export async function collect<C>(stream: AsyncIterable<C>): Promise<C[]> {
  const out: C[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

/** A promise the test opens when it chooses (to hold an upstream between chunks). */
export function deferred(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
