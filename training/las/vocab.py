"""Token vocabulary, docs/contracts.md section 3 (31 tokens, ids fixed)."""
BLANK, SOS, EOS = 0, 1, 2
VOCAB = ["<blank>", "<sos>", "<eos>", " ", "'"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
VOCAB_SIZE = len(VOCAB)  # 31
_CHAR_TO_ID = {ch: i for i, ch in enumerate(VOCAB) if i > EOS}


def encode(text: str) -> list:
    """Normalised text -> ids (chars only, no <sos>/<eos>). Unknown characters are an error."""
    try:
        return [_CHAR_TO_ID[ch] for ch in text]
    except KeyError as err:
        raise ValueError(f"character {err.args[0]!r} outside the vocabulary in {text!r}") from None


def decode(ids) -> str:
    """ids -> text, stopping at <eos> and skipping <blank>/<sos>."""
    out = []
    for i in ids:
        i = int(i)
        if i == EOS:
            break
        if i > EOS:
            out.append(VOCAB[i])
    return "".join(out)
