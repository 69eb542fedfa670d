#!/usr/bin/python3
"""PyTorch side of the emr-re engine benchmark (bench/engine.js spawns this once per run).

Reads one JSON object on stdin -- the run spec that bench/engine.js builds, so that both sides use the same
case definitions and the same input batch:

    {"warmup": int, "steps": int, "threads": int|null, "lr": float, "dropout": float,
     "batch": {"chars": [[int]], "pos1": [[int]], "pos2": [[int]], "mask": [[0|1]], "labels": [int]},
     "cases": [{"name": str, "charVocab": int, "charDim": int, "posVocab": int, "posDim": int,
                "classes": int, "warmup": int?, "steps": int?,
                "encoder": {"kind": "bigru-att", "units": int, "layers": int}
                         | {"kind": "resnet-max", "filters": int, "blocks": int, "window": int}
                         | {"kind": "resgru-att", "filters": int, "blocks": int, "window": int,
                            "units": int, "layers": int}}]}

Writes one JSON object per case on stdout, in the order given:

    {"case": name, "torchTrainMs": median, "torchInferMs": median, "torchTrainSamplesMs": [...],
     "torchInferSamplesMs": [...], "torchThreads": int, "torchVersion": str}

A train step is forward + cross-entropy + backward + Adam step (dropout on); an inference step is
model.eval() + torch.no_grad() forward + softmax. Each is timed with time.perf_counter (PyTorch CPU ops are
synchronous). Errors go to stderr with exit code 1; nothing else is printed.

Standalone use (spec from the JS side):
    node bench/engine.js --print-spec --cases bigru-att-128 | /usr/bin/python3 bench/torch_engine.py
"""

import json
import os
import statistics
import sys
import time

import torch
from torch import nn


class AttentionPooling(nn.Module):
    """a_i = softmax_i(w . tanh(H_i) + b) over unpadded positions; returns sum_i a_i H_i, (batch, dim)."""

    def __init__(self, dim):
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, h, mask):
        # h: (batch, length, dim); mask: (batch, length) bool
        logits = self.score(torch.tanh(h)).squeeze(-1)  # (batch, length)
        logits = logits.masked_fill(~mask, float("-inf"))
        a = torch.softmax(logits, dim=1)  # (batch, length)
        return torch.bmm(a.unsqueeze(1), h).squeeze(1)  # (batch, dim)


class ResNet1D(nn.Module):
    """conv(window, filters, relu) + `blocks` x [relu(x + conv(relu(conv(x))))], 'same' padding.

    Like @emr-re/resgru-att, only the embedded input is masked (zeroed at padding); the pooling that follows
    ignores padded positions. (batch, length, dim) in and out.
    """

    def __init__(self, in_dim, filters, blocks, window):
        super().__init__()
        pad = window // 2
        self.stem = nn.Conv1d(in_dim, filters, window, padding=pad)
        self.blocks = nn.ModuleList(
            nn.ModuleList([nn.Conv1d(filters, filters, window, padding=pad),
                           nn.Conv1d(filters, filters, window, padding=pad)])
            for _ in range(blocks))

    def forward(self, x):
        # x: (batch, length, in_dim) -> channels-first (batch, in_dim, length) for Conv1d
        h = torch.relu(self.stem(x.transpose(1, 2)))  # (batch, filters, length)
        for conv_a, conv_b in self.blocks:
            h = torch.relu(h + conv_b(torch.relu(conv_a(h))))
        return h.transpose(1, 2)  # (batch, length, filters)


class BiGRU(nn.Module):
    """Stacked bidirectional GRU; (batch, length, in_dim) -> (batch, length, 2 * units)."""

    def __init__(self, in_dim, units, layers):
        super().__init__()
        self.gru = nn.GRU(in_dim, units, num_layers=layers, bidirectional=True, batch_first=True)

    def forward(self, x, mask):
        if bool(mask.all()):
            out, _ = self.gru(x)
            return out
        lengths = mask.sum(dim=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out


class RelationNet(nn.Module):
    """char ⊕ pos1 ⊕ pos2 embeddings -> encoder -> pooling -> dropout -> dense logits (batch, classes)."""

    def __init__(self, case, dropout):
        super().__init__()
        enc = case["encoder"]
        self.kind = enc["kind"]
        self.char = nn.Embedding(case["charVocab"], case["charDim"])
        self.pos1 = nn.Embedding(case["posVocab"], case["posDim"])
        self.pos2 = nn.Embedding(case["posVocab"], case["posDim"])
        in_dim = case["charDim"] + 2 * case["posDim"]
        pooled = 0
        if self.kind in ("resnet-max", "resgru-att"):
            self.resnet = ResNet1D(in_dim, enc["filters"], enc["blocks"], enc["window"])
            pooled += enc["filters"]
            if self.kind == "resgru-att":
                self.res_att = AttentionPooling(enc["filters"])
        if self.kind in ("bigru-att", "resgru-att"):
            self.gru = BiGRU(in_dim, enc["units"], enc["layers"])
            self.gru_att = AttentionPooling(2 * enc["units"])
            pooled += 2 * enc["units"]
        if self.kind not in ("resnet-max", "bigru-att", "resgru-att"):
            raise ValueError("unknown encoder kind %r in case %r" % (self.kind, case["name"]))
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(pooled, case["classes"])

    def forward(self, chars, pos1, pos2, mask):
        # chars, pos1, pos2: (batch, length) int64; mask: (batch, length) bool
        x = torch.cat([self.char(chars), self.pos1(pos1), self.pos2(pos2)], dim=-1)  # (batch, length, in_dim)
        x = x * mask.unsqueeze(-1).to(x.dtype)  # zero the padded positions
        feats = []
        if self.kind == "resnet-max":
            h = self.resnet(x)  # (batch, length, filters)
            feats.append(h.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1))  # (batch, filters)
        if self.kind == "resgru-att":
            feats.append(self.res_att(self.resnet(x), mask))
        if self.kind in ("bigru-att", "resgru-att"):
            feats.append(self.gru_att(self.gru(x, mask), mask))  # (batch, 2 * units)
        s = feats[0] if len(feats) == 1 else torch.cat(feats, dim=-1)  # (batch, pooled)
        return self.dense(self.dropout(s))  # (batch, classes)


def time_ms(fn, warmup, steps):
    """Runs fn warmup times untimed, then steps times timed; returns the list of step times in ms."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def bench_case(case, spec, batch):
    torch.manual_seed(spec.get("seed", 1))
    model = RelationNet(case, spec["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    loss_fn = nn.CrossEntropyLoss()
    chars, pos1, pos2, mask, labels = batch
    warmup = case.get("warmup", spec["warmup"])
    steps = case.get("steps", spec["steps"])

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(chars, pos1, pos2, mask), labels)
        loss.backward()
        opt.step()
        return loss.item()

    def infer_step():
        model.eval()
        with torch.no_grad():
            return torch.softmax(model(chars, pos1, pos2, mask), dim=-1)

    train = time_ms(train_step, warmup, steps)
    infer = time_ms(infer_step, warmup, steps)
    return {
        "case": case["name"],
        "torchTrainMs": statistics.median(train),
        "torchInferMs": statistics.median(infer),
        "torchTrainSamplesMs": [round(v, 3) for v in train],
        "torchInferSamplesMs": [round(v, 3) for v in infer],
        "torchThreads": torch.get_num_threads(),
        "torchVersion": torch.__version__,
    }


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(spec.get("threads") or os.cpu_count() or 1)
    b = spec["batch"]
    batch = (
        torch.tensor(b["chars"], dtype=torch.long),
        torch.tensor(b["pos1"], dtype=torch.long),
        torch.tensor(b["pos2"], dtype=torch.long),
        torch.tensor(b["mask"], dtype=torch.long).bool(),
        torch.tensor(b["labels"], dtype=torch.long),
    )
    for case in spec["cases"]:
        print(json.dumps(bench_case(case, spec, batch)), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # one line for the parent process, no input data in it
        sys.stderr.write("torch_engine: %s: %s\n" % (type(err).__name__, err))
        sys.exit(1)
