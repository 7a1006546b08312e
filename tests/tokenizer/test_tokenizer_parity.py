#!/usr/bin/env python3
"""Parity of ttrl's tokenizers and chat templates with references no one here wrote.

References: Hugging Face `tokenizers` (Tokenizer.encode(text, add_special_tokens=False).ids and .decode), the
`sentencepiece` package for SentencePiece models, Jinja2 for chat templates (configured as transformers
configures it), and the id vectors shipped in the fixtures (llama.cpp, ollama, llama2.c, mistral-common).

The C++ side is the tokenizer_tool executable (tests/tokenizer/tokenizer_tool.cpp), given one file of jobs.
Random text is drawn from every code point assigned in Unicode 16 (the version of the Oniguruma inside tokenizers
0.23; PyPI unicodedata2 16.0.0), above all from those assigned or recategorised since Unicode 14 (PCRE2 10.42's
tables), and the character properties are checked on every such code point (see docs/tokenizers.md).
Every comparison must be identical; any difference fails the test (exit 1). Exit 77 (skipped) when the shared
fixtures or the Python packages are missing.
"""
import argparse
import ast
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata

SKIP = 77

# Pre-tokenizer regexes of DeepSeek-LLM/Math and DeepSeek-V3/R1 tokenizer.json files (each a Split, Isolated).
# Their character classes hold literal characters; they are built from code points here so that no editor or
# Unicode normalisation can alter them (several Greek letters in them have canonical singleton mappings).
def _char_class(ranges):
    return "".join(chr(a) if a == b else chr(a) + "-" + chr(b) for a, b in ranges)


_DEEPSEEK_CASED = [
    (0x41, 0x5A), (0x61, 0x7A), (0xB5, 0xB5), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x1BA), (0x1BC, 0x1BF),
    (0x1C4, 0x293), (0x295, 0x2AF), (0x370, 0x373), (0x376, 0x377), (0x37B, 0x37D), (0x37F, 0x37F), (0x386, 0x386),
    (0x388, 0x38A), (0x38C, 0x38C), (0x38E, 0x3A1), (0x3A3, 0x3F5), (0x3F7, 0x481), (0x48A, 0x52F), (0x531, 0x556),
    (0x10A0, 0x10C5), (0x13A0, 0x13F5), (0x13F8, 0x13FD), (0x1C90, 0x1CBA), (0x1CBD, 0x1CBF), (0x1D00, 0x1D2B),
    (0x1D6B, 0x1D77), (0x1D79, 0x1D9A), (0x1E00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45), (0x1F48, 0x1F4D),
    (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B), (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4),
    (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE), (0x1FC2, 0x1FC4), (0x1FC6, 0x1FCC), (0x1FD0, 0x1FD3), (0x1FD6, 0x1FDB),
    (0x1FE0, 0x1FEC), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC), (0x2102, 0x2102), (0x2107, 0x2107), (0x210A, 0x2113),
    (0x2115, 0x2115), (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126), (0x2128, 0x2128), (0x212A, 0x212D),
    (0x212F, 0x2134), (0x2139, 0x2139), (0x213C, 0x213F), (0x2145, 0x2149), (0x214E, 0x214E), (0x2183, 0x2184),
    (0x2C00, 0x2C7B), (0x2C7E, 0x2CE4), (0x2CEB, 0x2CEE), (0x2CF2, 0x2CF3), (0xA640, 0xA66D), (0xA680, 0xA69B),
    (0xA722, 0xA76F), (0xA771, 0xA787), (0xA78B, 0xA78E), (0xAB70, 0xABBF), (0xFB00, 0xFB06), (0xFB13, 0xFB17),
    (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0x10400, 0x1044F), (0x104B0, 0x104D3), (0x104D8, 0x104FB),
    (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2), (0x118A0, 0x118DF), (0x1E900, 0x1E943)]
DEEPSEEK_LLM_SPLITS = [
    "[\r\n]",
    "\\s?[" + _char_class(_DEEPSEEK_CASED) + "]+",
    "\\s?[" + _char_class([(0x21, 0x2F), (0x3A, 0x7E), (0xFF01, 0xFF0F), (0xFF1A, 0xFF5E), (0x2018, 0x201F),
                           (0x3000, 0x3002)]) + "]+",
    "\\s+$",
    "[" + _char_class([(0x4E00, 0x9FA5), (0x800, 0x4E00), (0xAC00, 0xD7FF)]) + "]+",
    "\\p{N}+",
]
DEEPSEEK_V3_SPLITS = [
    "\\p{N}{1,3}",
    "[" + _char_class([(0x4E00, 0x9FA5), (0x3040, 0x309F), (0x30A0, 0x30FF)]) + "]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|"
    "\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
]
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                  r"\s*[\r\n]+|\s+(?!\S)|\s+")

# Published chat templates that are not among the fixture .jinja files.
LLAMA3_JINJA = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
                "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + "
                "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
                "{{ content }}{% endfor %}{% if add_generation_prompt %}"
                "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")
DEEPSEEK_MATH_JINJA = ("{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
                       "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
                       "{{ 'User: ' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %}"
                       "{{ 'Assistant: ' + message['content'] + eos_token }}{% elif message['role'] == 'system' %}"
                       "{{ message['content'] + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}"
                       "{{ 'Assistant:' }}{% endif %}")
QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
QWEN_MATH_SYSTEM_JINJA = "Please reason step by step, and put your final answer within \\\\boxed{}."

DS_SPECIALS = ["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>", "<｜▁pad▁｜>"]


class Skip(Exception):
    pass


# ----------------------------------------------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------------------------------------------

def unicode16_category(cp):
    import unicodedata2  # Unicode 16.0, as the Oniguruma inside tokenizers 0.23
    return unicodedata2.category(chr(cp))


class Corpus:
    """Texts from seeded generators: random Unicode (assigned in Unicode 16, all planes), characters new since
    Unicode 14, combining marks, CJK, emoji sequences, LaTeX, code, digit runs, white space runs, contractions;
    mixtures; long texts."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.assigned = {}  # plane -> code points assigned in Unicode 16, no surrogates
        self.unassigned = []  # code points unassigned in Unicode 16, planes 0-3
        self.since14 = []  # code points whose category changed since Unicode 14 (Python 3.11's unicodedata)
        for cp in range(0x110000):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            category = unicode16_category(cp)
            if category != unicodedata.category(chr(cp)):
                self.since14.append(cp)
            plane = cp >> 16
            if plane not in (0, 1, 2, 3, 14, 15, 16):
                continue
            if category == "Cn":
                if plane <= 3:
                    self.unassigned.append(cp)
                continue
            self.assigned.setdefault(plane, []).append(cp)
        self.marks = [c for c in self.assigned[0] + self.assigned[1] if unicode16_category(c) in ("Mn", "Mc", "Me")]
        self.new_marks = [c for c in self.since14 if unicode16_category(c) in ("Mn", "Mc", "Me")]

    def char(self, plane):
        return chr(self.rng.choice(self.assigned[plane]))

    def random_unicode(self):
        planes = [0] * 40 + [1] * 20 + [2] * 6 + [3] * 4 + [14] * 5 + [15] * 3 + [16] * 2
        out = []
        for _ in range(self.rng.randint(1, 60)):
            kind = self.rng.random()
            if kind < 0.2:
                out.append(chr(self.rng.randint(0x20, 0x7E)))
            elif kind < 0.22:
                out.append(chr(self.rng.choice(self.unassigned)))
            else:
                out.append(self.char(self.rng.choice(planes)))
        return "".join(out)

    def combining(self):
        out = []
        for _ in range(self.rng.randint(1, 12)):
            kind = self.rng.random()
            if kind < 0.4:
                out.append(self.rng.choice("aeiouAEIOUnczsgkαβγабв") + "".join(
                    chr(self.rng.choice(self.marks)) for _ in range(self.rng.randint(1, 4))))
            elif kind < 0.6:  # decomposed precomposed letters (NFC must recompose them)
                out.append(unicodedata.normalize("NFD", chr(self.rng.randint(0xC0, 0x24F))))
            elif kind < 0.75:  # Hangul jamo L V (T)
                s = chr(0x1100 + self.rng.randint(0, 18)) + chr(0x1161 + self.rng.randint(0, 20))
                if self.rng.random() < 0.5:
                    s += chr(0x11A8 + self.rng.randint(0, 26))
                out.append(s)
            elif kind < 0.85:  # marks whose canonical class Hugging Face's Unicode 9 normaliser does not know
                out.append("a" + self.rng.choice(["\u0d3b", "\u1dfa", "\u0c3c", "\U00011935\U00011930", "\u08d3",
                                                  chr(self.rng.choice(self.new_marks))])
                           + self.rng.choice(["\u0301", "\u0316", "\u0334", ""]))
            else:
                out.append(self.rng.choice([" ", "", "'s", "\n"]))
        return "".join(out)

    def cjk(self):
        ranges = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x30000, 0x3134A), (0x3040, 0x30FF),
                  (0xAC00, 0xD7A3), (0xFF01, 0xFF5E), (0x3000, 0x303F)]
        out = []
        for _ in range(self.rng.randint(1, 30)):
            a, b = self.rng.choice(ranges)
            out.append(chr(self.rng.randint(a, b)) if self.rng.random() < 0.85 else self.rng.choice(" ,.!?1\n"))
        return "".join(out)

    def emoji(self):
        pieces = ["👨‍👩‍👧‍👦", "🏳️‍🌈", "👩🏽‍💻", "🧑🏿‍🤝‍🧑🏻", "🇺🇸", "🇯🇵", "1️⃣", "#️⃣", "❤️", "✌🏾", "😀", "🫠",
                  "🐻‍❄️", "👁️‍🗨️", "\u200d", "\ufe0f", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]
        return "".join(self.rng.choice(pieces + [" ", "ok", "!", "\n"]) for _ in range(self.rng.randint(1, 12)))

    def latex(self):
        atoms = [r"\frac{%d}{%d}" % (self.rng.randint(1, 99), self.rng.randint(1, 99)), r"\sqrt{x^2+y^2}",
                 r"\boxed{%d}" % self.rng.randint(0, 10 ** 6), r"\int_0^{\infty} e^{-x^2}\,dx", r"\left(\alpha+\beta\right)",
                 r"\sum_{k=1}^{n} k^{3}", r"\mathbb{R}^n", r"\binom{n}{k}", r"x_{i,j}", r"\cdot", r"\le", r"\ne",
                 r"$$", "$", r"\\", r"\begin{aligned} a &= b \\ c &= d \end{aligned}", r"\text{if } n \equiv 1 \pmod{4}",
                 "3.14159", "-0.5", "=", "+", " ", "\n", r"\dfrac{\pi}{2}", r"\overline{AB}", r"\angle ABC = 90^\circ"]
        return "".join(self.rng.choice(atoms) for _ in range(self.rng.randint(1, 25)))

    def code(self):
        lines = ["def f(x):", "    return x ** 2  # square", "\tif (a != b) {", "\t\treturn -1;", "}", "for i in range(10):",
                 "    print(f'{i:>3}')", "#include <vector>", "std::vector<int> v{1, 2, 3};", "x = [1,2,3]  ", "",
                 "    ", "SELECT * FROM t WHERE id='42';", "    // TODO: fix", "λx. x + 1", "if __name__ == \"__main__\":"]
        sep = self.rng.choice(["\n", "\r\n", "\n\n", "\n    "])
        return sep.join(self.rng.choice(lines) for _ in range(self.rng.randint(1, 15)))

    def digits(self):
        parts = []
        for _ in range(self.rng.randint(1, 6)):
            kind = self.rng.random()
            if kind < 0.5:
                parts.append("".join(self.rng.choice("0123456789") for _ in range(self.rng.randint(1, 400))))
            elif kind < 0.7:
                parts.append("".join(self.rng.choice(self.OTHER_DIGITS) for _ in range(self.rng.randint(1, 20))))
            else:
                parts.append(self.rng.choice([" ", ",", ".", "-", "e", "x", "\n", "1,000,000", "3.5e-7"]))
        return "".join(parts)

    # Digits beyond ASCII, among them Unicode 15-16 ones (Kawi, Garay, outlined) and Tolong Siki (Unicode 17: only
    # the Rust std of tokenizers 0.23 calls them numeric, its Oniguruma does not know them).
    OTHER_DIGITS = ("٠١٢٣٤٥٦٧٨٩０１２３４５６７８９²³½Ⅻ⑤𝟎𝟗"
                    "\U00011f50\U00011f59\U00010d40\U00010d49\U0001ccf0\U00011de0\U00011de9")

    def whitespace(self):
        spaces = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u3000", "\xa0", "\u2028", "\u2029", "\u180e", "\x0b", "\x0c",
                  "\x1c", "\x1f", "\x85", "\u200b", "\u2003", "\u202f", "\ufeff"]
        out = []
        for _ in range(self.rng.randint(1, 20)):
            if self.rng.random() < 0.6:
                out.append("".join(self.rng.choice(spaces) for _ in range(self.rng.randint(1, 30))))
            else:
                out.append(self.rng.choice(["word", "Hello", "x", "1", "!", "é", "中"]))
        if self.rng.random() < 0.1:
            out.append(" " * self.rng.randint(100, 3000))
        return "".join(out)

    def contractions(self):
        words = ["I", "don't", "won'T", "it'S", "we'LL", "they'Re", "you'VE", "I'M", "he'D", "'s", "'\u017f", "'\u212a", "'k",
                 "'ll", "''", "'", " '", "o'clock", "rock'n'roll", "\u017f", "\u212a"]
        return " ".join(self.rng.choice(words) for _ in range(self.rng.randint(1, 12)))

    def since_unicode14(self):
        """Characters assigned or recategorised since Unicode 14 (CJK Ext. H and I, Kawi, Nag Mundari, Garay,
        Tulu-Tigalari, ...: letters, digits, marks, symbols) in words, mixed with ASCII and older letters."""
        out = []
        for _ in range(self.rng.randint(1, 20)):
            kind = self.rng.random()
            if kind < 0.5:
                out.append("".join(chr(self.rng.choice(self.since14)) for _ in range(self.rng.randint(1, 4))))
            elif kind < 0.6:
                out.append(self.rng.choice("aé中") + chr(self.rng.choice(self.new_marks)))
            else:
                out.append(self.rng.choice(["a", "b", " ", "  ", "1", "42", ".", "'s", "\n", "_", "-", "é", "中",
                                            "\u0301"]))
        return "".join(out)

    GENERATORS = ["random_unicode", "combining", "cjk", "emoji", "latex", "code", "digits", "whitespace",
                  "contractions", "since_unicode14"]

    def texts(self, count):
        out = []
        for i in range(count):
            name = self.GENERATORS[i % len(self.GENERATORS)]
            if i % 7 == 6:  # mixtures of several generators
                out.append("".join(getattr(self, self.rng.choice(self.GENERATORS))() for _ in range(self.rng.randint(2, 5))))
            else:
                out.append(getattr(self, name)())
        for _ in range(3):  # long documents
            out.append("\n".join(getattr(self, self.rng.choice(self.GENERATORS))() for _ in range(300)))
        return out

    def with_specials(self, texts, specials, keep=0, share=0.25):
        """Writes added/special tokens (and near misses) inside some texts (not the first `keep`), as Hugging Face
        must recognise them."""
        out = []
        for index, text in enumerate(texts):
            if index >= keep and specials and self.rng.random() < share:
                for _ in range(self.rng.randint(1, 4)):
                    token = self.rng.choice(specials)
                    if self.rng.random() < 0.2 and len(token) > 2:
                        token = token[: self.rng.randint(1, len(token) - 1)]  # a prefix: must not match
                    pos = self.rng.randint(0, len(text))
                    pad = self.rng.choice(["", " ", "  ", "\n"])
                    text = text[:pos] + pad + token + pad + text[pos:]
            out.append(text)
        return out


def fixture_texts(fx):
    texts = []
    for rel in ["qwen2/ggml-vocab-qwen2.gguf.inp", "llama3/ggml-vocab-llama-bpe.gguf.inp",
                "llama2-spm/ggml-vocab-llama-spm.gguf.inp"]:
        texts += open(os.path.join(fx, rel), encoding="utf-8").read().split("\n__ggml_vocab_test__\n")
    for rel in ["llama3/ollama_llama3_test_vectors.txt", "llama2-spm/llama2c_test_vectors.txt"]:
        for line in open(os.path.join(fx, rel), encoding="utf-8"):
            if line.startswith('"'):
                texts.append(json.loads(line.split("\t")[0]))
    texts.append(open(os.path.join(fx, "mistral-spm/no_tools.text_v1.txt"), encoding="utf-8").read().replace("▁", " "))
    return texts


# ----------------------------------------------------------------------------------------------------------------
# Tokenizers under test and their references
# ----------------------------------------------------------------------------------------------------------------

class HfReference:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def encode(self, text):
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def decode(self, ids, skip):
        return self.tokenizer.decode(ids, skip_special_tokens=skip)

    def normalized(self, text):
        n = self.tokenizer.normalizer
        return n.normalize_str(text) if n is not None else text

    def specials(self):
        return [t.content for t in self.tokenizer.get_added_tokens_decoder().values()]

    def vocab_size(self):
        return self.tokenizer.get_vocab_size(with_added_tokens=True)


class SpmReference:
    """SentencePiece encodes the text between control pieces (<s>, </s>) written in it, segment by segment."""

    def __init__(self, path):
        import sentencepiece
        self.sp = sentencepiece.SentencePieceProcessor(model_file=path)
        self.controls = {self.sp.id_to_piece(i): i for i in range(self.sp.get_piece_size()) if self.sp.is_control(i)}

    def _segments(self, text):
        pos, start, out = 0, 0, []
        while pos < len(text):
            match = max((c for c in self.controls if text.startswith(c, pos)), key=len, default=None)
            if match is None:
                pos += 1
                continue
            out.append(text[start:pos])
            out.append(self.controls[match])
            pos += len(match)
            start = pos
        out.append(text[start:])
        return out

    def encode(self, text):
        ids = []
        for seg in self._segments(text):
            ids += [seg] if isinstance(seg, int) else (self.sp.encode(seg) if seg else [])
        return ids

    def decode(self, ids, skip):
        out, run = [], []
        for i in ids + [None]:
            if i is None or i in self.controls.values():
                out.append(self.sp.decode(run))
                run = []
                if i is not None and not skip:
                    out.append(self.sp.id_to_piece(i))
            else:
                run.append(i)
        return "".join(out)

    def normalized(self, text):
        return text

    def specials(self):
        return list(self.controls)

    def vocab_size(self):
        return self.sp.get_piece_size()


def jinja_environment():
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = lambda x, indent=None: json.dumps(x, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = raise_exception
    return env


def build_tokenizers(fx, tmp, corpus):
    """Returns [(name, path for C++, reference, roundtrip)] and writes the derived tokenizer files. `roundtrip`:
    decode(encode(text)) gives the normalised text back (false where pre-tokenizers or added-token options drop or
    add text)."""
    from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors,
                            trainers)
    qwen_path = os.path.join(fx, "qwen2.5/tokenizer.json")
    out = []
    out.append(("qwen2.5", qwen_path, HfReference(Tokenizer.from_file(qwen_path)), True))

    # Qwen2 from vocab.json + merges.txt, as transformers builds it from that directory.
    from transformers import AutoTokenizer
    qwen2_dir = os.path.join(fx, "qwen2")
    out.append(("qwen2 (vocab.json+merges.txt)", qwen2_dir,
                HfReference(AutoTokenizer.from_pretrained(qwen2_dir).backend_tokenizer), True))

    # Llama 3 from the GPT-2 style files: ignore_merges, the Llama 3 split, its 256 special tokens; merges saved
    # in the ["a", "b"] form by tokenizers 0.23.
    vocab = json.load(open(os.path.join(fx, "llama3/encoder.json"), encoding="utf-8"))
    merges = [tuple(line.split(" ")) for line in open(os.path.join(fx, "llama3/vocab.bpe"), encoding="utf-8").read().split("\n")
              if line and not line.startswith("#version")]
    llama = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=True))
    llama.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    llama.decoder = decoders.ByteLevel()
    names = ["<|begin_of_text|>", "<|end_of_text|>"] + [f"<|reserved_special_token_{i}|>" for i in range(4)] + \
            ["<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>"] + \
            [f"<|reserved_special_token_{i}|>" for i in range(4, 250)]
    llama.add_special_tokens([AddedToken(n, special=True, normalized=False) for n in names])
    llama.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                      special_tokens=[("<|begin_of_text|>", 128000)])])
    llama_dir = os.path.join(tmp, "llama3")
    os.makedirs(llama_dir)
    llama.save(os.path.join(llama_dir, "tokenizer.json"))
    json.dump({"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "tokenizer_class": "PreTrainedTokenizerFast",
               "chat_template": open(os.path.join(fx, "templates/meta-llama-Llama-3.1-8B-Instruct.jinja")).read()},
              open(os.path.join(llama_dir, "tokenizer_config.json"), "w"))
    json.dump({"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]},
              open(os.path.join(llama_dir, "generation_config.json"), "w"))
    out.append(("llama3", llama_dir, HfReference(Tokenizer.from_file(os.path.join(llama_dir, "tokenizer.json"))), True))

    def qwen_variant(name, pre, normalizer="keep", added=(), roundtrip=True):
        tok = Tokenizer.from_file(qwen_path)
        tok.pre_tokenizer = pre
        if normalizer != "keep":
            tok.normalizer = normalizer
        if added:
            tok.add_tokens(list(added))
        path = os.path.join(tmp, name + ".json")
        tok.save(path)
        out.append((name, path, HfReference(Tokenizer.from_file(path)), roundtrip))

    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    qwen_variant("deepseek-llm splits",
                 pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(p), behavior="isolated") for p in DEEPSEEK_LLM_SPLITS]
                                         + [byte_level]), None,
                 [AddedToken(t, special=True, normalized=False) for t in DS_SPECIALS] +
                 [AddedToken("<think>", special=False, normalized=True), AddedToken("</think>", special=False, normalized=True)])
    qwen_variant("deepseek-v3 splits",
                 pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(p), behavior="isolated") for p in DEEPSEEK_V3_SPLITS]
                                         + [byte_level]), None,
                 [AddedToken(t, special=True, normalized=True) for t in DS_SPECIALS])
    qwen_variant("gpt2 byte-level regex, added-token options",
                 pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True), None,
                 [AddedToken("<mask>", lstrip=True, rstrip=True, single_word=True, normalized=False, special=True),
                  AddedToken("[SEP]", rstrip=True, normalized=False, special=True),
                  AddedToken("[CLS]", lstrip=True, normalized=False, special=True),
                  AddedToken("ñandú", normalized=True, special=False),
                  AddedToken("word", single_word=True, normalized=False, special=False),
                  AddedToken("<|im_end|>x", normalized=False, special=False)], roundtrip=False)

    # A small byte-level BPE trained here, under every Split behaviour, Digits and other normalisers.
    trained = Tokenizer(models.BPE())
    trained.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trained.decoder = decoders.ByteLevel()
    sample = corpus.texts(300)
    trained.train_from_iterator(sample, trainers.BpeTrainer(vocab_size=2000, show_progress=False,
                                                            initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    small = trained.to_str()
    variants = {
        "small: Split string Removed": (None, [pre_tokenizers.Split(" ", behavior="removed")]),
        "small: MergedWithPrevious/Next": (None, [pre_tokenizers.Split(Regex(r"[,.;]"), behavior="merged_with_previous"),
                                                  pre_tokenizers.Split(Regex(r"\s+"), behavior="merged_with_next")]),
        "small: Contiguous inverted, Digits": (normalizers.NFD(), [
            pre_tokenizers.Split(Regex(r"\p{L}+"), behavior="contiguous", invert=True),
            pre_tokenizers.Digits(individual_digits=False)]),
        "small: Digits individual, NFKC": (normalizers.NFKC(), [pre_tokenizers.Digits(individual_digits=True)]),
        "small: Replace, Prepend, empty matches": (
            normalizers.Sequence([normalizers.Replace(Regex(r"[\t ]+"), " "), normalizers.Prepend("▁"),
                                  normalizers.Replace("\r\n", "\n")]),
            [pre_tokenizers.Split(Regex(r"x*"), behavior="isolated"), pre_tokenizers.Split(Regex(r"\s+$"), behavior="isolated")]),
    }
    for name, (normalizer, steps) in variants.items():
        tok = Tokenizer.from_str(small)
        tok.normalizer = normalizer
        tok.pre_tokenizer = pre_tokenizers.Sequence(steps + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
        tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
        path = os.path.join(tmp, name.replace(" ", "_").replace(":", "").replace(",", "").replace("/", "_") + ".json")
        tok.save(path)
        out.append((name, path, HfReference(Tokenizer.from_file(path)), False))

    for name, rel, exact in [("llama2 (SentencePiece)", "llama2-spm/tokenizer.model", True),
                             ("mistral v0.x (SentencePiece)", "mistral-spm/tokenizer.model.v1", True),
                             ("sentencepiece small unigram", "sentencepiece-small/test_model.model", False)]:
        out.append((name, os.path.join(fx, rel), SpmReference(os.path.join(fx, rel)), exact))
    return out


# ----------------------------------------------------------------------------------------------------------------
# Unicode tables: every code point
# ----------------------------------------------------------------------------------------------------------------

# Regexes of one character each, as the pre-tokenizers above use them (and their negations, inside and outside
# classes): a tokenizer whose Split removes the matches keeps exactly the other characters, so equal ids on a text
# of every code point mean the same code points matched.
PROPERTY_PATTERNS = [r"\p{L}", r"\P{L}", r"\p{N}", r"\p{M}", r"\p{P}", r"\p{S}", r"\p{Lu}", r"\p{Mn}", r"\p{Cn}",
                     r"[^\r\n\p{L}\p{N}]", r"[\p{L}\p{M}]", r"[^\s\p{L}\p{N}]", r"[\p{P}\p{S}]", r"[x\P{Mn}]",
                     r"\w", r"[\W]", r"\d", r"\s", r"\b[\s\S]"]


def unicode_table_checks(tmp, corpus):
    """[(name, path, reference, texts, output path)]: byte-level tokenizers that expose, on every code point
    assigned in Unicode 16 (and some unassigned ones), the character properties of Split regexes, the Digits
    pre-tokenizer, single_word added tokens and the four Unicode normalisers."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    points = [cp for plane in sorted(corpus.assigned) for cp in corpus.assigned[plane]
              if unicode16_category(cp) != "Co" and cp != 0x0A] + corpus.unassigned[::97]
    points.sort()
    lines = ["".join(map(chr, points[i:i + 2000])) for i in range(0, len(points), 2000)]
    byte_vocab = {ch: i for i, ch in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    out = []

    def check(name, texts, steps, normalizer=None, added=()):
        tok = Tokenizer(models.BPE(vocab=byte_vocab, merges=[]))
        tok.pre_tokenizer = pre_tokenizers.Sequence(steps + [byte_level])
        tok.normalizer = normalizer
        tok.decoder = decoders.ByteLevel()
        tok.add_tokens(list(added))
        path = os.path.join(tmp, f"table{len(out)}.json")
        tok.save(path)
        out.append((name, path, HfReference(Tokenizer.from_file(path)), texts, path + ".out"))

    for pattern in PROPERTY_PATTERNS:
        check(pattern, lines, [pre_tokenizers.Split(Regex(pattern), behavior="removed")])
    # Digits: the first character of every piece is removed, so only a numeric character vanishes whole.
    check("Digits", lines, [pre_tokenizers.Digits(individual_digits=True),
                            pre_tokenizers.Split(Regex(r"^[\s\S]"), behavior="removed")])
    # single_word: "word" is the added token only after a character that is not a word character.
    words = ["".join(chr(cp) + "word " for cp in points[i:i + 500]) for i in range(0, len(points), 500)]
    check("single_word", words, [], added=[AddedToken("word", single_word=True)])
    # Normalisers: every character with a combining class or a decomposition, with marks before and after it.
    import unicodedata2
    probes = []
    for cp in points:
        c = chr(cp)
        if unicodedata2.combining(c) or unicodedata2.decomposition(c):
            nfd, nfkd = unicodedata2.normalize("NFD", c), unicodedata2.normalize("NFKD", c)
            probes.append(" ".join([c, "a" + c + "\u0334", "a\u0345" + c, "a\u0316" + c + "\u0301", nfd + "\u0334",
                                    "a" + nfkd]))
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        check(form, probes, [], normalizer=getattr(normalizers, form)())
    return out


# ----------------------------------------------------------------------------------------------------------------
# Chat templates
# ----------------------------------------------------------------------------------------------------------------

def chat_cases(fx, tmp):
    """[(label, request for the tool, expected text)] rendered by Jinja2 (transformers' settings) or read from the
    fixtures."""
    env = jinja_environment()
    tpl = lambda name: open(os.path.join(fx, "templates", name), encoding="utf-8").read()
    qwen = tpl("Qwen-Qwen2.5-7B-Instruct.jinja")
    qwen_math = qwen.replace(QWEN_DEFAULT_SYSTEM, QWEN_MATH_SYSTEM_JINJA)
    assert qwen_math != qwen
    qwen2_config = json.load(open(os.path.join(fx, "qwen2/tokenizer_config.json"), encoding="utf-8"))
    families = [
        # (name for the tool, jinja, bos, eos, supports multi-turn, supports system)
        ("qwen2.5", qwen, "", "", True, True),
        ("qwen2.5-math", qwen_math, "", "", True, True),
        ("auto:" + os.path.join(fx, "qwen2"), qwen2_config["chat_template"], "", "", "ends-with-user", True),
        ("llama3", LLAMA3_JINJA, "<|begin_of_text|>", "", True, True),
        ("llama3.1", tpl("meta-llama-Llama-3.1-8B-Instruct.jinja"), "<|begin_of_text|>", "", True, True),
        ("llama3.1", tpl("meta-llama-Llama-3.2-3B-Instruct.jinja"), "<|begin_of_text|>", "", True, True),
        ("deepseek-r1", tpl("deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja"), "<｜begin▁of▁sentence｜>", "", True, True),
        ("deepseek-math", DEEPSEEK_MATH_JINJA, "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", True, True),
        ("mistral-nemo", tpl("mistralai-Mistral-Nemo-Instruct-2407.jinja"), "<s>", "</s>", True, True),
    ]
    # The same templates detected from a tokenizer_config.json ("auto").
    for i, (name, jinja, bos, eos, multi, system) in enumerate(list(families)):
        if name.startswith("auto:"):
            continue
        d = os.path.join(tmp, f"chat{i}")
        os.makedirs(d)
        json.dump({"chat_template": jinja, "bos_token": bos or None, "eos_token": eos or None},
                  open(os.path.join(d, "tokenizer_config.json"), "w"))
        families.append(("auto:" + d, jinja, bos, eos, multi, system))

    questions = ["What is 1+1?", "  Find $x$ such that $x^2 = 4$.  \n", "", "多少？\u3000", "\x1c q \x1f", "a\n\nb",
                 "Let $f(x)=\\frac{1}{x}$. Compute \\boxed{f(2)}.", "\u2029trailing\u00a0", "{question} {system}"]
    systems = [None, "You are a helpful assistant.", "  Be brief. \n"]
    conversations = [
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
         {"role": "user", "content": "What is 2+2?"}],
        [{"role": "system", "content": "Sys."}, {"role": "user", "content": " q1 "},
         {"role": "assistant", "content": "<think>hmm</think>A1"}, {"role": "user", "content": "q2"}],
    ]
    cases = []
    for name, jinja, bos, eos, multi, system_ok in families:
        template = env.from_string(jinja)
        render = lambda messages, gen=True: template.render(messages=messages, bos_token=bos, eos_token=eos,
                                                            add_generation_prompt=gen)
        for q in questions:
            for s in systems:
                if s is not None and not system_ok:
                    continue
                messages = ([{"role": "system", "content": s}] if s is not None else []) + [{"role": "user", "content": q}]
                cases.append((name, {"template": name, "question": q, "system": s}, render(messages)))
        if multi:
            for conv in conversations:
                for gen in ((True, False) if multi is True else (True,)):
                    cases.append((name, {"template": name, "messages": conv, "add_generation_prompt": gen}, render(conv, gen)))

    # Ollama's expected prompts (its ChatML and Llama 3 templates write no BOS; the system is optional).
    ollama = os.path.join(fx, "templates/ollama-expected")
    convs = {
        "user": [{"role": "user", "content": "Hello, how are you?"}],
        "user-assistant-user": [{"role": "user", "content": "Hello, how are you?"},
                                {"role": "assistant", "content": "I'm doing great. How can I help you today?"},
                                {"role": "user", "content": "I'd like to show off how chat templating works!"}],
    }
    convs["system-user-assistant-user"] = [{"role": "system", "content": "You are a helpful assistant."}] + convs["user-assistant-user"]
    for family, name in [("chatml", "chatml"), ("llama3-instruct", "llama3")]:
        for key, conv in convs.items():
            expected = open(os.path.join(ollama, f"{family}.{key}.txt"), encoding="utf-8").read()
            request = {"template": name, "messages": conv, "add_generation_prompt": True, "strip_bos": "<|begin_of_text|>"}
            cases.append((f"ollama {family}", request, expected))
    # qwen2.5 with an empty system prompt renders no system block (= ollama's chatml.user).
    cases.append(("qwen2.5 system=''", {"template": "qwen2.5", "question": "Hello, how are you?", "system": ""},
                  open(os.path.join(ollama, "chatml.user.txt"), encoding="utf-8").read()))

    # The rendered prompts listed in the fixtures.
    names = {"qwen2.5-math-instruct": ("qwen2.5-math", None), "qwen2.5-instruct-default-system": ("qwen2.5", None),
             "llama3-instruct": ("llama3", None), "llama3.1-instruct": ("llama3.1", None),
             "deepseek-r1-distill-llama-8b (llama.cpp models/templates copy)": ("deepseek-r1", None),
             "mistral-nemo-instruct-2407": ("mistral-nemo", None),
             "deepseek-math-7b-instruct (README sample template; bos added by tokenizer)": ("deepseek-math", None)}
    current = None
    for line in open(os.path.join(fx, "templates/rendered_and_derived_ids.txt"), encoding="utf-8"):
        if line.startswith("== "):
            current = line[3:].strip()
        elif line.startswith("text(repr): ") and current in names:
            expected = ast.literal_eval(line[len("text(repr): "):].strip())
            cases.append((f"fixture {current}", {"template": names[current][0], "question": "What is 1+1?"}, expected))
    return cases


# ----------------------------------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------------------------------

def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def random_id_sequences(rng, reference, count):
    """Id lists for decode: random ids (any vocabulary entry, added tokens, out-of-range ids) of random length."""
    size = reference.vocab_size()
    out = []
    for _ in range(count):
        n = rng.randint(1, 40)
        ids = [rng.randrange(size) if rng.random() < 0.97 else rng.randrange(size, size + 100) for _ in range(n)]
        out.append(ids)
    return out


def known_vectors(fx):
    """(tokenizer name, text, expected ids) from the fixture files: llama.cpp .out, ollama and llama2.c vectors."""
    def ggml(rel_inp, rel_out):
        texts = open(os.path.join(fx, rel_inp), encoding="utf-8").read().split("\n__ggml_vocab_test__\n")
        ids = open(os.path.join(fx, rel_out), encoding="utf-8").read().split("\n")
        return [(t, [int(x) for x in i.split()]) for t, i in zip(texts, ids)]

    out = []
    for t, ids in ggml("qwen2/ggml-vocab-qwen2.gguf.inp", "qwen2/ggml-vocab-qwen2.gguf.out"):
        out += [("qwen2.5", t, ids), ("qwen2 (vocab.json+merges.txt)", t, ids)]
    out += [("llama3", t, ids) for t, ids in ggml("llama3/ggml-vocab-llama-bpe.gguf.inp", "llama3/ggml-vocab-llama-bpe.gguf.out")]
    out += [("llama2 (SentencePiece)", t, ids) for t, ids in ggml("llama2-spm/ggml-vocab-llama-spm.gguf.inp", "llama2-spm/ggml-vocab-llama-spm.gguf.out")]
    for line in open(os.path.join(fx, "llama3/ollama_llama3_test_vectors.txt"), encoding="utf-8"):
        if line.startswith('"') and "\t" in line and not line.rstrip().endswith("]"):
            text, ids = line.rstrip("\n").rsplit("\t", 1)
            out.append(("llama3", json.loads(text), [int(x) for x in ids.split()]))
    for line in open(os.path.join(fx, "llama2-spm/llama2c_test_vectors.txt"), encoding="utf-8"):
        if line.startswith('"'):
            text, ids = line.rstrip("\n").rsplit("\t", 1)
            out.append(("llama2 (SentencePiece)", json.loads(text), [int(x) for x in ids.split()][1:]))  # BOS=1 dropped
    return out


def check_special_tokens(name, path, info):
    """bos/eos/pad read from a tokenizer directory must be the ids transformers reads from it; a post-processor
    that adds BOS must make add_bos true (what encode(text, add_special_tokens=True) does)."""
    if not os.path.isdir(path) or not os.path.exists(os.path.join(path, "tokenizer_config.json")):
        return 0
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(path)
    expected = {"bos": tok.bos_token_id, "eos": tok.eos_token_id, "pad": tok.pad_token_id}
    got = {k: info[k] for k in expected}
    bad = int(got != expected)
    with_special = tok.encode("x", add_special_tokens=True)
    adds_bos = tok.bos_token_id is not None and with_special[:1] == [tok.bos_token_id]
    bad += adds_bos != info["add_bos"]
    eos_missing = [i for i in {tok.eos_token_id} - {None} if i not in info["eos_ids"]]
    bad += bool(eos_missing)
    print(f"   special tokens ({name}): ttrl {got} add_bos={info['add_bos']} eos_ids={info['eos_ids']}; "
          f"transformers {expected} add_bos={adds_bos}: {'same' if not bad else 'DIFFERENT'}")
    return bad


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--texts", type=int, default=900, help="generated texts per tokenizer")
    parser.add_argument("--seed", type=int, default=20250601)
    args = parser.parse_args()

    fx = os.path.join(args.shared, "fixtures", "tokenizers")
    if not os.path.isdir(fx):
        print(f"SKIP: shared fixtures not found at {fx}")
        return SKIP
    try:
        import jinja2  # noqa: F401
        import sentencepiece  # noqa: F401
        import tokenizers  # noqa: F401
        import transformers  # noqa: F401
        import unicodedata2  # noqa: F401
    except ImportError as e:
        print(f"SKIP: reference package missing: {e}")
        return SKIP

    start = time.time()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ttrl_tok_parity_") as tmp:
        rng = random.Random(args.seed)
        corpus = Corpus(args.seed)
        base_texts = fixture_texts(fx) + corpus.texts(args.texts)
        tokenizers_under_test = build_tokenizers(fx, tmp, corpus)
        fixed = len(fixture_texts(fx))
        print(f"references ready in {time.time() - start:.1f}s")

        jobs, plans = [], []
        for index, (name, path, ref, exact) in enumerate(tokenizers_under_test):
            texts = corpus.with_specials(base_texts, ref.specials() + ["<|im_end|>", "<s>", "</s>"], keep=fixed)
            texts = [t for t in texts if "\ufffd" not in t]
            expected = [ref.encode(t) for t in texts]
            enc_in, enc_out = os.path.join(tmp, f"enc{index}.in"), os.path.join(tmp, f"enc{index}.out")
            write_jsonl(enc_in, [{"text": t} for t in texts])
            id_lists = expected[:600] + random_id_sequences(rng, ref, 600)
            skips = [rng.random() < 0.3 for _ in id_lists]
            if isinstance(ref, SpmReference):  # sentencepiece rejects ids outside the vocabulary
                id_lists = [[i for i in ids if i < ref.vocab_size()] for ids in id_lists]
            dec_in, dec_out = os.path.join(tmp, f"dec{index}.in"), os.path.join(tmp, f"dec{index}.out")
            write_jsonl(dec_in, [{"ids": ids, "skip_special_tokens": s} for ids, s in zip(id_lists, skips)])
            info_out = os.path.join(tmp, f"info{index}.out")
            jobs += [{"cmd": "encode", "tokenizer": path, "input": enc_in, "output": enc_out},
                     {"cmd": "decode", "tokenizer": path, "input": dec_in, "output": dec_out},
                     {"cmd": "info", "tokenizer": path, "output": info_out}]
            plans.append((name, path, ref, exact, texts, expected, enc_out, id_lists, skips, dec_out, info_out))

        table_checks = unicode_table_checks(tmp, corpus)
        for name, path, ref, texts, out_path in table_checks:
            write_jsonl(out_path + ".in", [{"text": t} for t in texts])
            jobs.append({"cmd": "encode", "tokenizer": path, "input": out_path + ".in", "output": out_path})

        # The mistral-common v1 sample: render with "mistral", encode, compare with its token ids.
        sample = json.load(open(os.path.join(fx, "mistral-spm/no_tools.sample.json"), encoding="utf-8"))
        messages = [{"role": m["role"], "content": m["content"]} for m in sample["messages"]]
        mistral_in = os.path.join(tmp, "mistral.in")
        write_jsonl(mistral_in, [{"template": "mistral", "messages": messages, "add_generation_prompt": True}])
        jobs.append({"cmd": "render", "input": mistral_in, "output": mistral_in + ".out"})

        cases = chat_cases(fx, tmp)
        chat_in = os.path.join(tmp, "chat.in")
        write_jsonl(chat_in, [c[1] for c in cases])
        jobs.append({"cmd": "render", "input": chat_in, "output": chat_in + ".out"})

        jobs_path = os.path.join(tmp, "jobs.jsonl")
        write_jsonl(jobs_path, jobs)
        tool_start = time.time()
        result = subprocess.run([args.tool, jobs_path], capture_output=True, text=True)
        tool_seconds = time.time() - tool_start
        if result.returncode != 0:
            print(result.stdout, result.stderr)
            print("FAIL: tokenizer_tool failed")
            return 1
        # The mistral rendering must be encoded too: one more small run.
        mistral_text = read_jsonl(mistral_in + ".out")[0]["text"]
        enc_m_in = os.path.join(tmp, "mistral_enc.in")
        write_jsonl(enc_m_in, [{"text": mistral_text}])
        write_jsonl(jobs_path, [{"cmd": "encode", "tokenizer": os.path.join(fx, "mistral-spm/tokenizer.model.v1"),
                                 "input": enc_m_in, "output": enc_m_in + ".out"}])
        subprocess.run([args.tool, jobs_path], check=True)

        print(f"{'vocabulary':46} {'encode':>13} {'decode':>11} {'stream':>11} {'roundtrip':>11}")
        for name, path, ref, exact, texts, expected, enc_out, id_lists, skips, dec_out, info_out in plans:
            got = [r["ids"] for r in read_jsonl(enc_out)]
            enc_bad = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b] + list(range(len(got), len(expected)))
            decoded = read_jsonl(dec_out)
            dec_bad = stream_bad = 0
            for ids, skip, d in zip(id_lists, skips, decoded):
                want = ref.decode(ids, skip)
                dec_bad += d["text"] != want
                stream_bad += d["stream"] != want
            # decode(encode(text)) == text (after the tokenizer's normaliser) for the texts decoded above.
            round_bad = 0
            if exact:
                for i, d in enumerate(decoded[:600]):
                    if not skips[i] and i < len(texts):
                        round_bad += d["text"] != ref.normalized(texts[i])
            failures += len(enc_bad) + dec_bad + stream_bad + round_bad
            round_text = f"{600 - round_bad:>5}/600" if exact else "        n/a"
            print(f"{name:46} {len(texts) - len(enc_bad):>6}/{len(texts):<6} {len(decoded) - dec_bad:>5}/{len(decoded):<5} "
                  f"{len(decoded) - stream_bad:>5}/{len(decoded):<5} {round_text}")
            for i in enc_bad[:5]:
                mine = got[i] if i < len(got) else []
                first = next((k for k, (a, b) in enumerate(zip(expected[i], mine)) if a != b), min(len(expected[i]), len(mine)))
                print(f"   encode mismatch: {texts[i][:200]!r} (first difference at id {first})\n"
                      f"     expected {expected[i][max(0, first - 3):first + 8]}\n     got      {mine[max(0, first - 3):first + 8]}")
            info = read_jsonl(info_out)[0]
            if info["vocab_size"] != ref.vocab_size():
                print(f"   vocab_size {info['vocab_size']} != {ref.vocab_size()}")
                failures += 1
            failures += check_special_tokens(name, path, info)

        # Fixture id vectors (upstream ground truth).
        by_name = {p[0]: p for p in plans}
        vec_total = vec_bad = 0
        for name, text, ids in known_vectors(fx):
            plan = by_name[name]
            texts, enc_out = plan[4], plan[6]
            index = texts.index(text) if text in texts else None
            got = read_jsonl(enc_out)[index]["ids"] if index is not None else None
            vec_total += 1
            if got != ids:
                vec_bad += 1
                print(f"   vector mismatch ({name}): {text!r} expected {ids} got {got}")
        failures += vec_bad
        print(f"fixture id vectors (llama.cpp, ollama, llama2.c): {vec_total - vec_bad}/{vec_total}")

        mistral_ids = read_jsonl(enc_m_in + ".out")[0]["ids"]
        expected_ids = json.load(open(os.path.join(fx, "mistral-spm/no_tools.tokens_v1.json")))["tokens"]
        ok = mistral_ids == expected_ids
        failures += not ok
        print(f"mistral-common v1 no_tools conversation (render 'mistral' + encode): {'identical' if ok else 'DIFFERENT'}")
        if not ok:
            print(f"   rendered {mistral_text!r}\n   expected {expected_ids}\n   got      {mistral_ids}")

        rendered = read_jsonl(chat_in + ".out")
        chat_bad = 0
        for (label, request, expected), got in zip(cases, rendered):
            text = got["text"]
            if "strip_bos" in request and text.startswith(request["strip_bos"]):
                text = text[len(request["strip_bos"]):]
            if text != expected:
                chat_bad += 1
                print(f"   chat template mismatch [{label}] {request}\n     expected {expected!r}\n     got      {text!r}")
        failures += chat_bad
        print(f"chat templates vs Jinja2 / fixtures: {len(cases) - chat_bad}/{len(cases)}")

        table_bad = 0
        for name, path, ref, texts, out_path in table_checks:
            got = [r["ids"] for r in read_jsonl(out_path)]
            bad = [t for t, g in zip(texts, got) if ref.encode(t) != g]
            if bad:
                table_bad += 1
                print(f"   unicode table check {name!r}: {len(bad)}/{len(texts)} lines differ, first {bad[0][:40]!a}")
        failures += table_bad
        print(f"character properties, digits, single_word, normalisers on every code point of Unicode 16: "
              f"{len(table_checks) - table_bad}/{len(table_checks)} checks identical")
        print(f"C++ tool {tool_seconds:.1f}s, total {time.time() - start:.1f}s")

    if failures:
        print(f"FAIL: {failures} differences")
        return 1
    print("PASS: all identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
