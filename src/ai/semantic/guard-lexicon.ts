/**
 * The lists behind the semantic guard (guard.ts) and the hashing embedder's weights. English only;
 * small on purpose: each list names a kind of difference that changes an answer, and a missing here
 * costs a hit (the content-word check still vetoes an unknown substitution), never a wrong answer.
 */

const words = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

/** Words that carry no topic: filler and grammar. Differences in these alone never change an answer. */
export const FUNCTION_WORDS = words(`
  a an the this that these those it its i me my we our you your he she him her his they them their
  is are was were be been being am do does did doing have has had having will would shall should can could
  might must of in on at by for with about as into onto from to up down out over under again further
  then once here there when where why how what which who whom whose all any both each few more most other
  some such only own same so too very just also and but or if because until while
  please kindly hey hi hello thanks thank tell explain show give let know want need wondering curious
  quick quickly briefly simple simply really actually basically exactly way ways help me us someone
  anyone something anything get got go going make made like use using used
  um uh er okay ok so well sorry bother dumb silly question mind love appreciate appreciated thanks advance
  much lot team folks guys quick one hey hi hello please wonder wondered trying try hope cheers btw advice
`);

/**
 * Small words that carry meaning, by kind: a text differing from another in one of these asks something
 * else ("should I" / "can I", "all users" / "only users", "is" / "was", "why" / "how", "and" / "or",
 * "copy to" / "copy from"). The `grammar` check compares each kind as a multiset. Pronouns are compared
 * only when both texts hold some ("How do I…" and "How to…" ask the same).
 */
export const TENSE_FORMS: ReadonlyMap<string, string> = new Map([
  ['does', 'do'],
  ['has', 'have'],
  ['were', 'was'],
]);

export const GRAMMAR_KINDS: Readonly<Record<string, ReadonlySet<string>>> = {
  // "what": "what is X?" asks for X, as "tell me X" does.
  question: words(`which who whom whose when where why how whether`),
  // "some": "give me some ideas" asks for ideas.
  quantity: words(`all any only every each both none few many most more less least several either neither`),
  modality: words(`can could should would must may might shall will`),
  // Present "is/are/am" add nothing ("what is X" / "tell me X"); the past and the auxiliaries do. One
  // tense, one word: "do"/"does", "has"/"have", "was"/"were" are compared as one (TENSE_FORMS).
  tense: words(`was were be been being do does did has have had`),
  pronoun: words(
    `i me my mine myself you your yours yourself he him his she her hers we us our ours they them their theirs`,
  ),
  conjunction: words(`and or nor but`),
  relation: words(
    `up down in out on off into onto from to over under above below before after through across toward towards away back than vs versus with without by per via against between among within`,
  ),
};

/** Cues that turn a statement or request into its opposite. */
export const NEGATIONS = words(
  `not no never without none nobody nothing neither nor nowhere cannot hardly barely lack lacks lacking`,
);

/**
 * Opposite pairs: a text using one side is never answered by a text using the other. Each line is one
 * class: the words before `|` are one side, after it the other (synonyms on a side share the side).
 */
const OPPOSITES = `
  enable enabled enabling activate activated turn-on switch-on | disable disabled disabling deactivate deactivated turn-off switch-off
  increase increasing raise raising grow boost more higher high | decrease decreasing reduce reducing lower lowering shrink less fewer low
  add adding insert append | remove removing delete deleting drop erase
  buy buying purchase purchasing | sell selling
  start starting begin launch | stop stopping end halt terminate kill
  encrypt encrypting encryption encode encoding | decrypt decrypting decryption decode decoding
  import importing | export exporting
  upload uploading | download downloading
  allow allowing permit whitelist allowlist unblock | block blocking deny forbid blacklist denylist ban
  install installing | uninstall uninstalling
  before prior earlier | after later
  open opening | close closing
  lock locking locked | unlock unlocking unlocked
  fast faster fastest speed-up | slow slower slowest slow-down
  cheap cheaper cheapest | expensive costlier
  big bigger biggest large larger largest | small smaller smallest little tiny
  long longer longest | short shorter shortest
  best better | worst worse bad
  maximum largest | minimum smallest
  hot hotter warm | cold colder cool
  heavy heavier | light lighter
  pros advantages benefits | cons disadvantages drawbacks
  push pushing | pull pulling
  send sending | receive receiving
  input | output
  connect connecting | disconnect disconnecting
  subscribe subscribing | unsubscribe unsubscribing
  mount mounting | unmount unmounting
  compress compressing compression zip | decompress decompressing decompression unzip
  login log-in sign-in signin | logout log-out sign-out signout
  join joining | leave leaving
  accept accepting | reject rejecting decline
  include including | exclude excluding
  unhide unhiding | hide hiding
  win winning | lose losing
  north | south
  east | west
  left | rightward
  above over | below under
  first earliest | last latest
  ascending asc | descending desc
  gain gaining | loss losing
  plus | minus
  true | false
  upgrade upgrading | downgrade downgrading
  up | down
  in | out
  on | off
`;

/** → "class:side", e.g. `disable` → `0:1`. Phrasal forms are written `turn-on` (see guard.ts). */
export const OPPOSITE_SIDES: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  OPPOSITES.trim()
    .split('\n')
    .forEach((line, classIndex) => {
      line.split('|').forEach((side, sideIndex) => {
        for (const word of side.trim().split(/\s+/))
          if (!map.has(word)) map.set(word, `${classIndex}:${sideIndex}`);
      });
    });
  return map;
})();

/** Verbs whose particle (`on`, `off`, `up`, `down`, `in`, `out`) decides the meaning: "turn the light off". */
export const PHRASAL_VERBS = words(`turn switch power shut log sign speed slow scale opt check`);
export const PARTICLES = words(`on off up down in out`);

/** Opposite classes decided by a particle only in a phrasal verb (`on` alone is not a polarity). */
export const PARTICLE_ONLY = words(`up down in out on off`);

/** Number words (the digits are read directly). */
export const NUMBER_WORDS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    zero: '0',
    one: '1',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
    ten: '10',
    eleven: '11',
    twelve: '12',
    thirteen: '13',
    fourteen: '14',
    fifteen: '15',
    sixteen: '16',
    seventeen: '17',
    eighteen: '18',
    nineteen: '19',
    twenty: '20',
    thirty: '30',
    forty: '40',
    fifty: '50',
    sixty: '60',
    seventy: '70',
    eighty: '80',
    ninety: '90',
    hundred: '100',
    thousand: '1000',
    million: '1000000',
    billion: '1000000000',
    half: '0.5',
    quarter: '0.25',
    double: '×2',
    twice: '×2',
    triple: '×3',
    single: '1',
    dozen: '12',
    first: '1st',
    second: '2nd',
    third: '3rd',
    fourth: '4th',
    fifth: '5th',
    once: '×1',
    thrice: '×3',
    couple: '2',
  }),
);

/** Units whose case is their meaning: megabits and megabytes. Looked up as written, before `UNITS`. */
export const CASED_UNITS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    Mbps: 'mbit/s',
    MBps: 'mbyte/s',
    Gbps: 'gbit/s',
    GBps: 'gbyte/s',
    Mb: 'mbit',
    MB: 'mb',
    Gb: 'gbit',
    GB: 'gb',
    Kb: 'kbit',
    KB: 'kb',
    kB: 'kb',
  }),
);

/** Abbreviations read as their full word by the tokenizer (so "max" meets "maximum"). */
export const ABBREVIATIONS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    max: 'maximum',
    min: 'minimum',
    info: 'information',
    config: 'configuration',
    repo: 'repository',
    repos: 'repositories',
    db: 'database',
    env: 'environment',
    auth: 'authentication',
    docs: 'documentation',
    doc: 'document',
    approx: 'approximately',
    pls: 'please',
    plz: 'please',
    thx: 'thanks',
    u: 'you',
    ur: 'your',
    msg: 'message',
    versus: 'vs',
    pic: 'picture',
    pics: 'pictures',
    app: 'application',
    apps: 'applications',
  }),
);

/** Units, each to one canonical name (symbols included: the tokenizer keeps `$ € £ ¥ % °`). */
export const UNITS: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  const groups: Record<string, string> = {
    km: 'km kms kilometer kilometers kilometre kilometres',
    mile: 'mi mile miles mph',
    m: 'm meter meters metre metres',
    cm: 'cm centimeter centimeters centimetre centimetres',
    mm: 'mm millimeter millimeters',
    ft: 'ft foot feet',
    inch: 'inch inches',
    kg: 'kg kgs kilo kilos kilogram kilograms',
    g: 'g gram grams',
    lb: 'lb lbs pound pounds',
    oz: 'oz ounce ounces',
    celsius: 'c celsius centigrade',
    fahrenheit: 'f fahrenheit',
    kelvin: 'k kelvin',
    degree: '° degree degrees',
    percent: '% percent percentage',
    usd: 'usd $ us$ dollar dollars buck bucks',
    aud: 'aud a$ au$',
    cad: 'cad c$ ca$',
    nzd: 'nzd nz$',
    hkd: 'hkd hk$',
    sgd: 'sgd s$',
    eur: 'eur € euro euros',
    gbp: 'gbp £ sterling',
    jpy: 'jpy ¥ yen',
    cny: 'cny yuan rmb',
    inr: 'inr ₹ rupee rupees',
    krw: 'krw ₩ won',
    rub: 'rub ₽ ruble rubles rouble roubles',
    chf: 'chf franc francs',
    btc: 'btc bitcoin bitcoins',
    byte: 'b byte bytes',
    kb: 'kb kib kilobyte kilobytes',
    mb: 'mb mib megabyte megabytes',
    gb: 'gb gib gigabyte gigabytes',
    tb: 'tb tib terabyte terabytes',
    ms: 'ms millisecond milliseconds',
    second: 's sec secs seconds',
    minute: 'min mins minute minutes',
    hour: 'h hr hrs hour hours',
    day: 'day days daily',
    week: 'week weeks weekly',
    month: 'month months monthly',
    year: 'year years yearly annual annually',
    liter: 'l liter liters litre litres',
    ml: 'ml milliliter milliliters',
    gallon: 'gal gallon gallons',
    cup: 'cup cups',
    calorie: 'cal kcal calorie calories',
    watt: 'w watt watts kw kilowatt kilowatts',
    volt: 'v volt volts',
    ghz: 'ghz mhz hz',
    mbps: 'mbps gbps kbps',
    px: 'px pixels',
  };
  for (const [unit, names] of Object.entries(groups))
    for (const name of names.split(' ')) map.set(name, unit);
  return map;
})();

/**
 * Words that mark a direction or comparison: the order of what surrounds them is the meaning ("USD to
 * EUR", "Paris to Rome", "Python than Go", "A vs B").
 */
export const DIRECTION_MARKERS = words(
  `to into from than vs versus compared against over onto toward towards via with instead in at on`,
);

/**
 * Names written in lower case just as often (languages, countries, tools): the guard treats them like
 * capitalized names. Short on purpose; a capitalized is a name wherever it stands mid-sentence.
 */
export const KNOWN_NAMES = words(`
  python java javascript typescript rust golang ruby php perl kotlin scala haskell elixir erlang clojure
  csharp dart lua julia matlab fortran cobol bash powershell sql nosql graphql html css react vue angular
  svelte django flask rails laravel fastify nextjs nuxt node nodejs deno bun npm yarn pnpm pip
  redis postgres postgresql mysql mariadb sqlite mongodb cassandra dynamodb elasticsearch kafka rabbitmq nginx
  apache docker kubernetes k8s helm terraform ansible jenkins git github gitlab bitbucket aws azure gcp linux
  ubuntu debian fedora centos windows macos mac ios android iphone ipad chrome firefox safari excel
  powerpoint slack zoom jira notion figma stripe paypal openai chatgpt gpt claude gemini llama
  english french spanish german italian portuguese dutch russian chinese mandarin japanese korean arabic hindi
  turkish polish swedish greek hebrew
  france germany spain italy portugal netherlands belgium switzerland austria sweden norway denmark finland
  poland ireland england scotland wales britain uk usa america canada mexico brazil argentina chile peru
  colombia china japan korea india pakistan russia ukraine turkey egypt nigeria kenya africa australia
  zealand indonesia thailand vietnam philippines singapore malaysia israel iran iraq greece europe asia
  paris london berlin madrid rome lisbon amsterdam brussels vienna zurich geneva stockholm oslo copenhagen
  helsinki dublin warsaw prague budapest athens istanbul moscow kyiv cairo lagos nairobi tokyo osaka kyoto
  seoul beijing shanghai delhi mumbai bangalore sydney melbourne toronto vancouver montreal chicago boston
  seattle denver austin dallas houston miami atlanta york dubai singapore bangkok
  monday tuesday wednesday thursday friday saturday sunday january february april june july
  august september october november december
  amazon google microsoft apple meta facebook netflix tesla nvidia intel amd ibm oracle samsung sony
  mastercard uber airbnb spotify twitter instagram whatsapp telegram tiktok youtube linkedin
`);
