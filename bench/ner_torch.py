#!/usr/bin/python3
"""PyTorch side of the NER benchmark (bench/ner.js --torch spawns this once per run).

Argument: a JSON file written by bench/ner.js with the split, so that both sides train and test on the same records:

    {"dir": CCKS folder, "train": [{"id": str, "file": "folder/stem"}], "test": [...], "types": [str],
     "archs": ["bilstm-crf", "bigru-crf"], "threads": int,
     "config": the emr-re NerConfig (maxLength, overlap, charDim, rnn.units, rnn.layers, dropout, batchSize,
               learningRate, epochs, seed)}

Reads each record itself from `<dir>/<file>.txtoriginal.txt` (text) and `<dir>/<file>.txt` (one entity a line:
mention, start, end inclusive, type; code-point offsets), exactly the files the emr-re reader reads. Builds the same
tagger as @emr-re/ner: character embedding (vocabulary of the training texts) -> BiLSTM or BiGRU -> dropout -> dense
tag scores -> linear-chain CRF over BIOES tags with the same forbidden transitions, trained with Adam on the mean
CRF negative log-likelihood for exactly `epochs` epochs, batches of `batchSize` windows. Texts are cut into windows
as @emr-re/ner cuts them (after sentence ends, sentences packed up to maxLength, over-long sentences in overlapping
windows; the same merge of overlapping windows), mentions overlapping a longer one are dropped (the longest kept), and
mentions cut by a window edge are untagged in that window.

Writes one JSON object per arch on stdout:

    {"arch", "epochs", "loss": [per epoch], "trainSeconds", "inferSeconds", "threads", "torchVersion",
     "predictions": {record id: [[start, end, type], ...]}}   (UTF-16 offsets, end exclusive, like emr-re records)

Inference is model.eval() + torch.no_grad() + batched Viterbi (no marginals: emr-re's recognize also computes the
per-entity scores). Errors go to stderr with exit code 1.
"""

import json
import os
import random
import sys
import time

import torch
from torch import nn

SENTENCE_ENDS = set("。！？；!?;\n\r")
NEG = -1e4  # score of a forbidden transition


def read_record(directory, file):
    with open(os.path.join(directory, file + ".txtoriginal.txt"), encoding="utf-8") as f:
        text = f.read()
    entities = set()
    with open(os.path.join(directory, file + ".txt"), encoding="utf-8") as f:
        for line in f.read().split("\n"):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            mention, start, end, etype = line.split("\t")
            start, end = int(start), int(end) + 1
            if text[start:end] != mention:
                raise ValueError("mention mismatch in %s" % file)
            entities.add((start, end, etype))
    return text, sorted(entities)


def unit_offsets(text):
    """Code-point offset -> UTF-16 offset (len(text) + 1 entries)."""
    out, u = [], 0
    for ch in text:
        out.append(u)
        u += 2 if ord(ch) > 0xFFFF else 1
    out.append(u)
    return out


def sentence_pieces(text):
    pieces, start, i = [], 0, 0
    while i < len(text):
        if text[i] not in SENTENCE_ENDS:
            i += 1
            continue
        while i < len(text) and text[i] in SENTENCE_ENDS:
            i += 1
        pieces.append((start, i))
        start = i
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


def split_windows(text, max_length, overlap):
    """(start, end, cut_start, cut_end) windows, as splitWindows of @emr-re/ner (texts here are code points)."""
    windows, packed = [], None
    for a, b in sentence_pieces(text):
        if b - a <= max_length:
            if packed and b - packed[0] <= max_length:
                packed[1] = b
            else:
                if packed:
                    windows.append((packed[0], packed[1], False, False))
                packed = [a, b]
            continue
        if packed:
            windows.append((packed[0], packed[1], False, False))
            packed = None
        stride = max_length - overlap
        s = a
        while True:
            last = s + max_length >= b
            start = b - max_length if last else s
            windows.append((start, b if last else s + max_length, start > a, not last))
            if last:
                break
            s += stride
    if packed:
        windows.append((packed[0], packed[1], False, False))
    return windows


class Scheme:
    """BIOES tags (O, then B I E S per type) and the allowed transitions of @emr-re/ner's tag scheme."""

    def __init__(self, types):
        self.types = types
        self.tags = ["O"] + ["%s-%s" % (p, t) for t in types for p in "BIES"]
        k = len(self.tags)
        pos = lambda i: "O" if i == 0 else "BIES"[(i - 1) % 4]
        typ = lambda i: None if i == 0 else (i - 1) // 4
        self.allowed = torch.zeros(k, k, dtype=torch.bool)
        for a in range(k):
            for b in range(k):
                pa, pb = pos(a), pos(b)
                if pa in "BI":
                    ok = pb in "IE" and typ(a) == typ(b)
                else:
                    ok = pb in "OBS"
                self.allowed[a, b] = ok
        self.start_ok = torch.tensor([pos(i) in "OBS" for i in range(k)])
        self.end_ok = torch.tensor([pos(i) in "OES" for i in range(k)])

    def encode(self, length, entities):
        """Tag ids of a text of `length` characters: the longest of overlapping mentions kept."""
        tags = [0] * length
        taken = [False] * length
        for s, e, t in sorted(entities, key=lambda x: (-(x[1] - x[0]), x[0])):
            if any(taken[s:e]):
                continue
            base = 1 + 4 * self.types.index(t)
            if e - s == 1:
                tags[s] = base + 3
            else:
                tags[s] = base
                for i in range(s + 1, e - 1):
                    tags[i] = base + 1
                tags[e - 1] = base + 2
            for i in range(s, e):
                taken[i] = True
        return tags

    def decode(self, tags):
        """Spans (start, end, type) of a valid tag sequence."""
        spans, start = [], None
        for i, k in enumerate(tags):
            if k == 0:
                start = None
                continue
            p, t = "BIES"[(k - 1) % 4], self.types[(k - 1) // 4]
            if p == "S":
                spans.append((i, i + 1, t))
                start = None
            elif p == "B":
                start = i
            elif p == "E" and start is not None:
                spans.append((start, i + 1, t))
                start = None
        return spans


def clear_cut(tags):
    """Untags mentions that a window's edges cut (as clearCutMentions of @emr-re/ner)."""
    pos = lambda k: 0 if k == 0 else (k - 1) % 4 + 1  # 1 B, 2 I, 3 E, 4 S
    n = len(tags)
    if n and pos(tags[0]) in (2, 3):
        i = 0
        while i < n and pos(tags[i]) == 2:
            tags[i] = 0
            i += 1
        if i < n and pos(tags[i]) == 3:
            tags[i] = 0
    if n and pos(tags[-1]) in (1, 2):
        i = n - 1
        while i >= 0 and pos(tags[i]) == 2:
            tags[i] = 0
            i -= 1
        if i >= 0 and pos(tags[i]) == 1:
            tags[i] = 0
    return tags


class Crf(nn.Module):
    def __init__(self, scheme):
        super().__init__()
        k = len(scheme.tags)
        self.transitions = nn.Parameter(torch.empty(k, k).uniform_(-0.1, 0.1))
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))
        self.register_buffer("trans_mask", torch.where(scheme.allowed, 0.0, NEG))
        self.register_buffer("start_mask", torch.where(scheme.start_ok, 0.0, NEG))
        self.register_buffer("end_mask", torch.where(scheme.end_ok, 0.0, NEG))

    def parts(self):
        return self.transitions + self.trans_mask, self.start + self.start_mask, self.end + self.end_mask

    def nll(self, em, tags, mask):
        """Mean negative log-likelihood; em (B, T, K), tags (B, T), mask (B, T) bool, every row length >= 1."""
        trans, start, end = self.parts()
        b, t_len, _ = em.shape
        lengths = mask.sum(1)
        ar = torch.arange(b)
        # gold path score
        score = start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
        for t in range(1, t_len):
            step = trans[tags[:, t - 1], tags[:, t]] + em[ar, t, tags[:, t]]
            score = score + step * mask[:, t]
        last = tags[ar, lengths - 1]
        score = score + end[last]
        # partition
        alpha = start.unsqueeze(0) + em[:, 0]
        for t in range(1, t_len):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        log_z = torch.logsumexp(alpha + end.unsqueeze(0), dim=1)
        return (log_z - score).mean()

    def viterbi(self, em, mask):
        trans, start, end = self.parts()
        b, t_len, _ = em.shape
        lengths = mask.sum(1)
        delta = start.unsqueeze(0) + em[:, 0]
        back = []
        for t in range(1, t_len):
            cand = delta.unsqueeze(2) + trans.unsqueeze(0)  # (B, K_prev, K)
            best, idx = cand.max(1)
            nxt = best + em[:, t]
            m = mask[:, t].unsqueeze(1)
            delta = torch.where(m, nxt, delta)
            back.append(idx)
        delta = delta + end.unsqueeze(0)
        paths = []
        last_tags = delta.argmax(1).tolist()
        for i in range(b):
            n = int(lengths[i])
            tag = last_tags[i]
            path = [tag]
            for t in range(n - 1, 0, -1):
                tag = int(back[t - 1][i, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths


def reverse_index(mask):
    """(B, T) gather index that reverses each row's first len_b positions and leaves the padding in place."""
    t_len = mask.shape[1]
    lengths = mask.sum(1, keepdim=True)
    ar = torch.arange(t_len).unsqueeze(0)
    return torch.where(ar < lengths, lengths - 1 - ar, ar)


class Tagger(nn.Module):
    """Embedding -> BiLSTM/BiGRU -> dropout -> dense -> CRF.

    The two directions are two unidirectional RNNs, the backward one run on each row reversed within its length:
    exactly a packed bidirectional RNN (padding never reaches a real position), without PyTorch's packed-sequence
    path, whose backward pass in this build (Debian torch 1.13, generic BLAS) is about 15x slower than the padded one.
    """

    def __init__(self, arch, vocab, k, cfg, scheme):
        super().__init__()
        units, layers = cfg["rnn"]["units"], cfg["rnn"]["layers"]
        self.embed = nn.Embedding(vocab, cfg["charDim"], padding_idx=0)
        rnn = nn.LSTM if arch == "bilstm-crf" else nn.GRU
        dims = [cfg["charDim"]] + [2 * units] * (layers - 1)
        self.fwd = nn.ModuleList(rnn(d, units, batch_first=True) for d in dims)
        self.bwd = nn.ModuleList(rnn(d, units, batch_first=True) for d in dims)
        self.dropout = nn.Dropout(cfg["dropout"])
        self.dense = nn.Linear(2 * units, k)
        self.crf = Crf(scheme)

    def emissions(self, chars, mask):
        m = mask.unsqueeze(-1)
        x = self.embed(chars) * m
        rev = reverse_index(mask).unsqueeze(-1)
        for fwd, bwd in zip(self.fwd, self.bwd):
            f, _ = fwd(x)
            b, _ = bwd(x.gather(1, rev.expand(-1, -1, x.shape[2])))
            b = b.gather(1, rev.expand(-1, -1, b.shape[2]))
            x = torch.cat([f, b], dim=-1) * m
        return self.dense(self.dropout(x))


def batch_tensors(items):
    t_len = max(len(c) for c, _ in items)
    chars = torch.zeros(len(items), t_len, dtype=torch.long)
    tags = torch.zeros(len(items), t_len, dtype=torch.long)
    for i, (c, g) in enumerate(items):
        chars[i, : len(c)] = torch.tensor(c)
        tags[i, : len(g)] = torch.tensor(g)
    mask = chars != 0
    for i, (c, _) in enumerate(items):  # UNK/PAD: a character id 0 never occurs (1 is UNK)
        mask[i, : len(c)] = True
    return chars, tags, mask


def run_arch(arch, spec, train, test):
    cfg = spec["config"]
    torch.manual_seed(cfg["seed"])
    rng = random.Random(cfg["seed"])
    scheme = Scheme(spec["types"])
    vocab = {}
    for text, _ in train:
        for ch in text:
            vocab.setdefault(ch, len(vocab) + 2)  # 0 PAD, 1 UNK
    ids = lambda s: [vocab.get(ch, 1) for ch in s]
    max_len, overlap = cfg["maxLength"], cfg["overlap"]
    windows = []
    for text, entities in train:
        tags = scheme.encode(len(text), entities)
        for s, e, _, _ in split_windows(text, max_len, overlap):
            windows.append((ids(text[s:e]), clear_cut(tags[s:e])))
    model = Tagger(arch, len(vocab) + 2, len(scheme.tags), cfg, scheme)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["learningRate"])
    bs = cfg["batchSize"]
    losses = []
    started = time.perf_counter()
    for epoch in range(cfg["epochs"]):
        model.train()
        order = list(range(len(windows)))
        rng.shuffle(order)
        total = 0.0
        for s in range(0, len(order), bs):
            items = [windows[i] for i in order[s : s + bs]]
            chars, tags, mask = batch_tensors(items)
            opt.zero_grad(set_to_none=True)
            loss = model.crf.nll(model.emissions(chars, mask), tags, mask)
            loss.backward()
            opt.step()
            total += loss.item() * len(items)
        losses.append(total / len(windows))
        sys.stderr.write("pytorch %s epoch %d/%d loss %.3f %.0fs\n" % (
            arch, epoch + 1, cfg["epochs"], losses[-1], time.perf_counter() - started))
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    model.eval()
    predictions = {}
    flat = []
    for rid, text in test:
        for k, w in enumerate(split_windows(text, max_len, overlap)):
            flat.append((rid, k, w, ids(text[w[0] : w[1]])))
    flat.sort(key=lambda x: -len(x[3]))
    found = {}
    with torch.no_grad():
        for s in range(0, len(flat), 64):
            chunk = flat[s : s + 64]
            chars, _, mask = batch_tensors([(c, []) for _, _, _, c in chunk])
            paths = model.crf.viterbi(model.emissions(chars, mask), mask)
            for (rid, k, w, _), path in zip(chunk, paths):
                found.setdefault(rid, []).append((w, scheme.decode(path)))
    for rid, text in test:
        predictions[rid] = merge(found.get(rid, []), unit_offsets(text))
    infer_seconds = time.perf_counter() - started
    return {
        "arch": arch,
        "epochs": cfg["epochs"],
        "loss": losses,
        "trainSeconds": train_seconds,
        "inferSeconds": infer_seconds,
        "threads": torch.get_num_threads(),
        "torchVersion": torch.__version__,
        "predictions": predictions,
    }


def merge(per_window, units):
    """As mergeWindowSpans: spans by decreasing distance to a cut edge, overlapping ones dropped; UTF-16 offsets."""
    cands = []
    for k, ((ws, we, cut_start, cut_end), spans) in enumerate(sorted(per_window, key=lambda x: x[0][0])):
        for s, e, t in spans:
            left = s if cut_start else float("inf")
            right = (we - ws) - e if cut_end else float("inf")
            cands.append((-min(left, right), k, s + ws, e + ws, t))
    cands.sort()
    covered, taken = set(), []
    for _, _, s, e, t in cands:
        if any(c in covered for c in range(s, e)):
            continue
        covered.update(range(s, e))
        taken.append([units[s], units[e], t])
    return sorted(taken)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    torch.set_num_threads(spec.get("threads") or 2)
    train = [read_record(spec["dir"], r["file"]) for r in spec["train"]]
    test = [(r["id"], read_record(spec["dir"], r["file"])[0]) for r in spec["test"]]
    for arch in spec["archs"]:
        if arch not in ("bilstm-crf", "bigru-crf"):
            raise ValueError("unknown arch %r (bilstm-crf or bigru-crf)" % arch)
        print(json.dumps(run_arch(arch, spec, train, test)), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # one line for the parent process, no record text in it
        sys.stderr.write("ner_torch: %s: %s\n" % (type(err).__name__, err))
        sys.exit(1)
