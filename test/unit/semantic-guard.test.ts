import { describe, expect, it } from 'vitest';
import { hashingEmbedder, hashText } from '../../src/ai/semantic/hashing-embedder.js';
import { GUARD_CHECKS, readText, stem, vetoReason } from '../../src/ai/semantic/guard.js';
import { unitVector, decodeVector, encodeVector } from '../../src/ai/semantic/embedding.js';
import { tokenize } from '../../src/ai/semantic/text-features.js';
import { VectorIndex } from '../../src/ai/semantic/vector-index.js';
import { ValidationError } from '../../src/core/errors.js';

const ALL = new Set(GUARD_CHECKS);
const veto = (a: string, b: string, checks = ALL) => vetoReason(readText(a), readText(b), checks);
const similarity = (a: string, b: string) => {
  const x = unitVector(hashText(a, 512), undefined);
  const y = unitVector(hashText(b, 512), undefined);
  return x.reduce((sum, v, i) => sum + v * (y[i] as number), 0);
};

describe('the semantic guard (issue 25)', () => {
  it.each([
    ['negation', 'How to make a cake with eggs', 'How to make a cake without eggs'],
    ['negation', 'Is Redis single-threaded?', "Isn't Redis single-threaded?"],
    ['opposites', 'How do I enable 2FA?', 'How do I disable 2FA?'],
    ['opposites', 'How do I turn on dark mode?', 'How do I turn dark mode off?'],
    ['opposites', 'How to import a CSV into MySQL', 'How to export a CSV into MySQL'],
    ['numbers', 'Install Node 18 on Ubuntu', 'Install Node 20 on Ubuntu'],
    ['numbers', 'What is ten percent of 50?', 'What is twenty percent of 50?'],
    ['numbers', 'Forward port 8080 on the host to port 80', 'Forward port 80 on the host to port 8080'],
    ['units', 'Convert 5 km to meters', 'Convert 5 miles to meters'],
    ['units', 'How much is 100 USD?', 'How much is 100 €?'],
    ['names', 'What is the capital of France?', 'What is the capital of Germany?'],
    ['names', 'how to sort a list in python', 'how to sort a list in rust'],
    ['direction', 'Convert USD to EUR', 'Convert EUR to USD'],
    ['direction', 'Why do cats sleep more than dogs?', 'Why do dogs sleep more than cats?'],
    ['direction', 'Replace tabs with spaces in vim', 'Replace spaces with tabs in vim'],
    ['wording', 'How long to cook rice?', 'How long to cook pasta?'],
    // Pairs a review of the first version found served (issue 25):
    ['numbers', 'What is 12 + 4?', 'What is 12 - 4?'],
    ['numbers', 'Filter rows where age > 30 in pandas', 'Filter rows where age < 30 in pandas'],
    ['names', 'How do I sort an array in C++?', 'How do I sort an array in C#?'],
    ['numbers', 'Convert -40 degrees Celsius to Fahrenheit', 'Convert 40 degrees Celsius to Fahrenheit'],
    ['numbers', 'Is lodash 4.17.20 affected?', 'Is lodash 4.17.21 affected?'],
    ['numbers', "What's new in Python 3.10?", "What's new in Python 3.1?"],
    ['numbers', 'Can I ping 10.0.0.1 from the VPN?', 'Can I ping 10.0.0.2 from the VPN?'],
    ['numbers', 'Is 2^10 bigger than 1000?', 'Is 2*10 bigger than 1000?'],
    ['grammar', 'Transfer money to my savings account', 'Transfer money from my savings account'],
    ['grammar', 'How do I round up in Excel?', 'How do I round down in Excel?'],
    ['grammar', 'How do I zoom in on a PDF?', 'How do I zoom out on a PDF?'],
    ['grammar', 'Are all prime numbers odd?', 'Are any prime numbers odd?'],
    ['grammar', 'List all users but admins', 'List all users and admins'],
    ['grammar', 'What does true and false return in Python?', 'What does true or false return in Python?'],
    ['grammar', 'Who is the CEO of Twitter?', 'Who was the CEO of Twitter?'],
    ['grammar', 'Should I delete the production database?', 'Can I delete the production database?'],
    ['grammar', 'Do only admins have write access?', 'Do admins have write access?'],
    ['grammar', 'Can you read my emails?', 'Can I read your emails?'],
    ['units', 'How much is A$100 in euros?', 'How much is $100 in euros?'],
    ['units', 'How much is 100 ₹ in euros?', 'How much is 100 ₩ in euros?'],
    ['wording', 'How hot is the desert at noon?', 'How hot is the dessert at noon?'],
    ['wording', 'What are the symptoms of hypertension?', 'What are the symptoms of hypotension?'],
    [
      'wording',
      'What is the interstate speed limit in Texas?',
      'What is the intrastate speed limit in Texas?',
    ],
  ])('vetoes a difference of %s: %s / %s', (check, a, b) => {
    expect(veto(a, b)).toBeDefined();
    // Each example is caught by its own check alone.
    expect(veto(a, b, new Set([check as never]))).toBeDefined();
  });

  it.each([
    ['typo', 'How do I reset my password?', 'How do I reset my passwrod?'],
    ['case and punctuation', 'What is a Roth IRA?', 'what is a roth IRA'],
    ['filler', 'How do I clear the npm cache?', 'Hey, can you tell me how do I clear the npm cache? Thanks!'],
    ['reorder', 'In Python, how do I reverse a list?', 'How do I reverse a list in Python?'],
    ['plural', 'How do I set up a cron job?', 'How do I set up cron jobs?'],
    ['contraction', "What's the capital of France?", 'What is the capital of France?'],
    ['abbreviation', 'Do I need a visa for the U.S.?', 'Do I need a visa for the US?'],
    ['request frame', 'Track my package', 'Hello, can you please track my package?'],
    ['how-to', 'How do I enable dark mode?', 'Hey, can you tell me how to enable dark mode please?'],
    ['number word', 'Split the bill between five people', 'Split the bill between 5 people'],
    ['typo of a non-word', 'How long does delivery take?', 'How long does delivry take?'],
  ])('accepts a %s: %s / %s', (_, a, b) => {
    expect(veto(a, b)).toBeUndefined();
  });

  it('gives the reason of a veto', () => {
    expect(veto('Install Node 18', 'Install Node 20')).toBe('numbers differ (18 vs 20)');
    expect(veto('cook rice', 'cook pasta')).toBe('wording differs (rice)');
  });

  it('checks nothing with no checks', () => {
    expect(veto('enable 2FA', 'disable 3FA', new Set())).toBeUndefined();
  });

  it('reads contractions, possessives and abbreviations into words', () => {
    expect(tokenize("Don't use France's U.S. plan").map((t) => t.word)).toStrictEqual([
      'do',
      'not',
      'use',
      'france',
      'us',
      'plan',
    ]);
    expect(stem('jobs')).toBe(stem('job'));
    expect(stem('deleting')).toBe(stem('delete'));
  });
});

describe('hashingEmbedder (issue 25)', () => {
  it('is deterministic and sized by its options, with an id naming both', async () => {
    const embed = hashingEmbedder({ dimensions: 64 });
    const [a, b] = await embed(['hello world', 'hello world']);
    expect(a).toHaveLength(64);
    expect([...(a as Float32Array)]).toStrictEqual([...(b as Float32Array)]);
    expect(embed.id).toBe('hashing-v1-64');
    expect(hashingEmbedder().id).toBe('hashing-v1-512');
  });

  it('scores near-duplicates, reorderings and typos above unrelated texts', () => {
    const base = 'How do I reverse a list in Python?';
    const unrelated = similarity(base, 'What is the weather like in Lisbon in May?');
    for (const near of [
      'how do i reverse a list in python',
      'In Python, how do I reverse a list?',
      'How do I revrese a list in Python?',
    ])
      expect(similarity(base, near)).toBeGreaterThan(unrelated + 0.3);
  });

  it('refuses unknown options and bad dimensions', () => {
    expect(() => hashingEmbedder({ size: 10 } as never)).toThrow(/unknown hashingEmbedder option: size/);
    expect(() => hashingEmbedder({ dimensions: 8 })).toThrow(ValidationError);
    expect(() => hashingEmbedder(null as never)).toThrow(/must be an object/);
  });

  it('refuses texts that are not an array of strings', async () => {
    const embed = hashingEmbedder();
    await expect(embed('hello' as never)).rejects.toThrow(/texts must be an array of strings/);
    await expect(embed([42] as never)).rejects.toThrow(/texts must be an array of strings/);
  });

  it('gives an empty text a vector', () => {
    expect(() => unitVector(hashText('', 32), undefined)).not.toThrow();
  });
});

describe('embedding checks (issue 25)', () => {
  it.each([
    [[1, Number.NaN], /NaN at index 1/],
    [[0, 0], /zero vector/],
    [[], /0 dimensions/],
    ['abc', /not a Float32Array/],
    [null, /null, not a Float32Array/],
  ])('refuses %s', (vector, message) => {
    expect(() => unitVector(vector, undefined)).toThrow(message);
  });

  it('refuses a dimension other than the index holds', () => {
    expect(() => unitVector([1, 2, 3], 4)).toThrow(/3 dimensions where this index holds 4/);
  });

  it('round-trips a unit vector through its stored form and refuses a tampered one', () => {
    const vector = unitVector([3, 4], undefined);
    expect([...(decodeVector(encodeVector(vector)) as Float32Array)]).toStrictEqual([...vector]);
    expect(decodeVector(encodeVector(new Float32Array([3, 4])))).toBeUndefined();
    expect(decodeVector('abc')).toBeUndefined();
    expect(decodeVector(42)).toBeUndefined();
  });
});

describe('VectorIndex (issue 25)', () => {
  const vectorOf = (seed: number, dimensions = 16) =>
    unitVector(
      Float32Array.from({ length: dimensions }, (_, d) => Math.sin(seed * 12.9898 + d * 78.233)),
      undefined,
    );

  it('finds every row by its own vector through growth and removals, best first', () => {
    const index = new VectorIndex(16, 1000);
    for (let n = 0; n < 300; n++) index.add(`k${n}`, vectorOf(n), Number.MAX_SAFE_INTEGER);
    for (let n = 0; n < 300; n += 2) index.remove(`k${n}`);
    expect(index.size).toBe(150);
    for (let n = 0; n < 300; n++) {
      const [best] = index.search(vectorOf(n), 0.999, 3, 0);
      if (n % 2 === 0) expect(best?.key).not.toBe(`k${n}`);
      else expect(best?.key).toBe(`k${n}`);
    }
    const found = index.search(vectorOf(1), -1, 5, 0);
    expect(found).toHaveLength(5);
    expect(found.map((c) => c.similarity)).toStrictEqual(
      [...found.map((c) => c.similarity)].sort((a, b) => b - a),
    );
  });

  it('drops expired rows it meets and evicts the oldest past capacity', () => {
    const index = new VectorIndex(16, 2);
    index.add('old', vectorOf(1), 100);
    index.add('kept', vectorOf(2), 1000);
    expect(index.search(vectorOf(1), 0.999, 1, 500)).toStrictEqual([]);
    expect(index.has('old')).toBe(false);
    index.add('a', vectorOf(3), 1000);
    index.add('b', vectorOf(4), 1000);
    expect([index.has('kept'), index.has('a'), index.has('b')]).toStrictEqual([false, true, true]);
    index.add('a', vectorOf(5), 1000);
    expect(index.search(vectorOf(5), 0.999, 1, 0)[0]?.key).toBe('a');
    index.removeWhere((key) => key === 'b');
    expect(index.size).toBe(1);
  });
});
